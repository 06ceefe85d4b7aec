//! A whole search held in memory, for the front ends that have no run directory (the
//! Python package).
//!
//! [`fit`] runs a fresh [`Session`] on a [`Dataset`] to its end with the runner's threads and
//! keeps what the runner would have written: `rollouts.csv` ([`RolloutText`]), `frontier.csv`
//! and `network.json`, byte for byte.

use piconas_core::search::Record;
use piconas_core::speculate::Guess;
use piconas_core::{Settings, WithHidden};

use crate::data::Dataset;
use crate::failure::Failure;
use crate::metrics::Metrics;
use crate::model::NetworkFile;
use crate::output::RolloutText;
use crate::pipeline::Speculation;
use crate::session::{Event, Session, Winner};

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
    settings.search = data.configure(settings.search);
    settings.validate().map_err(Failure::Config)?;
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
        let mut session = Session::<H>::start(config).map_err(Failure::Config)?;
        let mut rollouts = RolloutText::new();
        let speculation =
            session.run(
                &split,
                self.threads,
                Some(Guess::Draws),
                None,
                |event| match event {
                    Event::Record { record, loss, .. } => {
                        rollouts.append(record, loss);
                        (self.on_record)(record)
                    }
                    Event::BatchDone { .. } => Ok(()),
                },
            )?;
        let finished = session.finish(self.data, &split, self.threads, &|| {});
        let frontier = crate::frontier::csv(&finished.seen, config.frontier_axis())
            .map_err(|e| Failure::bug(format!("frontier.csv: {e}")))?;
        Ok(Fitted {
            winner: finished.winner,
            file: finished.file,
            metrics: finished.metrics,
            rollouts,
            frontier,
            train: split.train.features().to_vec(),
            speculation,
        })
    }
}
