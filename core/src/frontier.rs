//! The accuracy/size frontier of the architectures a search saw, for the runner and the page.
//!
//! Each distinct architecture is scored by its mean dev accuracy over every time it was sampled
//! (accuracy, not the resource-aware reward: the cost is the other axis). Sorted by cost, an
//! architecture is on the frontier when it is more accurate than everything at most as costly
//! before it: the best accuracy each budget can buy. The caller owns the list (a `Vec` on a
//! host, a fixed array on a chip); this module only tallies, sorts and marks.

use core::cmp::Ordering;

use crate::arch::Cost;
use crate::arch::{Arch, Shape};

/// What the search saw of one distinct architecture.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seen {
    /// The architecture.
    pub arch: Arch,
    /// Times it was sampled.
    pub samples: u32,
    /// Its rewards, summed (f64: thousands of f32 terms).
    pub reward_sum: f64,
    /// Its dev accuracies, summed.
    pub accuracy_sum: f64,
    /// Whether it is on the frontier (set by [`mark`]).
    pub frontier: bool,
}

impl Seen {
    /// Not yet sampled.
    pub const fn new(arch: Arch) -> Seen {
        Seen {
            arch,
            samples: 0,
            reward_sum: 0.0,
            accuracy_sum: 0.0,
            frontier: false,
        }
    }

    /// Counts one more sample.
    pub fn add(&mut self, reward: f32, accuracy: f32) {
        self.samples = self.samples.saturating_add(1);
        self.reward_sum += f64::from(reward);
        self.accuracy_sum += f64::from(accuracy);
    }

    /// Mean dev accuracy (0 before the first sample).
    pub fn mean_accuracy(&self) -> f64 {
        self.accuracy_sum / f64::from(self.samples.max(1))
    }

    /// Mean reward (0 before the first sample).
    pub fn mean_reward(&self) -> f64 {
        self.reward_sum / f64::from(self.samples.max(1))
    }

    /// The cost on the frontier's axis on data of `shape`: multiply-adds or parameters,
    /// unnormalised.
    pub fn cost(&self, cost: Cost, shape: Shape) -> usize {
        match cost {
            Cost::Macs => self.arch.forward_macs(shape),
            Cost::Params => self.arch.parameter_count(shape),
        }
    }
}

/// Sorts `seen` cheapest first by `cost` on data of `shape` (ties: most accurate first, then
/// by tokens, so the order is total and the same everywhere) and marks the frontier.
pub fn mark(seen: &mut [Seen], cost: Cost, shape: Shape) {
    seen.sort_unstable_by(|a, b| {
        a.cost(cost, shape)
            .cmp(&b.cost(cost, shape))
            .then(b.mean_accuracy().total_cmp(&a.mean_accuracy()))
            .then_with(|| a.arch.tokens().cmp(b.arch.tokens()))
            .then(Ordering::Equal)
    });
    let mut best = f64::NEG_INFINITY;
    for s in seen {
        s.frontier = s.mean_accuracy() > best;
        if s.frontier {
            best = s.mean_accuracy();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frontier_keeps_what_nothing_cheaper_beats() {
        // MACs: [] 4, [1] 4, [2] 8, [4] 16, [16] 64, [16, 16] 320.
        let mut seen: Vec<Seen> = [
            ("[16, 16]", 0.95, 1),
            ("[1]", 0.70, 2),
            ("[4]", 0.85, 3),
            ("[]", 0.80, 1),
            ("[16]", 0.95, 1),
            ("[2]", 0.90, 1),
        ]
        .iter()
        .map(|&(arch, accuracy, n)| {
            let mut s = Seen::new(arch.parse().unwrap());
            for _ in 0..n {
                s.add(accuracy, accuracy);
            }
            s
        })
        .collect();
        mark(&mut seen, Cost::Macs, Shape::MOONS);
        let order: Vec<String> = seen.iter().map(|s| s.arch.to_string()).collect();
        assert_eq!(order, ["[]", "[1]", "[2]", "[4]", "[16]", "[16, 16]"]);
        let on: Vec<bool> = seen.iter().map(|s| s.frontier).collect();
        assert_eq!(on, [true, false, true, false, true, false]);
        assert_eq!(seen[3].samples, 3);
        assert!((seen[3].mean_accuracy() - 0.85).abs() < 1e-6);
        // By parameters: [] 6, [1] 7, [2] 12, [4] 22, [16] 82, [16, 16] 354: the same order.
        mark(&mut seen, Cost::Params, Shape::MOONS);
        let params: Vec<usize> = seen
            .iter()
            .map(|s| s.cost(Cost::Params, Shape::MOONS))
            .collect();
        assert_eq!(params, [6, 7, 12, 22, 82, 354]);
    }
}
