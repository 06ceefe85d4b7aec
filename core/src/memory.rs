//! The memory a network's exported C headers state, from its architecture alone: the bytes of
//! its constants (weights, biases, the int8 requantisation constants and activation tables,
//! the standardisation) and of its stack. A search's budget on a chip
//! ([`crate::target`]) and the whole-space table's byte column are computed here, before any
//! training; the host's emitters count what they write, and its tests hold the two equal
//! (`src/memory.rs`).
//!
//! A header states these bytes plus its class names' (each with its terminating zero, and a
//! pointer): a program that never names a class drops them.

use crate::arch::{Arch, MAX_LINEAR, Shape};

/// What a network's header holds, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Memory {
    /// The network's constant arrays (flash on AVR), without the class names.
    pub constants: usize,
    /// The stack of one classification.
    pub stack: usize,
}

/// One linear layer of an architecture on its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Linear {
    /// Inputs.
    pub fan_in: usize,
    /// Outputs (the last layer's: one a class).
    pub fan_out: usize,
    /// Whether activations follow it (a hidden layer's table in int8).
    pub activated: bool,
}

/// The layers of an architecture as its headers compute them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layers {
    /// Whether activations come before the first linear layer (the int8 lead table).
    pub lead: bool,
    /// The linear layers in order; the last maps to one logit a class.
    pub linear: heapless::Vec<Linear, MAX_LINEAR>,
}

impl Layers {
    /// `arch`'s layers on data of `shape`.
    pub fn of(arch: &Arch, shape: Shape) -> Layers {
        let tokens = arch.tokens();
        let first = tokens.iter().position(|t| t.width().is_some());
        let mut linear = heapless::Vec::new();
        let mut fan_in = shape.inputs();
        for (i, t) in tokens.iter().enumerate() {
            if let Some(w) = t.width() {
                let activated = tokens.get(i + 1).is_some_and(|n| n.width().is_none());
                // At most MAX_TOKENS widths and the output layer: there is room.
                let _ = linear.push(Linear {
                    fan_in,
                    fan_out: w,
                    activated,
                });
                fan_in = w;
            }
        }
        let _ = linear.push(Linear {
            fan_in,
            fan_out: shape.classes(),
            activated: false,
        });
        Layers {
            lead: first.unwrap_or(tokens.len()) > 0,
            linear,
        }
    }

    /// The hidden layers (all but the output layer).
    pub fn hidden(&self) -> &[Linear] {
        &self.linear[..self.linear.len() - 1]
    }

    /// The int8 activation tables: the lead's and one a hidden layer with activations.
    pub fn tables(&self) -> usize {
        usize::from(self.lead) + self.linear.iter().filter(|l| l.activated).count()
    }
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

/// A 256-entry table of int8 activations.
const TABLE: usize = 256;

/// The int8 front's constants a feature: its shift (`int8_t`), offset (`int32_t`) and
/// multiplier (`uint16_t`), standardised or not.
const FRONT: usize = 1 + 4 + 2;

impl Memory {
    /// The float header (`export --format c`) of an ensemble of `members` networks of `arch` on
    /// data of `shape`: four bytes a weight and bias.
    pub fn float(arch: &Arch, shape: Shape, standardised: bool, members: usize) -> Memory {
        let weights: usize = Layers::of(arch, shape)
            .linear
            .iter()
            .map(|l| (l.fan_in + 1) * l.fan_out)
            .sum();
        Memory {
            constants: standardisation(shape, standardised) + 4 * members * weights,
            stack: float_stack(shape.inputs(), width(arch, shape), shape.classes()),
        }
    }

    /// The int8 header (`export --format c --int8`, the Arduino library): seven bytes a
    /// feature for its front (the standardisation folded in, whether or not), a byte a weight,
    /// four a bias, per hidden row a requantisation multiplier and limit (four bytes each),
    /// four bytes a member for its weight in the ensemble, and one 256-byte table for the
    /// activations before the first layer and after each hidden layer that has any (shared by
    /// the members).
    pub fn int8(arch: &Arch, shape: Shape, members: usize) -> Memory {
        let layers = Layers::of(arch, shape);
        let hidden = layers.hidden().len();
        let per_member: usize = layers
            .linear
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let rows = if i < hidden { 4 + 4 } else { 0 };
                l.fan_in * l.fan_out + (4 + rows) * l.fan_out
            })
            .sum();
        Memory {
            constants: FRONT * shape.inputs()
                + members * (per_member + 4)
                + TABLE * layers.tables(),
            stack: int8_stack(shape.inputs(), width(arch, shape), shape.classes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_moons_linear_classifier_and_a_small_network_by_hand() {
        let moons = Shape::MOONS;
        // `[]`: a 2×2 layer; int8: the front (7 bytes a feature), 4 weights, 2 biases, a
        // member weight.
        let empty: Arch = "[]".parse().unwrap();
        assert_eq!(Memory::int8(&empty, moons, 1).constants, 14 + 4 + 8 + 4);
        assert_eq!(Memory::float(&empty, moons, true, 1).constants, 16 + 4 * 6);
        // `[Tanh, 4, ReLU]`: the lead table, a hidden layer of 4 rows with its table.
        let a: Arch = "[Tanh, 4, ReLU]".parse().unwrap();
        let hidden = 2 * 4 + 4 * (4 + 4 + 4);
        let output = 4 * 2 + 4 * 2;
        assert_eq!(
            Memory::int8(&a, moons, 1).constants,
            14 + 256 + hidden + output + 4 + 256
        );
        assert_eq!(Memory::int8(&a, moons, 1).stack, 2 * 4 + 2 + 24);
        assert_eq!(Memory::float(&a, moons, false, 1).stack, 8 + 32 + 16);
    }

    #[test]
    fn layers_follow_the_tokens() {
        let a: Arch = "[Tanh, Sigmoid, 4, LeakyReLU, ReLU, 8]".parse().unwrap();
        let l = Layers::of(&a, Shape::new(13, 3).unwrap());
        assert!(l.lead);
        let fans: heapless::Vec<(usize, usize, bool), 8> = l
            .linear
            .iter()
            .map(|l| (l.fan_in, l.fan_out, l.activated))
            .collect();
        assert_eq!(&fans[..], &[(13, 4, true), (4, 8, false), (8, 3, false)]);
        assert_eq!((l.hidden().len(), l.tables()), (2, 2));
        let empty = Layers::of(&Arch::EMPTY, Shape::MOONS);
        assert_eq!(
            (empty.lead, empty.linear.len(), empty.tables()),
            (false, 1, 0)
        );
    }
}
