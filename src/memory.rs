//! The memory a network's C headers state, from its architecture alone: the core's formulas
//! ([`piconas_core::memory`]: constants and stack, which a search's budget on a chip and the
//! whole-space table's byte column use), and the class names' bytes, which only the host
//! knows. The emitters ([`crate::c_header`], [`crate::c_int8`]) count what they write, and the
//! tests here hold the two equal.
//!
//! A header states `constants + names(classes)` bytes of flash: the class names (each with its
//! terminating zero) and their pointers come on top of the network's own constants.

pub use piconas_core::memory::{Memory, float_stack, int8_stack};

/// The bytes a header adds for the class names: each name and its zero, and a pointer (at most
/// 8 bytes) a class.
pub fn names(classes: &[String]) -> usize {
    classes.iter().map(|c| c.len() + 1).sum::<usize>() + 8 * classes.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Scaling;
    use crate::int8::Int8Model;
    use crate::layers::Model;
    use piconas_core::arch::{Arch, MAX_TOKENS, Shape};
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
        let (file, arch) = crate::model::synthetic(arch, (d, k), scaling, members, weight).unwrap();
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
            let expected = Memory::int8(&arch, shape, members);
            assert_eq!(
                (int8.flash, int8.stack),
                (expected.constants + names, expected.stack),
                "int8 {arch} on {d}×{k}, {members} members"
            );
        }
    }
}
