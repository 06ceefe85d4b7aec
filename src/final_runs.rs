//! The finish's trainings handed out and brought back, for a front end whose workers answer
//! by message (the page's helpers): [`Replay`] plays the core's finish ([`Search::finish_with`])
//! over the runs brought back so far, and says which runs it needs next.
//!
//! The core's finish trains one architecture's runs at a time (a finalist's folds or retrains,
//! then the winner's folds again, tested), and which architecture comes next may depend on the
//! runs before (the winner does). So a replay stops believing at the first architecture with a
//! run missing: those runs are [`Replay::wanted`], trained anywhere ([`train`]), handed in
//! ([`Replay::add`]), and the finish is played again, until nothing is missing. A run's
//! outcome is a function of its architecture, run number and whether it is tested, never of
//! where it was trained, so the report is [`Search::finish`]'s bit for bit.

use std::collections::HashMap;

use piconas_core::search::{self, FinalRuns, Report};
use piconas_core::{Arch, Network, Outcome, Search, SearchConfig, Split, Trainer};

/// One run of the finish: fold (or retrain) `run` of `arch`, on the test split too if `tested`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FinalJob {
    /// The architecture.
    pub arch: Arch,
    /// The fold (with cross-validation) or retrain.
    pub run: u32,
    /// Whether its accuracy on the test split is measured.
    pub tested: bool,
}

/// What training a [`FinalJob`] gave: the outcome, the test accuracy (0 if not tested) and the
/// network.
#[derive(Clone, Debug)]
pub struct FinalRun {
    /// The child's outcome.
    pub outcome: Outcome,
    /// Its test accuracy if tested, else 0.
    pub test: f32,
    /// Its weights.
    pub network: Network,
}

/// Trains `job` as the finish would ([`search::final_run`]) in `trainer`: what a helper does.
pub fn train(
    config: &SearchConfig,
    data: &Split<'_>,
    job: FinalJob,
    trainer: &mut Trainer,
) -> FinalRun {
    let run = (&job.arch, job.run, job.tested);
    let (outcome, test) = search::final_run(config, data, run, trainer, &mut Trainer::fit);
    let mut network = Network::EMPTY;
    trainer.copy_network(&mut network);
    FinalRun {
        outcome,
        test,
        network,
    }
}

/// The core's finish over the runs brought back so far (see the module docs).
#[derive(Debug, Default)]
pub struct Replay {
    known: HashMap<FinalJob, FinalRun>,
    /// The runs of the first architecture with one missing, in the last play.
    wanted: Vec<FinalJob>,
    /// The architecture of the last call played in full, and its runs' networks, in order.
    last: Option<(Arch, Vec<Network>)>,
}

impl Replay {
    /// Hands in a run trained elsewhere.
    pub fn add(&mut self, job: FinalJob, run: FinalRun) {
        self.known.insert(job, run);
    }

    /// The runs the last play missed (none: its report is the finish's).
    pub fn wanted(&self) -> &[FinalJob] {
        &self.wanted
    }

    /// Plays `search`'s finish over the runs known: its report if no run is missing, else
    /// `None` and [`Replay::wanted`] says which runs to train next.
    pub fn play<const H: usize, const B: usize>(
        &mut self,
        search: &Search<H, B>,
    ) -> Option<Report> {
        self.wanted.clear();
        self.last = None;
        let report = search.finish_with(self);
        self.wanted.is_empty().then_some(report)
    }

    /// The networks of the last architecture played in full (with cross-validation, after a
    /// complete play, the winner's tested folds: the saved ensemble).
    pub fn take_last(&mut self) -> Option<(Arch, Vec<Network>)> {
        self.last.take()
    }
}

impl FinalRuns for Replay {
    fn train(
        &mut self,
        arch: &Arch,
        runs: u32,
        tested: bool,
        done: &mut dyn FnMut(u32, Outcome, f32),
    ) {
        let job = |run| FinalJob {
            arch: *arch,
            run,
            tested,
        };
        // Every run known, unless one was missing before (then nothing is believed).
        let found: Option<Vec<&FinalRun>> = match self.wanted.is_empty() {
            true => (0..runs).map(|r| self.known.get(&job(r))).collect(),
            false => None,
        };
        let Some(found) = found else {
            if self.wanted.is_empty() {
                let missing = (0..runs).map(job).filter(|j| !self.known.contains_key(j));
                self.wanted = missing.collect();
            }
            // Placeholders, never reported: the play is incomplete.
            (0..runs).for_each(|r| done(r, PLACEHOLDER, 0.0));
            return;
        };
        for (r, run) in (0..).zip(&found) {
            done(r, run.outcome, run.test);
        }
        let networks = found.iter().map(|run| run.network.clone()).collect();
        self.last = Some((*arch, networks));
    }
}

/// What a replay hands its finish for a run it does not have (never in a report).
const PLACEHOLDER: Outcome = Outcome {
    reward: 0.0,
    epochs: 0,
    best_epoch: 0,
    diverged: true,
    climb: piconas_core::Climb::NONE,
};
