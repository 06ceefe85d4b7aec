//! The accuracy/size frontier of the architectures a search saw, for the runner and the page.
//!
//! Each distinct architecture is scored by its mean dev accuracy over every time it was sampled
//! (accuracy, not the resource-aware reward: the cost is the other axis). Sorted by cost, an
//! architecture is on the frontier when it is more accurate than everything at most as costly
//! before it: the best accuracy each budget can buy. The cost is the search's ([`Axis::Cost`]:
//! multiply-adds or parameters), or under a budget on a part the deployed network's flash in
//! bytes ([`Axis::Flash`]: the part's cost model, the unit the budget is given in). The caller
//! owns the list (a `Vec` on a host, a fixed array on a chip); this module only tallies, sorts
//! and marks.

use core::cmp::Ordering;

use crate::arch::Cost;
use crate::arch::{Arch, Shape};
use crate::target::{Footprint, Part};

/// What a frontier's architectures are sorted and drawn by.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Axis {
    /// The search's cost on data of this shape.
    Cost(Cost, Shape),
    /// The flash of `members` networks on `part`, on data of `shape`: bytes, by the part's
    /// cost model (its bound).
    Flash {
        /// The part.
        part: &'static Part,
        /// The data's shape.
        shape: Shape,
        /// The deployed members.
        members: u32,
    },
}

impl Axis {
    /// The data's shape.
    pub fn shape(&self) -> Shape {
        match *self {
            Axis::Cost(_, shape) | Axis::Flash { shape, .. } => shape,
        }
    }

    /// What `arch` costs on this axis.
    pub fn of(&self, arch: &Arch) -> u64 {
        match *self {
            Axis::Cost(Cost::Macs, shape) => arch.forward_macs(shape) as u64,
            Axis::Cost(Cost::Params, shape) => arch.parameter_count(shape) as u64,
            Axis::Flash {
                part,
                shape,
                members,
            } => u64::from(part.footprint(arch, shape, members).flash),
        }
    }

    /// The deployed network's cost on the part (`None` off a part).
    pub fn footprint(&self, arch: &Arch) -> Option<Footprint> {
        match *self {
            Axis::Cost(..) => None,
            Axis::Flash {
                part,
                shape,
                members,
            } => Some(part.footprint(arch, shape, members)),
        }
    }

    /// The axis's unit, for a chart.
    pub fn unit(&self) -> &'static str {
        match *self {
            Axis::Cost(Cost::Macs, _) => "multiply-adds per sample",
            Axis::Cost(Cost::Params, _) => "parameters",
            Axis::Flash { .. } => "bytes of flash on the part",
        }
    }
}

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

/// Sorts `seen` cheapest first on `axis` (ties: most accurate first, then by tokens, so the
/// order is total and the same everywhere) and marks the frontier.
pub fn mark(seen: &mut [Seen], axis: Axis) {
    seen.sort_unstable_by(|a, b| {
        axis.of(&a.arch)
            .cmp(&axis.of(&b.arch))
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
        mark(&mut seen, Axis::Cost(Cost::Macs, Shape::MOONS));
        let order: Vec<String> = seen.iter().map(|s| s.arch.to_string()).collect();
        assert_eq!(order, ["[]", "[1]", "[2]", "[4]", "[16]", "[16, 16]"]);
        let on: Vec<bool> = seen.iter().map(|s| s.frontier).collect();
        assert_eq!(on, [true, false, true, false, true, false]);
        assert_eq!(seen[3].samples, 3);
        assert!((seen[3].mean_accuracy() - 0.85).abs() < 1e-6);
        // By parameters: [] 6, [1] 7, [2] 12, [4] 22, [16] 82, [16, 16] 354: the same order.
        mark(&mut seen, Axis::Cost(Cost::Params, Shape::MOONS));
        let params: Vec<usize> = seen
            .iter()
            .map(|s| s.cost(Cost::Params, Shape::MOONS))
            .collect();
        assert_eq!(params, [6, 7, 12, 22, 82, 354]);
    }

    #[test]
    fn on_a_part_the_frontier_is_in_bytes_of_flash() {
        // On the Uno, wine's shape, one network: each architecture's flash bound, and the
        // frontier marked along it (an activation table costs flash no multiply-add does).
        let part = crate::target::Target::Atmega328p.part().unwrap();
        let wine = Shape::new(13, 3).unwrap();
        let axis = Axis::Flash {
            part,
            shape: wine,
            members: 1,
        };
        let mut seen: Vec<Seen> = [
            ("[4, Tanh]", 0.9),
            ("[4]", 0.85),
            ("[]", 0.8),
            ("[8]", 0.95),
        ]
        .iter()
        .map(|&(arch, accuracy)| {
            let mut s = Seen::new(arch.parse().unwrap());
            s.add(accuracy, accuracy);
            s
        })
        .collect();
        mark(&mut seen, axis);
        let bytes: Vec<u64> = seen.iter().map(|s| axis.of(&s.arch)).collect();
        for (s, &b) in seen.iter().zip(&bytes) {
            assert_eq!(b, u64::from(part.footprint(&s.arch, wine, 1).flash));
            assert_eq!(axis.footprint(&s.arch).map(|f| u64::from(f.flash)), Some(b));
        }
        assert!(bytes.windows(2).all(|w| w[0] <= w[1]), "{bytes:?}");
        let order: Vec<String> = seen.iter().map(|s| s.arch.to_string()).collect();
        assert_eq!(order, ["[]", "[4]", "[8]", "[4, Tanh]"]);
        let on: Vec<bool> = seen.iter().map(|s| s.frontier).collect();
        assert_eq!(on, [true, true, true, false]);
        assert_eq!(axis.shape(), wine);
        assert_eq!(axis.unit(), "bytes of flash on the part");
        assert_eq!(
            Axis::Cost(Cost::Macs, wine).unit(),
            "multiply-adds per sample"
        );
        assert_eq!(Axis::Cost(Cost::Params, wine).unit(), "parameters");
        assert_eq!(Axis::Cost(Cost::Macs, wine).footprint(&Arch::EMPTY), None);
    }
}
