//! The search: sample → train → update, one rollout per [`Search::step`].
//!
//! [`Search`] owns the controller, its learner, a child trainer and the finalists table; the
//! data is lent to each call that trains (as smoltcp lends the device to each `poll`), so a
//! search has no lifetime and can sit in a static or a wasm handle beside its data. Pass the
//! same data every time. The caller drives it:
//!
//! ```
//! use piconas_core::{moons, MoonsConfig, Sample, Search, SearchConfig, Split};
//!
//! let mut data = [Sample::default(); 200];
//! let moons_config = MoonsConfig { samples: 200, ..MoonsConfig::default() };
//! moons::generate_config(&moons_config, &mut data)?;
//! let split = Split::new(&data)?;
//! let mut config = SearchConfig { rollouts: 3, retrains: 1, ..SearchConfig::default() };
//! config.child.max_epochs = 2;
//! let mut search: Box<Search<16>> = Box::new(Search::new(config)?);
//! while let Some(record) = search.step(&split) {
//!     println!("{} {} {:.3}", record.index, record.arch, record.reward);
//! }
//! let report = search.finish(&split);
//! println!("winner {} test {:.3}", report.winner, report.test_mean);
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```
//!
//! The three phases stay separable for callers that train children elsewhere (in parallel
//! threads, say): [`Search::propose`] samples an architecture and hands out the seed of its
//! child's random stream, any [`Trainer`] trains it, and [`Search::report`] takes the
//! outcome back; after `rollouts_per_update` reports the controller is updated.
//!
//! **How the winner is chosen.** The search keeps the `finalists` distinct architectures
//! with the best rewards ([`crate::finalists`]). [`Search::finish`] retrains each of them
//! `retrains` times with fresh seeds (the same seeds for every finalist), picks the one with
//! the best mean dev accuracy, and reports that architecture's test accuracy over its
//! retrains (mean, min and max). The test split is used for nothing else.

use core::fmt;

use crate::arch::Arch;
use crate::config::{Allowed, ConfigError, Got, MAX_FINALISTS, SearchConfig};
use crate::finalists::{Finalist, Finalists};
use crate::network::Network;
use crate::policy::{Policy, Trajectory};
use crate::reinforce::Reinforce;
use crate::rng::{self, Generator, Stream};
use crate::sample::Split;
use crate::train::{Outcome, Trainer};

/// One rollout, as the search saw it. `Copy` and small (under 64 bytes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Record {
    /// Rollout number, from 0.
    pub index: u32,
    /// The sampled architecture.
    pub arch: Arch,
    /// The child's reward: its best dev accuracy (0 if it diverged).
    pub reward: f32,
    /// Epochs the child trained.
    pub epochs: u32,
    /// Whether the child's training diverged.
    pub diverged: bool,
    /// `Σₜ Hₜ`: summed entropy of the controller's step distributions.
    pub entropy: f32,
    /// `Σₜ log π(aₜ)`: log-probability of the sampled sequence.
    pub log_prob: f32,
    /// The baseline the reward was compared against.
    pub baseline: f32,
    /// The entropy weight this rollout's update used.
    pub beta: f32,
}

impl Record {
    /// The record as one line with every float as its exact bits (hex), for comparing runs
    /// across builds and targets: `index arch reward epochs entropy log_prob baseline beta`.
    pub fn bits(&self) -> RecordBits<'_> {
        RecordBits(self)
    }
}

/// [`Record::bits`]'s `Display` adapter (no allocation, so firmware can print it too).
#[derive(Clone, Copy, Debug)]
pub struct RecordBits<'r>(&'r Record);

impl fmt::Display for RecordBits<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.0;
        write!(
            f,
            "{} {} {:08x} {} {:08x} {:08x} {:08x} {:08x}",
            r.index,
            r.arch,
            r.reward.to_bits(),
            r.epochs,
            r.entropy.to_bits(),
            r.log_prob.to_bits(),
            r.baseline.to_bits(),
            r.beta.to_bits()
        )
    }
}

/// A sampled architecture waiting for its child's outcome.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Proposal {
    /// Rollout number.
    pub index: u32,
    /// The architecture to train.
    pub arch: Arch,
}

/// A misuse of the propose/report protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchError {
    /// A report for a rollout that is not the oldest one awaiting its outcome.
    UnexpectedReport {
        /// The rollout reported.
        index: u32,
    },
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnexpectedReport { index } => {
                write!(
                    f,
                    "rollout {index} is not the oldest one awaiting its outcome"
                )
            }
        }
    }
}

impl core::error::Error for SearchError {}

/// A finalist's re-measured dev accuracy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FinalistScore {
    /// The architecture.
    pub arch: Arch,
    /// What the search saw of it.
    pub seen: Finalist,
    /// Mean dev accuracy over the retrains.
    pub dev_mean: f32,
}

/// The outcome of [`Search::finish`].
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The chosen architecture.
    pub winner: Arch,
    /// Its mean dev accuracy over the retrains.
    pub dev_mean: f32,
    /// Its mean test accuracy over the retrains.
    pub test_mean: f32,
    /// Its worst test accuracy over the retrains.
    pub test_min: f32,
    /// Its best test accuracy over the retrains.
    pub test_max: f32,
    /// Retrains per finalist.
    pub retrains: u32,
    /// Every finalist's re-measured dev accuracy, in the table's order.
    pub finalists: heapless::Vec<FinalistScore, MAX_FINALISTS>,
}

/// A whole search over `data`, with a GRU controller of `H` hidden units and room for `K`
/// rollouts per controller update (`controller.rollouts_per_update ≤ K`).
///
/// About `3 · 61 KB + K · 8 KB + 46 KB` for `H = 64`; on a host, box it.
#[derive(Clone, Debug)]
pub struct Search<const H: usize, const K: usize = 1> {
    config: SearchConfig,
    policy: Policy<H>,
    learner: Reinforce<H>,
    rng: Generator,
    trainer: Trainer,
    batch: [Trajectory<H>; K],
    rewards: [f32; K],
    betas: [f32; K],
    proposed: usize,
    reported: usize,
    next: u32,
    finalists: Finalists,
    best: Network,
    best_reward: Option<f32>,
}

impl<const H: usize, const K: usize> Search<H, K> {
    /// A search of `config`, or the first invalid field of `config`.
    pub fn new(config: SearchConfig) -> Result<Self, ConfigError> {
        const {
            assert!(
                K > 0,
                "a search needs room for at least one rollout per update"
            )
        };
        config.validate()?;
        if config.controller.rollouts_per_update > K {
            return Err(ConfigError {
                field: "controller.rollouts_per_update",
                allowed: Allowed::Range {
                    min: 1,
                    max: K as u64,
                },
                got: Got::Int(config.controller.rollouts_per_update as u64),
            });
        }
        let mut rng = rng::stream(config.seed, Stream::Controller, 0);
        Ok(Self {
            config,
            policy: Policy::new(&mut rng),
            learner: Reinforce::new(config.controller),
            rng,
            trainer: Trainer::new(),
            batch: core::array::from_fn(|_| Trajectory::EMPTY),
            rewards: [0.0; K],
            betas: [0.0; K],
            proposed: 0,
            reported: 0,
            next: 0,
            finalists: Finalists::new(config.finalists),
            best: Network::EMPTY,
            best_reward: None,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &SearchConfig {
        &self.config
    }

    /// The controller.
    pub fn policy(&self) -> &Policy<H> {
        &self.policy
    }

    /// Rollouts whose outcome has been reported.
    pub fn completed(&self) -> u32 {
        self.next - (self.proposed - self.reported) as u32
    }

    /// Whether every configured rollout has been reported.
    pub fn is_done(&self) -> bool {
        self.completed() >= self.config.rollouts
    }

    /// The finalists so far, best first.
    pub fn finalists(&self) -> &[Finalist] {
        self.finalists.as_slice()
    }

    /// The entropy weight of the next rollout.
    pub fn beta(&self) -> f32 {
        self.learner.beta()
    }

    /// The reward moving average (`None` before the first reward).
    pub fn baseline(&self) -> Option<f32> {
        self.learner.baseline()
    }

    /// The random stream the child of rollout `index` must be trained with.
    pub fn child_rng(&self, index: u32) -> Generator {
        rng::stream(self.config.seed, Stream::Child, index.into())
    }

    /// Samples the next architecture, or `None` if all rollouts are proposed or the current
    /// batch of `rollouts_per_update` proposals awaits its outcomes.
    pub fn propose(&mut self) -> Option<Proposal> {
        let per_update = self.config.controller.rollouts_per_update;
        if self.next >= self.config.rollouts || self.proposed >= per_update {
            return None;
        }
        let traj = &mut self.batch[self.proposed];
        self.policy.sample(&mut self.rng, traj);
        self.betas[self.proposed] = self.learner.next_beta();
        self.proposed += 1;
        let proposal = Proposal {
            index: self.next,
            arch: traj.arch(),
        };
        self.next += 1;
        Some(proposal)
    }

    /// Takes the outcome of the oldest proposal awaiting one; updates the controller when the
    /// batch is complete (or the search is). Errors if `index` is not that proposal's.
    pub fn report(&mut self, index: u32, outcome: Outcome) -> Result<Record, SearchError> {
        let expected = self.completed();
        if self.reported >= self.proposed || index != expected {
            return Err(SearchError::UnexpectedReport { index });
        }
        let slot = self.reported;
        let traj = &self.batch[slot];
        let arch = traj.arch();
        let reward = if outcome.reward.is_finite() {
            outcome.reward.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let mut record = Record {
            index,
            arch,
            reward,
            epochs: outcome.epochs,
            diverged: outcome.diverged,
            entropy: traj.entropy(),
            log_prob: traj.log_prob(),
            baseline: self
                .learner
                .baseline_for(if slot == 0 { reward } else { self.rewards[0] }),
            beta: self.betas[slot],
        };
        self.rewards[slot] = reward;
        self.reported += 1;
        self.finalists.offer(index, arch, reward);
        let batch_full = self.reported == self.config.controller.rollouts_per_update;
        if batch_full || self.next >= self.config.rollouts {
            let n = self.reported;
            let update = self.learner.update(
                &mut self.policy,
                &mut self.batch[..n],
                &self.rewards[..n],
                &self.betas[..n],
            );
            record.baseline = update.baseline;
            self.proposed = 0;
            self.reported = 0;
        }
        Ok(record)
    }

    /// One rollout on `data`: propose, train the child here, report. `None` once all are
    /// done. Keeps the trained network of the best reward so far ([`Search::best_network`]).
    pub fn step(&mut self, data: &Split<'_>) -> Option<Record> {
        let proposal = self.propose()?;
        let mut rng = self.child_rng(proposal.index);
        let outcome = self
            .trainer
            .train(&proposal.arch, &self.config.child, data, &mut rng);
        let record = self.report(proposal.index, outcome).ok()?;
        if self.best_reward.is_none_or(|best| record.reward > best) {
            self.best_reward = Some(record.reward);
            self.trainer.copy_network(&mut self.best);
        }
        Some(record)
    }

    /// The child with the best reward so far, as trained in its rollout (`None` before the
    /// first [`Search::step`]; children trained outside `step` are not kept).
    pub fn best_network(&self) -> Option<&Network> {
        self.best_reward.map(|_| &self.best)
    }

    /// Retrains the finalists on `data` and reports the winner (see the module docs). May be
    /// called at any time; before any rollout it scores the empty architecture.
    pub fn finish(&mut self, data: &Split<'_>) -> Report {
        let empty = [Finalist {
            arch: Arch::EMPTY,
            best_reward: 0.0,
            samples: 0,
            mean_reward: 0.0,
            first_rollout: 0,
        }];
        let finalists = self.finalists.as_slice();
        let finalists = if finalists.is_empty() {
            &empty[..]
        } else {
            finalists
        };
        let retrains = self.config.retrains.max(1);
        let mut report = Report {
            winner: Arch::EMPTY,
            dev_mean: -1.0,
            test_mean: 0.0,
            test_min: 0.0,
            test_max: 0.0,
            retrains,
            finalists: heapless::Vec::new(),
        };
        for finalist in finalists {
            let (mut dev_sum, mut test_sum) = (0.0, 0.0);
            let (mut test_min, mut test_max) = (f32::INFINITY, f32::NEG_INFINITY);
            for r in 0..retrains {
                let mut rng = rng::stream(self.config.seed, Stream::Retrain, r.into());
                let outcome =
                    self.trainer
                        .train(&finalist.arch, &self.config.child, data, &mut rng);
                dev_sum += outcome.reward;
                let test = if outcome.diverged {
                    0.0
                } else {
                    self.trainer.accuracy(data.test)
                };
                test_sum += test;
                test_min = test_min.min(test);
                test_max = test_max.max(test);
            }
            let dev_mean = dev_sum / retrains as f32;
            let _ = report.finalists.push(FinalistScore {
                arch: finalist.arch,
                seen: *finalist,
                dev_mean,
            }); // at most MAX_FINALISTS finalists
            if dev_mean > report.dev_mean {
                report.winner = finalist.arch;
                report.dev_mean = dev_mean;
                report.test_mean = test_sum / retrains as f32;
                report.test_min = test_min;
                report.test_max = test_max;
            }
        }
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MoonsConfig;
    use crate::moons;
    use crate::sample::Sample;

    fn data(n: usize) -> Vec<Sample> {
        let mut v = vec![Sample::default(); n];
        let cfg = MoonsConfig {
            samples: n,
            ..MoonsConfig::default()
        };
        moons::generate_config(&cfg, &mut v).unwrap();
        v
    }

    fn small_config(rollouts: u32) -> SearchConfig {
        let mut config = SearchConfig {
            rollouts,
            retrains: 2,
            finalists: 3,
            ..SearchConfig::default()
        };
        config.child.max_epochs = 5;
        config
    }

    #[test]
    fn runs_the_configured_rollouts_then_stops() {
        let v = data(200);
        let split = Split::new(&v).unwrap();
        let mut search: Box<Search<8>> = Box::new(Search::new(small_config(7)).unwrap());
        assert!(search.best_network().is_none());
        let records: Vec<Record> = core::iter::from_fn(|| search.step(&split)).collect();
        assert_eq!(records.len(), 7);
        assert!(records.iter().enumerate().all(|(i, r)| r.index == i as u32));
        assert!(search.is_done() && search.step(&split).is_none());
        assert!(!search.finalists().is_empty() && search.finalists().len() <= 3);
        // The kept network is the best-reward child, and scores that reward on dev again.
        let best = search.best_network().unwrap();
        let top = records.iter().map(|r| r.reward).fold(0.0, f32::max);
        assert_eq!(
            best.accuracy(&mut crate::mlp::Workspace::new(), split.dev),
            top
        );
        let report = search.finish(&split);
        assert_eq!(report.finalists.len(), search.finalists().len());
        assert!(report.test_min <= report.test_mean && report.test_mean <= report.test_max);
        // The first record's baseline is its own reward (advantage 0), β starts at 1e-2.
        assert_eq!(records[0].baseline, records[0].reward);
        assert_eq!(records[0].beta, 1e-2);
    }

    #[test]
    fn batched_updates_report_in_order() {
        let mut config = small_config(5);
        config.controller.rollouts_per_update = 2;
        let mut search: Box<Search<8, 2>> = Box::new(Search::new(config).unwrap());
        let a = search.propose().unwrap();
        let b = search.propose().unwrap();
        assert_eq!(search.propose(), None, "the batch is full");
        let outcome = Outcome {
            reward: 0.5,
            epochs: 1,
            best_epoch: 1,
            diverged: false,
        };
        assert_eq!(
            search.report(b.index, outcome),
            Err(SearchError::UnexpectedReport { index: 1 })
        );
        search.report(a.index, outcome).unwrap();
        let rb = search.report(b.index, outcome).unwrap();
        assert_eq!(rb.baseline, 0.5);
        assert_eq!(search.completed(), 2);
        assert!(search.propose().is_some());
        let too_many = SearchConfig {
            controller: crate::ControllerConfig {
                rollouts_per_update: 3,
                ..Default::default()
            },
            ..config
        };
        assert_eq!(
            Search::<8, 2>::new(too_many).unwrap_err().field,
            "controller.rollouts_per_update"
        );
    }

    #[test]
    fn non_finite_rewards_cannot_reach_the_controller() {
        let mut search: Box<Search<8>> = Box::new(Search::new(small_config(20)).unwrap());
        while let Some(p) = search.propose() {
            let outcome = Outcome {
                reward: f32::NAN,
                epochs: 1,
                best_epoch: 0,
                diverged: true,
            };
            let r = search.report(p.index, outcome).unwrap();
            assert_eq!(r.reward, 0.0);
        }
        let mut params = search.policy().params.clone();
        assert!(params.is_finite());
    }
}
