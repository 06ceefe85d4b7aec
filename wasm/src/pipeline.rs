//! The page's speculative pipeline: helper workers train the children the core's
//! `speculate::Pipeline` hands out, and the search's worker reports them in order.
//!
//! The search's worker calls [`Nas::speculate`], then, whenever a helper is free,
//! [`Nas::next_task`] and posts the task to it; the helper, holding its own handle on the
//! same settings and data, runs [`Nas::train_task`] and posts the outcome back, which goes
//! into [`Nas::task_done`]; [`Nas::report_ready`] then reports what is trained, in order. The
//! schedule is the core's, the same as the native runner's threads; an outcome depends only
//! on its task, so the records are [`Nas::step`]'s bit for bit (tests/wasm and the Chromium
//! test check it).

use piconas::session::Session;
use piconas_core::rungs::Bars;
use piconas_core::search::{self, Record};
use piconas_core::speculate::{self, Guess, Job, Pipeline, Stats};
use piconas_core::{Arch, Climb, Outcome};
use wasm_bindgen::prelude::*;

use crate::{AnySession, Nas, js_error, split_of};

/// The core's [`Pipeline`] of some controller size, type-erased like the session it drives
/// (each call finds the session of its own size, which schedules and observes).
pub(crate) trait AnyPipeline {
    fn next_job(&mut self, session: &mut dyn AnySession) -> Option<Job>;
    fn advance(&mut self, session: &mut dyn AnySession) -> bool;
    fn awaited(&self) -> Option<Job>;
    fn finished(&mut self, job: Job, outcome: Outcome);
    /// The awaited rollout, reported and observed by the session, if it is trained.
    fn report(&mut self, session: &mut dyn AnySession) -> Option<Record>;
    fn stats(&self) -> Stats;
}

impl<const H: usize> AnyPipeline for Pipeline<H> {
    fn next_job(&mut self, session: &mut dyn AnySession) -> Option<Job> {
        Session::next_job(session.as_any().downcast_mut::<Session<H>>()?, self)
    }
    fn advance(&mut self, session: &mut dyn AnySession) -> bool {
        let Some(session) = session.as_any().downcast_mut::<Session<H>>() else {
            return false;
        };
        Session::advance(session, self)
    }
    fn awaited(&self) -> Option<Job> {
        Pipeline::awaited(self)
    }
    fn finished(&mut self, job: Job, outcome: Outcome) {
        Pipeline::finished(self, job, outcome);
    }
    fn report(&mut self, session: &mut dyn AnySession) -> Option<Record> {
        Session::report(session.as_any().downcast_mut::<Session<H>>()?, self)
    }
    fn stats(&self) -> Stats {
        Pipeline::stats(self)
    }
}

/// A child for a helper to train: rollout `index`'s, of architecture `arch`, with its bars.
#[wasm_bindgen(getter_with_clone)]
#[derive(Clone, Debug)]
pub struct Task {
    /// The rollout.
    pub index: u32,
    /// The architecture, e.g. `[16, ReLU]`.
    pub arch: String,
    /// The scores its child needs to climb each rung, as `f32` bits (the core's `rungs`).
    pub bars: Vec<u32>,
}

/// What training a [`Task`]'s child gave.
#[wasm_bindgen(getter_with_clone)]
#[derive(Clone, Debug)]
pub struct TaskOutcome {
    /// The reward (the child's held-out accuracy).
    pub reward: f32,
    /// Epochs trained.
    pub epochs: u32,
    /// The epoch whose weights were kept.
    #[wasm_bindgen(js_name = bestEpoch)]
    pub best_epoch: u32,
    /// Whether training diverged.
    pub diverged: bool,
    /// The dev score on each rung climbed (none without rungs).
    pub scores: Vec<f32>,
}

/// The job a task names; an `Error` for an architecture that does not parse.
fn job(index: u32, arch: &str, bars: &[u32]) -> Result<Job, JsValue> {
    let arch: Arch = arch
        .parse()
        .map_err(|e| js_error(&format!("task {index}: {e}")))?;
    Ok(Job {
        index,
        arch,
        bars: Bars::from_bits(bars),
    })
}

impl Nas {
    /// Trains `job`'s child here as the search scores a child.
    fn train(&mut self, job: Job) -> Outcome {
        let split = split_of(&self.data);
        let config = self.session.config();
        let trainer = &mut self.trainer;
        search::evaluate(&config, job, &split, |fold, rng| {
            trainer.fit(&job.arch, &config.child, fold, rng)
        })
    }

    /// Reports the awaited rollout if its child is trained; a new best's network is trained
    /// again here for the heatmap (the same weights: training is deterministic).
    fn report_one(&mut self) -> bool {
        let before = self.best_reward();
        let Some(pipeline) = self.pipeline.as_mut() else {
            return false;
        };
        let Some(record) = pipeline.report(&mut *self.session) else {
            return false;
        };
        if self.kept(record, before) {
            let job = Job {
                index: record.index,
                arch: record.arch,
                bars: self.session.bars(record.index),
            };
            self.train(job);
            let best = self.best.get_or_insert_with(Box::default);
            self.trainer.copy_network(best);
        }
        true
    }

    /// One rollout with the pipeline on: reported if trained, else trained here first.
    /// `false` once every rollout is reported.
    pub(crate) fn step_here(&mut self) -> bool {
        if self.report_one() {
            return true;
        }
        let Some(pipeline) = self.pipeline.as_mut() else {
            return false;
        };
        if !pipeline.advance(&mut *self.session) {
            return false;
        }
        let Some(job) = pipeline.awaited() else {
            return false;
        };
        let outcome = self.train(job);
        if let Some(pipeline) = self.pipeline.as_mut() {
            pipeline.finished(job, outcome);
        }
        self.report_one()
    }
}

#[wasm_bindgen]
impl Nas {
    /// Turns on the pipeline for `helpers` helper workers, guessing with `guess` (`draws`,
    /// `greedy` or `recent`; see the core's `speculate`) as far ahead as the core's
    /// `speculate::window` says. Returns whether it is on: it needs one rollout per update and
    /// a known guess.
    pub fn speculate(&mut self, guess: &str, helpers: u32) -> bool {
        let config = self.session.config();
        let window = speculate::window(&config, &split_of(&self.data), helpers as usize);
        match Guess::from_name(guess) {
            Some(guess) if config.controller.rollouts_per_update == 1 => {
                self.pipeline = Some(self.session.pipeline(guess, window));
                true
            }
            _ => false,
        }
    }

    /// The next task for a free helper (`undefined` if there is none now).
    #[wasm_bindgen(js_name = nextTask)]
    pub fn next_task(&mut self) -> Option<Task> {
        let job = self.pipeline.as_mut()?.next_job(&mut *self.session)?;
        Some(Task {
            index: job.index,
            arch: job.arch.to_string(),
            bars: job.bars.to_bits().to_vec(),
        })
    }

    /// Trains a task's child here (what a helper does with the tasks it is posted).
    #[wasm_bindgen(js_name = trainTask)]
    pub fn train_task(
        &mut self,
        index: u32,
        arch: &str,
        bars: Vec<u32>,
    ) -> Result<TaskOutcome, JsValue> {
        let o = self.train(job(index, arch, &bars)?);
        let climbed = usize::from(o.climb.rungs).min(o.climb.scores.len());
        Ok(TaskOutcome {
            reward: o.reward,
            epochs: o.epochs,
            best_epoch: o.best_epoch,
            diverged: o.diverged,
            scores: o.climb.scores[..climbed].to_vec(),
        })
    }

    /// A helper's outcome for the task `index`, `arch`, `bars`: its [`TaskOutcome`]'s
    /// fields.
    #[wasm_bindgen(js_name = taskDone)]
    #[allow(clippy::too_many_arguments)] // the fields a helper's message carries, flat
    pub fn task_done(
        &mut self,
        index: u32,
        arch: &str,
        bars: Vec<u32>,
        reward: f32,
        epochs: u32,
        best_epoch: u32,
        diverged: bool,
        scores: Vec<f32>,
    ) -> Result<(), JsValue> {
        let job = job(index, arch, &bars)?;
        let mut climb = Climb::NONE;
        for (s, &v) in climb.scores.iter_mut().zip(&scores) {
            *s = v;
        }
        climb.rungs = scores.len().min(climb.scores.len()) as u8;
        let outcome = Outcome {
            reward,
            epochs,
            best_epoch,
            diverged,
            climb,
        };
        if let Some(pipeline) = self.pipeline.as_mut() {
            pipeline.finished(job, outcome);
        }
        Ok(())
    }

    /// Reports the awaited rollout if a helper has trained it (proposing the next rollout
    /// first if none is awaited); returns whether it reported one. Between two reports
    /// nothing is awaited, so the search can be checkpointed then.
    #[wasm_bindgen(js_name = reportReady)]
    pub fn report_ready(&mut self) -> bool {
        if self.report_one() {
            return true;
        }
        let session = &mut *self.session;
        let awaiting = self.pipeline.as_mut().is_some_and(|p| p.advance(session));
        awaiting && self.report_one()
    }

    /// How the speculation went: `[guessed, hits, rollouts]` (`undefined` without a pipeline).
    pub fn speculation(&self) -> Option<Vec<f64>> {
        let s = self.pipeline.as_ref()?.stats();
        Some(vec![s.guessed as f64, s.hits as f64, s.rollouts as f64])
    }
}
