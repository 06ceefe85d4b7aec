//! The child network: a fixed-capacity f32 MLP, its loss and its backward pass.
//!
//! A [`Layout`] turns an [`Arch`] into a list of ops (linear layers and activations) with each
//! linear layer's place in one flat parameter array (weights `[out][in]`, PyTorch's layout, then
//! biases). The trainer owns the parameters and Adam's moments as `[f32; MAX_PARAMS]`.
//!
//! Activations live in a [`Workspace`], **feature-major**: one row of [`MAX_BATCH`] lanes per
//! feature, one lane per sample of the mini-batch. Every inner loop then runs over 32
//! contiguous lanes with no branch on the sample, which the compiler vectorises; a partial
//! batch leaves its unused lanes at zero input and zero loss gradient, so they change nothing.
//! Each output's sum is accumulated in a fixed order, so vectorising never changes a bit.
//!
//! Memory is what backward needs for the current batch and no more: the input (`MAX_INPUTS`
//! rows), what activations before the first linear layer make of it (`MAX_INPUTS` rows), each
//! hidden op's output (16 rows), the logits (`MAX_CLASSES` rows), and one spare row block of
//! 16; plus one layer's input transposed (`MAX_BATCH × MAX_FAN_IN`). In bytes,
//! `128·(2·MAX_INPUTS + 96 + MAX_CLASSES + 16) + 128·MAX_FAN_IN + 36`: 17,188 at the moons'
//! capacities (2 inputs, 2 classes), 40,228 at the default 64 and 10 (on Cortex-M; elsewhere 4
//! more for a `usize`, and on hosts rounded up to whole cache lines: `Aligned`). Backward
//! overwrites the logits with their gradient, then moves the gradient down through slots it no
//! longer needs, ping-ponging with the spare block. Each weight's gradient
//! goes to a callback the moment it is computed, after the gradient below has been taken from
//! the old weights, so the trainer applies Adam right there: no gradient buffer exists at all.

use rand_core::Rng;

use crate::arch::{
    Activation, Arch, LEAKY_SLOPE, MAX_CLASSES, MAX_FAN_IN, MAX_INPUTS, MAX_LINEAR, MAX_TOKENS,
    MAX_WIDTH, Shape,
};
use crate::config::{MAX_BATCH, Metric};
use crate::math;
use crate::rng;
use crate::sample::Rows;

/// Parameters of the largest child on the widest data: six 16-unit layers and the output
/// layer (2570 at the default capacities, 1442 at the moons').
pub const MAX_PARAMS: usize = (MAX_INPUTS + 1) * MAX_WIDTH
    + (MAX_TOKENS - 1) * (MAX_WIDTH + 1) * MAX_WIDTH
    + (MAX_WIDTH + 1) * MAX_CLASSES;
/// Ops of the longest child: every token, plus the output layer.
pub const MAX_OPS: usize = MAX_TOKENS + 1;

const LANE_GROUP: usize = 8;
/// Lanes [`weighted_sum`] keeps in registers at once: the whole batch, four independent
/// 8-lane sums on AVX2 (two on AVX-512, eight 4-lane ones on SSE and wasm), so that each
/// term's adds do not wait on the one before (an add's latency is several cycles). Scalar
/// Arm cores keep 8: 32 sums would not fit in their 32 float registers, and their spill
/// would cost a microcontroller's stack 96 bytes. (The grouping never changes a bit: each
/// lane's terms are added in the same order either way.)
const SUM_GROUP: usize = if cfg!(target_arch = "arm") {
    LANE_GROUP
} else {
    MAX_BATCH
};
const _: () = assert!(MAX_BATCH.is_multiple_of(LANE_GROUP) && MAX_WIDTH >= MAX_CLASSES);
const _: () = assert!(MAX_LINEAR <= MAX_OPS && MAX_PARAMS <= u16::MAX as usize);
const _: () = assert!(MAX_INPUTS <= u8::MAX as usize && MAX_FAN_IN >= MAX_WIDTH);

/// One value per sample of a mini-batch.
pub type Lanes = [f32; MAX_BATCH];

/// A linear layer `out = W·in + b`, with `W` at `params[offset..]` as `[fan_out][fan_in]`,
/// then `b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Linear {
    /// Input features.
    pub fan_in: u8,
    /// Output features.
    pub fan_out: u8,
    /// Where the weights start in the flat parameter array.
    pub offset: u16,
}

impl Linear {
    /// `(fan_in, fan_out)` as `usize`.
    pub fn shape(&self) -> (usize, usize) {
        (usize::from(self.fan_in), usize::from(self.fan_out))
    }

    /// Where the layer's weights and biases lie in the flat parameter array.
    pub fn range(&self) -> core::ops::Range<usize> {
        let (fi, fo) = self.shape();
        let start = usize::from(self.offset);
        start..start + (fi + 1) * fo
    }
}

/// What [`Layout::backward_with`] hands each group of gradients to: `apply(start, params,
/// grads, weights)`, as [`Layout::backward`]'s closure. The trainer's Adam update is a type of
/// its own, whose method is inlined into the backward pass: a closure is compiled out of line
/// without its caller's target features, so in `Trainer::fit_avx2` it ran on SSE.
pub(crate) trait Apply {
    /// Takes the gradients `grads` of `params`.
    fn apply(&mut self, start: usize, params: &mut [f32], grads: &[f32], weights: bool);
}

impl<F: FnMut(usize, &mut [f32], &[f32], bool)> Apply for F {
    #[inline(always)]
    fn apply(&mut self, start: usize, params: &mut [f32], grads: &[f32], weights: bool) {
        self(start, params, grads, weights)
    }
}

/// One step of the child's forward pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// A linear layer.
    Linear(Linear),
    /// An elementwise nonlinearity over `width` features.
    Act {
        /// The nonlinearity.
        activation: Activation,
        /// Features it applies to.
        width: u8,
    },
}

/// The ops of one child and where their parameters live.
///
/// Activations before the first linear layer apply to the data's `d` features, which may be
/// wider than a hidden layer: they are kept apart as the `lead`, applied in their own block of
/// the workspace, and the ops start at the first linear layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    shape: Shape,
    lead: [Activation; MAX_TOKENS],
    lead_len: u8,
    ops: [Op; MAX_OPS],
    len: u8,
    params: u16,
}

/// Rows of the workspace: input, the lead's output, six hidden outputs, logits, spare.
const ROWS: usize = 2 * MAX_INPUTS + MAX_TOKENS * MAX_WIDTH + MAX_CLASSES + MAX_WIDTH;
const LEAD: usize = MAX_INPUTS;
const HIDDEN: usize = LEAD + MAX_INPUTS;
const LOGITS: usize = HIDDEN + MAX_TOKENS * MAX_WIDTH;
const SPARE: usize = LOGITS + MAX_CLASSES;

/// Splits `rows` into a mutable block `write` and shared blocks `reads`, none overlapping
/// `write` (guaranteed by the callers' slot arithmetic).
fn split_rows<const N: usize>(
    rows: &mut [Lanes; ROWS],
    write: core::ops::Range<usize>,
    reads: [core::ops::Range<usize>; N],
) -> (&mut [Lanes], [&[Lanes]; N]) {
    let (before, rest) = rows.split_at_mut(write.start);
    let (written, after) = rest.split_at_mut(write.end - write.start);
    let offset = write.end;
    let reads = reads.map(|r| {
        if r.end <= write.start {
            &before[r]
        } else {
            &after[r.start - offset..r.end - offset]
        }
    });
    (written, reads)
}

/// `T` on a cache line's boundary (64 bytes) where training runs on wide vectors (x86, 64-bit
/// Arm, wasm): a vector load of the training's arrays then never straddles two lines. Where a
/// run's trainer happened to sit 16 bytes off a 32-byte boundary, the default search ran 9 %
/// slower on an Intel Xeon (AVX2), and which runs did depended on the allocator's layout: on
/// the length of the program's path. Microcontrollers have no such loads, and their RAM has no
/// bytes to pad with.
#[derive(Clone, Debug)]
#[cfg_attr(
    any(
        target_arch = "x86_64",
        target_arch = "x86",
        target_arch = "aarch64",
        target_arch = "wasm32"
    ),
    repr(C, align(64))
)]
pub(crate) struct Aligned<T>(pub(crate) T);

impl<T> core::ops::Deref for Aligned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> core::ops::DerefMut for Aligned<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// Buffers for one mini-batch (see the module docs for their size): activations, the spare
/// block, one layer's input transposed, labels. Its rows start on a cache line (`Aligned`),
/// and, its fields kept in order (`repr(C)`), so does the transposed input after them.
#[derive(Clone, Debug)]
#[repr(C)]
pub struct Workspace {
    rows: Aligned<[Lanes; ROWS]>,
    /// The current linear layer's input, sample-major (`cols[lane][feature]`), for its weight
    /// gradients: each is then a sum over samples of whole rows, with no horizontal reduction
    /// per weight.
    cols: [[f32; MAX_FAN_IN]; MAX_BATCH],
    labels: [u8; MAX_BATCH],
    lanes: usize,
}

impl Default for Workspace {
    fn default() -> Self {
        Self::new()
    }
}

/// `cols[lane][i] = rows[i][lane]` for the `rows` given; the other features are left as they
/// were (their gradients are computed and never used).
#[inline(always)]
fn transpose(rows: &[Lanes], cols: &mut [[f32; MAX_FAN_IN]; MAX_BATCH]) {
    for (i, row) in rows.iter().enumerate().take(MAX_FAN_IN) {
        for (col, &v) in cols.iter_mut().zip(row) {
            col[i] = v;
        }
    }
}

/// `g[i] = Σ_lanes d·x_i` for the first `N` features at once from the transposed input: two
/// interleaved partial sums of whole `N`-wide rows (even and odd lanes) added at the end, a
/// fixed order whatever `N`; vertical adds only, so it vectorises without a horizontal
/// reduction per weight. `N` is 16 for hidden layers, [`MAX_FAN_IN`] for a wider data input.
#[inline(always)]
fn weight_gradients<const N: usize>(
    d: &Lanes,
    cols: &[[f32; MAX_FAN_IN]; MAX_BATCH],
    g: &mut [f32; N],
) {
    let (mut even, mut odd) = ([0.0f32; N], [0.0f32; N]);
    for (pair, dd) in cols.chunks_exact(2).zip(d.chunks_exact(2)) {
        for ((e, o), (&x0, &x1)) in even
            .iter_mut()
            .zip(odd.iter_mut())
            .zip(pair[0][..N].iter().zip(&pair[1][..N]))
        {
            *e += dd[0] * x0;
            *o += dd[1] * x1;
        }
    }
    for ((gi, e), o) in g.iter_mut().zip(even).zip(odd) {
        *gi = e + o;
    }
}

#[inline(always)]
fn sum_lanes(a: &Lanes) -> f32 {
    let mut acc = [0.0f32; LANE_GROUP];
    for c in a.chunks_exact(LANE_GROUP) {
        for (s, &x) in acc.iter_mut().zip(c) {
            *s += x;
        }
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// `out = init + Σₖ wₖ·xₖ`, lane by lane, the terms added in order (so the bits are those of
/// `out = [init; _]` followed by one `out += wₖ·xₖ` pass per term). Computed a group of
/// [`SUM_GROUP`] lanes at a time with the partial sums in registers: each term's lanes are
/// loaded once per group and `out` is written once, instead of read and written once per term.
#[inline(always)]
fn weighted_sum<'a>(
    out: &mut Lanes,
    init: f32,
    terms: impl Iterator<Item = (f32, &'a Lanes)> + Clone,
) {
    weighted_sum_in::<SUM_GROUP>(out, init, terms);
}

/// [`weighted_sum`] `GROUP` lanes at a time (tested alike for every group the targets use).
#[inline(always)]
fn weighted_sum_in<'a, const GROUP: usize>(
    out: &mut Lanes,
    init: f32,
    terms: impl Iterator<Item = (f32, &'a Lanes)> + Clone,
) {
    for (g, chunk) in out.chunks_exact_mut(GROUP).enumerate() {
        let mut acc = [init; GROUP];
        for (w, x) in terms.clone() {
            let x = &x[g * GROUP..(g + 1) * GROUP];
            for (a, &v) in acc.iter_mut().zip(x) {
                *a += w * v;
            }
        }
        chunk.copy_from_slice(&acc);
    }
}

#[cfg_attr(feature = "multiversion", inline(always))]
fn activate(activation: Activation, rows: &mut [Lanes]) {
    // One arm per activation, so each loop is specialised (and vectorised) for it.
    for row in rows {
        match activation {
            Activation::Sigmoid => row
                .iter_mut()
                .for_each(|x| *x = Activation::Sigmoid.apply(*x)),
            Activation::Tanh => row.iter_mut().for_each(|x| *x = Activation::Tanh.apply(*x)),
            Activation::Relu => row.iter_mut().for_each(|x| *x = Activation::Relu.apply(*x)),
            Activation::LeakyRelu => row
                .iter_mut()
                .for_each(|x| *x = Activation::LeakyRelu.apply(*x)),
        }
    }
}

/// Multiplies `delta` by the activation's derivative, written in terms of its output `y`.
#[cfg_attr(feature = "multiversion", inline(always))]
fn activate_backward(activation: Activation, outputs: &[Lanes], delta: &mut [Lanes]) {
    for (d, y) in delta.iter_mut().zip(outputs) {
        let pairs = d.iter_mut().zip(y);
        match activation {
            Activation::Sigmoid => pairs.for_each(|(d, &y)| *d *= y * (1.0 - y)),
            Activation::Tanh => pairs.for_each(|(d, &y)| *d *= 1.0 - y * y),
            Activation::Relu => pairs.for_each(|(d, &y)| *d = if y > 0.0 { *d } else { 0.0 }),
            Activation::LeakyRelu => {
                pairs.for_each(|(d, &y)| *d = if y > 0.0 { *d } else { LEAKY_SLOPE * *d })
            }
        }
    }
}

impl Layout {
    /// The empty layout (no ops); a placeholder until [`Layout::new`].
    pub const EMPTY: Layout = Layout {
        shape: Shape::MOONS,
        lead: [Activation::Relu; MAX_TOKENS],
        lead_len: 0,
        ops: [Op::Act {
            activation: Activation::Relu,
            width: 0,
        }; MAX_OPS],
        len: 0,
        params: 0,
    };

    /// The ops of `arch` on data of `shape`, ending with the output layer. Never panics: every
    /// `Arch` fits every `Shape`.
    pub fn new(arch: &Arch, shape: Shape) -> Layout {
        let mut layout = Layout {
            shape,
            ..Layout::EMPTY
        };
        let mut width = shape.inputs();
        let mut offset = 0usize;
        let push = |layout: &mut Layout, op: Op| {
            layout.ops[usize::from(layout.len)] = op;
            layout.len += 1;
        };
        for t in arch.tokens() {
            if let Some(w) = t.width() {
                push(
                    &mut layout,
                    Op::Linear(Linear {
                        fan_in: width as u8,
                        fan_out: w as u8,
                        offset: offset as u16,
                    }),
                );
                offset += (width + 1) * w;
                width = w;
            } else if let Some(activation) = t.activation() {
                if layout.len == 0 {
                    layout.lead[usize::from(layout.lead_len)] = activation;
                    layout.lead_len += 1;
                } else {
                    push(
                        &mut layout,
                        Op::Act {
                            activation,
                            width: width as u8,
                        },
                    );
                }
            }
        }
        let k = shape.classes();
        push(
            &mut layout,
            Op::Linear(Linear {
                fan_in: width as u8,
                fan_out: k as u8,
                offset: offset as u16,
            }),
        );
        layout.params = (offset + (width + 1) * k) as u16;
        layout
    }

    /// The data's shape this layout was made for.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// The activations applied to the data's features before the first linear layer.
    pub fn lead(&self) -> &[Activation] {
        &self.lead[..usize::from(self.lead_len)]
    }

    /// The ops in order, from the first linear layer (after the [`Layout::lead`]).
    pub fn ops(&self) -> &[Op] {
        &self.ops[..usize::from(self.len)]
    }

    /// Number of parameters (a prefix of the flat array).
    pub fn param_count(&self) -> usize {
        usize::from(self.params)
    }

    /// Where op `k`'s input lives (op `k − 1`'s output): the data (or the lead's output) for
    /// the first op, the logits past the last, a hidden block between.
    fn slot(&self, k: usize) -> core::ops::Range<usize> {
        let d = self.shape.inputs();
        if k == 0 {
            let start = if self.lead_len > 0 { LEAD } else { 0 };
            start..start + d
        } else if k >= self.ops().len() {
            LOGITS..LOGITS + self.shape.classes()
        } else {
            let start = HIDDEN + (k - 1) * MAX_WIDTH;
            start..start + MAX_WIDTH
        }
    }

    /// PyTorch's default `nn.Linear` init: weights and biases uniform in `±1/√fan_in`.
    pub fn init(&self, params: &mut [f32; MAX_PARAMS], rng: &mut impl Rng) {
        for op in self.ops() {
            if let Op::Linear(linear) = op {
                let bound = 1.0 / math::sqrt(f32::from(linear.fan_in));
                for p in &mut params[linear.range()] {
                    *p = rng::symmetric(rng, bound);
                }
            }
        }
    }

    /// Runs the batch in `ws` through the network, leaving the logits in the workspace. The
    /// loaded input is left as it was, so a batch may be run again.
    #[cfg_attr(feature = "multiversion", inline(always))]
    pub fn forward(&self, params: &[f32; MAX_PARAMS], ws: &mut Workspace) {
        if self.lead_len > 0 {
            let d = self.shape.inputs();
            let (input, lead) = ws.rows.split_at_mut(LEAD);
            lead[..d].copy_from_slice(&input[..d]);
            for &activation in self.lead() {
                activate(activation, &mut lead[..d]);
            }
        }
        for (k, op) in self.ops().iter().enumerate() {
            let (output, [input]) = split_rows(&mut ws.rows, self.slot(k + 1), [self.slot(k)]);
            match *op {
                Op::Linear(linear) => {
                    let (fi, fo) = linear.shape();
                    let (w, b) = params[linear.range()].split_at(fi * fo);
                    for ((out, row), &bias) in output.iter_mut().zip(w.chunks_exact(fi)).zip(b) {
                        weighted_sum(out, bias, row.iter().copied().zip(input.iter()));
                    }
                }
                Op::Act { activation, width } => {
                    let w = usize::from(width);
                    output[..w].copy_from_slice(&input[..w]);
                    activate(activation, &mut output[..w]);
                }
            }
        }
    }

    /// Backpropagates the loss gradient that [`Workspace::loss_gradient`] left in `ws`,
    /// calling `apply(start, params, grads, weights)` for consecutive weight rows (`weights`
    /// true: one row, or as many as hold 16 weights) and each bias vector (false), top layer
    /// first, as soon as their gradients are known and the gradient below no longer needs
    /// them; `apply` may update the parameters in place (the trainer runs Adam there).
    /// `start` is the first parameter's place in the flat array.
    /// Consumes the workspace's activations. (The lead has no parameters below it, so nothing
    /// flows back through it.)
    #[cfg_attr(feature = "multiversion", inline(always))]
    pub fn backward(
        &self,
        params: &mut [f32; MAX_PARAMS],
        ws: &mut Workspace,
        apply: impl FnMut(usize, &mut [f32], &[f32], bool),
    ) {
        self.backward_with(params, ws, apply);
    }

    /// [`Layout::backward`] with any [`Apply`].
    #[cfg_attr(feature = "multiversion", inline(always))]
    pub(crate) fn backward_with(
        &self,
        params: &mut [f32; MAX_PARAMS],
        ws: &mut Workspace,
        mut apply: impl Apply,
    ) {
        let ops = self.ops();
        // The gradient of the current op's output: first the logits, overwritten in place.
        let mut grad = self.slot(ops.len());
        for (k, op) in ops.iter().enumerate().rev() {
            match *op {
                Op::Act { activation, width } => {
                    let w = usize::from(width);
                    let (d, [y]) = split_rows(&mut ws.rows, grad.clone(), [self.slot(k + 1)]);
                    activate_backward(activation, &y[..w], &mut d[..w]);
                }
                Op::Linear(linear) => {
                    let (fi, fo) = linear.shape();
                    let start = usize::from(linear.offset);
                    let (w, b) = params[linear.range()].split_at_mut(fi * fo);
                    // The input's gradient goes to the spare block, or, if the output's gradient
                    // is there, to this op's own output slot, which a linear backward never reads.
                    let below = if grad.start == SPARE {
                        self.slot(k + 1)
                    } else {
                        SPARE..SPARE + MAX_WIDTH
                    };
                    let (d_in, [d_out, x]) =
                        split_rows(&mut ws.rows, below.clone(), [grad.clone(), self.slot(k)]);
                    // The first op is always linear, and nothing below it needs a gradient.
                    if k > 0 {
                        for (i, din) in d_in[..fi].iter_mut().enumerate() {
                            let column = w.chunks_exact(fi).map(move |row| row[i]);
                            weighted_sum(din, 0.0, column.zip(d_out[..fo].iter()));
                        }
                    }
                    // A few rows of gradients at a time (on the stack), so that the update
                    // runs over a contiguous slice and vectorises: as many rows as make up
                    // 16 weights, so that rows of 1 to 8 weights have no scalar remainder.
                    // Each row's gradients are computed 16 (or `MAX_FAN_IN`) wide and stored
                    // whole, with vector stores; the next row's overwrite the unused ones.
                    let mut g = [0.0f32; MAX_FAN_IN + MAX_WIDTH];
                    transpose(&x[..fi], &mut ws.cols);
                    let rows = (MAX_WIDTH / fi.max(1)).max(1);
                    let groups = w.chunks_mut(rows * fi).zip(d_out[..fo].chunks(rows));
                    for (j, (group, ds)) in groups.enumerate() {
                        for (r, d) in ds.iter().enumerate() {
                            let at = &mut g[r * fi..];
                            if MAX_FAN_IN == MAX_WIDTH || fi <= MAX_WIDTH {
                                if let Some(row) = at.first_chunk_mut::<MAX_WIDTH>() {
                                    weight_gradients(d, &ws.cols, row);
                                }
                            } else if let Some(row) = at.first_chunk_mut::<MAX_FAN_IN>() {
                                weight_gradients(d, &ws.cols, row);
                            }
                        }
                        apply.apply(start + j * rows * fi, group, &g[..group.len()], true);
                    }
                    for (gj, d) in g.iter_mut().zip(&d_out[..fo]) {
                        *gj = sum_lanes(d);
                    }
                    apply.apply(start + fi * fo, b, &g[..fo], false);
                    grad = below;
                }
            }
        }
    }
}

impl Workspace {
    /// A zeroed workspace (`const`, so firmware can place it in a static).
    pub const fn new() -> Self {
        Self {
            rows: Aligned([[0.0; MAX_BATCH]; ROWS]),
            cols: [[0.0; MAX_FAN_IN]; MAX_BATCH],
            labels: [0; MAX_BATCH],
            lanes: 0,
        }
    }

    /// Loads up to [`MAX_BATCH`] samples as the batch, each its first `d` features and its
    /// class (the unused lanes of the `d` input rows are zeroed).
    #[cfg_attr(feature = "multiversion", inline(always))]
    pub fn load<'a>(&mut self, d: usize, samples: impl IntoIterator<Item = (&'a [f32], u8)>) {
        let d = d.min(MAX_INPUTS);
        let mut lanes = 0;
        for (lane, (x, label)) in samples.into_iter().take(MAX_BATCH).enumerate() {
            for (row, &v) in self.rows[..d].iter_mut().zip(x) {
                row[lane] = v;
            }
            self.labels[lane] = label;
            lanes = lane + 1;
        }
        self.end_batch(d, lanes);
    }

    /// Ends loading a batch of `lanes` samples of `d` features: the unused lanes are zeroed.
    #[inline(always)]
    fn end_batch(&mut self, d: usize, lanes: usize) {
        for row in &mut self.rows[..d] {
            row[lanes..].fill(0.0);
        }
        self.labels[lanes..].fill(0);
        self.lanes = lanes;
    }

    /// Loads rows `indices` of `rows` as the batch (see [`Workspace::load`]; the same values,
    /// with a fixed-width copy for two features, the moons' and every generated set's). An
    /// index past the last row ends the batch, on either path.
    #[cfg_attr(feature = "multiversion", inline(always))]
    pub fn load_rows(&mut self, rows: &Rows<'_>, indices: impl IntoIterator<Item = usize>) {
        let d = rows.shape().inputs();
        if d == 2 {
            self.load_fixed::<2>(rows, indices);
        } else {
            let indices = indices.into_iter().take_while(|&i| i < rows.len());
            self.load(d, indices.map(|i| (rows.x(i), rows.label(i))));
        }
    }

    /// [`Workspace::load_rows`] for rows of exactly `N` features.
    #[cfg_attr(feature = "multiversion", inline(always))]
    fn load_fixed<const N: usize>(
        &mut self,
        rows: &Rows<'_>,
        indices: impl IntoIterator<Item = usize>,
    ) {
        let (x, _) = rows.features().as_chunks::<N>();
        let labels = rows.labels();
        let mut lanes = 0;
        for (lane, i) in indices.into_iter().take(MAX_BATCH).enumerate() {
            let (Some(v), Some(&label)) = (x.get(i), labels.get(i)) else {
                break;
            };
            for (row, &f) in self.rows[..N].iter_mut().zip(v) {
                row[lane] = f;
            }
            self.labels[lane] = label;
            lanes = lane + 1;
        }
        self.end_batch(N, lanes);
    }

    /// Samples in the current batch.
    pub fn lanes(&self) -> usize {
        self.lanes
    }

    /// The logit rows of the current batch after [`Layout::forward`], one per class.
    pub fn logits(&self, layout: &Layout) -> &[Lanes] {
        &self.rows[LOGITS..LOGITS + layout.shape.classes()]
    }

    /// Replaces the logits (after [`Layout::forward`]) by the gradient of the batch's mean
    /// softmax cross-entropy with respect to them, where [`Layout::backward`] starts.
    /// Returns whether every logit was finite: training stops on `false`.
    ///
    /// With two classes the softmax is a sigmoid of the logit difference, so one `exp` per
    /// sample gives both gradients; with more, `pⱼ = exp(zⱼ − max z) / Σ exp(z − max z)` and
    /// the gradient is `(pⱼ − [j = y]) / n`. The loss value itself is never needed to train.
    #[cfg_attr(feature = "multiversion", inline(always))]
    pub fn loss_gradient(&mut self, layout: &Layout) -> bool {
        let lanes = self.lanes;
        let scale = if lanes > 0 { 1.0 / lanes as f32 } else { 0.0 };
        let k = layout.shape.classes();
        let logits = &mut self.rows[LOGITS..LOGITS + k];
        let mut finite = true;
        if let [z0, z1] = logits {
            for s in 0..MAX_BATCH {
                let live = s < lanes;
                let p1 = math::sigmoid_vectorisable(z1[s] - z0[s]);
                let g = if live {
                    (p1 - f32::from(self.labels[s])) * scale
                } else {
                    0.0
                };
                finite &= !live || (z0[s].is_finite() && z1[s].is_finite());
                z1[s] = g;
                z0[s] = -g;
            }
            return finite;
        }
        for s in 0..MAX_BATCH {
            if s >= lanes {
                logits.iter_mut().for_each(|z| z[s] = 0.0);
                continue;
            }
            let mut top = f32::NEG_INFINITY;
            for z in logits.iter() {
                finite &= z[s].is_finite();
                top = if z[s] > top { z[s] } else { top };
            }
            let mut total = 0.0;
            for z in logits.iter_mut() {
                z[s] = math::exp(z[s] - top);
                total += z[s];
            }
            let label = usize::from(self.labels[s]);
            for (j, z) in logits.iter_mut().enumerate() {
                let p = z[s] / total;
                z[s] = (p - f32::from(u8::from(j == label))) * scale;
            }
        }
        finite
    }

    /// The batch's mean softmax cross-entropy (after [`Layout::forward`]), computed stably;
    /// then replaces the logits by its gradient as [`Workspace::loss_gradient`] does.
    pub fn loss(&mut self, layout: &Layout) -> f32 {
        let total = self.cross_entropy(layout);
        self.loss_gradient(layout);
        total / self.lanes.max(1) as f32
    }

    /// The batch's summed softmax cross-entropy (after [`Layout::forward`]), lane by lane in
    /// order, each `ln Σ exp(z − max) + max − z_label`; the logits are left as they are.
    pub fn cross_entropy(&self, layout: &Layout) -> f32 {
        let logits = self.logits(layout);
        (0..self.lanes)
            .map(|s| {
                let top = logits
                    .iter()
                    .map(|z| z[s])
                    .fold(f32::NEG_INFINITY, f32::max);
                let sum: f32 = logits.iter().map(|z| math::exp(z[s] - top)).sum();
                let lse = top + math::ln(sum);
                lse - logits
                    .get(usize::from(self.labels[s]))
                    .map_or(0.0, |z| z[s])
            })
            .sum()
    }

    /// The class the logits pick for lane `s`: the largest logit, the lowest class on a tie
    /// (on two classes: class 1 iff z₁ > z₀).
    #[inline(always)]
    pub fn predicted(&self, layout: &Layout, s: usize) -> u8 {
        predicted(self.logits(layout), s)
    }

    /// How many samples of the batch the logits classify correctly ([`Workspace::predicted`]).
    #[cfg_attr(feature = "multiversion", inline(always))]
    pub fn correct(&self, layout: &Layout) -> usize {
        (0..self.lanes)
            .filter(|&s| self.predicted(layout, s) == self.labels[s])
            .count()
    }

    /// The class of each lane of the batch.
    pub fn labels(&self) -> &[u8] {
        &self.labels[..self.lanes]
    }
}

/// The class `logits` (one row of lanes per class) pick for lane `s`: the largest logit, the
/// lowest class on a tie (on two classes: class 1 iff z₁ > z₀).
#[inline(always)]
pub fn predicted(logits: &[Lanes], s: usize) -> u8 {
    let mut best = 0;
    if let [z0, z1] = logits {
        return u8::from(z1[s] > z0[s]);
    }
    for (j, z) in logits.iter().enumerate().skip(1) {
        if z[s] > logits[best][s] {
            best = j;
        }
    }
    best as u8
}

/// The network `params` scored on `rows` by `metric` (0 for none), batch by batch through
/// `ws`: accuracy, or balanced accuracy (the mean of the per-class recalls over the classes
/// `rows` holds).
#[cfg_attr(feature = "multiversion", inline(always))]
pub fn score(
    layout: &Layout,
    params: &[f32; MAX_PARAMS],
    ws: &mut Workspace,
    rows: &Rows<'_>,
    metric: Metric,
) -> f32 {
    if metric == Metric::Accuracy {
        return accuracy(layout, params, ws, rows);
    }
    score_and_loss(layout, params, ws, rows, metric).0
}

/// The network `params` on `rows`, in one forward pass per batch: its score by `metric` (as
/// [`score`] gives it, bit for bit) and its mean cross-entropy (`ln k`-scaled nats; 0 for no
/// rows), the held-out loss that picks a child's best epoch by default.
#[cfg_attr(feature = "multiversion", inline(always))]
pub fn score_and_loss(
    layout: &Layout,
    params: &[f32; MAX_PARAMS],
    ws: &mut Workspace,
    rows: &Rows<'_>,
    metric: Metric,
) -> (f32, f32) {
    let (mut right, mut total) = ([0u32; MAX_CLASSES], [0u32; MAX_CLASSES]);
    let (mut correct, mut loss) = (0usize, 0.0f32);
    for start in (0..rows.len()).step_by(MAX_BATCH) {
        ws.load_rows(rows, start..(start + MAX_BATCH).min(rows.len()));
        layout.forward(params, ws);
        for (s, &label) in ws.labels().iter().enumerate() {
            let c = usize::from(label).min(MAX_CLASSES - 1);
            let hit = ws.predicted(layout, s) == label;
            total[c] += 1;
            right[c] += u32::from(hit);
            correct += usize::from(hit);
        }
        loss += ws.cross_entropy(layout);
    }
    if rows.is_empty() {
        return (0.0, 0.0);
    }
    let loss = loss / rows.len() as f32;
    if metric == Metric::Accuracy {
        return (correct as f32 / rows.len() as f32, loss);
    }
    (balanced_accuracy(&right, &total), loss)
}

/// Balanced accuracy from per-class counts: the mean over the classes present
/// (`total[c] > 0`) of the recall `right[c] / total[c]`, summed in class order (0 if no class
/// is present). The one formula, for the reward and the host's reports alike.
pub fn balanced_accuracy(right: &[u32], total: &[u32]) -> f32 {
    let (mut sum, mut present) = (0.0f32, 0u32);
    for (&r, &t) in right.iter().zip(total) {
        if t > 0 {
            sum += r as f32 / t as f32;
            present += 1;
        }
    }
    if present == 0 {
        0.0
    } else {
        sum / present as f32
    }
}

/// The mean of the per-batch accuracies of the network `params` on `rows` taken in the order
/// `at(0), at(1), …` (a permutation of the rows) in batches of `batch` (0 for no rows): the
/// original's dev accuracy, where a short last batch weighs as much as a full one.
#[cfg_attr(feature = "multiversion", inline(always))]
pub fn batch_mean_accuracy(
    layout: &Layout,
    params: &[f32; MAX_PARAMS],
    ws: &mut Workspace,
    rows: &Rows<'_>,
    at: impl Fn(usize) -> usize,
    batch: usize,
) -> f32 {
    let batch = batch.clamp(1, MAX_BATCH);
    let (mut sum, mut batches) = (0.0f32, 0u32);
    for start in (0..rows.len()).step_by(batch) {
        let end = (start + batch).min(rows.len());
        ws.load_rows(rows, (start..end).map(&at));
        layout.forward(params, ws);
        sum += ws.correct(layout) as f32 / (end - start) as f32;
        batches += 1;
    }
    if batches == 0 {
        0.0
    } else {
        sum / batches as f32
    }
}

/// Accuracy of the network `params` on `rows` (0 for none), batch by batch through `ws`.
#[cfg_attr(feature = "multiversion", inline(always))]
pub fn accuracy(
    layout: &Layout,
    params: &[f32; MAX_PARAMS],
    ws: &mut Workspace,
    rows: &Rows<'_>,
) -> f32 {
    if rows.is_empty() {
        return 0.0;
    }
    let mut correct = 0;
    for start in (0..rows.len()).step_by(MAX_BATCH) {
        ws.load_rows(rows, start..(start + MAX_BATCH).min(rows.len()));
        layout.forward(params, ws);
        correct += ws.correct(layout);
    }
    correct as f32 / rows.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::Token;
    use crate::rng::{Stream, stream};

    /// `n` random samples of `shape`, classes in turn: features row-major, and labels.
    fn table(shape: Shape, n: usize, seed: u64) -> (Vec<f32>, Vec<u8>) {
        let mut rng = stream(seed, Stream::Data, 0);
        let x = (0..n * shape.inputs())
            .map(|_| rng::symmetric(&mut rng, 2.0))
            .collect();
        let labels = (0..n).map(|i| (i % shape.classes()) as u8).collect();
        (x, labels)
    }

    /// Loads `n` random moons-shaped samples into `ws`.
    fn load_batch(ws: &mut Workspace, n: usize, seed: u64) -> Vec<u8> {
        let (x, labels) = table(Shape::MOONS, n, seed);
        ws.load(2, x.chunks_exact(2).zip(labels.iter().copied()));
        labels
    }

    fn loss_at(layout: &Layout, params: &[f32; MAX_PARAMS], ws: &mut Workspace) -> f32 {
        layout.forward(params, ws);
        ws.loss(layout)
    }

    /// Checks every parameter's gradient against central differences of the batch loss.
    fn gradient_check(arch: &str) {
        gradient_check_on(arch, Shape::MOONS);
    }

    /// [`gradient_check`] on data of `shape`.
    fn gradient_check_on(arch: &str, shape: Shape) {
        let arch: Arch = arch.parse().unwrap();
        let layout = Layout::new(&arch, shape);
        let n = layout.param_count();
        let mut params = [0.0f32; MAX_PARAMS];
        layout.init(&mut params, &mut stream(9, Stream::Child, 0));
        let mut ws = Workspace::new();
        let (x, labels) = table(shape, 27, 4); // a partial batch: padding lanes must not count
        ws.load(shape.inputs(), x.chunks_exact(shape.inputs()).zip(labels));
        loss_at(&layout, &params, &mut ws);
        let mut analytic = [0.0f32; MAX_PARAMS];
        let mut cursor = 0;
        let mut probe = params;
        layout.backward(&mut probe, &mut ws, |start, _, grad, _| {
            analytic[start..start + grad.len()].copy_from_slice(grad);
            cursor += grad.len();
        });
        assert_eq!(
            cursor, n,
            "{arch} on {shape}: every parameter gets a gradient"
        );
        let eps = 1e-3f32;
        for i in 0..n {
            let mut p = params;
            p[i] += eps;
            let up = loss_at(&layout, &p, &mut ws);
            p[i] -= 2.0 * eps;
            let down = loss_at(&layout, &p, &mut ws);
            let numeric = (up - down) / (2.0 * eps);
            let tol = 2e-3 + 2e-2 * numeric.abs();
            assert!(
                (numeric - analytic[i]).abs() <= tol,
                "{arch} on {shape}: parameter {i}: analytic {} vs numeric {numeric}",
                analytic[i]
            );
        }
    }

    #[test]
    fn activations_and_their_derivatives_match_hand_values() {
        let inputs = [-2.0f32, -0.5, -0.0, 0.0, 0.5, 2.0];
        let mut row: Lanes = [0.0; MAX_BATCH];
        row[..6].copy_from_slice(&inputs);
        // (activation, f(x), f'(x) as a function of the output y, both written out here)
        type Fns = (fn(f32) -> f32, fn(f32) -> f32);
        let cases: [(Activation, Fns); 4] = [
            (
                Activation::Relu,
                (|x| x.max(0.0), |y| if y > 0.0 { 1.0 } else { 0.0 }),
            ),
            (
                Activation::LeakyRelu,
                (
                    |x| if x > 0.0 { x } else { 0.01 * x },
                    |y| if y > 0.0 { 1.0 } else { 0.01 },
                ),
            ),
            (
                Activation::Sigmoid,
                (|x| 1.0 / (1.0 + libm::expf(-x)), |y| y * (1.0 - y)),
            ),
            (Activation::Tanh, (libm::tanhf, |y| 1.0 - y * y)),
        ];
        // fast-math trades precision in tanh and sigmoid (bounds measured in math.rs).
        let value_tol = if cfg!(feature = "fast-math") {
            1.5e-3
        } else {
            1e-6
        };
        for (activation, (f, df)) in cases {
            let mut out = [row];
            activate(activation, &mut out);
            let mut delta = [[3.0f32; MAX_BATCH]];
            activate_backward(activation, &out, &mut delta);
            for (i, &x) in inputs.iter().enumerate() {
                let (y, d) = (out[0][i], delta[0][i]);
                assert!(
                    (y - f(x)).abs() <= value_tol,
                    "{activation:?}({x}) = {y}, want {}",
                    f(x)
                );
                // The derivative is written in terms of the output, so it is exact given y.
                assert!(
                    (d - 3.0 * df(y)).abs() <= 1e-6,
                    "{activation:?}'({x}) = {d}, want 3·{}",
                    df(y)
                );
            }
        }
    }

    #[test]
    fn a_batch_counts_its_lanes_and_checks_only_live_logits() {
        let mut ws = Workspace::new();
        load_batch(&mut ws, 1, 1);
        assert_eq!(ws.lanes(), 1);
        load_batch(&mut ws, 40, 1);
        assert_eq!(ws.lanes(), MAX_BATCH, "at most one batch is loaded");
        let labels = load_batch(&mut ws, 27, 1);
        assert_eq!(ws.lanes(), 27);
        assert_eq!(ws.labels(), &labels[..]);
        assert!(
            ws.rows[0][27..].iter().all(|&v| v == 0.0),
            "padding lanes are zero"
        );
        let layout = Layout::new(&Arch::EMPTY, Shape::MOONS);
        for (lane, bad) in [(0, f32::NAN), (26, f32::INFINITY), (5, f32::NEG_INFINITY)] {
            ws.rows[LOGITS] = [0.5; MAX_BATCH];
            ws.rows[LOGITS + 1] = [0.5; MAX_BATCH];
            ws.rows[LOGITS + lane % 2][lane] = bad;
            assert!(
                !ws.loss_gradient(&layout),
                "a {bad} logit in live lane {lane}"
            );
        }
        // Non-finite values in lanes past the batch do not count.
        ws.rows[LOGITS] = [0.5; MAX_BATCH];
        ws.rows[LOGITS + 1] = [0.5; MAX_BATCH];
        ws.rows[LOGITS][27] = f32::NAN;
        ws.rows[LOGITS + 1][31] = f32::INFINITY;
        assert!(ws.loss_gradient(&layout));
        // Equal logits classify as class 0 (class 1 needs z₁ > z₀).
        ws.rows[LOGITS] = [0.5; MAX_BATCH];
        ws.rows[LOGITS + 1] = [0.5; MAX_BATCH];
        let zeros = labels.iter().filter(|&&l| l == 0).count();
        assert_eq!(ws.correct(&layout), zeros);
    }

    #[test]
    fn with_more_classes_the_largest_logit_wins_and_a_bad_one_stops_training() {
        let shape = Shape::new(3, 4).unwrap();
        let layout = Layout::new(&Arch::EMPTY, shape);
        let (x, labels) = table(shape, 8, 2);
        let mut ws = Workspace::new();
        ws.load(3, x.chunks_exact(3).zip(labels.iter().copied()));
        for (j, row) in ws.rows[LOGITS..LOGITS + 4].iter_mut().enumerate() {
            *row = [j as f32; MAX_BATCH];
        }
        ws.rows[LOGITS][5] = 9.0; // lane 5 picks class 0
        ws.rows[LOGITS + 1][6] = 3.0; // lane 6: a tie of classes 1 and 3 goes to 1
        let picked: Vec<u8> = (0..8).map(|s| ws.predicted(&layout, s)).collect();
        assert_eq!(picked, [3, 3, 3, 3, 3, 0, 1, 3]);
        let right = picked.iter().zip(&labels).filter(|(p, l)| p == l).count();
        assert_eq!(ws.correct(&layout), right);
        assert!(ws.loss_gradient(&layout));
        // Each lane's gradient sums to zero and is p − 1 (negative) at its label only.
        for (s, &label) in labels.iter().enumerate() {
            let g: Vec<f32> = (0..4).map(|j| ws.rows[LOGITS + j][s]).collect();
            assert!(g.iter().sum::<f32>().abs() < 1e-6, "lane {s}: {g:?}");
            for (j, v) in g.iter().enumerate() {
                assert_eq!(*v < 0.0, j == usize::from(label), "lane {s}: {g:?}");
            }
        }
        assert!(
            ws.rows[LOGITS][8..].iter().all(|&v| v == 0.0),
            "padding lanes"
        );
        ws.rows[LOGITS + 2][7] = f32::NAN;
        assert!(!ws.loss_gradient(&layout));
    }

    #[test]
    fn the_softmax_is_taken_stably_on_large_logits() {
        // Logits of 60 and more: e^(z) overflows f32 (beyond 88), e^(z − max z) does not.
        let shape = Shape::new(2, 3).unwrap();
        let layout = Layout::new(&Arch::EMPTY, shape);
        let mut ws = Workspace::new();
        ws.load(2, [(&[0.0f32, 0.0][..], 0u8), (&[0.0, 0.0][..], 2)]);
        let z = [[60.0f32, 59.0, 0.0], [-70.0, 50.0, 52.0]];
        for (s, lane) in z.iter().enumerate() {
            for (j, &v) in lane.iter().enumerate() {
                ws.rows[LOGITS + j][s] = v;
            }
        }
        assert!(ws.loss_gradient(&layout));
        for (s, (lane, label)) in z.iter().zip([0usize, 2]).enumerate() {
            let top = lane
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, |a, b| a.max(f64::from(b)));
            let e: Vec<f64> = lane.iter().map(|&v| (f64::from(v) - top).exp()).collect();
            let total: f64 = e.iter().sum();
            for (j, ej) in e.iter().enumerate() {
                let want = (ej / total - f64::from(u8::from(j == label))) / 2.0;
                let got = f64::from(ws.rows[LOGITS + j][s]);
                assert!(
                    (got - want).abs() < 1e-6,
                    "lane {s} class {j}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn softmax_over_two_classes_agrees_with_the_sigmoid_shortcut() {
        // The two-class path's gradient, computed as a k-class softmax would, by hand.
        let layout = Layout::new(&Arch::EMPTY, Shape::MOONS);
        let mut ws = Workspace::new();
        let labels = load_batch(&mut ws, 20, 5);
        let z: Vec<(f32, f32)> = (0..20)
            .map(|s| (s as f32 * 0.3 - 2.0, 1.0 - s as f32 * 0.1))
            .collect();
        for (s, &(a, b)) in z.iter().enumerate() {
            ws.rows[LOGITS][s] = a;
            ws.rows[LOGITS + 1][s] = b;
        }
        assert!(ws.loss_gradient(&layout));
        for (s, &(a, b)) in z.iter().enumerate() {
            let top = a.max(b);
            let (ea, eb) = (libm::expf(a - top), libm::expf(b - top));
            let p1 = eb / (ea + eb);
            let want = (p1 - f32::from(labels[s])) / 20.0;
            assert!((ws.rows[LOGITS + 1][s] - want).abs() < 1e-7, "lane {s}");
            assert_eq!(ws.rows[LOGITS][s], -ws.rows[LOGITS + 1][s]);
        }
    }

    #[test]
    fn balanced_accuracy_averages_the_recalls_of_the_classes_present() {
        // 40 rows, 32 of class 0 and 4 each of classes 1 and 2, and a network that always
        // says class 0 (zero weights, a bias for class 0): accuracy 80 %, balanced 1/3.
        let shape = Shape::new(2, 3).unwrap();
        let layout = Layout::new(&Arch::EMPTY, shape);
        let mut params = [0.0f32; MAX_PARAMS];
        params[2 * 3] = 1.0; // bias of class 0 (after the 3 × 2 weights)
        let x = vec![0.5f32; 80];
        let y: Vec<u8> = (0..40)
            .map(|i| match i % 10 {
                0 => 1,
                5 => 2,
                _ => 0,
            })
            .collect();
        let rows = Rows::new(&x, &y, shape).unwrap();
        let mut ws = Workspace::new();
        assert_eq!(
            score(&layout, &params, &mut ws, &rows, Metric::Accuracy),
            0.8
        );
        assert_eq!(
            score(&layout, &params, &mut ws, &rows, Metric::Balanced),
            1.0 / 3.0
        );
        let none = Rows::empty(shape);
        assert_eq!(
            score(&layout, &params, &mut ws, &none, Metric::Balanced),
            0.0
        );
    }

    #[test]
    fn the_workspace_is_the_documented_size() {
        // 2·MAX_INPUTS + 96 + MAX_CLASSES + 16 rows of 32 lanes, one transposed input of
        // MAX_FAN_IN x 32, labels and counters: the sizes the docs, docs/deploy.md's memory table
        // and the firmware's RAM budget count on (4 more where a `usize` takes 8 bytes, and
        // on hosts rounded up to whole 64-byte cache lines: `Aligned`).
        assert_eq!(ROWS, 2 * MAX_INPUTS + 96 + MAX_CLASSES + 16);
        let usize_extra = size_of::<usize>() - 4;
        let documented = 128 * ROWS + 128 * MAX_FAN_IN + 36;
        let line = align_of::<Aligned<f32>>();
        let size = (documented + usize_extra).next_multiple_of(line);
        assert_eq!(size_of::<Workspace>(), size);
        assert_eq!(align_of::<Workspace>(), line);
        if (MAX_INPUTS, MAX_CLASSES) == (64, 10) {
            assert_eq!(documented, 40_228);
        }
        if (MAX_INPUTS, MAX_CLASSES) == (2, 2) {
            assert_eq!(documented, 17_188);
        }
    }

    #[test]
    fn a_row_past_the_end_ends_the_batch_on_either_path() {
        // Two features take the fixed-width copy, three the general one: after a full batch,
        // indices 4, 2, then one past the last row, then 1 load rows 4 and 2 and nothing of
        // the full batch's lanes, on both.
        for d in [2, 3] {
            let shape = Shape::new(d, 2).unwrap();
            let (x, labels) = table(shape, 6, 1);
            let rows = Rows::new(&x, &labels, shape).unwrap();
            let mut ws = Workspace::new();
            ws.load_rows(&rows, (0..MAX_BATCH).map(|i| i % 6));
            ws.load_rows(&rows, [4, 2, 6, 1]);
            assert_eq!(ws.lanes(), 2, "{d} features");
            for (f, row) in ws.rows[..d].iter().enumerate() {
                assert_eq!(row[..3], [x[4 * d + f], x[2 * d + f], 0.0], "{d} features");
            }
            assert_eq!(ws.labels[..3], [labels[4], labels[2], 0]);
        }
    }

    #[test]
    fn every_lane_group_sums_alike() {
        // The group is 32 lanes on x86 and wasm and 8 on Arm: each lane's terms are added in
        // the same order whatever the group, so the bits are those of one term at a time.
        let mut rng = stream(2, Stream::Data, 0);
        let terms: Vec<(f32, Lanes)> = (0..5)
            .map(|_| {
                let w = rng::symmetric(&mut rng, 1.0);
                (w, core::array::from_fn(|_| rng::symmetric(&mut rng, 3.0)))
            })
            .collect();
        let mut want = [0.25f32; MAX_BATCH];
        for (w, x) in &terms {
            for (o, &v) in want.iter_mut().zip(x) {
                *o += w * v;
            }
        }
        let terms = || terms.iter().map(|(w, x)| (*w, x));
        let mut got = [[f32::NAN; MAX_BATCH]; 4];
        weighted_sum_in::<4>(&mut got[0], 0.25, terms());
        weighted_sum_in::<8>(&mut got[1], 0.25, terms());
        weighted_sum_in::<16>(&mut got[2], 0.25, terms());
        weighted_sum(&mut got[3], 0.25, terms());
        for g in got {
            assert_eq!(g.map(f32::to_bits), want.map(f32::to_bits));
        }
    }

    #[test]
    fn forward_leaves_the_input_so_a_batch_may_run_again() {
        let shape = Shape::new(5, 3).unwrap();
        let arch: Arch = "[Tanh, Sigmoid, 4]".parse().unwrap();
        let layout = Layout::new(&arch, shape);
        assert_eq!(layout.lead(), &[Activation::Tanh, Activation::Sigmoid]);
        let mut params = [0.0f32; MAX_PARAMS];
        layout.init(&mut params, &mut stream(1, Stream::Child, 0));
        let (x, labels) = table(shape, 10, 3);
        let mut ws = Workspace::new();
        ws.load(5, x.chunks_exact(5).zip(labels));
        layout.forward(&params, &mut ws);
        let first: Vec<Lanes> = ws.logits(&layout).to_vec();
        layout.forward(&params, &mut ws);
        assert_eq!(ws.logits(&layout), &first[..]);
    }

    #[test]
    fn gradients_match_finite_differences_on_wider_data_and_more_classes() {
        // With fast-math, tanh and sigmoid are approximations whose local slope is not the
        // exact derivative backward uses, and ReLUs have kinks that finite differences step
        // over: linear stacks there (as in core/tests/properties.rs).
        let archs = if cfg!(feature = "fast-math") {
            ["[8, 4]", "[16]", "[]", "[4, 2]", "[16, 16]"]
        } else {
            [
                "[8, Tanh, 4, LeakyReLU]",
                "[Tanh, 16, Sigmoid]",
                "[]",
                "[Sigmoid, 4, Tanh]",
                "[16, Tanh, 16]",
            ]
        };
        let five_three = Shape::new(5, 3).unwrap();
        gradient_check_on(archs[0], five_three);
        gradient_check_on(archs[1], five_three);
        gradient_check_on(archs[2], Shape::new(1, 2).unwrap());
        let widest = Shape::new(MAX_INPUTS, MAX_CLASSES).unwrap();
        gradient_check_on(archs[3], widest);
        gradient_check_on(archs[4], widest);
    }

    #[test]
    fn gradients_match_finite_differences_for_each_activation() {
        for act in ["Sigmoid", "Tanh", "ReLU", "LeakyReLU"] {
            gradient_check(&format!("[8, {act}, 4, {act}]"));
        }
    }

    #[test]
    fn gradients_match_finite_differences_for_widths_1_and_16() {
        gradient_check("[1, Tanh]");
        gradient_check("[16, Tanh]");
        gradient_check("[Tanh, 16, Sigmoid, Sigmoid]");
        gradient_check("[]");
    }

    #[test]
    fn gradients_match_finite_differences_for_six_layers() {
        gradient_check("[16, 16, 16, 16, 16, 16]");
        gradient_check("[16, Tanh, 8, LeakyReLU, 4, Sigmoid]");
    }

    #[test]
    fn layout_places_layers_back_to_back() {
        let arch = Arch::new(&[Token::W16; MAX_TOKENS]).unwrap();
        let widest = Shape::new(MAX_INPUTS, MAX_CLASSES).unwrap();
        let layout = Layout::new(&arch, widest);
        assert_eq!(layout.param_count(), MAX_PARAMS);
        assert_eq!(layout.ops().len(), MAX_OPS);
        let arch: Arch = "[Tanh, 4, ReLU]".parse().unwrap();
        let layout = Layout::new(&arch, Shape::MOONS);
        assert_eq!(layout.param_count(), arch.parameter_count(Shape::MOONS));
        assert_eq!(layout.lead(), &[Activation::Tanh]);
        assert_eq!(
            layout.ops()[2],
            Op::Linear(Linear {
                fan_in: 4,
                fan_out: 2,
                offset: 12
            })
        );
        let wine = Shape::new(13, 3).unwrap();
        let layout = Layout::new(&arch, wine);
        assert_eq!(layout.param_count(), arch.parameter_count(wine));
        assert_eq!(
            layout.ops()[2],
            Op::Linear(Linear {
                fan_in: 4,
                fan_out: 3,
                offset: 14 * 4
            })
        );
    }

    #[test]
    fn loss_is_ln2_for_zero_logits_and_padding_is_inert() {
        let layout = Layout::new(&Arch::EMPTY, Shape::MOONS);
        let params = [0.0f32; MAX_PARAMS];
        let mut ws = Workspace::new();
        load_batch(&mut ws, 5, 1);
        let loss = loss_at(&layout, &params, &mut ws);
        assert!((loss - core::f32::consts::LN_2).abs() < 1e-6, "loss {loss}");
        assert!(ws.rows[LOGITS][5..].iter().all(|&d| d == 0.0));
        let ten = Shape::new(3, MAX_CLASSES).unwrap();
        let layout = Layout::new(&Arch::EMPTY, ten);
        let (x, labels) = table(ten, 7, 1);
        ws.load(3, x.chunks_exact(3).zip(labels));
        let loss = loss_at(&layout, &params, &mut ws);
        let want = libm::logf(MAX_CLASSES as f32);
        assert!(
            (loss - want).abs() < 1e-6,
            "loss {loss}, want ln {MAX_CLASSES}"
        );
    }

    #[test]
    fn init_bounds_follow_fan_in() {
        let arch: Arch = "[16, 16]".parse().unwrap();
        let layout = Layout::new(&arch, Shape::MOONS);
        let mut params = [0.0f32; MAX_PARAMS];
        layout.init(&mut params, &mut stream(0, Stream::Child, 0));
        let first = &params[..48];
        let bound = 1.0 / math::sqrt(2.0);
        assert!(first.iter().all(|p| p.abs() <= bound));
        assert!(first.iter().any(|p| p.abs() > 0.25 * bound * 2.0));
        let second = &params[48..48 + 272];
        assert!(second.iter().all(|p| p.abs() <= 0.25));
    }
}
