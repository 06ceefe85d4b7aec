//! A trained child: its architecture and weights, ready to classify.

use crate::arch::{Arch, OUTPUTS};
use crate::config::MAX_BATCH;
use crate::math;
use crate::mlp::{self, Layout, MAX_PARAMS, Workspace};
use crate::sample::Sample;

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

    /// A network from `arch` and its flat weights (see [`Layout`]); extra weights are
    /// ignored, missing ones are zero.
    pub fn new(arch: Arch, weights: &[f32]) -> Network {
        let layout = Layout::new(&arch);
        let mut params = [0.0; MAX_PARAMS];
        let n = layout.param_count().min(weights.len());
        params[..n].copy_from_slice(&weights[..n]);
        Network {
            arch,
            layout,
            params,
        }
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
        let net = Network::new(arch, &params[..layout.param_count()]);
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
}
