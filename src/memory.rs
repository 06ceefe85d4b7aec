//! The memory a network's C headers state, from its architecture alone: the bytes of its
//! constants (weights, biases, the int8 requantisation constants and activation tables, the
//! standardisation) and of its stack, before any training. The whole-space table's byte
//! column and a search's memory budget are computed here; the emitters ([`crate::c_header`],
//! [`crate::c_int8`]) count what they write, and the tests hold the two equal.
//!
//! A header states `constants + names(classes)` bytes of flash: the class names (each with its
//! terminating zero) and their pointers come on top of the network's own constants.

use piconas_core::arch::{Arch, Shape};

/// What a network's header holds, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Memory {
    /// The network's constant arrays (flash on AVR), without the class names.
    pub constants: usize,
    /// The stack of one classification.
    pub stack: usize,
}

/// One linear layer of an architecture on its data: its fan-in and fan-out, and whether
/// activations follow it (a hidden layer's table in int8).
struct Linear {
    fan_in: usize,
    fan_out: usize,
    activated: bool,
}

/// Whether activations come before the first linear layer, and the linear layers (the last
/// maps to one logit per class).
fn linears(arch: &Arch, shape: Shape) -> (bool, Vec<Linear>) {
    let tokens = arch.tokens();
    let first = tokens.iter().position(|t| t.width().is_some());
    let lead = first.unwrap_or(tokens.len()) > 0;
    let mut out: Vec<Linear> = Vec::new();
    let mut fan_in = shape.inputs();
    for (i, t) in tokens.iter().enumerate() {
        if let Some(w) = t.width() {
            let activated = tokens.get(i + 1).is_some_and(|n| n.width().is_none());
            out.push(Linear {
                fan_in,
                fan_out: w,
                activated,
            });
            fan_in = w;
        }
    }
    out.push(Linear {
        fan_in,
        fan_out: shape.classes(),
        activated: false,
    });
    (lead, out)
}

/// The widest vector of the forward pass: the inputs or a layer's outputs.
fn width(arch: &Arch, shape: Shape) -> usize {
    arch.linear_widths(shape)
        .iter()
        .copied()
        .chain([shape.inputs()])
        .max()
        .unwrap_or(0)
}

/// The standardisation's means and scales (two floats a feature), if the network standardises.
fn standardisation(shape: Shape, standardised: bool) -> usize {
    if standardised { 8 * shape.inputs() } else { 0 }
}

/// The float header's stack: the standardised inputs, two activation buffers, a member's
/// logits and the logits.
pub fn float_stack(inputs: usize, width: usize, classes: usize) -> usize {
    4 * inputs + 8 * width + 8 * classes
}

/// The int8 header's stack: two int8 activation buffers, the int8 inputs, a member's int32
/// logits and the int64 logits.
pub fn int8_stack(inputs: usize, width: usize, classes: usize) -> usize {
    2 * width + inputs + 12 * classes
}

/// The bytes a header adds for the class names: each name and its zero, and a pointer (at most
/// 8 bytes) a class.
pub fn names(classes: &[String]) -> usize {
    classes.iter().map(|c| c.len() + 1).sum::<usize>() + 8 * classes.len()
}

/// A 256-entry table of int8 activations.
const TABLE: usize = 256;

impl Memory {
    /// The float header (`export --format c`) of an ensemble of `members` networks of `arch` on
    /// data of `shape`: four bytes a weight and bias.
    pub fn float(arch: &Arch, shape: Shape, standardised: bool, members: usize) -> Memory {
        let (_, layers) = linears(arch, shape);
        let weights: usize = layers.iter().map(|l| (l.fan_in + 1) * l.fan_out).sum();
        Memory {
            constants: standardisation(shape, standardised) + 4 * members * weights,
            stack: float_stack(shape.inputs(), width(arch, shape), shape.classes()),
        }
    }

    /// The int8 header (`export --format c --int8`, the Arduino library): a byte a weight,
    /// four a bias, per hidden row a requantisation multiplier and limit (four bytes each),
    /// four bytes a member for its weight in the ensemble, and one 256-byte table for the
    /// activations before the first layer and after each hidden layer that has any (shared by
    /// the members).
    pub fn int8(arch: &Arch, shape: Shape, standardised: bool, members: usize) -> Memory {
        let (lead, layers) = linears(arch, shape);
        let last = layers.len() - 1;
        let per_member: usize = layers
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let rows = if i < last { 4 + 4 } else { 0 };
                l.fan_in * l.fan_out + (4 + rows) * l.fan_out
            })
            .sum();
        let tables = usize::from(lead) + layers.iter().filter(|l| l.activated).count();
        Memory {
            constants: standardisation(shape, standardised)
                + members * (per_member + 4)
                + TABLE * tables,
            stack: int8_stack(shape.inputs(), width(arch, shape), shape.classes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Scaling;
    use crate::int8::Int8Model;
    use crate::layers::Model;
    use piconas_core::arch::MAX_TOKENS;
    use piconas_core::rng::{self, Stream};

    /// A trained-looking network of `arch` on `shape` (varied weights), `members` of them,
    /// standardised or not.
    fn model(arch: Arch, shape: Shape, standardised: bool, members: usize) -> Model {
        let (d, k) = (shape.inputs(), shape.classes());
        let scaling = standardised.then(|| Scaling {
            mean: vec![0.25; d],
            scale: vec![1.5; d],
        });
        let weight = |m: usize, i: usize| (((i + 5 * m) * 29 % 19) as f32 - 9.0) / 13.0;
        let (file, arch) = crate::model::test_ensemble(arch, (d, k), scaling, members, weight);
        Model::new(&file, arch).unwrap()
    }

    /// Every architecture of a random sample on random shapes, ensembles and standardisation:
    /// what the headers state is what the architecture alone says, byte for byte.
    #[test]
    fn the_headers_state_what_the_architecture_says() {
        let mut rng = rng::stream(29, Stream::Child, 0);
        for case in 0..140 {
            // Every length alike (numbers run shorter architectures first, 9^L of length L).
            let len = case % (MAX_TOKENS + 1);
            let shorter: u32 = (0..len).map(|l| 9u32.pow(l as u32)).sum();
            let arch = Arch::nth(shorter + rng::below(&mut rng, 9u32.pow(len as u32)));
            assert_eq!(arch.len(), len);
            let d = 1 + rng::below(&mut rng, 64) as usize;
            let k = 2 + rng::below(&mut rng, 9) as usize;
            let shape = Shape::new(d, k).unwrap();
            let standardised = case % 3 != 0;
            let members = 1 + case % 3;
            let m = model(arch, shape, standardised, members);
            let rows: Vec<f32> = (0..d * 20)
                .map(|i| (i * 11 % 17) as f32 / 5.0 - 1.5)
                .collect();
            let q = Int8Model::quantize(&m, &m.standardised(&rows)).unwrap();
            let names = names(&m.classes);
            let float = crate::c_header::header(&m);
            let int8 = crate::c_int8::header(&m, &q);
            let expected = Memory::float(&arch, shape, standardised, members);
            assert_eq!(
                (float.flash, float.stack),
                (expected.constants + names, expected.stack),
                "float {arch} on {d}×{k}, {members} members"
            );
            let expected = Memory::int8(&arch, shape, standardised, members);
            assert_eq!(
                (int8.flash, int8.stack),
                (expected.constants + names, expected.stack),
                "int8 {arch} on {d}×{k}, {members} members"
            );
        }
    }

    #[test]
    fn the_moons_linear_classifier_and_the_largest_network_by_hand() {
        let moons = Shape::MOONS;
        // `[]`: a 2×2 layer; int8: 4 weights, 2 biases, a member weight, standardisation.
        let empty: Arch = "[]".parse().unwrap();
        assert_eq!(
            Memory::int8(&empty, moons, true, 1).constants,
            16 + 4 + 8 + 4
        );
        assert_eq!(Memory::float(&empty, moons, true, 1).constants, 16 + 4 * 6);
        // `[Tanh, 4, ReLU]`: the lead table, a hidden layer of 4 rows with its table.
        let a: Arch = "[Tanh, 4, ReLU]".parse().unwrap();
        let hidden = 2 * 4 + 4 * (4 + 4 + 4);
        let output = 4 * 2 + 4 * 2;
        assert_eq!(
            Memory::int8(&a, moons, false, 1).constants,
            256 + hidden + output + 4 + 256
        );
        assert_eq!(Memory::int8(&a, moons, false, 1).stack, 2 * 4 + 2 + 24);
        assert_eq!(Memory::float(&a, moons, false, 1).stack, 8 + 32 + 16);
    }
}
