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
//! Memory is what backward needs for the current batch and no more (the workspace is 16,932 bytes):
//! the input (2 rows), each hidden op's output (16 rows), the logits (2 rows), and one spare
//! row block. Backward overwrites the logits with their gradient, then moves the gradient down
//! through slots it no longer needs, ping-ponging with the spare block. Each weight's gradient
//! goes to a callback the moment it is computed, after the gradient below has been taken from
//! the old weights, so the trainer applies Adam right there: no gradient buffer exists at all.

use core::borrow::Borrow;

use rand_core::Rng;

use crate::arch::{
    Activation, Arch, INPUTS, LEAKY_SLOPE, MAX_LINEAR, MAX_TOKENS, MAX_WIDTH, OUTPUTS,
};
use crate::config::MAX_BATCH;
use crate::math;
use crate::rng;
use crate::sample::Sample;

/// Parameters of the largest child: six 16-unit layers and the output layer (1442).
pub const MAX_PARAMS: usize = (INPUTS + 1) * MAX_WIDTH
    + (MAX_TOKENS - 1) * (MAX_WIDTH + 1) * MAX_WIDTH
    + (MAX_WIDTH + 1) * OUTPUTS;
/// Ops of the longest child: every token, plus the output layer.
pub const MAX_OPS: usize = MAX_TOKENS + 1;

const LANE_GROUP: usize = 8;
const _: () =
    assert!(MAX_BATCH.is_multiple_of(LANE_GROUP) && MAX_WIDTH >= INPUTS && MAX_WIDTH >= OUTPUTS);
const _: () = assert!(MAX_LINEAR <= MAX_OPS && MAX_PARAMS <= u16::MAX as usize && OUTPUTS == 2);

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    ops: [Op; MAX_OPS],
    len: u8,
    params: u16,
}

/// Rows of the workspace: input, six hidden outputs, logits, spare.
const ROWS: usize = INPUTS + MAX_TOKENS * MAX_WIDTH + OUTPUTS + MAX_WIDTH;
const LOGITS: usize = INPUTS + MAX_TOKENS * MAX_WIDTH;
const SPARE: usize = LOGITS + OUTPUTS;

/// Where an op's output lives: hidden op `k` writes rows `hidden(k)`, the last op the logits.
fn slot(k: usize, ops: usize) -> core::ops::Range<usize> {
    if k == 0 {
        0..INPUTS
    } else if k >= ops {
        LOGITS..LOGITS + OUTPUTS
    } else {
        let start = INPUTS + (k - 1) * MAX_WIDTH;
        start..start + MAX_WIDTH
    }
}

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

/// Buffers for one mini-batch (16,932 bytes): activations, the spare block, one layer's input
/// transposed, labels.
#[derive(Clone, Debug)]
pub struct Workspace {
    rows: [Lanes; ROWS],
    /// The current linear layer's input, sample-major (`cols[lane][feature]`), for its weight
    /// gradients: each is then a sum over samples of whole 16-wide rows, with no horizontal
    /// reduction per weight.
    cols: [[f32; MAX_WIDTH]; MAX_BATCH],
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
fn transpose(rows: &[Lanes], cols: &mut [[f32; MAX_WIDTH]; MAX_BATCH]) {
    for (i, row) in rows.iter().enumerate().take(MAX_WIDTH) {
        for (col, &v) in cols.iter_mut().zip(row) {
            col[i] = v;
        }
    }
}

/// `g[i] = Σ_lanes d·x_i` for all 16 features at once from the transposed input: two
/// interleaved partial sums of whole 16-wide rows (even and odd lanes) added at the end, a
/// fixed order; vertical adds only, so it vectorises without a horizontal reduction per weight.
#[inline(always)]
fn weight_gradients(d: &Lanes, cols: &[[f32; MAX_WIDTH]; MAX_BATCH], g: &mut [f32; MAX_WIDTH]) {
    let (mut even, mut odd) = ([0.0f32; MAX_WIDTH], [0.0f32; MAX_WIDTH]);
    for (pair, dd) in cols.chunks_exact(2).zip(d.chunks_exact(2)) {
        for ((e, o), (&x0, &x1)) in even
            .iter_mut()
            .zip(odd.iter_mut())
            .zip(pair[0].iter().zip(&pair[1]))
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
/// `out = [init; _]` followed by one `out += wₖ·xₖ` pass per term). Computed a group of lanes at
/// a time with the partial sums in registers: each term's lanes are loaded once per group and
/// `out` is written once, instead of read and written once per term.
#[inline(always)]
fn weighted_sum<'a>(
    out: &mut Lanes,
    init: f32,
    terms: impl Iterator<Item = (f32, &'a Lanes)> + Clone,
) {
    for (g, chunk) in out.chunks_exact_mut(LANE_GROUP).enumerate() {
        let mut acc = [init; LANE_GROUP];
        for (w, x) in terms.clone() {
            let x = &x[g * LANE_GROUP..(g + 1) * LANE_GROUP];
            for (a, &v) in acc.iter_mut().zip(x) {
                *a += w * v;
            }
        }
        chunk.copy_from_slice(&acc);
    }
}

#[cfg_attr(feature = "multiversion", inline(always))]
fn activate(activation: Activation, rows: &mut [Lanes]) {
    for row in rows {
        match activation {
            Activation::Sigmoid => row.iter_mut().for_each(|x| *x = math::act_sigmoid(*x)),
            Activation::Tanh => row.iter_mut().for_each(|x| *x = math::act_tanh(*x)),
            Activation::Relu => row
                .iter_mut()
                .for_each(|x| *x = if *x > 0.0 { *x } else { 0.0 }),
            Activation::LeakyRelu => row
                .iter_mut()
                .for_each(|x| *x = if *x > 0.0 { *x } else { LEAKY_SLOPE * *x }),
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
        ops: [Op::Act {
            activation: Activation::Relu,
            width: 0,
        }; MAX_OPS],
        len: 0,
        params: 0,
    };

    /// The ops of `arch`, ending with the output layer. Never panics: every `Arch` fits.
    pub fn new(arch: &Arch) -> Layout {
        let mut layout = Layout::EMPTY;
        let mut width = INPUTS;
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
                push(
                    &mut layout,
                    Op::Act {
                        activation,
                        width: width as u8,
                    },
                );
            }
        }
        push(
            &mut layout,
            Op::Linear(Linear {
                fan_in: width as u8,
                fan_out: OUTPUTS as u8,
                offset: offset as u16,
            }),
        );
        layout.params = (offset + (width + 1) * OUTPUTS) as u16;
        layout
    }

    /// The ops in order.
    pub fn ops(&self) -> &[Op] {
        &self.ops[..usize::from(self.len)]
    }

    /// Number of parameters (a prefix of the flat array).
    pub fn param_count(&self) -> usize {
        usize::from(self.params)
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

    /// Runs the batch in `ws` through the network, leaving the logits in the workspace.
    #[cfg_attr(feature = "multiversion", inline(always))]
    pub fn forward(&self, params: &[f32; MAX_PARAMS], ws: &mut Workspace) {
        let n = self.ops().len();
        for (k, op) in self.ops().iter().enumerate() {
            let (output, [input]) = split_rows(&mut ws.rows, slot(k + 1, n), [slot(k, n)]);
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
    /// calling `apply(start, params, grads)` for each weight row and each bias vector, top
    /// layer first, as soon as their gradients are known and the gradient below no longer needs
    /// them; `apply` may update the parameters in place (the trainer runs Adam there). `start`
    /// is the first parameter's place in the flat array. Consumes the workspace's activations.
    #[cfg_attr(feature = "multiversion", inline(always))]
    pub fn backward(
        &self,
        params: &mut [f32; MAX_PARAMS],
        ws: &mut Workspace,
        mut apply: impl FnMut(usize, &mut [f32], &[f32]),
    ) {
        let ops = self.ops();
        let n = ops.len();
        let first_linear = ops.iter().position(|op| matches!(op, Op::Linear(_)));
        // The gradient of the current op's output: first the logits, overwritten in place.
        let mut grad = slot(n, n);
        for (k, op) in ops.iter().enumerate().rev() {
            match *op {
                Op::Act { activation, width } => {
                    let w = usize::from(width);
                    let (d, [y]) = split_rows(&mut ws.rows, grad.clone(), [slot(k + 1, n)]);
                    activate_backward(activation, &y[..w], &mut d[..w]);
                }
                Op::Linear(linear) => {
                    let (fi, fo) = linear.shape();
                    let start = usize::from(linear.offset);
                    let (w, b) = params[linear.range()].split_at_mut(fi * fo);
                    // The input's gradient goes to the spare block, or, if the output's gradient
                    // is there, to this op's own output slot, which a linear backward never reads.
                    let below = if grad.start == SPARE {
                        slot(k + 1, n)
                    } else {
                        SPARE..SPARE + MAX_WIDTH
                    };
                    let (d_in, [d_out, x]) =
                        split_rows(&mut ws.rows, below.clone(), [grad.clone(), slot(k, n)]);
                    if Some(k) != first_linear {
                        for (i, din) in d_in[..fi].iter_mut().enumerate() {
                            let column = w.chunks_exact(fi).map(move |row| row[i]);
                            weighted_sum(din, 0.0, column.zip(d_out[..fo].iter()));
                        }
                    }
                    // One row of gradients at a time (64 bytes of stack), so that the update
                    // runs over a contiguous slice and vectorises.
                    let mut g = [0.0f32; MAX_WIDTH];
                    transpose(&x[..fi], &mut ws.cols);
                    for (j, (row, d)) in w.chunks_exact_mut(fi).zip(&d_out[..fo]).enumerate() {
                        weight_gradients(d, &ws.cols, &mut g);
                        apply(start + j * fi, row, &g[..fi]);
                    }
                    for (gj, d) in g.iter_mut().zip(&d_out[..fo]) {
                        *gj = sum_lanes(d);
                    }
                    apply(start + fi * fo, b, &g[..fo]);
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
            rows: [[0.0; MAX_BATCH]; ROWS],
            cols: [[0.0; MAX_WIDTH]; MAX_BATCH],
            labels: [0; MAX_BATCH],
            lanes: 0,
        }
    }

    /// Loads up to [`MAX_BATCH`] samples as the batch (unused lanes are zeroed).
    #[cfg_attr(feature = "multiversion", inline(always))]
    pub fn load<S: Borrow<Sample>>(&mut self, samples: impl IntoIterator<Item = S>) {
        let mut lanes = 0;
        for (lane, s) in samples.into_iter().take(MAX_BATCH).enumerate() {
            let s = s.borrow();
            self.rows[0][lane] = s.x[0];
            self.rows[1][lane] = s.x[1];
            self.labels[lane] = s.label;
            lanes = lane + 1;
        }
        for row in &mut self.rows[..INPUTS] {
            row[lanes..].fill(0.0);
        }
        self.labels[lanes..].fill(0);
        self.lanes = lanes;
    }

    /// Samples in the current batch.
    pub fn lanes(&self) -> usize {
        self.lanes
    }

    /// The two logit rows `(z₀, z₁)` of the current batch after [`Layout::forward`].
    pub fn logits(&self, layout: &Layout) -> (&Lanes, &Lanes) {
        let _ = layout; // the logits have a fixed slot, whatever the layout
        (&self.rows[LOGITS], &self.rows[LOGITS + 1])
    }

    /// Replaces the logits (after [`Layout::forward`]) by the gradient of the batch's mean
    /// softmax cross-entropy with respect to them, where [`Layout::backward`] starts.
    /// Returns whether every logit was finite: training stops on `false`.
    ///
    /// With two classes the softmax is a sigmoid of the logit difference, so one `exp` per
    /// sample gives both gradients; the loss value itself is never needed to train.
    #[cfg_attr(feature = "multiversion", inline(always))]
    pub fn loss_gradient(&mut self, layout: &Layout) -> bool {
        let lanes = self.lanes;
        let scale = if lanes > 0 { 1.0 / lanes as f32 } else { 0.0 };
        let _ = layout;
        let [z0, z1] = &mut self.rows[LOGITS..LOGITS + OUTPUTS] else {
            return false; // OUTPUTS == 2, asserted at compile time
        };
        let mut finite = true;
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
        finite
    }

    /// The batch's mean softmax cross-entropy (after [`Layout::forward`]), computed stably;
    /// then replaces the logits by its gradient as [`Workspace::loss_gradient`] does.
    pub fn loss(&mut self, layout: &Layout) -> f32 {
        let (z0, z1) = self.logits(layout);
        let total: f32 = (0..self.lanes)
            .map(|s| {
                let (a, b) = (z0[s], z1[s]);
                let hi = if a > b { a } else { b };
                let lse = hi + math::ln_1p(math::exp(-math::abs(a - b)));
                lse - if self.labels[s] == 0 { a } else { b }
            })
            .sum();
        self.loss_gradient(layout);
        total / self.lanes.max(1) as f32
    }

    /// How many samples of the batch the logits classify correctly (class 1 iff z₁ > z₀).
    #[cfg_attr(feature = "multiversion", inline(always))]
    pub fn correct(&self, layout: &Layout) -> usize {
        let (z0, z1) = self.logits(layout);
        (0..self.lanes)
            .filter(|&s| u8::from(z1[s] > z0[s]) == self.labels[s])
            .count()
    }
}

/// Accuracy of the network `params` on `samples` (0 for none), batch by batch through `ws`.
#[cfg_attr(feature = "multiversion", inline(always))]
pub fn accuracy(
    layout: &Layout,
    params: &[f32; MAX_PARAMS],
    ws: &mut Workspace,
    samples: &[Sample],
) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    let mut correct = 0;
    for chunk in samples.chunks(MAX_BATCH) {
        ws.load(chunk);
        layout.forward(params, ws);
        correct += ws.correct(layout);
    }
    correct as f32 / samples.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::Token;
    use crate::rng::{Stream, stream};

    fn batch(n: usize, seed: u64) -> Vec<Sample> {
        let mut rng = stream(seed, Stream::Data, 0);
        (0..n)
            .map(|i| Sample {
                x: [rng::symmetric(&mut rng, 2.0), rng::symmetric(&mut rng, 2.0)],
                label: (i % 2) as u8,
            })
            .collect()
    }

    fn loss_at(layout: &Layout, params: &[f32; MAX_PARAMS], ws: &mut Workspace) -> f32 {
        layout.forward(params, ws);
        ws.loss(layout)
    }

    /// Checks every parameter's gradient against central differences of the batch loss.
    fn gradient_check(arch: &str) {
        let arch: Arch = arch.parse().unwrap();
        let layout = Layout::new(&arch);
        let n = layout.param_count();
        let mut params = [0.0f32; MAX_PARAMS];
        layout.init(&mut params, &mut stream(9, Stream::Child, 0));
        let mut ws = Workspace::new();
        let samples = batch(27, 4); // a partial batch: the padding lanes must not count
        ws.load(&samples);
        loss_at(&layout, &params, &mut ws);
        let mut analytic = [0.0f32; MAX_PARAMS];
        let mut cursor = 0;
        let mut probe = params;
        layout.backward(&mut probe, &mut ws, |start, _, grad| {
            analytic[start..start + grad.len()].copy_from_slice(grad);
            cursor += grad.len();
        });
        assert_eq!(cursor, n, "{arch}: every parameter gets a gradient");
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
                "{arch}: parameter {i}: analytic {} vs numeric {numeric}",
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
        let samples = batch(27, 1);
        let mut ws = Workspace::new();
        ws.load(&samples);
        assert_eq!(ws.lanes(), 27);
        ws.load(&samples[..1]);
        assert_eq!(ws.lanes(), 1);
        ws.load(batch(40, 1).iter());
        assert_eq!(ws.lanes(), MAX_BATCH, "at most one batch is loaded");
        let layout = Layout::new(&Arch::EMPTY);
        ws.load(&samples);
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
        let zeros = samples.iter().filter(|s| s.label == 0).count();
        assert_eq!(ws.correct(&layout), zeros);
    }

    #[test]
    fn the_workspace_is_the_documented_size() {
        // 116 rows (input 2, six hidden layers of 16, logits 2, spare 16) of 32 lanes, one
        // transposed input of 16 x 32, labels and counters: the 16,932 bytes the docs, the
        // README's memory table and the firmware's RAM budget count on (4 more where a
        // `usize` takes 8 bytes).
        assert_eq!(ROWS, 116);
        let usize_extra = size_of::<usize>() - 4;
        assert_eq!(size_of::<Workspace>(), 16_932 + usize_extra);
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
        let layout = Layout::new(&arch);
        assert_eq!(layout.param_count(), MAX_PARAMS);
        assert_eq!(layout.ops().len(), MAX_OPS);
        let arch: Arch = "[Tanh, 4]".parse().unwrap();
        let layout = Layout::new(&arch);
        assert_eq!(layout.param_count(), arch.parameter_count());
        assert_eq!(
            layout.ops()[2],
            Op::Linear(Linear {
                fan_in: 4,
                fan_out: 2,
                offset: 12
            })
        );
    }

    #[test]
    fn loss_is_ln2_for_zero_logits_and_padding_is_inert() {
        let layout = Layout::new(&Arch::EMPTY);
        let params = [0.0f32; MAX_PARAMS];
        let mut ws = Workspace::new();
        ws.load(batch(5, 1));
        let loss = loss_at(&layout, &params, &mut ws);
        assert!((loss - core::f32::consts::LN_2).abs() < 1e-6, "loss {loss}");
        assert!(ws.rows[LOGITS][5..].iter().all(|&d| d == 0.0));
    }

    #[test]
    fn init_bounds_follow_fan_in() {
        let arch: Arch = "[16, 16]".parse().unwrap();
        let layout = Layout::new(&arch);
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
