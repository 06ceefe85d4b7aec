//! The epoch shuffle: a keyed pseudo-random permutation that needs no index buffer.
//!
//! A Fisher–Yates shuffle needs an index array as long as the training set, which would tie
//! the core's static memory to a maximum data-set size. Instead each epoch draws four round
//! keys and maps position `i` to sample `perm.get(i)` through a balanced 4-round Feistel
//! network over the smallest even power of two ≥ n, walking the cycle until the value falls
//! below n (on average fewer than four rounds trips). A Feistel network is a bijection for
//! any round function, and cycle walking restricts a bijection to `0..n` exactly, so every
//! sample is visited once per epoch; four rounds of a well-mixed round function are the
//! classic Luby–Rackoff construction of a pseudo-random permutation.
//!
//! For training sets up to 4096 samples (half-blocks of at most 6 bits) the round function's
//! values are tabulated when the permutation is made (4 × 64 bytes), so each position costs
//! table lookups instead of 4–8 multiply-mix rounds; the permutation is the same either way.

use rand_core::Rng;

const ROUNDS: usize = 4;
/// Half-block widths up to this many bits use the round-function table.
const TABLE_BITS: u32 = 6;
const TABLE_LEN: usize = 1 << TABLE_BITS;

/// A pseudo-random permutation of `0..n`, evaluated one position at a time.
#[derive(Clone, Copy, Debug)]
pub struct Permutation {
    n: u32,
    half_bits: u32,
    keys: [u32; ROUNDS],
    /// `mix32(r ^ key) & mask` for every half-block `r`, per round, when `half_bits ≤ 6`.
    table: Option<[[u8; TABLE_LEN]; ROUNDS]>,
}

/// A 32-bit avalanche mix (the "lowbias32" finaliser).
#[inline(always)]
fn mix32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^ (x >> 16)
}

impl Permutation {
    /// A fresh permutation of `0..n` keyed from `rng` (draws four `u32`s).
    pub fn new(n: u32, rng: &mut impl Rng) -> Self {
        let mut half_bits = 1;
        while (1u64 << (2 * half_bits)) < u64::from(n) {
            half_bits += 1;
        }
        let keys: [u32; ROUNDS] = core::array::from_fn(|_| rng.next_u32());
        let table = (half_bits <= TABLE_BITS).then(|| {
            let mask = (1u32 << half_bits) - 1;
            keys.map(|key| core::array::from_fn(|r| (mix32(r as u32 ^ key) & mask) as u8))
        });
        Self {
            n,
            half_bits,
            keys,
            table,
        }
    }

    /// The number of positions.
    pub fn len(&self) -> u32 {
        self.n
    }

    /// Whether the permutation is of the empty set.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    #[inline(always)]
    fn encrypt(&self, x: u32) -> u32 {
        let mask = (1u32 << self.half_bits) - 1;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
        if let Some(table) = &self.table {
            for round in table {
                // `right` is below 2^half_bits ≤ 64 = the table's length.
                let f = round.get(right as usize).copied().unwrap_or(0);
                let next = left ^ u32::from(f);
                left = right;
                right = next;
            }
            return (left << self.half_bits) | right;
        }
        for key in self.keys {
            let next = left ^ (mix32(right ^ key) & mask);
            left = right;
            right = next;
        }
        (left << self.half_bits) | right
    }

    /// The element at position `i`. Never panics; for `i >= len()` the result is
    /// unspecified (but terminates, since the walk follows a cycle of a bijection).
    #[cfg_attr(feature = "multiversion", inline(always))]
    #[cfg_attr(not(feature = "multiversion"), inline)]
    pub fn get(&self, i: u32) -> u32 {
        if i >= self.n {
            return i;
        }
        let mut x = self.encrypt(i);
        while x >= self.n {
            x = self.encrypt(x);
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};

    #[test]
    fn visits_every_index_exactly_once() {
        let mut rng = stream(0, Stream::Child, 0);
        for n in [1u32, 2, 3, 5, 31, 32, 33, 700, 1000, 4097] {
            let perm = Permutation::new(n, &mut rng);
            let mut seen = [false; 4097];
            for i in 0..n {
                let j = perm.get(i) as usize;
                assert!(j < n as usize, "n={n}: {i} -> {j}");
                assert!(!seen[j], "n={n}: {j} visited twice");
                seen[j] = true;
            }
        }
    }

    #[test]
    fn the_round_table_changes_nothing() {
        let mut rng = stream(3, Stream::Child, 0);
        for n in [2u32, 3, 17, 64, 700, 1000, 4096] {
            let perm = Permutation::new(n, &mut rng);
            assert!(perm.table.is_some(), "n={n} is tabulated");
            let computed = Permutation {
                table: None,
                ..perm
            };
            for i in 0..n {
                assert_eq!(perm.get(i), computed.get(i), "n={n}, position {i}");
            }
        }
        assert!(Permutation::new(4097, &mut rng).table.is_none());
    }

    #[test]
    fn first_position_is_roughly_uniform_over_keys() {
        // Where sample 0 lands, over many keys, should be spread evenly over 10 deciles.
        let mut rng = stream(1, Stream::Child, 0);
        let n = 700u32;
        let mut deciles = [0u32; 10];
        for _ in 0..20_000 {
            let perm = Permutation::new(n, &mut rng);
            deciles[(perm.get(0) * 10 / n) as usize] += 1;
        }
        for (d, &c) in deciles.iter().enumerate() {
            assert!((1_800..2_200).contains(&c), "decile {d}: {c} of 20000");
        }
    }

    #[test]
    fn consecutive_positions_are_not_correlated() {
        // Adjacent positions should map to unrelated samples: mean |p(i+1) - p(i)| ≈ n/3.
        let mut rng = stream(2, Stream::Child, 0);
        let n = 700u32;
        let perm = Permutation::new(n, &mut rng);
        let total: u64 = (0..n - 1)
            .map(|i| u64::from(perm.get(i + 1).abs_diff(perm.get(i))))
            .sum();
        let mean = total as f64 / f64::from(n - 1);
        assert!((mean - f64::from(n) / 3.0).abs() < 25.0, "mean gap {mean}");
    }
}
