//! The whole architecture space, and which of its sequences are the same child.
//!
//! The space is every sequence of 0 to [`MAX_TOKENS`] non-EOS tokens, [`ARCH_COUNT`] =
//! Σ 9ᴸ = 597,871 of them, numbered by [`Arch::nth`]. Some compute the same function and train
//! the same way, so a table of the space trains each such class once: its [`canonical`]
//! member, the one with the fewest tokens.
//!
//! ## The merge rules
//! Inside every run of consecutive activations (before the first layer, between layers, or
//! before the output layer):
//!
//! 1. **ReLU or LeakyReLU after ReLU or Sigmoid is dropped.** Their input is never negative,
//!    where both are the identity: `relu(y) = leaky(y) = y` for `y ≥ 0`, bit for bit (`y = 0`
//!    gives `+0` either way).
//! 2. **LeakyReLU then ReLU is ReLU** (and so are several LeakyReLUs then ReLU):
//!    `relu(leaky(x))` is `x` for `x > 0` and `+0` otherwise, as `relu(x)` is.
//!
//! A class's members are the sequences with the same layers whose runs reduce alike; the
//! canonical member is the one with no merging neighbours (the rules' five pairs), which the
//! tests count a second way. The space merges from 597,871 sequences to 451,018.
//!
//! Training runs through the same arithmetic: the backward pass multiplies by each
//! activation's derivative written in its output `y` (`mlp::activate_backward`), and a dropped
//! activation's factor is exactly 1 wherever its input's own factor is not 0. So the merged
//! sequences train to the same outcome and the same weights, up to the sign of a zero (where a
//! Sigmoid has underflowed to exactly 0, `Sigmoid, ReLU` zeroes a gradient as `+0` that
//! `Sigmoid` alone zeroes as `±0`; no comparison and no non-zero sum tells them apart). The
//! tests check every rule on random architectures and random data, outcome and weights.
//!
//! Nothing else merges: `ReLU, ReLU` is rule 1; `LeakyReLU, LeakyReLU` scales negatives by
//! 10⁻⁴, `Tanh, ReLU` and `ReLU, Sigmoid` change values. Widths never merge (each layer has its
//! own parameters). Never panics.

use crate::arch::{ARCH_COUNT, Activation, Arch, MAX_TOKENS, Token};

/// The member of `arch`'s class with the fewest tokens: the merge rules (see the module's
/// documentation) applied left to right in every run of activations. `canonical` of a
/// canonical architecture is itself.
pub fn canonical(arch: &Arch) -> Arch {
    let mut out: heapless::Vec<Token, MAX_TOKENS> = heapless::Vec::new();
    for &token in arch.tokens() {
        let last = |out: &heapless::Vec<Token, MAX_TOKENS>| out.last().and_then(|t| t.activation());
        // Rule 2: a ReLU takes the place of the LeakyReLUs before it.
        if token == Token::Relu {
            while last(&out) == Some(Activation::LeakyRelu) {
                out.pop();
            }
        }
        // Rule 1: the identity on a non-negative input.
        let identity = matches!(
            (last(&out), token.activation()),
            (
                Some(Activation::Relu | Activation::Sigmoid),
                Some(Activation::Relu | Activation::LeakyRelu)
            )
        );
        if !identity {
            // At most as many tokens as `arch` has.
            let _ = out.push(token);
        }
    }
    Arch::new(&out).unwrap_or(*arch)
}

/// Whether `arch` is its class's [`canonical`] member.
pub fn is_canonical(arch: &Arch) -> bool {
    canonical(arch) == *arch
}

/// The canonical architectures' numbers ([`Arch::number`]), in increasing order: the rows of
/// a table of the whole space.
pub fn canonical_numbers() -> impl Iterator<Item = u32> {
    (0..ARCH_COUNT).filter(|&n| is_canonical(&Arch::nth(n)))
}

/// How many architectures the space has: raw (every sequence, [`ARCH_COUNT`]) and merged (one
/// per class, [`canonical_numbers`]).
pub fn sizes() -> (u32, u32) {
    (ARCH_COUNT, canonical_numbers().count() as u32)
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;
    use crate::arch::{Shape, VOCAB};
    use crate::config::{ChildConfig, DataConfig};
    use crate::network::Network;
    use crate::rng::{self, Generator, Stream};
    use crate::testdata::Data;
    use crate::train::Trainer;

    fn arch(text: &str) -> Arch {
        text.parse().unwrap()
    }

    #[test]
    fn each_rule_merges_what_it_says_and_nothing_else() {
        let cases = [
            ("[ReLU, ReLU]", "[ReLU]"),
            ("[ReLU, LeakyReLU]", "[ReLU]"),
            ("[Sigmoid, ReLU]", "[Sigmoid]"),
            ("[Sigmoid, LeakyReLU]", "[Sigmoid]"),
            ("[LeakyReLU, ReLU]", "[ReLU]"),
            ("[8, LeakyReLU, ReLU, ReLU, 4]", "[8, ReLU, 4]"),
            ("[LeakyReLU, LeakyReLU, ReLU, 8]", "[ReLU, 8]"),
            ("[Sigmoid, LeakyReLU, LeakyReLU, ReLU]", "[Sigmoid]"),
            (
                "[Tanh, LeakyReLU, ReLU, Sigmoid, ReLU, 2]",
                "[Tanh, ReLU, Sigmoid, 2]",
            ),
            // Kept: these change values.
            ("[LeakyReLU, LeakyReLU]", "[LeakyReLU, LeakyReLU]"),
            ("[Tanh, ReLU]", "[Tanh, ReLU]"),
            ("[ReLU, Sigmoid]", "[ReLU, Sigmoid]"),
            ("[ReLU, Tanh, ReLU]", "[ReLU, Tanh, ReLU]"),
            // A layer ends a run: its output may be negative.
            ("[ReLU, 4, ReLU]", "[ReLU, 4, ReLU]"),
            ("[Sigmoid, 16, LeakyReLU]", "[Sigmoid, 16, LeakyReLU]"),
        ];
        for (raw, merged) in cases {
            assert_eq!(canonical(&arch(raw)), arch(merged), "{raw}");
            assert!(is_canonical(&arch(merged)), "{merged}");
        }
    }

    #[test]
    fn the_space_merges_to_a_pinned_size_and_canonical_is_idempotent() {
        let (raw, merged) = sizes();
        assert_eq!(raw, 597_871);
        // Counted another way: sequences with no merging neighbours (the rules' five pairs),
        // by their last token, length by length.
        let merges = |a: Token, b: Token| {
            matches!(
                (a, b),
                (Token::Relu | Token::Sigmoid, Token::Relu | Token::LeakyRelu)
                    | (Token::LeakyRelu, Token::Relu)
            )
        };
        let mut ending = [1u64; VOCAB - 1];
        let mut total = 1 + ending.iter().sum::<u64>();
        for _ in 1..MAX_TOKENS {
            ending = core::array::from_fn(|b| {
                (0..VOCAB - 1)
                    .filter(|&a| !merges(Token::ALL[a], Token::ALL[b]))
                    .map(|a| ending[a])
                    .sum()
            });
            total += ending.iter().sum::<u64>();
        }
        assert_eq!(u64::from(merged), total);
        assert_eq!(merged, 451_018);
        for n in 0..ARCH_COUNT {
            let c = canonical(&Arch::nth(n));
            assert_eq!(canonical(&c), c);
            assert!(c.len() <= Arch::nth(n).len());
            // The same linear layers, in order.
            let widths = |a: &Arch| -> Vec<Token> {
                a.tokens()
                    .iter()
                    .copied()
                    .filter(|t| t.width().is_some())
                    .collect()
            };
            assert_eq!(widths(&c), widths(&Arch::nth(n)));
        }
        let numbers: Vec<u32> = canonical_numbers().take(12).collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]));
    }

    /// A random architecture of `len` tokens.
    fn random_arch(rng: &mut Generator, len: usize) -> Vec<Token> {
        (0..len)
            .map(|_| Token::ALL[rng::below(rng, (VOCAB - 1) as u32) as usize])
            .collect()
    }

    /// `raw` trained on `data` from the child seed `seed`: its outcome and weights.
    fn trained(
        trainer: &mut Trainer,
        raw: &Arch,
        data: &Data,
        seed: u64,
    ) -> (crate::Outcome, Vec<f32>) {
        let config = ChildConfig {
            max_epochs: 4,
            min_steps: 0,
            ..ChildConfig::DEFAULT
        };
        let rows = data.rows();
        let split = crate::Split::new(rows).unwrap();
        let mut rng = rng::stream(seed, Stream::Child, 0);
        let outcome = trainer.fit(raw, &config, &split.holdout(), &mut rng);
        let mut net = Network::EMPTY;
        trainer.copy_network(&mut net);
        (outcome, net.weights().to_vec())
    }

    #[test]
    fn merged_sequences_train_to_the_same_outcome_and_weights_on_random_data() {
        // Random architectures around each rule's pattern, on random moons, from random
        // child seeds; every raw sequence against its canonical member.
        let mut rng = rng::stream(29, Stream::Split, 0);
        let mut trainer = Trainer::new();
        let mut merged = 0;
        for trial in 0..160u32 {
            let len = 1 + rng::below(&mut rng, MAX_TOKENS as u32) as usize;
            let mut tokens = random_arch(&mut rng, len);
            // Plant a merging pair at a random place half the time.
            let pairs = [
                [Token::Relu, Token::Relu],
                [Token::Relu, Token::LeakyRelu],
                [Token::Sigmoid, Token::Relu],
                [Token::Sigmoid, Token::LeakyRelu],
                [Token::LeakyRelu, Token::Relu],
            ];
            if trial % 2 == 0 && tokens.len() >= 2 {
                let at = rng::below(&mut rng, (tokens.len() - 1) as u32) as usize;
                let pair = pairs[(trial / 2) as usize % pairs.len()];
                tokens[at..at + 2].copy_from_slice(&pair);
            }
            let raw = Arch::new(&tokens).unwrap();
            let canon = canonical(&raw);
            if canon == raw {
                continue;
            }
            merged += 1;
            let data = Data::generated(&DataConfig {
                samples: 120,
                noise: 0.1 + rng::below(&mut rng, 40) as f32 / 100.0,
                seed: u64::from(trial),
                ..DataConfig::default()
            });
            let seed = u64::from(rng::below(&mut rng, u32::MAX));
            let (a, wa) = trained(&mut trainer, &raw, &data, seed);
            let (b, wb) = trained(&mut trainer, &canon, &data, seed);
            assert_eq!(a, b, "{raw} and {canon}");
            assert_eq!(wa, wb, "{raw} and {canon}");
            // And the same function far out, where Sigmoid underflows.
            let (na, nb) = (
                Network::new(raw, Shape::MOONS, &wa).unwrap(),
                Network::new(canon, Shape::MOONS, &wb).unwrap(),
            );
            let points = [0.3, -0.7, 1e3, -1e3, -200.0, 90.0, 0.0, -0.0];
            let mut ws = crate::mlp::Workspace::default();
            let (mut pa, mut pb) = ([0.0f32; 8], [0.0f32; 8]);
            na.probabilities(&mut ws, &points, &mut pa);
            nb.probabilities(&mut ws, &points, &mut pb);
            assert_eq!(pa, pb, "{raw} and {canon}");
        }
        assert!(merged >= 60, "{merged} merged pairs tried");
    }
}
