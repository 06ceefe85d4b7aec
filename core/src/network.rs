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

    /// Writes `P(class 1 | x)` for each point into `out` (pairs beyond the shorter are left).
    pub fn probabilities(&self, ws: &mut Workspace, points: &[[f32; 2]], out: &mut [f32]) {
        for (xs, ps) in points.chunks(MAX_BATCH).zip(out.chunks_mut(MAX_BATCH)) {
            ws.load(xs.iter().map(|&x| Sample { x, label: 0 }));
            self.layout.forward(&self.params, ws);
            let (z0, z1) = ws.logits(&self.layout);
            for ((p, a), b) in ps.iter_mut().zip(z0).zip(z1) {
                *p = math::sigmoid(b - a);
            }
        }
    }
}

const _: () = assert!(OUTPUTS == 2, "probabilities() assumes two classes");
