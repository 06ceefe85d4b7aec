//! The search: sample → train → update, one rollout per [`Search::step`].
//!
//! [`Search`] owns the controller, its learner, a child trainer and the finalists table; the
//! data is lent to each call that trains (as smoltcp lends the device to each `poll`), so a
//! search has no lifetime and can sit in a static or a wasm handle beside its data. Pass the
//! same data every time. The caller drives it:
//!
//! ```
//! use piconas_core::{datasets, DataConfig, Search, SearchConfig, Split};
//!
//! let (mut x, mut labels) = ([0.0; 400], [0; 200]); // 200 points of 2 features
//! let data_config = DataConfig { samples: 200, ..DataConfig::default() };
//! let rows = datasets::generate_config(&data_config, &mut x, &mut labels)?;
//! let split = Split::new(rows)?;
//! // The data's shape (here the moons': 2 features, 2 classes) goes into the configuration.
//! let shape = split.shape();
//! let mut config = SearchConfig { rollouts: 3, retrains: 1, shape, ..SearchConfig::default() };
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
//! with the best rewards ([`crate::finalists`]). [`Search::finish`] compares them on more
//! data than one dev split: by `folds`-fold cross-validation over train ∪ dev (default 5;
//! each finalist trained once per fold, with the same seeds for every finalist), picks the one
//! with the best mean held-out accuracy, and only then scores the winner's fold models on the
//! test split (mean, min and max; the saved network is its best fold's). With `folds = 1` it
//! retrains each finalist `retrains` times scored on dev instead, and reports the winner's
//! test accuracy over its retrains. Either way the test split picks nothing. (Refitting the
//! winner on all of train ∪ dev for its mean best epoch, with nothing held out to stop it,
//! was tried: over eight 200-rollout moons runs its single model scored 96.3 % on test on
//! average, 91.5 % at worst, against 97.75 % for the mean of the fold models.)
//!
//! A rollout's reward is its child's dev accuracy, or with `reward_folds = K ≥ 2` its mean
//! held-out accuracy over K-fold cross-validation ([`evaluate`]), for data sets whose dev
//! split is too small to tell architectures apart; by default (`reward_folds = 0`) the latter
//! with 3 folds when the dev split has fewer than 100 rows
//! ([`SearchConfig::reward_folds_for`]).

use core::fmt;

use crate::arch::Shape;
use crate::arch::{ARCH_COUNT, Arch};
use crate::checkpoint::{self, CheckpointError};
use crate::config::{Allowed, ConfigError, Got, MAX_FINALISTS, SearchConfig, Selection, Strategy};
use crate::evolution::Population;
use crate::finalists::{Finalist, Finalists};
use crate::math;
use crate::policy::{ControllerParams, Policy, Trajectory};
use crate::reinforce::Reinforce;
use crate::rng::{self, Generator, Stream};
use crate::rules::{self, Shaping, StepLoss};
use crate::rungs::{Bars, Ladder};
use crate::sample::{Fingerprint, Fold, Split};
use crate::train::{Outcome, Trainer};

/// One rollout, as the search saw it. `Copy` and small (under 64 bytes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Record {
    /// Rollout number, from 0.
    pub index: u32,
    /// The sampled architecture.
    pub arch: Arch,
    /// The child's reward: `accuracy − λ·cost` ([`SearchConfig::cost_weight`]), plus the
    /// original's shaping penalties when they are on ([`SearchConfig::shaping`]); with the
    /// defaults, just the accuracy.
    pub reward: f32,
    /// The child's dev accuracy (its best epoch's by default; 0 if it diverged).
    pub accuracy: f32,
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
    /// Rungs its child climbed (0 without rungs; [`crate::rungs`]): its reward is its score
    /// on the last.
    pub rungs: u8,
}

impl Record {
    /// The record as one line with every float as its exact bits (hex), for comparing runs
    /// across builds and targets: `index arch reward epochs entropy log_prob baseline beta`.
    pub fn bits(&self) -> RecordBits<'_> {
        RecordBits(self)
    }

    /// The controller's loss on this rollout, the quantity its update descends:
    /// `−(R − b)·Σ log π − β·Σ H`, divided by the number of steps under the original's
    /// per-step mean ([`StepLoss::Mean`]); before a batch's averaging over its rollouts.
    pub fn loss(&self, step_loss: StepLoss) -> f32 {
        let loss = -(self.reward - self.baseline) * self.log_prob - self.beta * self.entropy;
        match step_loss {
            StepLoss::Sum => loss,
            StepLoss::Mean => loss / self.arch.actions().len() as f32,
        }
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

/// A sampled architecture waiting for its child's outcome: what [`evaluate`] needs to train
/// it, wherever it is trained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Proposal {
    /// Rollout number.
    pub index: u32,
    /// The architecture to train.
    pub arch: Arch,
    /// The scores its child needs to climb each rung ([`crate::rungs`]; [`Bars::NONE`]
    /// without rungs).
    pub bars: Bars,
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
    /// Mean dev accuracy over the retrains (or held-out accuracy over the folds).
    pub dev_mean: f32,
    /// The standard error of that mean ([`Spread::standard_error`]; 0 with one run).
    pub dev_se: f32,
}

/// The outcome of [`Search::finish`].
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The chosen architecture.
    pub winner: Arch,
    /// Its score in the comparison: the mean over the folds of its accuracy on the held-out
    /// fold (cross-validation), or with one fold the mean dev accuracy over the retrains.
    pub dev_mean: f32,
    /// Cross-validation folds the finalists were compared over (1: retrains scored on dev).
    pub folds: u32,
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
    /// The winner's retrain with the best dev accuracy: [`Search::retrain`] with it gives
    /// back exactly those weights (training is deterministic), for export.
    pub winner_retrain: u32,
}

/// A whole search over `data`, with a GRU controller of `H` hidden units and room for `K`
/// rollouts per controller update (`controller.rollouts_per_update ≤ K`).
///
/// About `3 · 61 KB + K · 8 KB + 38 KB` for `H = 64`. On a host, box
/// [`Search::idle`] and [`Search::start`] it. On a chip, keep it in a zero-initialised static
/// and [`Search::start`] it there: all-zero bytes are a valid idle search (const evaluation
/// proves it, see firmware/src/main.rs), and a zeroed static lands in `.bss`, cleared at reset.
/// [`Search::idle`] as the initialiser would work too, but its defaults are not zeros, so the
/// whole search would go to `.data` and cost its size again in flash; CI checks where the
/// firmware's search lands.
#[derive(Clone, Debug)]
pub struct Search<const H: usize, const K: usize = 1> {
    config: SearchConfig,
    policy: Policy<H>,
    learner: Reinforce<H>,
    rng: Option<Generator>,
    trainer: Trainer,
    batch: [Trajectory<H>; K],
    rewards: [f32; K],
    betas: [f32; K],
    proposed: usize,
    reported: usize,
    next: u32,
    finalists: Finalists,
    /// Regularized evolution's population (empty for the other strategies).
    population: Population,
    /// The rungs' recent scores, for the bars.
    ladder: Ladder,
}

impl<const H: usize, const K: usize> Search<H, K> {
    /// A search that does nothing until [`Search::start`]ed (`const`: built in place in a
    /// `Box` or a static, with no copy on the stack).
    pub const fn idle() -> Self {
        const {
            assert!(
                H > 0 && K > 0,
                "a search needs hidden units and room for a rollout"
            )
        };
        Self {
            config: SearchConfig::DEFAULT,
            policy: Policy::UNIFORM,
            learner: Reinforce::new(SearchConfig::DEFAULT.controller),
            rng: None,
            trainer: Trainer::new(),
            batch: [Trajectory::EMPTY; K],
            rewards: [0.0; K],
            betas: [0.0; K],
            proposed: 0,
            reported: 0,
            next: 0,
            finalists: Finalists::new(0),
            population: Population::new(0),
            ladder: Ladder::EMPTY,
        }
    }

    /// A search of `config`, or the first invalid field of `config`. It is returned by value
    /// (hundreds of KB for `H = 64`): to build one on the heap or in a static without copies
    /// on the stack, use `Box::new(Search::idle())` (or a zeroed static, see [`Search`]) and
    /// [`Search::start`].
    pub fn new(config: SearchConfig) -> Result<Self, ConfigError> {
        let mut search = Self::idle();
        search.start(config)?;
        Ok(search)
    }

    /// Starts (or restarts) this search with `config`, in place; on an invalid `config` (or a
    /// budget with no room for any network, [`SearchConfig::check_room`]) it returns the
    /// first bad field and leaves the search as it was.
    pub fn start(&mut self, config: SearchConfig) -> Result<(), ConfigError> {
        config.validate()?;
        config.check_room()?;
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
        self.policy.params.init(&mut rng);
        self.rng = Some(rng);
        self.config = config;
        self.policy.input = config.controller.input;
        self.learner.reset(config.controller);
        self.proposed = 0;
        self.reported = 0;
        self.next = 0;
        self.finalists = Finalists::new(config.finalists);
        self.population = Population::new(config.population);
        self.ladder = Ladder::EMPTY;
        Ok(())
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

    /// Samples the next architecture, or `None` if all rollouts are proposed, the current
    /// batch of `rollouts_per_update` proposals awaits its outcomes, or the search is idle.
    pub fn propose(&mut self) -> Option<Proposal> {
        let per_update = self.config.controller.rollouts_per_update;
        if self.next >= self.config.rollouts || self.proposed >= per_update {
            return None;
        }
        let rng = self.rng.as_mut()?;
        let traj = self.batch.get_mut(self.proposed)?;
        draw(&self.config, &self.policy, &self.population, rng, traj);
        self.betas[self.proposed] = self.learner.next_beta();
        self.proposed += 1;
        let proposal = Proposal {
            index: self.next,
            arch: traj.arch(),
            bars: self.bars(self.next),
        };
        self.next += 1;
        Some(proposal)
    }

    /// The architectures of the next `out.len()` proposals (fewer near the end; returns how
    /// many) as [`Search::propose`] would draw them if the controller did not learn before
    /// them: from the search's own upcoming random numbers, with the current policy. For
    /// random search they are exact; for the controller they differ only where the updates in
    /// between carry a token's cumulative probability across the number drawn. Changes
    /// nothing: a host uses them to train likely children ahead ([`crate::speculate`]).
    pub fn upcoming(&self, scratch: &mut Trajectory<H>, out: &mut [Arch]) -> usize {
        let Some(mut rng) = self.rng.clone() else {
            return 0;
        };
        let n = out.len().min(self.unproposed() as usize);
        for arch in &mut out[..n] {
            draw(
                &self.config,
                &self.policy,
                &self.population,
                &mut rng,
                scratch,
            );
            *arch = scratch.arch();
        }
        n
    }

    /// Rollout `index`'s bars ([`crate::rungs`]): read from rollouts up to
    /// `index − RUNG_LAG − 1`, so known for any rollout a schedule may train ahead.
    pub fn bars(&self, index: u32) -> Bars {
        self.ladder.bars(index, self.config.rung_eta)
    }

    /// Rollouts not yet proposed.
    pub fn unproposed(&self) -> u32 {
        self.config.rollouts.saturating_sub(self.next)
    }

    /// Takes the outcome of the oldest proposal awaiting one; updates the controller when the
    /// batch is complete (or the search is). Errors if `index` is not that proposal's. Never
    /// panics: a NaN or out-of-range reward is taken as 0 or clamped to [0, 1]. An
    /// architecture over the budget ([`SearchConfig::budget`]) is never a finalist, and
    /// scores 0 whatever the outcome says (a table's lookup, say) unless the budget is a
    /// plain filter.
    pub fn report(&mut self, index: u32, outcome: Outcome) -> Result<Record, SearchError> {
        let expected = self.completed();
        if self.reported >= self.proposed || index != expected {
            return Err(SearchError::UnexpectedReport { index });
        }
        let slot = self.reported;
        let traj = &self.batch[slot];
        let arch = traj.arch();
        // The budget's verdict, once: a plain filter keeps the reward, zero does not.
        let fits = self.config.fits(&arch);
        let zeroed = !fits && self.config.budget.over == crate::target::OverBudget::Zero;
        let accuracy = if outcome.reward.is_finite() && !zeroed {
            outcome.reward.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let shaping = match self.config.shaping {
            Shaping::None => 0.0,
            Shaping::Original => rules::shaping_penalty(traj.actions()),
        };
        let reward = accuracy - self.penalty(&arch) + shaping;
        let mut record = Record {
            index,
            arch,
            reward,
            accuracy,
            epochs: outcome.epochs,
            diverged: outcome.diverged,
            entropy: traj.entropy(),
            log_prob: traj.log_prob(),
            baseline: self
                .learner
                .baseline_for(if slot == 0 { reward } else { self.rewards[0] }),
            beta: self.betas[slot],
            rungs: outcome.climb.rungs,
        };
        self.rewards[slot] = reward;
        self.reported += 1;
        self.ladder.record(index, &outcome.climb);
        if fits {
            self.finalists.offer(index, arch, reward);
        }
        if self.config.strategy == Strategy::Evolution {
            self.population.add(&arch, reward);
        }
        // Update when the batch is full, or when it is the last (shorter) batch and every
        // proposal in it has been reported.
        let batch_full = self.reported == self.config.controller.rollouts_per_update;
        let last_batch_done = self.next >= self.config.rollouts && self.reported == self.proposed;
        if batch_full || last_batch_done {
            let n = self.reported;
            record.baseline = match self.config.strategy {
                Strategy::Reinforce => {
                    self.learner
                        .update(
                            &mut self.policy,
                            &mut self.batch[..n],
                            &self.rewards[..n],
                            &self.betas[..n],
                        )
                        .baseline
                }
                Strategy::Random | Strategy::Evolution => {
                    let baseline = self.learner.baseline_for(self.rewards[0]);
                    self.learner.observe(&self.rewards[..n]);
                    baseline
                }
            };
            self.proposed = 0;
            self.reported = 0;
        }
        Ok(record)
    }

    /// One rollout on `data`: propose, train the child here, report. `None` once all are
    /// done. Until the next call, [`Search::trainer`] holds the child just trained (copy it
    /// with [`Trainer::copy_network`] to keep, say, the best one).
    pub fn step(&mut self, data: &Split<'_>) -> Option<Record> {
        let proposal = self.propose()?;
        let (config, trainer) = (&self.config, &mut self.trainer);
        let outcome = evaluate(config, proposal, data, |fold, rng| {
            trainer.fit(&proposal.arch, &config.child, fold, rng)
        });
        self.report(proposal.index, outcome).ok()
    }

    /// What the resource-aware reward charges `arch`: `λ·cost`, normalised so that the largest
    /// network pays λ ([`SearchConfig::cost_weight`]); exactly 0 when λ = 0.
    pub fn penalty(&self, arch: &Arch) -> f32 {
        penalty(&self.config, arch)
    }

    /// The child trainer, holding the last child trained by [`Search::step`],
    /// [`Search::finish`] or [`Search::retrain`].
    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// Trains `arch` on `data` with the random stream of final retrain `r`, leaving the result
    /// in [`Search::trainer`] (with one fold, how `finish` scores the finalists).
    pub fn retrain(&mut self, data: &Split<'_>, arch: &Arch, r: u32) -> Outcome {
        let mut rng = rng::stream(self.config.seed, Stream::Retrain, r.into());
        self.trainer.train(arch, &self.config.child, data, &mut rng)
    }

    /// Trains `arch` on fold `f` of the `folds`-fold cross-validation over train ∪ dev, with
    /// the random stream of retrain `f` (how `finish` scores the finalists), leaving the
    /// result in [`Search::trainer`].
    pub fn cross_validate(&mut self, data: &Split<'_>, arch: &Arch, f: u32) -> Outcome {
        self.final_run(data, arch, f)
    }

    /// Trains `report`'s winner again as `finish` did for its best run (the fold, or the
    /// retrain, with the best held-out score), leaving it in [`Search::trainer`]: training is
    /// deterministic, so these are exactly those weights, for export.
    pub fn final_network(&mut self, data: &Split<'_>, report: &Report) -> Outcome {
        self.final_run(data, &report.winner, report.winner_retrain)
    }

    /// [`final_run`] `run` of `arch` in [`Search::trainer`], untested.
    fn final_run(&mut self, data: &Split<'_>, arch: &Arch, run: u32) -> Outcome {
        let fit = &mut Trainer::fit;
        final_run(
            &self.config,
            data,
            (arch, run, false),
            &mut self.trainer,
            fit,
        )
        .0
    }

    /// Compares the finalists on `data` and reports the winner (see the module docs), training
    /// one child after another in [`Search::trainer`]. May be called at any time; before any
    /// rollout it scores the empty architecture.
    pub fn finish(&mut self, data: &Split<'_>) -> Report {
        let mut runs = OneByOne {
            config: &self.config,
            data,
            trainer: &mut self.trainer,
        };
        finish(&self.config, &self.finalists, &mut runs)
    }

    /// How many runs [`Search::finish`] trains now: each finalist's (the fallback's if there
    /// is none), then with cross-validation the winner's folds again, tested. For a progress
    /// bar's estimate of the time left.
    pub fn finish_runs(&self) -> u32 {
        let (folds, count) = runs_each(&self.config);
        let finalists = self.finalists.as_slice().len().max(1) as u32;
        finalists * count + if folds >= 2 { folds } else { 0 }
    }

    /// [`Search::finish`] with the trainings left to `runs` (on other threads, say): the same
    /// report, bit for bit, if `runs` gives [`final_run`]'s outcomes.
    pub fn finish_with(&self, runs: &mut impl FinalRuns) -> Report {
        finish(&self.config, &self.finalists, runs)
    }
}

/// The trainings that end a search ([`Search::finish_with`]): every run of one architecture at
/// a time, trained anywhere, in any order, and handed back in run order.
pub trait FinalRuns {
    /// Trains runs `0..runs` of `arch` as [`final_run`] does, and calls `done(run, outcome,
    /// test)` for each in run order; `test` is the child's accuracy on the test split if
    /// `tested` (0 if it diverged), and never read otherwise.
    fn train(
        &mut self,
        arch: &Arch,
        runs: u32,
        tested: bool,
        done: &mut dyn FnMut(u32, Outcome, f32),
    );
}

/// Trains run `run` of `arch` at the end of a search on `data` into `trainer` with `fit`
/// (a [`Trainer::fit`], on any instruction set): fold `run` of the cross-validation over train
/// ∪ dev with `config.folds ≥ 2`, retrain `run` on the train split scored on dev otherwise;
/// each with retrain `run`'s random stream. With the child's accuracy on the test split if
/// `tested` (0 if it diverged; 0 and not measured otherwise).
pub fn final_run(
    config: &SearchConfig,
    data: &Split<'_>,
    (arch, run, tested): (&Arch, u32, bool),
    trainer: &mut Trainer,
    fit: &mut impl FnMut(
        &mut Trainer,
        &Arch,
        &crate::config::ChildConfig,
        &Fold<'_>,
        &mut Generator,
    ) -> Outcome,
) -> (Outcome, f32) {
    let mut rng = rng::stream(config.seed, Stream::Retrain, run.into());
    let fold = if config.folds >= 2 {
        data.fold(run, config.folds)
    } else {
        data.holdout()
    };
    let outcome = fit(trainer, arch, &config.child, &fold, &mut rng);
    let test = if tested && !outcome.diverged {
        trainer.accuracy(&data.test)
    } else {
        0.0
    };
    (outcome, test)
}

/// [`Search::finish`]'s runs: one after another in the search's own trainer.
struct OneByOne<'a, 'd> {
    config: &'a SearchConfig,
    data: &'a Split<'d>,
    trainer: &'a mut Trainer,
}

impl FinalRuns for OneByOne<'_, '_> {
    fn train(
        &mut self,
        arch: &Arch,
        runs: u32,
        tested: bool,
        done: &mut dyn FnMut(u32, Outcome, f32),
    ) {
        for r in 0..runs {
            let run = (arch, r, tested);
            let (outcome, test) =
                final_run(self.config, self.data, run, self.trainer, &mut Trainer::fit);
            done(r, outcome, test);
        }
    }
}

/// What the resource-aware reward charges `arch` under `config` ([`Search::penalty`]).
fn penalty(config: &SearchConfig, arch: &Arch) -> f32 {
    // λ = 0 gives exactly 0 (costs are finite), and `accuracy − 0` is `accuracy`.
    config.cost_weight * arch.cost(config.cost, config.shape)
}

/// Compares `finalists`, trained by `runs`, and reports the winner (see the module
/// docs); with none, the smallest network that fits the budget.
fn finish(config: &SearchConfig, finalists: &Finalists, runs: &mut impl FinalRuns) -> Report {
    let fallback = [Finalist {
        arch: (config.budget)
            .fallback(config.shape, config.deployed_members())
            .unwrap_or(Arch::EMPTY),
        ..Finalist::EMPTY
    }];
    let finalists = match finalists.as_slice() {
        [] => &fallback[..],
        some => some,
    };
    let (folds, count) = runs_each(config);
    let mut report = Report {
        winner: Arch::EMPTY,
        dev_mean: -1.0,
        folds,
        test_mean: 0.0,
        test_min: 0.0,
        test_max: 0.0,
        retrains: count,
        finalists: heapless::Vec::new(),
        winner_retrain: 0,
    };
    // Every finalist scored: its runs' mean and standard error, ranked by the reward the
    // search optimised (accuracy less the resource penalty). Of each, only what the
    // winner's report needs is kept beside the report's table.
    let mut kept = [((0.0, 0.0, 0.0), 0u32); MAX_FINALISTS];
    for (finalist, slot) in finalists.iter().zip(&mut kept) {
        let scored = score_finalist(folds >= 2, finalist, count, runs);
        if report.finalists.push(scored.score).is_err() {
            // Unreachable: the table holds at most MAX_FINALISTS, as the report does. Were
            // it not, the report would list fewer finalists, never a wrong winner.
            break;
        }
        *slot = (scored.test, scored.best_run);
    }
    let penalised = |f: &FinalistScore| f.dev_mean - penalty(config, &f.arch);
    let chosen = choose(&report.finalists, config.selection, config.shape, penalised);
    if let (Some(w), Some(&(test, best_run))) = (report.finalists.get(chosen), kept.get(chosen)) {
        report.winner = w.arch;
        report.dev_mean = w.dev_mean;
        (report.test_mean, report.test_min, report.test_max) = test;
        report.winner_retrain = best_run;
    }
    if folds >= 2 {
        // The test split, touched once, after the choice: the winner's fold models.
        let mut tests = Tests::NONE;
        runs.train(&report.winner, folds, true, &mut |_, _, test| {
            tests.add(test)
        });
        (report.test_mean, report.test_min, report.test_max) = tests.range(folds);
    }
    report
}

/// The folds (1: none) and the runs each finalist is scored by: the folds of its
/// cross-validation, or its retrains.
fn runs_each(config: &SearchConfig) -> (u32, u32) {
    let folds = config.folds.max(1);
    (
        folds,
        if folds >= 2 {
            folds
        } else {
            config.retrains.max(1)
        },
    )
}

/// One finalist's runs: `count` folds of cross-validation (`cv`), or `count` retrains scored
/// on dev (then their test accuracies too).
fn score_finalist(cv: bool, finalist: &Finalist, count: u32, runs: &mut impl FinalRuns) -> Scored {
    let (mut spread, mut tests) = (Spread::default(), Tests::NONE);
    let (mut best_dev, mut best_run) = (f32::NEG_INFINITY, 0);
    runs.train(&finalist.arch, count, !cv, &mut |r, outcome, test| {
        spread.add(outcome.reward);
        if outcome.reward > best_dev {
            best_dev = outcome.reward;
            best_run = r;
        }
        if !cv {
            tests.add(test);
        }
    });
    Scored {
        score: FinalistScore {
            arch: finalist.arch,
            seen: *finalist,
            dev_mean: spread.mean(),
            dev_se: spread.standard_error(),
        },
        test: tests.range(count),
        best_run,
    }
}

/// Test accuracies, summed in order, with their least and greatest.
struct Tests {
    sum: f32,
    min: f32,
    max: f32,
}

impl Tests {
    const NONE: Tests = Tests {
        sum: 0.0,
        min: f32::INFINITY,
        max: f32::NEG_INFINITY,
    };

    fn add(&mut self, test: f32) {
        self.sum += test;
        self.min = self.min.min(test);
        self.max = self.max.max(test);
    }

    /// `(mean, min, max)` over `n` of them.
    fn range(&self, n: u32) -> (f32, f32, f32) {
        (self.sum / n.max(1) as f32, self.min, self.max)
    }
}

/// The mean and standard error of a few scores, added one at a time: the mean summed in
/// order in `f32` from 0 (as `finish` always has), the spread in `f64` (no buffer of the
/// scores is kept).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Spread {
    n: u32,
    sum: f32,
    sum64: f64,
    squares: f64,
}

impl Spread {
    /// Counts one more score.
    pub fn add(&mut self, x: f32) {
        self.n += 1;
        self.sum += x;
        self.sum64 += f64::from(x);
        self.squares += f64::from(x) * f64::from(x);
    }

    /// The scores' mean (0 for none).
    pub fn mean(&self) -> f32 {
        self.sum / self.n.max(1) as f32
    }

    /// The standard error of the mean: the sample standard deviation over `√n` (0 for fewer
    /// than two scores).
    pub fn standard_error(&self) -> f32 {
        if self.n < 2 {
            return 0.0;
        }
        let n = f64::from(self.n);
        let var = ((self.squares - self.sum64 * self.sum64 / n) / (n - 1.0)).max(0.0);
        math::sqrt((var / n) as f32)
    }
}

/// Which of the `finalists` wins under `selection`: the first with the best `score`, or by
/// the one-standard-error rule the smallest (fewest parameters on `shape`, then fewest
/// multiply-adds, then the first) whose score is within one standard error of the best
/// (Breiman et al. 1984; Hastie et al. 2009, §7.10). 0 when there are none.
pub fn choose(
    finalists: &[FinalistScore],
    selection: Selection,
    shape: Shape,
    score: impl Fn(&FinalistScore) -> f32,
) -> usize {
    let mut best = 0;
    for (i, f) in finalists.iter().enumerate() {
        if score(f) > score(&finalists[best]) {
            best = i;
        }
    }
    let Some(top) = finalists.get(best) else {
        return 0;
    };
    match selection {
        Selection::Best => best,
        Selection::OneSe => {
            let bar = score(top) - top.dev_se;
            let size =
                |f: &FinalistScore| (f.arch.parameter_count(shape), f.arch.forward_macs(shape));
            let mut chosen = best;
            for (i, f) in finalists.iter().enumerate() {
                if score(f) >= bar && size(f) < size(&finalists[chosen]) {
                    chosen = i;
                }
            }
            chosen
        }
    }
}

/// What [`Search::finish`] learnt of one finalist.
struct Scored {
    score: FinalistScore,
    /// Test accuracy over the retrains (mean, min, max); unused with cross-validation.
    test: (f32, f32, f32),
    best_run: u32,
}

/// Draws the next architecture of a search of `config` into `traj`: sampled from `policy`,
/// uniform over architectures, or evolved from `population` (the last two recorded as the
/// controller would have seen them; their log-probability and entropy are the controller's,
/// unused).
fn draw<const H: usize>(
    config: &SearchConfig,
    policy: &Policy<H>,
    population: &Population,
    rng: &mut Generator,
    traj: &mut Trajectory<H>,
) {
    match config.strategy {
        Strategy::Reinforce => policy.sample(rng, traj),
        Strategy::Random => policy.replay(&Arch::nth(rng::below(rng, ARCH_COUNT)), traj),
        Strategy::Evolution => policy.replay(&population.propose(config.tournament, rng), traj),
    }
}

/// The outcome of rollout `proposal`'s child on `data`, as a search of `config` scores it:
/// trained once on train and scored on dev (the original), or with K ≥ 2 folds
/// ([`SearchConfig::reward_folds_for`] the dev split's size)
/// trained on each of the K folds of train ∪ dev and scored by the mean of its held-out
/// accuracies (its epochs summed, diverged if any fold did). `fit` trains the child on a fold
/// with a random stream: the core's [`Trainer::fit`], or a host's faster equivalent. Fold 0
/// uses the rollout's own stream ([`Search::child_rng`]), fold `f` a stream of its own. An
/// architecture the budget zeroes ([`SearchConfig::zeroes`]) is not trained: its outcome is 0.
pub fn evaluate(
    config: &SearchConfig,
    proposal: Proposal,
    data: &Split<'_>,
    mut fit: impl FnMut(&Fold<'_>, &mut Generator) -> Outcome,
) -> Outcome {
    if config.zeroes(&proposal.arch) {
        // Over the budget: never trained, scored 0.
        return Outcome {
            reward: 0.0,
            epochs: 0,
            best_epoch: 0,
            diverged: false,
            climb: crate::train::Climb::NONE,
        };
    }
    let index = u64::from(proposal.index);
    let k = config.reward_folds_for(data.dev.len());
    if k == 1 {
        let plan = config.rung_plan(data.train.len(), data.dev.len());
        if plan.count > 1 {
            return climb(&plan, proposal, config.seed, data, fit);
        }
        let mut rng = rng::stream(config.seed, Stream::Child, index);
        return fit(&data.holdout(), &mut rng);
    }
    let mut total = Outcome {
        reward: 0.0,
        epochs: 0,
        best_epoch: 0,
        diverged: false,
        climb: crate::train::Climb::NONE,
    };
    let mut sum = 0.0;
    for f in 0..k {
        // Rollout indices stay below 2^32: fold f ≥ 1 takes the indices above them.
        let mut rng = rng::stream(config.seed, Stream::Child, index | u64::from(f) << 32);
        let outcome = fit(&data.fold(f, k), &mut rng);
        sum += outcome.reward;
        total.epochs = total.epochs.saturating_add(outcome.epochs);
        total.best_epoch = total.best_epoch.max(outcome.best_epoch);
        total.diverged |= outcome.diverged;
    }
    total.reward = sum / k as f32;
    total
}

/// A child's climb of `plan`'s rungs ([`crate::rungs`]): trained from scratch on each rung's
/// first rows of train, scored on its first rows of dev, and on to the next while its score clears the
/// proposal's bar. Rung 0 uses the rollout's own stream, rung `r` a stream of its own. The
/// outcome is the highest rung's, with the epochs of all of them.
fn climb(
    plan: &crate::config::RungPlan,
    proposal: Proposal,
    seed: u64,
    data: &Split<'_>,
    mut fit: impl FnMut(&Fold<'_>, &mut Generator) -> Outcome,
) -> Outcome {
    let mut epochs = 0u32;
    let mut climbed = crate::train::Climb::NONE;
    let mut last = None;
    for (r, (&rows, &dev)) in plan.rows[..plan.count].iter().zip(&plan.dev).enumerate() {
        // Rollout indices stay below 2^32: rung r ≥ 1 takes the indices above them (as a
        // reward fold does; rungs and reward folds never meet).
        let stream = u64::from(proposal.index) | (r as u64) << 32;
        let mut rng = rng::stream(seed, Stream::Child, stream);
        let outcome = fit(&data.rung(rows, dev), &mut rng);
        epochs = epochs.saturating_add(outcome.epochs);
        climbed.scores[r] = outcome.reward;
        climbed.rungs = r as u8 + 1;
        last = Some(outcome);
        if outcome.reward < proposal.bars.bar(r) {
            break;
        }
    }
    let top = last.unwrap_or(Outcome {
        reward: 0.0,
        epochs: 0,
        best_epoch: 0,
        diverged: false,
        climb: crate::train::Climb::NONE,
    });
    Outcome {
        epochs,
        climb: climbed,
        ..top
    }
}

/// Checkpoints (see [`crate::checkpoint`] for the format): each part of the search writes and
/// reads its own state; a restore reads and checks everything before it changes anything.
impl<const H: usize, const K: usize> Search<H, K> {
    /// Bytes of this search's checkpoint (about 183 KB for `H = 64`).
    pub const fn checkpoint_len() -> usize {
        // What the parts write between the frame and the checksum, in `save`'s order: the
        // rollout counter, the generator, the learner's small state, the finalists, the
        // population, the controller's weights and Adam's two moments.
        let params = ControllerParams::<H>::COUNT;
        checkpoint::image_len(
            4 + 16
                + Reinforce::<H>::SMALL_LEN
                + Finalists::SAVED_LEN
                + Population::SAVED_LEN
                + Ladder::SAVED_LEN
                + 3 * 4 * params,
        )
    }

    /// Writes the complete state into `out`, with the fingerprint of the `data` it runs on,
    /// and returns the bytes written ([`Search::checkpoint_len`]). Only between controller
    /// updates of a started search.
    pub fn save(&self, out: &mut [u8], data: Fingerprint) -> Result<usize, CheckpointError> {
        let needed = Self::checkpoint_len();
        if out.len() < needed {
            return Err(CheckpointError::BufferTooSmall { needed });
        }
        let Some(rng) = &self.rng else {
            return Err(CheckpointError::Idle);
        };
        if self.proposed != self.reported || self.proposed != 0 {
            return Err(CheckpointError::MidBatch);
        }
        let mut w = checkpoint::begin(&mut out[..needed], (H, K), &self.config, data);
        w.u32(self.next);
        w.bytes(&rng.state());
        self.learner.save_small(&mut w);
        self.finalists.save(&mut w);
        self.population.save(&mut w);
        self.ladder.save(&mut w);
        self.policy.params.save(&mut w);
        self.learner.save_moments(&mut w);
        Ok(checkpoint::seal(w))
    }

    /// Restores a checkpoint of this search (same `config`, hidden size and capacity, on the
    /// same data: its `data` fingerprint), so that stepping on continues exactly as the saved
    /// search would have. On any error nothing is changed. Never panics, for any bytes
    /// (fuzzed, property-tested).
    pub fn restore(
        &mut self,
        config: SearchConfig,
        bytes: &[u8],
        data: Fingerprint,
    ) -> Result<(), CheckpointError> {
        let mut r = checkpoint::open(bytes, (H, K), Self::checkpoint_len(), (&config, data))?;
        let next = r.u32();
        if next > config.rollouts {
            return Err(CheckpointError::Corrupt("rollout counter"));
        }
        let rng: [u8; 16] = r.bytes();
        if rng == [0; 16] {
            return Err(CheckpointError::Corrupt("generator state"));
        }
        let learner = Reinforce::<H>::read_small(&mut r)?;
        let finalists = Finalists::read(&mut r, config.finalists)?;
        let population = Population::read(&mut r, config.population)?;
        let ladder = Ladder::read(&mut r);

        // Everything is checked: from here on nothing can fail.
        self.policy.params.load(&mut r);
        self.learner.restore(config.controller, learner, &mut r);
        self.config = config;
        self.policy.input = config.controller.input;
        self.rng = Some(<Generator as rand_core::SeedableRng>::from_seed(rng));
        self.next = next;
        self.proposed = 0;
        self.reported = 0;
        self.finalists = finalists;
        self.population = population;
        self.ladder = ladder;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::Data;

    fn data(n: usize) -> Data {
        Data::moons(n)
    }

    fn small_config(rollouts: u32) -> SearchConfig {
        let mut config = SearchConfig {
            rollouts,
            retrains: 2,
            finalists: 3,
            reward_folds: 1,
            ..SearchConfig::default()
        };
        config.child.max_epochs = 5;
        config
    }

    #[test]
    fn runs_the_configured_rollouts_then_stops() {
        let v = data(200);
        let split = v.split();
        let config = SearchConfig {
            folds: 1, // the finalists retrained and scored on dev
            selection: Selection::Best,
            ..small_config(7)
        };
        let mut search: Box<Search<8>> = Box::new(Search::new(config).unwrap());
        let records: Vec<Record> = core::iter::from_fn(|| search.step(&split)).collect();
        assert_eq!(records.len(), 7);
        assert!(records.iter().enumerate().all(|(i, r)| r.index == i as u32));
        assert!(search.is_done() && search.step(&split).is_none());
        assert!(!search.finalists().is_empty() && search.finalists().len() <= 3);
        let report = search.finish(&split);
        assert_eq!(report.finalists.len(), search.finalists().len());
        assert!(report.test_min <= report.test_mean && report.test_mean <= report.test_max);
        // The report, recomputed from the public API: each finalist retrained with each
        // retrain's stream, the mean dev accuracy summed in order, the winner the first
        // finalist with the best score, its test figures those of its own retrains.
        let mut ws = crate::mlp::Workspace::new();
        let mut net = crate::Network::EMPTY;
        let mut best: Option<(f32, Arch, [f32; 2], u32)> = None;
        for (i, f) in search.finalists().to_vec().iter().enumerate() {
            let (mut devs, mut tests) = (Vec::new(), Vec::new());
            for r in 0..2 {
                let outcome = search.retrain(&split, &f.arch, r);
                search.trainer().copy_network(&mut net);
                assert_eq!(
                    net.accuracy(&mut ws, &split.dev),
                    outcome.reward,
                    "the dev accuracy is the kept network's"
                );
                devs.push(outcome.reward);
                tests.push(if outcome.diverged {
                    0.0
                } else {
                    net.accuracy(&mut ws, &split.test)
                });
            }
            let dev_mean = (0.0 + devs[0] + devs[1]) / 2.0;
            assert_eq!(report.finalists[i].arch, f.arch, "the table's order");
            assert_eq!(report.finalists[i].dev_mean, dev_mean, "{}", f.arch);
            let best_retrain = u32::from(devs[1] > devs[0]);
            if best.is_none_or(|b| dev_mean > b.0) {
                best = Some((dev_mean, f.arch, [tests[0], tests[1]], best_retrain));
            }
        }
        let (dev_mean, winner, tests, best_retrain) = best.unwrap();
        let test_mean = (0.0 + tests[0] + tests[1]) / 2.0;
        assert_eq!(report.winner, winner);
        assert_eq!(report.dev_mean, dev_mean);
        assert_eq!(report.test_mean, test_mean);
        assert_eq!(report.test_min, tests[0].min(tests[1]));
        assert_eq!(report.test_max, tests[0].max(tests[1]));
        assert_eq!(report.winner_retrain, best_retrain);
        assert_eq!((report.retrains, report.folds), (2, 1));
        // The saved network is that best retrain's.
        let kept = search.final_network(&split, &report);
        search.trainer().copy_network(&mut net);
        assert_eq!(kept.reward, net.accuracy(&mut ws, &split.dev));
        // The first record's baseline is its own reward (advantage 0), β starts at 1e-2.
        assert_eq!(records[0].baseline, records[0].reward);
        assert_eq!(records[0].beta, 1e-2);
    }

    /// A child's outcome of reward 0.5, as reported without training.
    const HALF: Outcome = Outcome {
        reward: 0.5,
        epochs: 1,
        best_epoch: 1,
        diverged: false,
        climb: crate::train::Climb::NONE,
    };

    /// Counts the runs a finish asks for, training nothing.
    struct Counting(u32);

    impl FinalRuns for Counting {
        fn train(&mut self, _: &Arch, runs: u32, _: bool, done: &mut dyn FnMut(u32, Outcome, f32)) {
            for r in 0..runs {
                self.0 += 1;
                done(r, HALF, 0.5);
            }
        }
    }

    #[test]
    fn finish_runs_counts_the_runs_the_finish_trains() {
        let v = data(300);
        let split = v.split();
        let configs = [(3, 1, 2), (1, 4, 3), (5, 5, 5), (1, 1, 1)];
        for (folds, retrains, finalists) in configs {
            let config = SearchConfig {
                folds,
                retrains,
                finalists,
                ..small_config(4)
            };
            let mut search: Box<Search<8>> = Box::new(Search::new(config).unwrap());
            // Before any rollout (the fallback alone), and after the search.
            for steps in [0, 4] {
                for _ in 0..steps {
                    search.step(&split);
                }
                let mut counting = Counting(0);
                search.finish_with(&mut counting);
                let expected = search.finalists().len().max(1) as u32
                    * if folds >= 2 { folds } else { retrains }
                    + if folds >= 2 { folds } else { 0 };
                assert_eq!(counting.0, expected, "{folds} folds, {retrains} retrains");
                assert_eq!(
                    search.finish_runs(),
                    counting.0,
                    "{folds} folds, {retrains} retrains"
                );
            }
        }
    }

    #[test]
    fn finalists_are_compared_by_cross_validation_then_the_winner_tested() {
        let v = data(300);
        let split = v.split();
        let config = SearchConfig {
            folds: 3,
            ..small_config(6)
        };
        let mut search: Box<Search<8>> = Box::new(Search::new(config).unwrap());
        while search.step(&split).is_some() {}
        let report = search.finish(&split);
        assert_eq!((report.folds, report.retrains), (3, 3));
        // Recomputed from the public API: each finalist on each fold of train ∪ dev (the
        // held-out rows of fold f are the f-th third of the 240), its mean held-out accuracy.
        let mut best: Option<(f32, Arch)> = None;
        for (i, f) in search.finalists().to_vec().iter().enumerate() {
            let mut sum = 0.0;
            for fold in 0..3 {
                let outcome = search.cross_validate(&split, &f.arch, fold);
                let mut net = crate::Network::EMPTY;
                search.trainer().copy_network(&mut net);
                let held = split
                    .learn
                    .slice(fold as usize * 80..(fold as usize + 1) * 80);
                let mut ws = crate::mlp::Workspace::new();
                assert_eq!(net.accuracy(&mut ws, &held), outcome.reward, "fold {fold}");
                sum += outcome.reward;
            }
            let mean = sum / 3.0;
            assert_eq!(report.finalists[i].dev_mean, mean, "{}", f.arch);
            if best.is_none_or(|b| mean > b.0) {
                best = Some((mean, f.arch));
            }
        }
        let (mean, winner) = best.unwrap();
        assert_eq!((report.winner, report.dev_mean), (winner, mean));
        // Then, and only then, the winner's fold models on the test split; the saved network
        // is its best fold's.
        let (mut tests, mut held) = (Vec::new(), Vec::new());
        let mut ws = crate::mlp::Workspace::new();
        for fold in 0..3 {
            let outcome = search.cross_validate(&split, &winner, fold);
            let mut net = crate::Network::EMPTY;
            search.trainer().copy_network(&mut net);
            tests.push(net.accuracy(&mut ws, &split.test));
            held.push(outcome.reward);
        }
        let test_mean = (0.0 + tests[0] + tests[1] + tests[2]) / 3.0;
        assert_eq!(report.test_mean, test_mean);
        assert_eq!(report.test_min, tests.iter().copied().fold(1.0, f32::min));
        assert_eq!(report.test_max, tests.iter().copied().fold(0.0, f32::max));
        let best_fold = (0..3).fold(0, |b, f| if held[f] > held[b] { f } else { b });
        assert_eq!(report.winner_retrain, best_fold as u32);
        let kept = search.final_network(&split, &report);
        assert_eq!(kept.reward, held[best_fold]);
    }

    #[test]
    fn the_winner_is_the_best_score_less_its_penalty() {
        let v = data(200);
        let split = v.split();
        let config = SearchConfig {
            cost_weight: 2.0,
            cost: crate::Cost::Params,
            folds: 2,
            finalists: 4,
            selection: Selection::Best,
            ..small_config(10)
        };
        let mut search: Box<Search<8>> = Box::new(Search::new(config).unwrap());
        while search.step(&split).is_some() {}
        let report = search.finish(&split);
        let by = |sign: f32| {
            report
                .finalists
                .iter()
                .map(|f| (f.dev_mean + sign * search.penalty(&f.arch), f.arch))
                .fold((f32::NEG_INFINITY, Arch::EMPTY), |b, c| {
                    if c.0 > b.0 { c } else { b }
                })
                .1
        };
        assert_eq!(report.winner, by(-1.0));
        assert_ne!(
            by(-1.0),
            by(1.0),
            "the penalty must decide for this test to mean anything"
        );
    }

    #[test]
    fn a_child_climbs_the_rungs_while_it_clears_their_bars() {
        let v = data(200);
        let split = v.split();
        let config = SearchConfig {
            reward_folds: 1,
            rungs: crate::config::Rungs::Three,
            ..small_config(3)
        };
        // 140 train rows: rungs of 15, 46 and 140; 20 dev rows scored on each.
        let plan = config.rung_plan(split.train.len(), split.dev.len());
        assert_eq!(&plan.rows[..3], &[15, 46, 140]);
        let arch: Arch = "[8, Tanh]".parse().unwrap();
        let mut trainer = Trainer::new();
        // Rung r by hand: its rows, its stream (rung 0 the rollout's own).
        let mut by_hand = |r: usize| {
            let mut rng = rng::stream(config.seed, Stream::Child, 5 | (r as u64) << 32);
            trainer.fit(
                &arch,
                &config.child,
                &split.rung(plan.rows[r], 20),
                &mut rng,
            )
        };
        let rungs: Vec<Outcome> = (0..3).map(&mut by_hand).collect();
        let run = |bars: Bars| {
            let mut seen = Vec::new();
            let mut trainer = Trainer::new();
            let proposal = Proposal {
                index: 5,
                arch,
                bars,
            };
            let o = evaluate(&config, proposal, &split, |fold, rng| {
                seen.push((fold.len(), fold.dev.len()));
                trainer.fit(&arch, &config.child, fold, rng)
            });
            (o, seen)
        };
        // No bars: every rung, the top's outcome with every rung's epochs and scores.
        let (all, seen) = run(Bars::NONE);
        assert_eq!(seen, [(15, 20), (46, 20), (140, 20)]);
        assert_eq!(all.reward, rungs[2].reward);
        assert_eq!(all.best_epoch, rungs[2].best_epoch);
        assert_eq!(all.epochs, rungs.iter().map(|o| o.epochs).sum::<u32>());
        assert_eq!(all.climb.rungs, 3);
        assert_eq!(
            &all.climb.scores[..3],
            &[rungs[0].reward, rungs[1].reward, rungs[2].reward]
        );
        // A bar above rung 0's score stops it there: its reward is that score.
        let bits = |b: f32| [b.to_bits(), 0, 0, 0, 0];
        let (low, seen) = run(Bars::from_bits(&bits(rungs[0].reward + 0.01)));
        assert_eq!(seen, [(15, 20)]);
        assert_eq!((low.reward, low.climb.rungs), (rungs[0].reward, 1));
        assert_eq!(low.epochs, rungs[0].epochs);
        // A bar it meets exactly lets it on.
        let (on, _) = run(Bars::from_bits(&bits(rungs[0].reward)));
        assert_eq!(on.climb.rungs, 3);
    }

    #[test]
    fn reward_folds_score_a_child_by_its_mean_held_out_accuracy() {
        let v = data(200);
        let split = v.split();
        let config = SearchConfig {
            reward_folds: 4,
            ..small_config(3)
        };
        let proposal = Proposal {
            index: 2,
            arch: "[8, Tanh]".parse().unwrap(),
            bars: Bars::NONE,
        };
        let mut trainer = Trainer::new();
        let mut folds = Vec::new();
        let outcome = evaluate(&config, proposal, &split, |fold, rng| {
            folds.push((fold.len(), fold.dev.len()));
            trainer.fit(&proposal.arch, &config.child, fold, rng)
        });
        assert_eq!(folds, [(120, 40); 4]);
        // Fold by fold with the documented streams: fold 0 the rollout's own.
        let mut sum = 0.0;
        let mut epochs = 0;
        for f in 0..4u32 {
            let mut rng = rng::stream(config.seed, Stream::Child, 2 | u64::from(f) << 32);
            let o = trainer.fit(&proposal.arch, &config.child, &split.fold(f, 4), &mut rng);
            sum += o.reward;
            epochs += o.epochs;
        }
        assert_eq!((outcome.reward, outcome.epochs), (sum / 4.0, epochs));
        // With one fold: the child's dev accuracy, as a plain step computes it.
        let one = SearchConfig {
            reward_folds: 1,
            ..config
        };
        let plain = evaluate(&one, proposal, &split, |fold, rng| {
            trainer.fit(&proposal.arch, &config.child, fold, rng)
        });
        let mut rng = rng::stream(config.seed, Stream::Child, 2);
        let direct = trainer.train(&proposal.arch, &config.child, &split, &mut rng);
        assert_eq!(plain, direct);
        // A fold that diverges makes the child's outcome diverged (its reward is that fold's
        // 0 in the mean).
        let mut folds = 0;
        let outcome = evaluate(&config, proposal, &split, |_, _| {
            folds += 1;
            Outcome {
                reward: if folds < 4 { 0.5 } else { 0.0 },
                epochs: 3,
                best_epoch: 1,
                diverged: folds == 4,
                climb: crate::train::Climb::NONE,
            }
        });
        assert!(outcome.diverged, "{outcome:?}");
        assert_eq!(outcome.reward, (0.5 + 0.5 + 0.5 + 0.0) / 4.0);
    }

    #[test]
    fn only_the_settings_said_to_reach_the_outcome_change_a_childs_outcome() {
        // Each setting set to another value (the data held fixed: its fingerprint is the
        // table's other half): a child's outcome changes only through the settings that
        // `reaches_the_outcome` names, and each of those changes some child's outcome here.
        let v = data(200);
        let split = v.split();
        let mut base = crate::Settings::DEFAULT;
        base.search.child.max_epochs = 30;
        base.search.child.min_steps = 200;
        let archs = [
            "[]",
            "[8, Tanh]",
            "[ReLU, 4, Sigmoid, 2]",
            "[16, LeakyReLU, 16]",
        ];
        let outcomes = |settings: &crate::Settings| -> Vec<Outcome> {
            let config = &settings.search;
            let mut trainer = Trainer::new();
            archs
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let proposal = Proposal {
                        index: 7 * i as u32,
                        arch: a.parse().unwrap(),
                        bars: Bars::NONE,
                    };
                    evaluate(config, proposal, &split, |fold, rng| {
                        trainer.fit(&proposal.arch, &config.child, fold, rng)
                    })
                })
                .collect()
        };
        let plain = outcomes(&base);
        for s in crate::SETTINGS.iter().filter(|s| !s.generated_data) {
            // The rungs need the dev split as the score (this data's is cross-validated by
            // default), and η needs rungs; `rungs` then goes from none to three.
            let (mut settings, mut value, mut before) = (base, s.other_value(), plain.clone());
            if s.name.starts_with("rung") {
                settings.search.reward_folds = 1;
                if s.name == "rungs" {
                    value = crate::settings::Value::Choice("3");
                } else {
                    settings.search.rungs = crate::config::Rungs::Three;
                }
                before = outcomes(&settings);
            }
            s.set(&mut settings, value).unwrap();
            let after = outcomes(&settings);
            if s.reaches_the_outcome() {
                assert_ne!(after, before, "{} changes no outcome", s.name);
            } else {
                assert_eq!(after, before, "{} changes an outcome", s.name);
            }
        }
    }

    #[test]
    fn a_budget_scores_what_exceeds_it_0_untrained_and_never_makes_it_a_finalist() {
        // Random search proposes the same architectures whatever the rewards, so a budgeted
        // search and a free one can be compared record by record.
        let v = data(200);
        let split = v.split();
        let free = SearchConfig {
            strategy: Strategy::Random,
            folds: 2,
            ..small_config(40)
        };
        let part = crate::target::Target::Atmega328p.part().unwrap();
        let edge: Arch = "[4, ReLU, 4]".parse().unwrap();
        let bound = part.footprint(&edge, Shape::MOONS, 2).cycles_bound;
        let budgeted = SearchConfig {
            budget: crate::target::Budget {
                target: crate::target::Target::Atmega328p,
                max_latency_us: part.micros(bound),
                ..crate::target::Budget::NONE
            },
            ..free
        };
        let run = |config: SearchConfig| {
            let mut search: Box<Search<8>> = Box::new(Search::new(config).unwrap());
            let mut records = Vec::new();
            while let Some(r) = search.step(&split) {
                records.push(r);
            }
            let report = search.finish(&split);
            (records, report)
        };
        let (free_records, _) = run(free);
        let (records, report) = run(budgeted);
        let over = records.iter().filter(|r| !budgeted.fits(&r.arch)).count();
        assert!(
            over > 5 && over < 35,
            "{over} of 40 over the budget: the test needs both kinds"
        );
        for (a, b) in free_records.iter().zip(&records) {
            assert_eq!(a.arch, b.arch);
            if budgeted.fits(&b.arch) {
                let outcome = |r: &Record| (r.accuracy.to_bits(), r.epochs, r.diverged);
                assert_eq!(
                    outcome(a),
                    outcome(b),
                    "a child within the budget is untouched"
                );
            } else {
                assert_eq!((b.accuracy, b.epochs), (0.0, 0), "{} was trained", b.arch);
            }
        }
        assert!(report.finalists.iter().all(|f| budgeted.fits(&f.arch)));
        assert!(budgeted.fits(&report.winner));
        // A plain filter trains and rewards every child as the free search does, and only
        // keeps those over the budget out of the finalists.
        let filter = SearchConfig {
            budget: crate::target::Budget {
                over: crate::target::OverBudget::Filter,
                ..budgeted.budget
            },
            ..budgeted
        };
        let (filtered, report) = run(filter);
        let bits = |r: &[Record]| r.iter().map(|r| r.bits().to_string()).collect::<Vec<_>>();
        assert_eq!(bits(&filtered), bits(&free_records));
        assert!(report.finalists.iter().all(|f| filter.fits(&f.arch)));
    }

    #[test]
    fn with_no_finalist_a_budgeted_search_falls_back_to_the_smallest_network_that_fits() {
        // On wine's shape `[1]` is faster than `[]` (16 + 3 multiply-adds a member against
        // 39): a deadline only `[1]` meets makes it the fallback, where `[]` was before.
        let wine = Shape::new(13, 3).unwrap();
        let v = Data::shaped(200, 13, 3);
        let split = v.split();
        let part = crate::target::Target::Atmega328p.part().unwrap();
        let one = part.footprint(&Arch::ONE, wine, 5);
        let config = SearchConfig {
            shape: wine,
            budget: crate::target::Budget {
                target: crate::target::Target::Atmega328p,
                max_latency_us: part.micros(one.cycles_bound),
                ..crate::target::Budget::NONE
            },
            ..small_config(1)
        };
        assert!(!config.fits(&Arch::EMPTY) && config.fits(&Arch::ONE));
        let mut search: Box<Search<8>> = Box::new(Search::new(config).unwrap());
        let report = search.finish(&split);
        assert_eq!(report.winner, Arch::ONE);
    }

    #[test]
    fn the_resource_aware_reward_charges_lambda_times_cost_and_steers_the_controller() {
        let config = SearchConfig {
            cost_weight: 2.0,
            cost: crate::Cost::Params,
            ..small_config(600)
        };
        let mut search: Box<Search<8>> = Box::new(Search::new(config).unwrap());
        // Every child "reaches" 0.9: the only signal left is the cost.
        let outcome = Outcome {
            reward: 0.9,
            epochs: 1,
            best_epoch: 1,
            diverged: false,
            climb: crate::train::Climb::NONE,
        };
        let mut costs = Vec::new();
        while let Some(p) = search.propose() {
            let r = search.report(p.index, outcome).unwrap();
            let cost = p.arch.cost(crate::Cost::Params, Shape::MOONS);
            assert_eq!(r.accuracy, 0.9);
            assert_eq!(r.reward, 0.9 - 2.0 * cost, "{}", p.arch);
            costs.push(cost);
        }
        let mean = |c: &[f32]| c.iter().sum::<f32>() / c.len() as f32;
        let (first, last) = (mean(&costs[..100]), mean(&costs[500..]));
        assert!(last < first / 2.0, "mean cost {first} -> {last}");
    }

    #[test]
    fn finish_ranks_finalists_by_accuracy_less_the_penalty() {
        let v = data(200);
        let split = v.split();
        let config = SearchConfig {
            cost_weight: 0.5,
            finalists: 4,
            selection: Selection::Best,
            ..small_config(12)
        };
        let mut search: Box<Search<8>> = Box::new(Search::new(config).unwrap());
        while search.step(&split).is_some() {}
        let report = search.finish(&split);
        let score =
            |f: &FinalistScore| f.dev_mean - 0.5 * f.arch.cost(crate::Cost::Macs, Shape::MOONS);
        let best = report.finalists.iter().map(score).fold(f32::MIN, f32::max);
        let winner = report.finalists.iter().find(|f| f.arch == report.winner);
        assert_eq!(winner.map(score), Some(best));
        assert_eq!(winner.map(|f| f.dev_mean), Some(report.dev_mean));
    }

    #[test]
    fn an_idle_search_does_nothing_until_started() {
        let v = data(200);
        let split = v.split();
        let mut search: Box<Search<8>> = Box::new(Search::idle());
        assert_eq!(search.step(&split), None);
        let mut bad = small_config(3);
        bad.retrains = 0;
        assert_eq!(search.start(bad).unwrap_err().field, "retrains");
        assert_eq!(search.step(&split), None, "a refused start leaves it idle");
        search.start(small_config(3)).unwrap();
        let first: Vec<Record> = core::iter::from_fn(|| search.step(&split)).collect();
        search.start(small_config(3)).unwrap();
        let again: Vec<Record> = core::iter::from_fn(|| search.step(&split)).collect();
        assert_eq!(first.len(), 3);
        assert_eq!(first, again, "a restart in place is a fresh search");
        let fresh: Box<Search<8>> = Box::new(Search::new(small_config(3)).unwrap());
        let mut fresh = fresh;
        let third: Vec<Record> = core::iter::from_fn(|| fresh.step(&split)).collect();
        assert_eq!(first, third, "start in place equals new");
    }

    #[test]
    fn random_search_samples_uniformly_and_never_trains_the_controller() {
        let config = SearchConfig {
            strategy: Strategy::Random,
            rollouts: 4000,
            ..small_config(4000)
        };
        let mut search: Box<Search<8>> = Box::new(Search::new(config).unwrap());
        let before = search.policy().clone();
        let (mut full, mut distinct) = (0, std::collections::HashSet::new());
        let outcome = Outcome {
            reward: 0.7,
            epochs: 1,
            best_epoch: 1,
            diverged: false,
            climb: crate::train::Climb::NONE,
        };
        while let Some(p) = search.propose() {
            full += usize::from(p.arch.len() == crate::MAX_TOKENS);
            distinct.insert(p.arch);
            let r = search.report(p.index, outcome).unwrap();
            assert_eq!(r.baseline, 0.7);
        }
        assert_eq!(search.policy(), &before, "the controller is never updated");
        // Uniform over 597,871 architectures: 9^6/597,871 = 88.9 % have six tokens, and 4000
        // draws are almost all distinct.
        assert!(
            (3460..3650).contains(&full),
            "{full} of 4000 have six tokens"
        );
        assert!(distinct.len() > 3950, "{} distinct", distinct.len());
    }

    /// Regularized evolution by hand: the first `population` rollouts are uniform (the same
    /// architectures random search draws from the same stream), every later one is one edit
    /// from a member of the population of the last `population` rollouts, the best of a
    /// tournament; the controller never learns; the same seed gives the same records.
    #[test]
    fn evolution_fills_its_population_then_mutates_recent_winners() {
        let v = data(200);
        let split = v.split();
        let config = SearchConfig {
            strategy: Strategy::Evolution,
            population: 8,
            tournament: 4,
            ..small_config(40)
        };
        let random = SearchConfig {
            strategy: Strategy::Random,
            ..config
        };
        let mut search: Box<Search<8>> = Box::new(Search::new(config).unwrap());
        let before = search.policy().clone();
        let records: Vec<Record> = core::iter::from_fn(|| search.step(&split)).collect();
        assert_eq!(search.policy(), &before, "the controller is never updated");
        let mut uniform: Box<Search<8>> = Box::new(Search::new(random).unwrap());
        for r in &records[..8] {
            assert_eq!(uniform.propose().map(|p| p.arch), Some(r.arch));
            uniform.report(r.index, HALF).unwrap();
        }
        for (i, r) in records.iter().enumerate().skip(8) {
            let window = &records[i - 8..i];
            let parents: Vec<&Record> = window
                .iter()
                .filter(|p| crate::evolution::tests::one_edit(&p.arch, &r.arch))
                .collect();
            assert!(!parents.is_empty(), "rollout {i}: {} has no parent", r.arch);
        }
        let mut again: Box<Search<8>> = Box::new(Search::new(config).unwrap());
        let same: Vec<Record> = core::iter::from_fn(|| again.step(&split)).collect();
        assert_eq!(same, records);
    }

    #[test]
    fn batched_updates_report_in_order() {
        let mut config = small_config(5);
        config.controller.rollouts_per_update = 2;
        let mut search: Box<Search<8, 2>> = Box::new(Search::new(config).unwrap());
        let a = search.propose().unwrap();
        let b = search.propose().unwrap();
        assert_eq!(search.propose(), None, "the batch is full");
        let outcome = HALF;
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
    fn the_last_short_batch_takes_all_its_reports_before_the_update() {
        // 5 rollouts, 3 per update: batches of 3 and 2; propose each batch whole first.
        let mut config = small_config(5);
        config.controller.rollouts_per_update = 3;
        let mut search: Box<Search<8, 3>> = Box::new(Search::new(config).unwrap());
        let outcome = HALF;
        for batch in [3, 2] {
            let proposals: Vec<Proposal> = core::iter::from_fn(|| search.propose()).collect();
            assert_eq!(proposals.len(), batch);
            for p in proposals {
                search.report(p.index, outcome).unwrap();
            }
        }
        assert!(search.is_done());
        assert_eq!(search.propose(), None);
    }

    #[test]
    fn records_and_errors_print_as_documented_and_accessors_track_the_search() {
        let record = Record {
            index: 3,
            arch: "[16, Tanh]".parse().unwrap(),
            reward: 0.5,
            accuracy: 0.5,
            epochs: 7,
            diverged: false,
            entropy: 1.0,
            log_prob: -2.0,
            baseline: 0.25,
            beta: 0.01,
            rungs: 0,
        };
        assert_eq!(
            record.bits().to_string(),
            "3 [16, Tanh] 3f000000 7 3f800000 c0000000 3e800000 3c23d70a"
        );
        assert_eq!(
            SearchError::UnexpectedReport { index: 4 }.to_string(),
            "rollout 4 is not the oldest one awaiting its outcome"
        );
        let mut search: Box<Search<8>> = Box::new(Search::new(small_config(2)).unwrap());
        let outcome = Outcome {
            reward: 0.8,
            epochs: 1,
            best_epoch: 1,
            diverged: false,
            climb: crate::train::Climb::NONE,
        };
        assert_eq!((search.beta(), search.baseline()), (1e-2, None));
        assert!(!search.is_done());
        let p = search.propose().unwrap();
        assert_eq!(search.beta(), 1e-2 * 0.99, "each proposal takes its β");
        search.report(p.index, outcome).unwrap();
        assert_eq!(search.baseline(), Some(0.8));
        assert!(!search.is_done());
        let p = search.propose().unwrap();
        search.report(p.index, outcome).unwrap();
        assert!(search.is_done());
    }

    #[test]
    fn a_batch_is_judged_against_its_first_reward_and_updated_only_when_complete() {
        let mut config = small_config(6);
        config.controller.rollouts_per_update = 3;
        let mut search: Box<Search<8, 3>> = Box::new(Search::new(config).unwrap());
        let outcome = |reward| Outcome {
            reward,
            epochs: 1,
            best_epoch: 1,
            diverged: false,
            climb: crate::train::Climb::NONE,
        };
        // The first batch, with no baseline yet: each record is judged against the batch's
        // first reward, and nothing is updated before the third report.
        let a = search.propose().unwrap();
        let ra = search.report(a.index, outcome(0.6)).unwrap();
        assert_eq!(ra.baseline, 0.6);
        let b = search.propose().unwrap();
        let c = search.propose().unwrap();
        assert_eq!(search.propose(), None, "the batch of three is still open");
        assert_eq!(search.baseline(), None, "no update yet");
        let rb = search.report(b.index, outcome(0.2)).unwrap();
        assert_eq!(rb.baseline, 0.6);
        let rc = search.report(c.index, outcome(0.4)).unwrap();
        assert_eq!(rc.baseline, 0.6);
        let folded = [0.2f32, 0.4].iter().fold(0.6, |m, &r| 0.95 * m + 0.05 * r);
        assert_eq!(search.baseline(), Some(folded));
        // The second batch is judged against the baseline the first one left.
        let d = search.propose().unwrap();
        assert_eq!(
            search.report(d.index, outcome(0.9)).unwrap().baseline,
            folded
        );
    }

    #[test]
    fn a_tie_between_finalists_goes_to_the_earlier_in_the_table() {
        // Two classes a wide margin apart: most architectures reach 100 % dev accuracy.
        let mut rng = rng::stream(1, Stream::Data, 0);
        let mut v = Data {
            x: Vec::new(),
            y: Vec::new(),
            shape: Shape::MOONS,
        };
        for i in 0..300 {
            let (a, b) = rng::gaussian_pair(&mut rng);
            let label = (i % 2) as u8;
            let side = if label == 1 { 2.0 } else { -2.0 };
            v.x.extend([side + 0.3 * a, b]);
            v.y.push(label);
        }
        let split = v.split();
        let mut config = SearchConfig {
            finalists: 6,
            retrains: 1,
            selection: Selection::Best,
            ..small_config(20)
        };
        config.child.max_epochs = 40;
        let mut search: Box<Search<8>> = Box::new(Search::new(config).unwrap());
        while search.step(&split).is_some() {}
        let report = search.finish(&split);
        let best = report
            .finalists
            .iter()
            .map(|f| f.dev_mean)
            .fold(f32::MIN, f32::max);
        let tied: Vec<Arch> = report
            .finalists
            .iter()
            .filter(|f| f.dev_mean == best)
            .map(|f| f.arch)
            .collect();
        assert!(
            tied.len() >= 2,
            "the test needs a tie: {:?}",
            report.finalists
        );
        assert_eq!(report.winner, tied[0]);
    }

    /// A finalist of `arch` scored `mean` ± `se`.
    fn scored(arch: &str, mean: f32, se: f32) -> FinalistScore {
        let arch: Arch = arch.parse().unwrap();
        FinalistScore {
            arch,
            seen: Finalist::EMPTY,
            dev_mean: mean,
            dev_se: se,
        }
    }

    #[test]
    fn the_one_standard_error_rule_picks_the_smallest_of_the_tied() {
        let mean = |f: &FinalistScore| f.dev_mean;
        let shape = Shape::MOONS;
        // [16, 16] (338 parameters) is best at 0.95 ± 0.02; [8] (42) is within the bar 0.93,
        // [] (6) below it, [4] (22) exactly on it.
        let table = [
            scored("[16, 16]", 0.95, 0.02),
            scored("[8]", 0.94, 0.01),
            scored("[]", 0.92, 0.0),
        ];
        assert_eq!(choose(&table, Selection::Best, shape, mean), 0);
        assert_eq!(choose(&table, Selection::OneSe, shape, mean), 1);
        let on_the_bar = [table[0], table[1], scored("[4]", 0.93, 0.05)];
        assert_eq!(choose(&on_the_bar, Selection::OneSe, shape, mean), 2);
        // The bar is the best finalist's own standard error (not the candidates').
        let wide = [table[0], scored("[4]", 0.90, 0.2)];
        assert_eq!(choose(&wide, Selection::OneSe, shape, mean), 0);
        // Equal parameters: fewer multiply-adds ([Tanh, 4] and [4, Tanh] tie on both, so the
        // earlier wins); on the moons [1, 1] has 2·1+1 + 1·1+1 + 1·2+2 = 9 parameters and 5
        // multiply-adds, [2] 2·2+2 + 2·2+2 = 12 and 8.
        let same = [
            scored("[16]", 0.9, 0.1),
            scored("[4, Tanh]", 0.9, 0.0),
            scored("[Tanh, 4]", 0.9, 0.0),
        ];
        assert_eq!(choose(&same, Selection::OneSe, shape, mean), 1);
        // The best is the first of equal scores; an empty table chooses 0.
        let tie = [scored("[8]", 0.9, 0.0), scored("[16]", 0.9, 0.0)];
        assert_eq!(choose(&tie, Selection::Best, shape, mean), 0);
        assert_eq!(choose(&[], Selection::OneSe, shape, mean), 0);
        // With a cost weight the penalised score is what is compared.
        let penalised =
            |f: &FinalistScore| f.dev_mean - f.arch.parameter_count(shape) as f32 / 1000.0;
        let costly = [scored("[16, 16]", 0.96, 0.0), scored("[8]", 0.94, 0.0)];
        assert_eq!(choose(&costly, Selection::Best, shape, penalised), 1);
    }

    /// A real finish under the one-standard-error rule, recomputed from the public API: each
    /// finalist's fold scores, their mean and standard error, and the smallest finalist within
    /// one standard error of the best.
    #[test]
    fn finish_applies_the_one_standard_error_rule_to_the_fold_scores() {
        let v = data(200);
        let split = v.split();
        let config = SearchConfig {
            folds: 3,
            finalists: 5,
            ..small_config(30)
        };
        let mut search: Box<Search<8>> = Box::new(Search::new(config).unwrap());
        while search.step(&split).is_some() {}
        let report = search.finish(&split);
        let mut rows = Vec::new();
        for (i, f) in search.finalists().to_vec().iter().enumerate() {
            let scores: Vec<f32> = (0..3)
                .map(|r| search.cross_validate(&split, &f.arch, r).reward)
                .collect();
            let mean = (0.0 + scores[0] + scores[1] + scores[2]) / 3.0;
            // The standard error as `Spread` computes it (its formula has its own test).
            let mut spread = Spread::default();
            scores.iter().for_each(|&v| spread.add(v));
            let se = spread.standard_error();
            assert_eq!(report.finalists[i].dev_mean, mean, "{}", f.arch);
            assert_eq!(report.finalists[i].dev_se, se, "{}", f.arch);
            rows.push((f.arch, mean, se));
        }
        let best = rows
            .iter()
            .fold(rows[0], |b, r| if r.1 > b.1 { *r } else { b });
        let size = |a: &Arch| {
            (
                a.parameter_count(Shape::MOONS),
                a.forward_macs(Shape::MOONS),
            )
        };
        let smallest = rows
            .iter()
            .filter(|r| r.1 >= best.1 - best.2)
            .fold(best, |b, r| if size(&r.0) < size(&b.0) { *r } else { b });
        assert_eq!(report.winner, smallest.0);
        assert_eq!(report.dev_mean, smallest.1);
    }

    #[test]
    fn the_standard_error_is_the_sample_sd_over_root_n() {
        let spread = |values: &[f32]| {
            let mut s = Spread::default();
            values.iter().for_each(|&v| s.add(v));
            s
        };
        assert_eq!(spread(&[]).mean(), 0.0);
        assert_eq!(spread(&[0.5]).standard_error(), 0.0);
        // 0.8, 0.9, 1.0: mean 0.9 (summed in f32 from 0), sd 0.1, se 0.1/√3.
        let s = spread(&[0.8, 0.9, 1.0]);
        assert_eq!(s.mean(), (0.0 + 0.8f32 + 0.9 + 1.0) / 3.0);
        assert!((s.standard_error() - 0.1 / 3f32.sqrt()).abs() < 1e-6);
        // Equal scores: no spread, not a rounding error's square root of a negative.
        assert_eq!(spread(&[0.7; 5]).standard_error(), 0.0);
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
                climb: crate::train::Climb::NONE,
            };
            let r = search.report(p.index, outcome).unwrap();
            assert_eq!(r.reward, 0.0);
        }
        let mut params = search.policy().params.clone();
        assert!(params.is_finite());
    }

    /// A seeded search under the original's rules: every reward is the child's accuracy plus
    /// the shaping penalty of its tokens (some non-zero), the baseline is 0 throughout, and
    /// the rollouts differ from piconas's rules from the first on (the zero input changes
    /// the sampled tokens).
    #[test]
    fn under_the_original_rules_the_rewards_carry_the_penalties() {
        let data = data(200);
        let split = data.split();
        let config = crate::settings::original(small_config(40));
        let mut search: Box<Search<16>> = Box::new(Search::new(config).unwrap());
        let records: Vec<Record> = core::iter::from_fn(|| search.step(&split)).collect();
        let mut penalised = 0;
        for r in &records {
            let penalty = rules::shaping_penalty(&r.arch.actions());
            assert_eq!(r.reward, r.accuracy + penalty, "{}", r.arch);
            assert_eq!(r.baseline, 0.0);
            penalised += usize::from(penalty < 0.0);
        }
        assert!(penalised > 0, "no penalty in 40 rollouts");
        let mut plain: Box<Search<16>> = Box::new(Search::new(small_config(40)).unwrap());
        let first = plain.step(&split).unwrap();
        assert_ne!(first.bits().to_string(), records[0].bits().to_string());
    }

    /// The loss by hand: `−(R − b)·log π − β·H`, and a quarter of it for four steps under the
    /// per-step mean.
    #[test]
    fn a_records_loss_by_hand() {
        let record = Record {
            index: 0,
            arch: "[16, Tanh, 4]".parse().unwrap(),
            reward: 0.75,
            accuracy: 0.75,
            epochs: 3,
            diverged: false,
            entropy: 8.0,
            log_prob: -6.0,
            baseline: 0.5,
            beta: 0.25,
            rungs: 0,
        };
        // −(0.25)(−6) − 0.25·8 = 1.5 − 2 = −0.5.
        assert_eq!(record.loss(StepLoss::Sum), -0.5);
        assert_eq!(record.loss(StepLoss::Mean), -0.125);
    }
}
