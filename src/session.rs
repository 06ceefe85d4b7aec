//! One search as every front end runs it: started or restored, stepped (or run on threads),
//! observed, finished.
//!
//! A [`Session`] owns the core's [`Search`] with what the host keeps beside it: the
//! [`History`] (every reward and architecture, the input of the charts and the frontier) and
//! the controller's loss of every rollout (`rollouts.csv`'s loss column and the rewards
//! chart). Each record is taken in once, by [`Session::observe`], whoever stepped it.
//! [`Session::finish`] ends the search the one way every front end saves: the finalists'
//! report, the winner's ensemble trained again ([`Winner`]), `network.json` and its test
//! metrics. The runner, `compare`, `bench`, Python's `fit` and the page's handle drive a
//! `Session`: stepped here, on threads ([`Session::run`]), or through the core's pipeline with
//! helpers the front end keeps itself (the page's workers, [`Session::report`]).

use piconas_core::config::MAX_ROLLOUTS_PER_UPDATE;
use piconas_core::frontier::Seen;
use piconas_core::search::{Record, Report};
use piconas_core::speculate::{Job, Pipeline};
use piconas_core::{
    Arch, CheckpointError, ConfigError, Fingerprint, Network, Search, SearchConfig, Split,
};

use crate::data::Dataset;
use crate::failure::Failure;
use crate::final_runs::{FinalJob, Replay};
use crate::history::History;
use crate::metrics::Metrics;
use crate::model::NetworkFile;

/// The batch capacity every host search has: the most rollouts an update may share.
pub const K: usize = MAX_ROLLOUTS_PER_UPDATE;

/// A search and what the host keeps of it (see the module's documentation). `H` is the
/// controller's size: front ends reach it through `Hidden::dispatch`.
pub struct Session<const H: usize> {
    search: Box<Search<H, K>>,
    history: History,
    losses: Vec<f32>,
}

impl<const H: usize> Session<H> {
    /// A fresh search of `config` (started in place: a search is hundreds of KB).
    pub fn start(config: SearchConfig) -> Result<Self, ConfigError> {
        let mut search: Box<Search<H, K>> = Box::new(Search::idle());
        search.start(config)?;
        Ok(Session {
            search,
            history: History::new(),
            losses: Vec::new(),
        })
    }

    /// A stopped search continued from its `checkpoint` (of `config`, on the data whose
    /// fingerprint is `data`); its past rollouts come next, by [`Session::with_past`].
    pub fn restore(
        config: SearchConfig,
        checkpoint: &[u8],
        data: Fingerprint,
    ) -> Result<Self, CheckpointError> {
        let mut search: Box<Search<H, K>> = Box::new(Search::idle());
        search.restore(config, checkpoint, data)?;
        Ok(Session {
            search,
            history: History::new(),
            losses: Vec::new(),
        })
    }

    /// The restored session with the `history` and the controller `losses` of the rollouts
    /// its checkpoint counts, one each: an input error otherwise.
    pub fn with_past(self, history: History, losses: Vec<f32>) -> Result<Self, Failure> {
        let completed = self.search.completed() as usize;
        if history.len() != completed || losses.len() != completed {
            return Err(Failure::Input(format!(
                "a history of {} rollouts and {} losses for a checkpoint of {completed}",
                history.len(),
                losses.len()
            )));
        }
        Ok(Session {
            history,
            losses,
            ..self
        })
    }

    /// Takes `record` in: the history and the controller's loss (totalled as the search's
    /// rules say), which it returns. Every record of the session goes through here once.
    pub fn observe(&mut self, record: &Record) -> f32 {
        observe(
            &mut self.history,
            &mut self.losses,
            self.search.config(),
            record,
        )
    }

    /// One rollout on this thread, observed; `None` once every rollout is done.
    pub fn step(&mut self, split: &Split<'_>) -> Option<Record> {
        let record = self.search.step(split)?;
        self.observe(&record);
        Some(record)
    }

    /// The search.
    pub fn search(&self) -> &Search<H, K> {
        &self.search
    }

    /// Every rollout's reward and architecture so far.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The history, the session done with.
    pub fn into_history(self) -> History {
        self.history
    }

    /// Every rollout's controller loss so far, in rollout order.
    pub fn losses(&self) -> &[f32] {
        &self.losses
    }

    /// How many children [`Session::finish`] trains if called now: the core's finish
    /// ([`Search::finish_runs`]), then without cross-validation the winner's best retrain
    /// again, for its weights; with cross-validation the winner's fold models, kept from its
    /// test by the `threads` feature's pool and trained again without it.
    pub fn finish_runs(&self) -> u32 {
        Winner::runs(&self.search)
    }

    /// The end of the search (every rollout reported) on `data`, whose split `split` is: the
    /// finalists' report, the saved ensemble, `network.json`, its test metrics, and every
    /// architecture seen, marked on the frontier.
    ///
    /// With the `threads` feature the finalists' trainings run on up to `threads` threads
    /// with the best instruction set ([`crate::parallel::FinalPool`]); without it (the
    /// page), one after another. The same bits either way. `on_run` is called as each of
    /// the [`Session::finish_runs`] trainings ends (on the thread that trained it).
    pub fn finish(
        &mut self,
        data: &Dataset,
        split: &Split<'_>,
        threads: usize,
        on_run: &(dyn Fn() + Sync),
    ) -> Finished {
        let winner = Winner::of(&mut self.search, split, threads, on_run);
        self.finished(data, split, winner)
    }

    /// [`Session::finish`] with the trainings done elsewhere and handed in to `replay` (the
    /// page's helpers): `None` while runs are missing ([`Replay::wanted`]); the same bits.
    pub fn finish_replayed(
        &mut self,
        data: &Dataset,
        split: &Split<'_>,
        replay: &mut Replay,
    ) -> Option<Finished> {
        let winner = Winner::replayed(&mut self.search, split, replay)?;
        Some(self.finished(data, split, winner))
    }

    /// The finish's runs `replay` still needs (none: [`Session::finish_replayed`] can end
    /// the search).
    pub fn final_jobs(&self, replay: &mut Replay) -> Vec<FinalJob> {
        replay.play(&self.search);
        replay.wanted().to_vec()
    }

    /// The end of the search, its winner known.
    fn finished(&self, data: &Dataset, split: &Split<'_>, winner: Winner) -> Finished {
        let (file, metrics) = winner.file(data, split);
        let config = self.search.config();
        Finished {
            seen: self.history.marked(config.frontier_axis()),
            winner,
            file,
            metrics,
        }
    }
}

/// The core's speculative pipeline driven from outside the session, as the page does: its
/// helper workers train the children [`Session::next_job`] hands out and bring the outcomes
/// back by message (into the pipeline's `finished`); [`Session::report`] reports the awaited
/// rollout in order, observed like a stepped one. The schedule is the core's, so the records
/// are [`Session::step`]'s bit for bit.
impl<const H: usize> Session<H> {
    /// The next child for a helper to train (`None` if there is none now).
    pub fn next_job(&mut self, pipeline: &mut Pipeline<H>) -> Option<Job> {
        pipeline.next_job(&mut self.search)
    }

    /// Proposes the next rollout if none is awaited; whether one is awaited now.
    pub fn advance(&mut self, pipeline: &mut Pipeline<H>) -> bool {
        pipeline.advance(&mut self.search)
    }

    /// The awaited rollout, reported and observed, if its child is trained; `None` if it is
    /// not, nothing is awaited, or the search refused it (a job it did not propose).
    pub fn report(&mut self, pipeline: &mut Pipeline<H>) -> Option<Record> {
        let record = pipeline.report(&mut self.search)?.ok()?;
        self.observe(&record);
        Some(record)
    }
}

/// [`Session::observe`]'s rule, for [`Session::run`], which lends the search and the history
/// apart.
fn observe(
    history: &mut History,
    losses: &mut Vec<f32>,
    config: &SearchConfig,
    record: &Record,
) -> f32 {
    let loss = record.loss(config.controller.step_loss);
    history.observe(record);
    losses.push(loss);
    loss
}

/// What a finished session saves and reports.
pub struct Finished {
    /// The finalists' report and the saved ensemble.
    pub winner: Winner,
    /// `network.json`.
    pub file: NetworkFile,
    /// The saved network's metrics on the test split.
    pub metrics: Metrics,
    /// Every architecture seen, sorted and marked on the accuracy/size frontier.
    pub seen: Vec<Seen>,
}

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
    /// The end of `search` (every rollout reported) on `split`: the finalists retrained (on
    /// up to `threads` threads with the `threads` feature), then the winner's kept models
    /// (training is deterministic, so these are its weights).
    pub fn of<const H: usize, const B: usize>(
        search: &mut Search<H, B>,
        split: &Split<'_>,
        threads: usize,
        on_run: &(dyn Fn() + Sync),
    ) -> Winner {
        #[cfg(feature = "threads")]
        let (report, trained) = {
            let config = *search.config();
            let mut pool = crate::parallel::FinalPool::new(config, split, threads, on_run);
            (search.finish_with(&mut pool), pool.last)
        };
        #[cfg(not(feature = "threads"))]
        let (report, trained) = {
            let _ = threads;
            let report = search.finish(split);
            (0..search.finish_runs()).for_each(|_| on_run());
            (report, None)
        };
        let (members, validation) = saved_network(search, split, &report, trained, on_run);
        Winner {
            report,
            members,
            validation,
        }
    }

    /// [`Winner::of`] from the runs handed in to `replay`; `None` while runs are missing.
    pub fn replayed<const H: usize, const B: usize>(
        search: &mut Search<H, B>,
        split: &Split<'_>,
        replay: &mut Replay,
    ) -> Option<Winner> {
        let report = replay.play(search)?;
        let trained = replay.take_last();
        let (members, validation) = saved_network(search, split, &report, trained, &|| {});
        Some(Winner {
            report,
            members,
            validation,
        })
    }

    /// How many children [`Winner::of`] trains if called now on `search` (see
    /// [`Session::finish_runs`]).
    pub fn runs<const H: usize, const B: usize>(search: &Search<H, B>) -> u32 {
        let folds = search.config().folds;
        let again = match folds {
            0 | 1 => 1,
            _ if cfg!(feature = "threads") => 0,
            _ => folds,
        };
        search.finish_runs() + again
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
/// fold models (those `trained` last if they are the winner's, else trained again: training
/// is deterministic, so these are the models `finish` measured) and their mean held-out
/// accuracy; with one fold, its best retrain and that retrain's dev accuracy.
fn saved_network<const H: usize, const B: usize>(
    search: &mut Search<H, B>,
    split: &Split<'_>,
    report: &Report,
    trained: Option<(Arch, Vec<Network>)>,
    on_run: &(dyn Fn() + Sync),
) -> (Vec<Network>, f32) {
    let copy = |search: &Search<H, B>| {
        let mut network = Network::EMPTY;
        search.trainer().copy_network(&mut network);
        network
    };
    if report.folds < 2 {
        let kept = search.final_network(split, report);
        on_run();
        return (vec![copy(search)], kept.reward);
    }
    if let Some((arch, members)) = trained
        && arch == report.winner
        && members.len() == report.folds as usize
    {
        return (members, report.dev_mean);
    }
    let members = (0..report.folds)
        .map(|f| {
            search.cross_validate(split, &report.winner, f);
            on_run();
            copy(search)
        })
        .collect();
    (members, report.dev_mean)
}

#[cfg(feature = "threads")]
pub use threaded::Event;

#[cfg(feature = "threads")]
mod threaded {
    use piconas_core::Split;
    use piconas_core::search::Record;
    use piconas_core::speculate::Guess;

    use super::{K, Session, observe};
    use crate::failure::Failure;
    use crate::history::History;
    use crate::parallel::{self, Cache};
    use crate::pipeline::{self, Speculation};

    /// What [`Session::run`] reports as it goes.
    pub enum Event<'a, const H: usize> {
        /// A rollout, in rollout order, observed: its record, its controller loss, and the
        /// history with it.
        Record {
            /// The rollout's record.
            record: &'a Record,
            /// Its controller loss.
            loss: f32,
            /// The history, this rollout included.
            history: &'a History,
        },
        /// A batch is reported and the controller updated: the search may be checkpointed
        /// (its history with it).
        BatchDone {
            /// The search.
            search: &'a piconas_core::Search<H, K>,
            /// The history of every reported rollout.
            history: &'a History,
        },
    }

    impl<const H: usize> Session<H> {
        /// The rest of the search on up to `threads` threads (speculating with `guess` when
        /// updates take one rollout, reusing `cache` when given), each record observed, then
        /// told to `on_event`; an error from it stops the search and is returned. The records
        /// are [`Session::step`]'s, bit for bit, whatever the threads.
        pub fn run(
            &mut self,
            split: &Split<'_>,
            threads: usize,
            guess: Option<Guess>,
            cache: Option<&mut Cache>,
            mut on_event: impl FnMut(Event<'_, H>) -> Result<(), Failure>,
        ) -> Result<Option<Speculation>, Failure> {
            let config = *self.search.config();
            let (history, losses) = (&mut self.history, &mut self.losses);
            parallel::run(
                &mut self.search,
                split,
                threads,
                guess,
                cache,
                |event| match event {
                    pipeline::Event::Record(record) => {
                        let loss = observe(history, losses, &config, record);
                        on_event(Event::Record {
                            record,
                            loss,
                            history,
                        })
                    }
                    pipeline::Event::BatchDone(search) => {
                        on_event(Event::BatchDone { search, history })
                    }
                },
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn data() -> Dataset {
        crate::data::test_moons(200, 1)
    }

    fn config(data: &Dataset) -> SearchConfig {
        let mut config = SearchConfig::DEFAULT;
        config.rollouts = 6;
        config.child.max_epochs = 2;
        config.child.min_steps = 0;
        config.finalists = 2;
        config.retrains = 1;
        config.folds = 2;
        config.shape = data.shape;
        config
    }

    #[test]
    fn each_record_is_observed_once_with_its_loss() {
        let data = data();
        let split = data.split().unwrap();
        let config = config(&data);
        let mut session = Session::<16>::start(config).unwrap();
        let mut records = Vec::new();
        while let Some(r) = session.step(&split) {
            records.push(r);
        }
        assert_eq!(records.len(), 6);
        let step_loss = config.controller.step_loss;
        let losses: Vec<f32> = records.iter().map(|r| r.loss(step_loss)).collect();
        assert_eq!(session.losses(), &losses[..]);
        let rewards: Vec<f32> = records.iter().map(|r| r.reward).collect();
        assert_eq!(session.history().rewards(), &rewards[..]);
        // Observing returns the loss it keeps.
        let mut again = Session::<16>::start(config).unwrap();
        assert_eq!(again.observe(&records[2]), losses[2]);
        assert_eq!(again.losses(), &losses[2..3]);
        assert_eq!(again.history().len(), 1);
        // The end: the saved file is the winner's, and every architecture seen is marked.
        let finished = session.finish(&data, &split, 2, &|| {});
        assert_eq!(finished.file.arch, finished.winner.arch().to_string());
        assert_eq!(finished.file.members.len(), 2);
        let seen: u32 = finished.seen.iter().map(|s| s.samples).sum();
        assert_eq!(seen, 6);
    }

    #[test]
    fn a_pipeline_driven_from_outside_gives_the_stepped_records_observed_once() {
        use piconas_core::search;
        use piconas_core::speculate::Guess;
        let data = data();
        let split = data.split().unwrap();
        let config = config(&data);
        let mut stepped = Session::<16>::start(config).unwrap();
        while stepped.step(&split).is_some() {}
        // As the page does: helpers train what `next_job` hands out (here in reverse order),
        // and the session reports in rollout order.
        let mut session = Session::<16>::start(config).unwrap();
        let mut pipeline = Pipeline::<16>::new(Guess::Draws, 3);
        let mut trainer: Box<piconas_core::Trainer> = Box::default();
        let mut train = |job: Job| {
            search::evaluate(&config, job, &split, |fold, rng| {
                trainer.fit(&job.arch, &config.child, fold, rng)
            })
        };
        let mut records = Vec::new();
        while records.len() < 6 {
            let mut jobs = Vec::new();
            while let Some(job) = session.next_job(&mut pipeline) {
                jobs.push(job);
            }
            for job in jobs.into_iter().rev() {
                pipeline.finished(job, train(job));
            }
            if let Some(record) = session.report(&mut pipeline) {
                records.push(record);
            } else if session.advance(&mut pipeline)
                && let Some(job) = pipeline.awaited()
            {
                pipeline.finished(job, train(job));
            } else {
                break;
            }
        }
        assert_eq!(records.len(), 6);
        assert_eq!(session.history(), stepped.history());
        assert_eq!(session.losses(), stepped.losses());
        assert!(session.report(&mut pipeline).is_none());
    }

    #[test]
    fn a_session_done_with_gives_its_history_up() {
        let data = data();
        let split = data.split().unwrap();
        let mut session = Session::<16>::start(config(&data)).unwrap();
        while session.step(&split).is_some() {}
        let history = session.history().clone();
        assert_eq!(history.len(), 6);
        assert_eq!(session.into_history(), history);
    }

    #[test]
    fn the_finalists_on_threads_give_the_core_s_report_and_fold_models() {
        // Cross-validated finalists trained on 1 and 3 threads by the pool, against the
        // core's one-by-one finish and its winner's folds trained again.
        let data = data();
        let split = data.split().unwrap();
        let mut config = config(&data);
        (config.folds, config.finalists) = (3, 3);
        let mut search: Box<Search<16, K>> = Box::new(Search::idle());
        search.start(config).unwrap();
        while search.step(&split).is_some() {}
        let report = search.finish(&split);
        assert!(report.finalists.len() >= 2, "{report:?}");
        let folds: Vec<Network> = (0..3)
            .map(|f| {
                search.cross_validate(&split, &report.winner, f);
                let mut network = Network::EMPTY;
                search.trainer().copy_network(&mut network);
                network
            })
            .collect();
        for threads in [1, 3] {
            let mut session = Session::<16>::start(config).unwrap();
            while session.step(&split).is_some() {}
            let ended = std::sync::atomic::AtomicU32::new(0);
            let tick = || {
                ended.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            };
            let runs = session.finish_runs();
            let finished = session.finish(&data, &split, threads, &tick);
            assert_eq!(finished.winner.report, report, "{threads} threads");
            // Each finalist's three folds, then the winner's again, tested: each ticked once.
            let finalists = session.search().finalists().len() as u32;
            assert_eq!(runs, finalists * 3 + 3);
            assert_eq!(ended.into_inner(), runs, "{threads} threads");
            let weights =
                |n: &[Network]| n.iter().map(|n| n.weights().to_vec()).collect::<Vec<_>>();
            assert_eq!(weights(&finished.winner.members), weights(&folds));
        }
    }

    #[test]
    fn the_finish_replayed_from_runs_trained_elsewhere_is_the_finish() {
        // The page's way: the finish's runs wanted, trained on other handles in reverse order,
        // handed in, until the replay completes; against the one-by-one finish, cross-validated
        // and by retrains.
        let data = data();
        let split = data.split().unwrap();
        for (folds, retrains) in [(3, 1), (1, 3)] {
            let mut config = config(&data);
            (config.folds, config.retrains, config.finalists) = (folds, retrains, 3);
            let mut session = Session::<16>::start(config).unwrap();
            while session.step(&split).is_some() {}
            let mut replay = Replay::default();
            let mut trainer = Box::<piconas_core::Trainer>::default();
            let mut rounds = 0;
            loop {
                let jobs = session.final_jobs(&mut replay);
                if jobs.is_empty() {
                    break;
                }
                assert!(rounds < 9, "the replay takes in what it is handed");
                assert!(
                    session
                        .finish_replayed(&data, &split, &mut replay)
                        .is_none()
                );
                for job in jobs.into_iter().rev() {
                    let run = crate::final_runs::train(&config, &split, job, &mut trainer);
                    replay.add(job, run);
                }
                rounds += 1;
            }
            // A round a finalist, then with folds the winner's, tested.
            let finalists = session.search().finalists().len();
            assert_eq!(rounds, finalists + usize::from(folds >= 2), "{folds} folds");
            // A complete play keeps the networks of its last runs: with folds, the winner's.
            let report = replay.play(session.search()).unwrap();
            let (arch, networks) = replay.take_last().unwrap();
            let last = if folds >= 2 { report.winner } else { arch };
            assert_eq!(
                (arch, networks.len()),
                (last, if folds >= 2 { 3 } else { retrains as usize })
            );
            let replayed = session.finish_replayed(&data, &split, &mut replay).unwrap();
            let mut again = Session::<16>::start(config).unwrap();
            while again.step(&split).is_some() {}
            let finished = again.finish(&data, &split, 1, &|| {});
            assert_eq!(
                replayed.winner.report, finished.winner.report,
                "{folds} folds"
            );
            assert_eq!(replayed.winner.validation, finished.winner.validation);
            let weights =
                |n: &[Network]| n.iter().map(|n| n.weights().to_vec()).collect::<Vec<_>>();
            assert_eq!(
                weights(&replayed.winner.members),
                weights(&finished.winner.members)
            );
            assert_eq!(replayed.metrics.accuracy(), finished.metrics.accuracy());
        }
    }

    #[test]
    fn with_one_fold_the_best_retrain_is_saved_with_its_dev_accuracy() {
        let data = data();
        let split = data.split().unwrap();
        let mut config = config(&data);
        (config.folds, config.retrains) = (1, 3);
        let mut session = Session::<16>::start(config).unwrap();
        while session.step(&split).is_some() {}
        let ended = std::sync::atomic::AtomicU32::new(0);
        let tick = || {
            ended.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        };
        let runs = session.finish_runs();
        let finished = session.finish(&data, &split, 2, &tick);
        // Each finalist's three retrains, then the best retrain again: every run ticked once.
        let finalists = session.search().finalists().len() as u32;
        assert_eq!(runs, finalists * 3 + 1);
        assert_eq!(ended.into_inner(), runs);
        // The core's own way: the finalists retrained, then the best retrain kept.
        let mut search: Box<Search<16, K>> = Box::new(Search::idle());
        search.start(config).unwrap();
        while search.step(&split).is_some() {}
        let report = search.finish(&split);
        let kept = search.final_network(&split, &report);
        let mut network = Network::EMPTY;
        search.trainer().copy_network(&mut network);
        assert_eq!(finished.winner.validation, kept.reward);
        assert_eq!(finished.winner.members.len(), 1);
        assert_eq!(finished.winner.members[0].weights(), network.weights());
    }

    #[test]
    fn a_restored_session_takes_a_past_of_exactly_its_rollouts() {
        let data = data();
        let split = data.split().unwrap();
        let mut config = config(&data);
        config.rollouts = 8;
        let mut session = Session::<16>::start(config).unwrap();
        for _ in 0..4 {
            session.step(&split).unwrap();
        }
        let mut image = vec![0u8; Search::<16, K>::checkpoint_len()];
        let n = session
            .search()
            .save(&mut image, split.fingerprint())
            .unwrap();
        let restore = || Session::<16>::restore(config, &image[..n], split.fingerprint()).unwrap();
        let (history, losses) = (session.history().clone(), session.losses().to_vec());
        let short = losses[..3].to_vec();
        assert!(restore().with_past(history.clone(), short).is_err());
        assert!(restore().with_past(History::new(), losses.clone()).is_err());
        let mut resumed = restore().with_past(history, losses.clone()).unwrap();
        assert_eq!(resumed.losses(), &losses[..]);
        // It goes on as the session it was saved from.
        while let (Some(a), Some(b)) = (session.step(&split), resumed.step(&split)) {
            assert_eq!(a.bits().to_string(), b.bits().to_string());
        }
        assert_eq!(resumed.losses(), session.losses());
        assert_eq!(resumed.history(), session.history());
    }

    #[cfg(feature = "threads")]
    #[test]
    fn a_run_on_threads_observes_what_stepping_does() {
        let data = data();
        let split = data.split().unwrap();
        let config = config(&data);
        let mut stepped = Session::<16>::start(config).unwrap();
        while stepped.step(&split).is_some() {}
        let mut run = Session::<16>::start(config).unwrap();
        let (mut told, mut batches) = (Vec::new(), 0);
        run.run(
            &split,
            2,
            Some(piconas_core::speculate::Guess::Draws),
            None,
            |event| {
                match event {
                    Event::Record {
                        record,
                        loss,
                        history,
                    } => {
                        assert_eq!(history.len(), record.index as usize + 1);
                        told.push(loss);
                    }
                    Event::BatchDone { .. } => batches += 1,
                }
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(told, stepped.losses());
        assert_eq!(run.losses(), stepped.losses());
        assert_eq!(run.history(), stepped.history());
        assert_eq!(batches, 6);
    }
}
