//! A trained child: its architecture and weights, ready to classify.

use crate::arch::{Arch, OUTPUTS};
use crate::config::MAX_BATCH;
use crate::math;
use crate::mlp::{self, Layout, MAX_PARAMS, Workspace};
use crate::sample::Sample;

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

/// An architecture with trained weights (about 5.8 KB).
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
    /// The empty architecture with all-zero weights (`const`, for statics).
    pub const EMPTY: Network = Network {
        arch: Arch::EMPTY,
        layout: Layout::EMPTY,
        params: [0.0; MAX_PARAMS],
    };

    /// A network from `arch` and its flat weights (see [`Layout`]): exactly as many as the
    /// architecture has, every one finite. Weights read back from storage are checked here,
    /// never truncated or zero-filled.
    pub fn new(arch: Arch, weights: &[f32]) -> Result<Network, NetworkError> {
        let layout = Layout::new(&arch);
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
        let mut params = [0.0; MAX_PARAMS];
        params[..expected].copy_from_slice(weights);
        Ok(Network {
            arch,
            layout,
            params,
        })
    }

    /// Overwrites `self` with `arch` and its weights `params` (the trainer's own copy, of
    /// the layout's length by construction).
    pub(crate) fn set(&mut self, arch: Arch, params: &[f32]) {
        self.arch = arch;
        self.layout = Layout::new(&arch);
        let n = self.layout.param_count().min(params.len());
        self.params = [0.0; MAX_PARAMS];
        self.params[..n].copy_from_slice(&params[..n]);
    }

    /// The architecture.
    pub fn arch(&self) -> &Arch {
        &self.arch
    }

    /// The weights, flat, as [`Layout`] lays them out.
    pub fn weights(&self) -> &[f32] {
        &self.params[..self.layout.param_count()]
    }

    /// Accuracy on `samples` (0 for none), computed through `ws`.
    pub fn accuracy(&self, ws: &mut Workspace, samples: &[Sample]) -> f32 {
        mlp::accuracy(&self.layout, &self.params, ws, samples)
    }

    /// Writes the predicted class (0 or 1) of each point into `out`, as [`Network::accuracy`]
    /// counts it: class 1 where its logit is the larger (pairs beyond the shorter are left).
    pub fn classify(&self, ws: &mut Workspace, points: &[[f32; 2]], out: &mut [u8]) {
        self.each_output(ws, points, out, |z0, z1| u8::from(z1 > z0));
    }

    /// Writes `P(class 1 | x)` for each point into `out` (pairs beyond the shorter are left).
    pub fn probabilities(&self, ws: &mut Workspace, points: &[[f32; 2]], out: &mut [f32]) {
        self.each_output(ws, points, out, |z0, z1| math::sigmoid(z1 - z0));
    }

    /// Runs `points` through the network a batch at a time and writes `f(z₀, z₁)` of each
    /// point's two logits into `out`.
    fn each_output<T>(
        &self,
        ws: &mut Workspace,
        points: &[[f32; 2]],
        out: &mut [T],
        f: impl Fn(f32, f32) -> T,
    ) {
        for (xs, outs) in points.chunks(MAX_BATCH).zip(out.chunks_mut(MAX_BATCH)) {
            ws.load(xs.iter().map(|&x| Sample { x, label: 0 }));
            self.layout.forward(&self.params, ws);
            let (z0, z1) = ws.logits(&self.layout);
            for ((o, &a), &b) in outs.iter_mut().zip(z0).zip(z1) {
                *o = f(a, b);
            }
        }
    }
}

const _: () = assert!(
    OUTPUTS == 2,
    "probabilities() and classify() assume two classes"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};

    #[test]
    fn classify_predicts_what_accuracy_counts_and_probabilities_show() {
        let arch: Arch = "[8, Tanh, 4]".parse().unwrap();
        let layout = Layout::new(&arch);
        let mut params = [0.0; MAX_PARAMS];
        layout.init(&mut params, &mut stream(3, Stream::Child, 0));
        let net = Network::new(arch, &params[..layout.param_count()]).unwrap();
        // 70 points (three batches, the last short), labelled 1 where x0 > x1.
        let mut rng = stream(3, Stream::Data, 0);
        let samples: [Sample; 70] = core::array::from_fn(|_| {
            let (a, b) = crate::rng::gaussian_pair(&mut rng);
            Sample {
                x: [a, b],
                label: u8::from(a > b),
            }
        });
        let points = samples.map(|s| s.x);
        let mut ws = Workspace::new();
        let (mut classes, mut p) = ([9u8; 70], [0.0f32; 70]);
        net.classify(&mut ws, &points, &mut classes);
        net.probabilities(&mut ws, &points, &mut p);
        let right = samples
            .iter()
            .zip(&classes)
            .filter(|(s, c)| s.label == **c)
            .count();
        assert_eq!(net.accuracy(&mut ws, &samples), right as f32 / 70.0);
        for (c, p) in classes.iter().zip(p) {
            assert_eq!(*c, u8::from(p > 0.5), "class {c} with P(1) = {p}");
        }
        assert!(classes.contains(&0) && classes.contains(&1), "{classes:?}");
    }

    #[test]
    fn weights_that_do_not_fit_the_architecture_are_refused() {
        let arch: Arch = "[4]".parse().unwrap();
        let n = Layout::new(&arch).param_count(); // 2·4 + 4 + 4·2 + 2 = 22
        assert_eq!(n, 22);
        let weights = [0.5f32; 23];
        assert_eq!(
            Network::new(arch, &weights[..21]),
            Err(NetworkError::WeightCount {
                expected: 22,
                found: 21
            })
        );
        assert_eq!(
            Network::new(arch, &weights).unwrap_err().to_string(),
            "23 weights for an architecture of 22"
        );
        let mut bad = weights;
        bad[7] = f32::NAN;
        assert_eq!(
            Network::new(arch, &bad[..22]),
            Err(NetworkError::NotFinite { index: 7 })
        );
        let net = Network::new(arch, &weights[..22]).unwrap();
        assert_eq!(net.weights(), &weights[..22]);
    }
}
