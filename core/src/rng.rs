//! Seeded randomness: which generator, how streams are derived, and the few draws we need.
//!
//! The generator is **xoshiro128++** ([`rand_xoshiro::Xoshiro128PlusPlus`]): 32-bit
//! arithmetic only (fast on Cortex-M0/M4 and in wasm32), 16 bytes of state (cheap to
//! checkpoint), excellent statistical quality for simulation, and a reference
//! implementation to check against. It is not cryptographic, and nothing here needs that.
//!
//! Every consumer gets its own stream derived from the search seed by [`stream`]: the data
//! set, the controller, each child by its rollout index, each final retrain by its number.
//! Because a child's stream depends only on `(seed, index)`, children can be trained in any
//! order or in parallel and a resumed search draws exactly what an uninterrupted one would.

use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro128PlusPlus;

/// The one random generator type used throughout piconas.
pub type Generator = Xoshiro128PlusPlus;

/// What a random stream is for; each gives independent numbers for the same seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// The generated data set (moons): points, shuffle and noise.
    Data,
    /// The controller: initial weights, then every sampled token.
    Controller,
    /// The child of one rollout (index = rollout index): initial weights and epoch shuffles.
    Child,
    /// The final retrains of the finalists (index = retrain number, shared by all finalists
    /// so that they are compared on the same seeds).
    Retrain,
    /// The host's shuffled split of a data file (seeded by the split seed; index = class, then
    /// one past the last class for each part's final order).
    Split,
}

/// SplitMix64's finaliser: a bijective mix of 64 bits.
const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The generator for `kind` number `index` of the search seeded with `seed`.
pub fn stream(seed: u64, kind: Stream, index: u64) -> Generator {
    let tag = kind as u64 + 1;
    let key = mix64(mix64(mix64(seed) ^ tag.wrapping_mul(0x9e37_79b9_7f4a_7c15)) ^ index);
    Generator::seed_from_u64(key)
}

/// A uniform `f32` in `[0, 1)` with 24 random bits (every value is exactly representable).
#[inline]
pub fn uniform(rng: &mut impl Rng) -> f32 {
    (rng.next_u32() >> 8) as f32 * (1.0 / (1u32 << 24) as f32)
}

/// A uniform `f32` in `[-bound, bound)`.
#[inline]
pub fn symmetric(rng: &mut impl Rng, bound: f32) -> f32 {
    (2.0 * uniform(rng) - 1.0) * bound
}

/// A uniform integer in `0..n`, without modulo bias (Lemire's method with rejection).
/// Returns 0 when `n == 0`.
pub fn below(rng: &mut impl Rng, n: u32) -> u32 {
    if n == 0 {
        return 0;
    }
    let threshold = n.wrapping_neg() % n;
    loop {
        let product = u64::from(rng.next_u32()) * u64::from(n);
        if (product as u32) >= threshold {
            return (product >> 32) as u32;
        }
    }
}

/// Two independent standard normal draws (Box–Muller through the libm shim).
pub fn gaussian_pair(rng: &mut impl Rng) -> (f32, f32) {
    let u1 = 1.0 - uniform(rng); // (0, 1]: ln never sees 0
    let u2 = uniform(rng);
    let r = crate::math::sqrt(-2.0 * crate::math::ln(u1));
    let theta = 2.0 * core::f32::consts::PI * u2;
    (r * crate::math::cos(theta), r * crate::math::sin(theta))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_by_kind_index_and_seed() {
        let first = |mut g: Generator| g.next_u32();
        let a = first(stream(0, Stream::Child, 0));
        assert_ne!(a, first(stream(0, Stream::Child, 1)));
        assert_ne!(a, first(stream(0, Stream::Retrain, 0)));
        assert_ne!(a, first(stream(1, Stream::Child, 0)));
        assert_eq!(a, first(stream(0, Stream::Child, 0)));
    }

    #[test]
    fn below_is_in_range_and_roughly_uniform() {
        let mut rng = stream(7, Stream::Data, 0);
        let mut counts = [0u32; 7];
        for _ in 0..70_000 {
            counts[below(&mut rng, 7) as usize] += 1;
        }
        for (k, &c) in counts.iter().enumerate() {
            assert!((9_500..10_500).contains(&c), "bucket {k}: {c} of 70000");
        }
        assert_eq!(below(&mut rng, 0), 0);
        assert_eq!(below(&mut rng, 1), 0);
    }

    #[test]
    fn gaussian_has_unit_moments() {
        let mut rng = stream(3, Stream::Data, 0);
        let (mut sum, mut sq, n) = (0.0f64, 0.0f64, 50_000);
        for _ in 0..n {
            let (a, b) = gaussian_pair(&mut rng);
            sum += f64::from(a) + f64::from(b);
            sq += f64::from(a * a) + f64::from(b * b);
        }
        let mean = sum / (2 * n) as f64;
        let var = sq / (2 * n) as f64 - mean * mean;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "variance {var}");
    }
}
