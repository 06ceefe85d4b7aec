//! A trained child: its architecture and weights, ready to classify.

use crate::arch::{Arch, Shape};
use crate::config::MAX_BATCH;
use crate::math;
use crate::mlp::{self, Layout, MAX_PARAMS, Workspace};
use crate::sample::Rows;

/// Why weights do not make a [`Network`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkError {
    /// Not as many weights as the architecture has.
    WeightCount {
        /// The architecture's weight count.
        expected: usize,
        /// Weights given.
        found: usize,
    },
    /// A weight is NaN or infinite.
    NotFinite {
        /// Its index in the flat weights.
        index: usize,
    },
}

impl core::fmt::Display for NetworkError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            NetworkError::WeightCount { expected, found } => {
                write!(f, "{found} weights for an architecture of {expected}")
            }
            NetworkError::NotFinite { index } => write!(f, "weight {index} is not finite"),
        }
    }
}

impl core::error::Error for NetworkError {}

/// An architecture with trained weights for data of one [`Shape`] (about 10 KB at the default
/// capacities, 5.8 KB at the moons').
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    arch: Arch,
    layout: Layout,
    params: [f32; MAX_PARAMS],
}

impl Default for Network {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl Network {
    /// The empty architecture with all-zero weights, on the moons (`const`, for statics).
    pub const EMPTY: Network = Network {
        arch: Arch::EMPTY,
        layout: Layout::EMPTY,
        params: [0.0; MAX_PARAMS],
    };

    /// A network from `arch`, the `shape` of its data and its flat weights (see [`Layout`]):
    /// exactly as many as the architecture has on that shape, every one finite. Weights read
    /// back from storage are checked here, never truncated or zero-filled.
    pub fn new(arch: Arch, shape: Shape, weights: &[f32]) -> Result<Network, NetworkError> {
        let mut network = Network::EMPTY;
        network.load(arch, shape, weights)?;
        Ok(network)
    }

    /// [`Network::new`] in place: `self` becomes `arch` on data of `shape` with `weights`, or
    /// is left as it was if they do not make a network. For a firmware that holds one network
    /// in a static and loads the members of an ensemble into it in turn, never copying one
    /// through the stack.
    pub fn load(&mut self, arch: Arch, shape: Shape, weights: &[f32]) -> Result<(), NetworkError> {
        let layout = Layout::new(&arch, shape);
        let expected = layout.param_count();
        if weights.len() != expected {
            return Err(NetworkError::WeightCount {
                expected,
                found: weights.len(),
            });
        }
        if let Some(index) = weights.iter().position(|w| !w.is_finite()) {
            return Err(NetworkError::NotFinite { index });
        }
        self.set(arch, layout, weights);
        Ok(())
    }

    /// Overwrites `self` with `layout` (of `arch`) and its weights `params` (the trainer's
    /// own copy, of the layout's length by construction).
    pub(crate) fn set(&mut self, arch: Arch, layout: Layout, params: &[f32]) {
        self.arch = arch;
        self.layout = layout;
        let n = self.layout.param_count().min(params.len());
        self.params = [0.0; MAX_PARAMS];
        self.params[..n].copy_from_slice(&params[..n]);
    }

    /// The architecture.
    pub fn arch(&self) -> &Arch {
        &self.arch
    }

    /// The features it reads and the classes it tells apart.
    pub fn shape(&self) -> Shape {
        self.layout.shape()
    }

    /// The weights, flat, as [`Layout`] lays them out.
    pub fn weights(&self) -> &[f32] {
        &self.params[..self.layout.param_count()]
    }

    /// Accuracy on `rows` (0 for none, or for rows of another shape), computed through `ws`.
    pub fn accuracy(&self, ws: &mut Workspace, rows: &Rows<'_>) -> f32 {
        if rows.shape() != self.shape() {
            return 0.0;
        }
        mlp::accuracy(&self.layout, &self.params, ws, rows)
    }

    /// Writes the predicted class of each row of `x` (row-major, `d` features per row) into
    /// `out`, as [`Network::accuracy`] counts it: the class of the largest logit, the lowest
    /// on a tie (rows beyond the shorter of `x` and `out` are left).
    pub fn classify(&self, ws: &mut Workspace, x: &[f32], out: &mut [u8]) {
        self.each_batch(ws, x, out.len(), |ws, layout, start, lanes| {
            for s in 0..lanes {
                out[start + s] = ws.predicted(layout, s);
            }
        });
    }

    /// Writes each row's class probabilities into `out`, `k` per row (the softmax of its
    /// logits; on two classes `P(1) = σ(z₁ − z₀)` and `P(0) = σ(z₀ − z₁)`). Rows beyond the
    /// shorter of `x` and `out` are left. Built from the branch-free `exp` of [`math`]
    /// (IEEE basic operations only), so that an exported C header gives the same bits.
    pub fn probabilities(&self, ws: &mut Workspace, x: &[f32], out: &mut [f32]) {
        let k = self.shape().classes();
        self.each_batch(ws, x, out.len() / k, |ws, layout, start, lanes| {
            let logits = ws.logits(layout);
            for s in 0..lanes {
                softmax(logits, s, &mut out[(start + s) * k..(start + s + 1) * k]);
            }
        });
    }

    /// The layout and the full parameter array, for the forward pass ([`crate::ensemble`]).
    pub(crate) fn parts(&self) -> (&Layout, &[f32; MAX_PARAMS]) {
        (&self.layout, &self.params)
    }

    /// Runs the first `n` rows of `x` (at most as many as it holds) through the network a
    /// batch at a time, calling `f(ws, layout, first row, rows in the batch)` after each
    /// forward pass.
    fn each_batch(
        &self,
        ws: &mut Workspace,
        x: &[f32],
        n: usize,
        mut f: impl FnMut(&Workspace, &Layout, usize, usize),
    ) {
        let d = self.shape().inputs();
        let n = n.min(x.len() / d);
        for start in (0..n).step_by(MAX_BATCH) {
            let lanes = (n - start).min(MAX_BATCH);
            let rows = x[start * d..(start + lanes) * d].chunks_exact(d);
            ws.load(d, rows.map(|r| (r, 0)));
            self.layout.forward(&self.params, ws);
            f(ws, &self.layout, start, lanes);
        }
    }
}

/// Lane `s`'s class probabilities from its `logits` (one row of lanes per class) into `p`:
/// their softmax, and on two classes `P(1) = σ(z₁ − z₀)` and `P(0) = σ(z₀ − z₁)`.
pub(crate) fn softmax(logits: &[mlp::Lanes], s: usize, p: &mut [f32]) {
    if let [z0, z1] = logits {
        p[0] = math::sigmoid_vectorisable(z0[s] - z1[s]);
        p[1] = math::sigmoid_vectorisable(z1[s] - z0[s]);
        return;
    }
    let top = logits
        .iter()
        .map(|z| z[s])
        .fold(f32::NEG_INFINITY, f32::max);
    let mut total = 0.0;
    for (pj, z) in p.iter_mut().zip(logits) {
        *pj = math::exp_nonpositive(z[s] - top);
        total += *pj;
    }
    p.iter_mut().for_each(|pj| *pj /= total);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};

    #[test]
    fn classify_predicts_what_accuracy_counts_and_probabilities_show() {
        for (d, k) in [(2, 2), (5, 3)] {
            let shape = Shape::new(d, k).unwrap();
            let arch: Arch = "[8, Tanh, 4]".parse().unwrap();
            let layout = Layout::new(&arch, shape);
            let mut params = [0.0; MAX_PARAMS];
            layout.init(&mut params, &mut stream(3, Stream::Child, 0));
            let net = Network::new(arch, shape, &params[..layout.param_count()]).unwrap();
            assert_eq!(net.shape(), shape);
            // 70 rows (three batches, the last short), labelled by the largest of the first k
            // features (ties to the lower).
            let mut rng = stream(3, Stream::Data, 0);
            let x: Vec<f32> = (0..70 * d)
                .map(|_| crate::rng::gaussian_pair(&mut rng).0)
                .collect();
            let labels: Vec<u8> = x
                .chunks_exact(d)
                .map(|r| (0..k).fold(0, |b, j| if r[j] > r[b] { j } else { b }) as u8)
                .collect();
            let rows = Rows::new(&x, &labels, shape).unwrap();
            let mut ws = Workspace::new();
            let (mut classes, mut p) = (vec![99u8; 70], vec![0.0f32; 70 * k]);
            net.classify(&mut ws, &x, &mut classes);
            net.probabilities(&mut ws, &x, &mut p);
            let right = labels.iter().zip(&classes).filter(|(l, c)| l == c).count();
            assert_eq!(net.accuracy(&mut ws, &rows), right as f32 / 70.0);
            for (c, p) in classes.iter().zip(p.chunks_exact(k)) {
                let total: f32 = p.iter().sum();
                assert!((total - 1.0).abs() < 1e-5, "{p:?}");
                let top = (0..k).fold(0, |b, j| if p[j] > p[b] { j } else { b });
                assert_eq!(usize::from(*c), top, "class {c} with probabilities {p:?}");
            }
            assert!(classes.iter().all(|&c| usize::from(c) < k), "{classes:?}");
            let distinct = (0..k as u8).filter(|c| classes.contains(c)).count();
            assert!(
                distinct >= 2,
                "a constant prediction proves little: {classes:?}"
            );
            let other = Shape::new(d + 1, k).unwrap();
            let n = x.len() / (d + 1);
            let wrong = Rows::new(&x[..n * (d + 1)], &labels[..n], other).unwrap();
            assert_eq!(net.accuracy(&mut ws, &wrong), 0.0, "rows of another shape");
        }
    }

    #[test]
    fn weights_that_do_not_fit_the_architecture_are_refused() {
        let arch: Arch = "[4]".parse().unwrap();
        let n = Layout::new(&arch, Shape::MOONS).param_count(); // 2·4 + 4 + 4·2 + 2 = 22
        assert_eq!(n, 22);
        let weights = [0.5f32; 23];
        assert_eq!(
            Network::new(arch, Shape::MOONS, &weights[..21]),
            Err(NetworkError::WeightCount {
                expected: 22,
                found: 21
            })
        );
        assert_eq!(
            Network::new(arch, Shape::MOONS, &weights)
                .unwrap_err()
                .to_string(),
            "23 weights for an architecture of 22"
        );
        let mut bad = weights;
        bad[7] = f32::NAN;
        assert_eq!(
            Network::new(arch, Shape::MOONS, &bad[..22]),
            Err(NetworkError::NotFinite { index: 7 })
        );
        let net = Network::new(arch, Shape::MOONS, &weights[..22]).unwrap();
        assert_eq!(net.weights(), &weights[..22]);
    }
}
