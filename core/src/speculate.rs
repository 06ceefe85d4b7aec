//! Guessing the next rollouts' architectures, so that a host with idle cores can train their
//! children before the controller samples them.
//!
//! With one rollout per update (the original's setting) each controller step waits for its
//! child, so a second core has nothing to do. But a child's outcome depends only on its
//! architecture and its rollout's random stream ([`Search::child_rng`]), never on the
//! controller. So while rollout `i`'s child trains, another core can train a *guess* for
//! rollout `i + 1` with `i + 1`'s stream. If the controller then samples that architecture,
//! the outcome is already there, bit for bit what training it then would give; if not, the
//! guess is dropped and the child trained as usual. The records are the same either way, by
//! construction; only the time depends on how often guesses hit.
//!
//! [`Speculator::guess`] fills the guesses for the next rollouts with one of three
//! [`Guess`]es (the host measures each one's hit rate with [`Speculator::hits_next`]):
//! - [`Guess::Draws`]: what the controller would sample next with its own upcoming random
//!   numbers if it did not learn in between ([`Search::upcoming`]). A guess misses only where
//!   the updates in between move a token's cumulative probability across the number drawn;
//!   for random search it never misses.
//! - [`Guess::Greedy`]: the controller's most likely sequence (greedy decoding).
//! - [`Guess::Recent`]: the most frequent architecture of the last [`RECENT`] proposals.

use crate::arch::Arch;
use crate::policy::Trajectory;
use crate::search::Search;

/// Proposals [`Guess::Recent`] looks back over.
pub const RECENT: usize = 32;

/// How to guess the next rollouts' architectures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Guess {
    /// The controller's next samples from its own upcoming random numbers.
    Draws,
    /// The controller's greedy sequence.
    Greedy,
    /// The most frequent recent architecture.
    Recent,
}

impl Guess {
    /// Every guess, in the order of their names.
    pub const ALL: [Guess; 3] = [Guess::Draws, Guess::Greedy, Guess::Recent];

    /// The guess's name on the command line and in reports.
    pub const fn name(self) -> &'static str {
        match self {
            Guess::Draws => "draws",
            Guess::Greedy => "greedy",
            Guess::Recent => "recent",
        }
    }

    /// The guess called `name`.
    pub fn from_name(name: &str) -> Option<Guess> {
        Guess::ALL.into_iter().find(|g| g.name() == name)
    }
}

/// Makes guesses for a search: a scratch trajectory for the controller's passes and the
/// architectures proposed lately. Feed it every proposal with [`Speculator::observe`].
#[derive(Clone, Debug)]
pub struct Speculator<const H: usize> {
    scratch: Trajectory<H>,
    recent: [Arch; RECENT],
    seen: usize,
}

impl<const H: usize> Default for Speculator<H> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const H: usize> Speculator<H> {
    /// A speculator that has seen no proposal.
    pub const fn new() -> Self {
        Self {
            scratch: Trajectory::EMPTY,
            recent: [Arch::EMPTY; RECENT],
            seen: 0,
        }
    }

    /// Notes a proposal's architecture (every proposal, in order).
    pub fn observe(&mut self, arch: Arch) {
        self.recent[self.seen % RECENT] = arch;
        self.seen += 1;
    }

    /// Fills `out` with `guess`'s architectures for the search's next proposals (fewer near
    /// the end of the search; returns how many).
    pub fn guess<const K: usize>(
        &mut self,
        guess: Guess,
        search: &Search<H, K>,
        out: &mut [Arch],
    ) -> usize {
        let n = out.len().min(search.unproposed() as usize);
        let one = match guess {
            Guess::Draws => return search.upcoming(&mut self.scratch, &mut out[..n]),
            Guess::Greedy => search.policy().greedy(&mut self.scratch).0,
            Guess::Recent => match self.most_frequent() {
                Some(arch) => arch,
                None => return 0,
            },
        };
        out[..n].fill(one);
        n
    }

    /// Whether `guess` for the search's next proposal would be `next` (to measure guesses
    /// against each other on one run).
    pub fn hits_next<const K: usize>(
        &mut self,
        guess: Guess,
        search: &Search<H, K>,
        next: Arch,
    ) -> bool {
        let mut one = [Arch::EMPTY];
        self.guess(guess, search, &mut one) == 1 && one[0] == next
    }

    /// The most frequent of the last [`RECENT`] proposals (the latest of equally frequent
    /// ones), or `None` before the first.
    fn most_frequent(&self) -> Option<Arch> {
        let recent = &self.recent[..self.seen.min(RECENT)];
        let count = |a: &Arch| recent.iter().filter(|b| *b == a).count();
        // Newest first, so that a tie goes to the latest.
        let newest_first = (0..recent.len()).map(|k| recent[(self.seen - 1 - k) % RECENT]);
        newest_first
            .fold(None, |best: Option<(Arch, usize)>, a| {
                let c = count(&a);
                match best {
                    Some((_, b)) if b >= c => best,
                    _ => Some((a, c)),
                }
            })
            .map(|(a, _)| a)
    }
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;
    use crate::config::{SearchConfig, Strategy};
    use crate::datasets;
    use crate::sample::Split;
    use crate::{DataConfig, Search};

    fn arch(s: &str) -> Arch {
        s.parse().unwrap()
    }

    fn moons() -> (Vec<f32>, Vec<u8>) {
        let config = DataConfig {
            samples: 200,
            ..DataConfig::default()
        };
        let (mut x, mut y) = (vec![0.0; 400], vec![0; 200]);
        datasets::generate_config(&config, &mut x, &mut y).unwrap();
        (x, y)
    }

    fn search(strategy: Strategy, rollouts: u32) -> Box<Search<16>> {
        let config = SearchConfig {
            rollouts,
            strategy,
            ..SearchConfig::default()
        };
        Box::new(Search::new(config).unwrap())
    }

    #[test]
    fn names_round_trip() {
        for g in Guess::ALL {
            assert_eq!(Guess::from_name(g.name()), Some(g));
        }
        assert_eq!(Guess::from_name("mode"), None);
    }

    #[test]
    fn the_most_frequent_recent_architecture_ties_to_the_latest() {
        let mut s = Speculator::<16>::new();
        let search = search(Strategy::Reinforce, 100);
        let mut out = [Arch::EMPTY; 3];
        assert_eq!(s.guess(Guess::Recent, &search, &mut out), 0, "nothing seen");
        for a in ["[4]", "[8]", "[4]", "[16]", "[8]"] {
            s.observe(arch(a));
        }
        assert_eq!(s.guess(Guess::Recent, &search, &mut out), 3);
        assert_eq!(
            out,
            [arch("[8]"); 3],
            "[4] and [8] twice each; [8] is the latest"
        );
        // The window forgets: RECENT proposals of [2] outnumber everything before.
        for _ in 0..RECENT - 1 {
            s.observe(arch("[2]"));
        }
        s.observe(arch("[16]"));
        s.guess(Guess::Recent, &search, &mut out);
        assert_eq!(out[0], arch("[2]"));
        assert_eq!(s.recent.iter().filter(|a| **a == arch("[8]")).count(), 0);
    }

    #[test]
    fn greedy_guesses_the_controllers_greedy_sequence() {
        let mut s = Speculator::<16>::new();
        let search = search(Strategy::Reinforce, 100);
        let mut traj = Trajectory::<16>::EMPTY;
        let greedy = search.policy().greedy(&mut traj).0;
        let mut out = [Arch::EMPTY; 2];
        assert_eq!(s.guess(Guess::Greedy, &search, &mut out), 2);
        assert_eq!(out, [greedy; 2]);
    }

    /// The draws are the proposals themselves while the controller does not change: every
    /// one for random search, and for the controller those of its first batch.
    #[test]
    fn draws_are_the_next_proposals_until_the_controller_learns() {
        let (x, y) = moons();
        let rows = crate::Rows::new(&x, &y, crate::Shape::MOONS).unwrap();
        let split = Split::new(rows).unwrap();
        for strategy in [Strategy::Random, Strategy::Reinforce] {
            let mut config = SearchConfig {
                rollouts: 6,
                strategy,
                ..SearchConfig::default()
            };
            config.child.max_epochs = 2;
            config.controller.rollouts_per_update = 3;
            let mut search: Box<Search<16, 3>> = Box::new(Search::new(config).unwrap());
            let mut s = Speculator::<16>::new();
            let mut ahead = [Arch::EMPTY; 8];
            assert_eq!(
                s.guess(Guess::Draws, &search, &mut ahead),
                6,
                "only 6 rollouts"
            );
            let batch: Vec<Arch> = core::iter::from_fn(|| search.propose())
                .map(|p| p.arch)
                .collect();
            assert_eq!(
                batch,
                ahead[..3],
                "{strategy:?}: one policy draws the whole batch"
            );
            let distinct = |a: &[Arch]| a.iter().any(|b| *b != a[0]);
            assert!(
                distinct(&ahead[..6]),
                "draws, not one architecture repeated"
            );
            for i in 0..3 {
                let outcome = crate::Outcome {
                    reward: 0.25 * i as f32,
                    epochs: 1,
                    best_epoch: 1,
                    diverged: false,
                };
                search.report(i, outcome).unwrap();
            }
            let rest: Vec<Arch> = core::iter::from_fn(|| search.step(&split))
                .map(|r| r.arch)
                .collect();
            assert_eq!(rest.len(), 3);
            if strategy == Strategy::Random {
                assert_eq!(rest, ahead[3..6], "random search is guessed exactly");
            }
            assert_eq!(
                s.guess(Guess::Draws, &search, &mut ahead),
                0,
                "all proposed"
            );
        }
    }

    #[test]
    fn hits_next_compares_one_guess() {
        let mut s = Speculator::<16>::new();
        let mut search = search(Strategy::Random, 3);
        let mut out = [Arch::EMPTY];
        s.guess(Guess::Draws, &search, &mut out);
        assert!(s.hits_next(Guess::Draws, &search, out[0]));
        let other = if out[0] == arch("[4]") { "[8]" } else { "[4]" };
        assert!(!s.hits_next(Guess::Draws, &search, arch(other)));
        search.propose().unwrap();
        assert_eq!(search.unproposed(), 2);
    }
}
