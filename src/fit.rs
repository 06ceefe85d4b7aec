//! A search's end, which every front end shares, and a whole search held in memory, for the
//! front ends that have no run directory (the Python package).
//!
//! [`Winner`] turns a finished search into the network that is saved: the finalists' report,
//! then the winner's fold models trained again, deterministically, into their weights: the
//! ensemble that is saved, classifying by their mean logits (with `--folds 1`, the best
//! retrain alone). The runner, the page and [`fit`] all save through it, so their
//! `network.json` is the same for the same search.
//!
//! [`fit`] runs a fresh search on a [`Dataset`] to its end with the runner's threads
//! ([`crate::parallel`]) and keeps what the runner would have written: `rollouts.csv`
//! ([`RolloutText`]), `frontier.csv` and `network.json`, byte for byte.

use piconas_core::search::Report;
use piconas_core::{Arch, Network, Search, Split};

use crate::data::Dataset;
use crate::metrics::Metrics;
use crate::model::NetworkFile;

/// The saved network of a finished search and how it did.
pub struct Winner {
    /// The finalists retrained (or cross-validated) and the winner among them.
    pub report: Report,
    /// The ensemble that is saved: the winner's fold models (or its best retrain alone).
    pub members: Vec<Network>,
    /// Its score on the rows it did not train on: the winner's mean held-out accuracy over
    /// the folds (or the best retrain's dev accuracy).
    pub validation: f32,
}

impl Winner {
    /// The end of `search` (every rollout reported) on `split`: the finalists retrained, then
    /// the winner's kept model trained again (training is deterministic, so this gives back
    /// its weights).
    pub fn of<const H: usize, const K: usize>(
        search: &mut Search<H, K>,
        split: &Split<'_>,
    ) -> Winner {
        let report = search.finish(split);
        let (members, validation) = saved_network(search, split, &report);
        Winner {
            report,
            members,
            validation,
        }
    }

    /// The architecture saved.
    pub fn arch(&self) -> Arch {
        self.report.winner
    }

    /// `network.json` for this network trained on `data` (whose split `split` is), and its
    /// test metrics.
    pub fn file(&self, data: &Dataset, split: &Split<'_>) -> (NetworkFile, Metrics) {
        NetworkFile::saved(&self.members, data, split, self.validation)
    }
}

/// The ensemble `search` saves once `report` is made, and its held-out score: the winner's
/// fold models trained again (training is deterministic, so these are the models `finish`
/// measured) and their mean held-out accuracy; with one fold, its best retrain and that
/// retrain's dev accuracy.
pub fn saved_network<const H: usize, const K: usize>(
    search: &mut Search<H, K>,
    split: &Split<'_>,
    report: &Report,
) -> (Vec<Network>, f32) {
    let copy = |search: &Search<H, K>| {
        let mut network = Network::EMPTY;
        search.trainer().copy_network(&mut network);
        network
    };
    if report.folds < 2 {
        let kept = search.final_network(split, report);
        return (vec![copy(search)], kept.reward);
    }
    let members = (0..report.folds)
        .map(|f| {
            search.cross_validate(split, &report.winner, f);
            copy(search)
        })
        .collect();
    (members, report.dev_mean)
}

#[cfg(feature = "threads")]
pub use threaded::{Fitted, fit};

#[cfg(feature = "threads")]
mod threaded {
    use piconas_core::config::MAX_ROLLOUTS_PER_UPDATE;
    use piconas_core::search::Record;
    use piconas_core::speculate::Guess;
    use piconas_core::{Search, Settings, WithHidden};

    use super::Winner;
    use crate::data::Dataset;
    use crate::failure::Failure;
    use crate::history::History;
    use crate::metrics::Metrics;
    use crate::model::NetworkFile;
    use crate::output::RolloutText;
    use crate::parallel;
    use crate::pipeline::{Event, Speculation};

    /// A search run to its end in memory: what the runner writes of it, byte for byte.
    pub struct Fitted {
        /// The finalists' report and the saved network.
        pub winner: Winner,
        /// `network.json`.
        pub file: NetworkFile,
        /// Its metrics on the test split.
        pub metrics: Metrics,
        /// `rollouts.csv`.
        pub rollouts: RolloutText,
        /// `frontier.csv`.
        pub frontier: String,
        /// The train split as the network's inputs (standardised as `file` says): the int8
        /// export calibrates on it.
        pub train: Vec<f32>,
        /// How the speculative pipeline did (two threads or more, one rollout per update).
        pub speculation: Option<Speculation>,
    }

    /// Runs a fresh search of `settings` on `data` to its end on up to `threads` threads
    /// (speculating as the runner does by default), telling `on_record` of each rollout in
    /// order; an error from it stops the search and is returned.
    pub fn fit(
        settings: Settings,
        data: &Dataset,
        threads: usize,
        on_record: impl FnMut(&Record) -> Result<(), Failure>,
    ) -> Result<Fitted, Failure> {
        let mut settings = settings;
        settings.search.shape = data.shape;
        settings.validate().map_err(crate::spec::invalid)?;
        let job = Job {
            settings,
            data,
            threads,
            on_record,
        };
        settings.hidden.dispatch(job)
    }

    struct Job<'a, F> {
        settings: Settings,
        data: &'a Dataset,
        threads: usize,
        on_record: F,
    }

    impl<F: FnMut(&Record) -> Result<(), Failure>> WithHidden for Job<'_, F> {
        type Output = Result<Fitted, Failure>;

        fn call<const H: usize>(mut self) -> Result<Fitted, Failure> {
            let split = self.data.split()?;
            let config = self.settings.search;
            let mut search: Box<Search<H, MAX_ROLLOUTS_PER_UPDATE>> = Box::new(Search::idle());
            search.start(config).map_err(crate::spec::invalid)?;
            let (mut rollouts, mut history) = (RolloutText::new(), History::new());
            let speculation = parallel::run(
                &mut search,
                &split,
                self.threads,
                Some(Guess::Draws),
                None,
                |event| match event {
                    Event::Record(record) => {
                        rollouts.append(record, record.loss(config.controller.step_loss));
                        history.observe(record);
                        (self.on_record)(record)
                    }
                    Event::BatchDone(_) => Ok(()),
                },
            )?;
            let winner = Winner::of(&mut search, &split);
            let (file, metrics) = winner.file(self.data, &split);
            let seen = history.marked(config.cost, config.shape);
            let frontier = crate::frontier::csv(&seen, config.shape)
                .map_err(|e| Failure::bug(format!("frontier.csv: {e}")))?;
            Ok(Fitted {
                winner,
                file,
                metrics,
                rollouts,
                frontier,
                train: split.train.features().to_vec(),
                speculation,
            })
        }
    }
}
