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
/// Walks [`Permutation::fill`] advances together (a mini-batch's at most).
const WALKS: usize = 32;

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
        match &self.table {
            Some(table) => self.encrypt_tabled(table, x),
            None => self.encrypt_mixed(x),
        }
    }

    /// [`Permutation::encrypt`] from the round table. `right` is below `2^half_bits ≤ 64`, so
    /// the mask only tells the compiler so (no bounds check).
    #[inline(always)]
    fn encrypt_tabled(&self, table: &[[u8; TABLE_LEN]; ROUNDS], x: u32) -> u32 {
        let mask = (1u32 << self.half_bits) - 1;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
        for round in table {
            let next = left ^ u32::from(round[right as usize & (TABLE_LEN - 1)]);
            left = right;
            right = next;
        }
        (left << self.half_bits) | right
    }

    /// [`Permutation::encrypt`] from the round function itself.
    #[inline(always)]
    fn encrypt_mixed(&self, x: u32) -> u32 {
        let mask = (1u32 << self.half_bits) - 1;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
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

    /// `out[j] = get(start + j)` for every `j`: the elements at `out.len()` consecutive
    /// positions (a mini-batch's). The same values as [`Permutation::get`], computed faster:
    /// the positions' walks are independent, so they advance together, a step of every
    /// position still at `n` or above per pass, each pass free of branches on the values.
    /// The processor overlaps the walks instead of waiting on each in turn, and mispredicts
    /// no branch on where a walk ends (docs/performance.md: 5.6 ns a position at the moons'
    /// 700 rows, 10.2 ns one by one; 8.0 against 19.7 at 500 rows, where half the first
    /// steps fall outside).
    #[cfg_attr(feature = "multiversion", inline(always))]
    #[cfg_attr(not(feature = "multiversion"), inline)]
    pub fn fill(&self, start: u32, out: &mut [u32]) {
        match &self.table {
            Some(table) => self.fill_with(start, out, |x| self.encrypt_tabled(table, x)),
            None => self.fill_with(start, out, |x| self.encrypt_mixed(x)),
        }
    }

    /// [`Permutation::fill`] with `encrypt`, [`WALKS`] positions at a time.
    #[inline(always)]
    fn fill_with(&self, start: u32, out: &mut [u32], encrypt: impl Fn(u32) -> u32) {
        let n = self.n;
        // Positions from `n` on map to themselves, as in `get`.
        let inside = (n.saturating_sub(start) as usize).min(out.len());
        let (walked, outside) = out.split_at_mut(inside);
        let mut first = start;
        for chunk in walked.chunks_mut(WALKS) {
            // `pending[..count]`: the places in `chunk` whose walk goes on. Each is written
            // unconditionally and kept by counting it, so no branch depends on the value.
            let mut pending = [0u8; WALKS];
            let mut count = 0;
            for ((j, o), i) in chunk.iter_mut().enumerate().zip(first..) {
                *o = encrypt(i);
                pending[count] = j as u8;
                count += usize::from(*o >= n);
            }
            while count > 0 {
                let mut kept = 0;
                for t in 0..count {
                    let j = usize::from(pending[t]);
                    let Some(o) = chunk.get_mut(j) else { break };
                    *o = encrypt(*o);
                    pending[kept] = j as u8;
                    kept += usize::from(*o >= n);
                }
                count = kept;
            }
            first += chunk.len() as u32;
        }
        for (j, o) in outside.iter_mut().enumerate() {
            *o = start.saturating_add((inside + j) as u32);
        }
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
    fn a_filled_batch_is_the_positions_one_by_one() {
        let mut rng = stream(4, Stream::Child, 0);
        for n in [1u32, 2, 3, 33, 500, 700, 1000, 4096, 4097, 70_000] {
            let perm = Permutation::new(n, &mut rng);
            for table in [perm.table, None] {
                let perm = Permutation { table, ..perm };
                // Batches of every length up to 32 from every start, past the end too.
                for len in [1usize, 5, 32] {
                    for start in (0..n.min(2000) + 40).step_by(len) {
                        let mut out = [u32::MAX; 32];
                        perm.fill(start, &mut out[..len]);
                        for (j, &got) in out[..len].iter().enumerate() {
                            let i = start + j as u32;
                            assert_eq!(got, perm.get(i), "n={n}, position {i}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn positions_past_the_end_map_to_themselves_up_to_the_last_u32() {
        let perm = Permutation::new(10, &mut stream(5, Stream::Child, 0));
        let mut out = [0u32; 4];
        perm.fill(8, &mut out);
        assert_eq!(out[2..], [10, 11]);
        perm.fill(u32::MAX - 1, &mut out);
        assert_eq!(out, [u32::MAX - 1, u32::MAX, u32::MAX, u32::MAX]);
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
