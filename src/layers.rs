//! The one walk over a trained network's layers that every export format shares.
//!
//! `network.json` keeps each ensemble member's weights flat, in the core's [`Layout`] order. A
//! [`Model`] is the same ensemble read once as an exporter wants it: the standardisation, the
//! activations before the first linear layer, then for each member its dense layers, each
//! with its `[out][in]` weights, its biases, and the activations that follow it. The members
//! share the architecture, so the layers' shapes are the same in each; the ensemble's logits
//! are the mean of the members' (`piconas_core::ensemble`). The C header (float and int8),
//! the Arduino library and the ONNX model are emitters over a `Model`; none of them walks the
//! layout.

use piconas_core::Arch;
use piconas_core::arch::Activation;
use piconas_core::mlp::{Layout, Op};

use crate::data::Scaling;
use crate::failure::Failure;
use crate::model::NetworkFile;

/// One linear layer and the activations applied to its outputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense {
    /// Inputs per output.
    pub fan_in: usize,
    /// Outputs.
    pub fan_out: usize,
    /// `[out][in]`, row-major: output `j`'s weights are `weights[j * fan_in..][..fan_in]`.
    pub weights: Vec<f32>,
    /// One per output.
    pub bias: Vec<f32>,
    /// Applied in order to every output (empty for the last layer, whose outputs are logits).
    pub then: Vec<Activation>,
}

impl Dense {
    /// Output `j`'s weights.
    pub fn row(&self, j: usize) -> &[f32] {
        &self.weights[j * self.fan_in..][..self.fan_in]
    }
}

/// A trained network as the exporters read it.
#[derive(Clone, Debug)]
pub struct Model {
    /// The architecture as written in network.json (`[16, Tanh, 8, ReLU]`).
    pub arch: String,
    /// The feature columns' names, in input order.
    pub features: Vec<String>,
    /// The classes' names, in logit order.
    pub classes: Vec<String>,
    /// Raw features become inputs as `(x − mean) / scale`, if present.
    pub standardize: Option<Scaling>,
    /// Activations applied to the inputs before the first linear layer.
    pub lead: Vec<Activation>,
    /// The ensemble's members (at least one), each its layers (at least one: the last maps
    /// to one logit per class).
    pub members: Vec<Vec<Dense>>,
    /// Its validation accuracy, as network.json states it.
    pub dev_accuracy: f32,
    /// Its test accuracy on the host, as network.json states it.
    pub test_accuracy: f32,
}

impl Model {
    /// Reads `file`'s network (`arch` its parsed architecture) layer by layer.
    pub fn new(file: &NetworkFile, arch: Arch) -> Result<Model, Failure> {
        let networks = file.networks(arch)?;
        let shape = networks
            .first()
            .ok_or_else(|| Failure::bug("a network file without members"))?
            .shape();
        let layout = Layout::new(&arch, shape);
        let members = networks
            .iter()
            .map(|n| layers(&layout, n.weights()))
            .collect::<Result<_, _>>()?;
        Ok(Model {
            arch: file.arch.clone(),
            features: file.features.clone(),
            classes: file.classes.clone(),
            standardize: file.standardize.clone(),
            lead: layout.lead().to_vec(),
            members,
            dev_accuracy: file.dev_accuracy,
            test_accuracy: file.test_accuracy,
        })
    }

    /// The first member's layers: their shapes and activations are every member's.
    pub fn layers(&self) -> &[Dense] {
        self.members.first().map_or(&[], Vec::as_slice)
    }

    /// The number of features it reads.
    pub fn inputs(&self) -> usize {
        self.features.len()
    }

    /// The number of classes it tells apart.
    pub fn classes(&self) -> usize {
        self.classes.len()
    }

    /// The widest vector the forward pass holds: the inputs or a layer's outputs.
    pub fn width(&self) -> usize {
        self.layers()
            .iter()
            .map(|l| l.fan_out)
            .chain([self.inputs()])
            .max()
            .unwrap_or(0)
    }

    /// How many weights and biases it has, over all members.
    pub fn parameters(&self) -> usize {
        self.members
            .iter()
            .flatten()
            .map(|l| l.weights.len() + l.bias.len())
            .sum()
    }

    /// Raw rows (row-major) as the network's inputs: standardised by the core's formula, if
    /// the model standardises.
    pub fn standardised(&self, raw: &[f32]) -> Vec<f32> {
        let mut x = raw.to_vec();
        if let Some(z) = &self.standardize {
            piconas_core::standardize::apply(&mut x, &z.mean, &z.scale);
        }
        x
    }

    /// Every layer's outputs of member `m` for one input row (standardised), before (`pre`)
    /// and after its activations. Not bit for bit the core's (which adds in lanes): for
    /// calibration.
    pub fn trace(&self, m: usize, input: &[f32]) -> Vec<(Vec<f32>, Vec<f32>)> {
        let mut a: Vec<f32> = input.iter().map(|&v| apply_all(&self.lead, v)).collect();
        let layers = self.members.get(m).map_or(&[][..], Vec::as_slice);
        let mut out = Vec::with_capacity(layers.len());
        for layer in layers {
            let pre: Vec<f32> = (0..layer.fan_out)
                .map(|j| {
                    let dot: f32 = layer.row(j).iter().zip(&a).map(|(w, x)| w * x).sum();
                    layer.bias[j] + dot
                })
                .collect();
            a = pre.iter().map(|&z| apply_all(&layer.then, z)).collect();
            out.push((pre, a.clone()));
        }
        out
    }
}

/// The dense layers of `layout` with the flat `weights` of one network.
fn layers(layout: &Layout, w: &[f32]) -> Result<Vec<Dense>, Failure> {
    let mut layers: Vec<Dense> = Vec::new();
    for op in layout.ops() {
        match *op {
            Op::Linear(linear) => {
                let (fan_in, fan_out) = linear.shape();
                let at = usize::from(linear.offset);
                let bias_at = at + fan_in * fan_out;
                layers.push(Dense {
                    fan_in,
                    fan_out,
                    weights: w[at..bias_at].to_vec(),
                    bias: w[bias_at..bias_at + fan_out].to_vec(),
                    then: Vec::new(),
                });
            }
            Op::Act { activation, .. } => match layers.last_mut() {
                Some(layer) => layer.then.push(activation),
                None => return Err(Failure::bug("an activation op before any linear op")),
            },
        }
    }
    Ok(layers)
}

/// `x` through each of `activations` in order.
pub fn apply_all(activations: &[Activation], x: f32) -> f32 {
    activations.iter().fold(x, |v, a| a.apply(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_keeps_every_weight_once_in_layout_order() {
        let arch: Arch = "[Tanh, 4, ReLU, Sigmoid, 2]".parse().unwrap();
        let (file, arch) =
            crate::model::synthetic(arch, (4, 3), None, 2, |m, i| (100 * m + i) as f32).unwrap();
        let n = file.members[0].len();
        let m = Model::new(&file, arch).unwrap();
        assert_eq!(m.lead, [Activation::Tanh]);
        assert_eq!(m.members.len(), 2);
        for (member, weights) in m.members.iter().zip(&file.members) {
            let shapes: Vec<_> = member.iter().map(|l| (l.fan_in, l.fan_out)).collect();
            assert_eq!(shapes, [(4, 4), (4, 2), (2, 3)]);
            assert_eq!(member[0].then, [Activation::Relu, Activation::Sigmoid]);
            assert!(member[1].then.is_empty() && member[2].then.is_empty());
            let flat: Vec<f32> = member
                .iter()
                .flat_map(|l| l.weights.iter().chain(&l.bias).copied())
                .collect();
            assert_eq!(&flat, weights);
        }
        assert_eq!(m.members[1][0].row(1), [104.0, 105.0, 106.0, 107.0]);
        assert_eq!((m.width(), m.parameters()), (4, 2 * n));
    }
}
