//! Speculative pipelining on threads: more than one core for the original's
//! one-rollout-per-update search, with the records of one thread bit for bit.
//!
//! The schedule is the core's `speculate::Pipeline` (the page's web workers drive the same
//! one): the main thread asks it for a job whenever a worker is free, gives it the workers'
//! outcomes, and reports the records it releases, in order. `threads` workers train, each with
//! its own [`Trainer`]; the main thread proposes, updates the controller and writes while they
//! do. An outcome depends only on its job, so the records are the single thread's whatever
//! the thread count, the guess, or the timing (tests/cli.rs checks it).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};

use piconas_core::search::{self, Record};
use piconas_core::speculate::{self, Guess, Job, Pipeline, Stats};
use piconas_core::{Outcome, Search, SearchConfig, Split, Trainer};

use crate::failure::Failure;

/// What a run on threads ([`crate::parallel::run`], and this module's [`run`]) reports as it
/// goes.
pub enum Event<'a, const H: usize, const K: usize> {
    /// A rollout's record, in rollout order.
    Record(&'a Record),
    /// A batch is reported and the controller updated: the search may be checkpointed.
    BatchDone(&'a Search<H, K>),
}

/// How a pipelined run's speculation went (timing-dependent: for the printed summary and
/// the bench, never for summary.json).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Speculation {
    /// The guess used.
    pub guess: Guess,
    /// Its counts.
    pub stats: Stats,
}

impl Speculation {
    /// One line for the printed summary.
    pub fn text(&self) -> String {
        let Stats {
            guessed,
            hits,
            rollouts,
        } = self.stats;
        let percent = |a: u64, b: u64| 100.0 * a as f64 / b.max(1) as f64;
        format!(
            "{hits} of {rollouts} rollouts trained ahead ({:.1} %); {hits} of {guessed} guesses ({}) hit ({:.1} %)",
            percent(hits, rollouts),
            self.guess.name(),
            percent(hits, guessed)
        )
    }
}

/// A trained child from worker `.0` (`None` if its training panicked, which the core never
/// does on valid input).
type Trained = (usize, Job, Option<Outcome>);

/// Drives `search` (one rollout per update) to the end on `data` with `threads ≥ 2` workers
/// guessing with `guess`; reports each record and batch end to `on_event`, as
/// `parallel::run` does, and returns how the speculation went.
pub fn run<const H: usize, const K: usize>(
    search: &mut Search<H, K>,
    data: &Split<'_>,
    threads: usize,
    guess: Guess,
    mut on_event: impl FnMut(Event<'_, H, K>) -> Result<(), Failure>,
) -> Result<Speculation, Failure> {
    let config = *search.config();
    let (done_tx, done_rx) = channel::<Trained>();
    std::thread::scope(|scope| {
        let workers: Vec<Sender<Job>> = (0..threads.max(2))
            .map(|w| {
                let (tx, rx) = channel::<Job>();
                let done = done_tx.clone();
                scope.spawn(move || work(w, &config, data, &rx, &done));
                tx
            })
            .collect();
        drop(done_tx);
        let mut pipeline: Box<Pipeline<H>> = Box::new(Pipeline::new(
            guess,
            speculate::window(&config, data, workers.len()),
        ));
        let mut free: Vec<usize> = (0..workers.len()).rev().collect();
        loop {
            // A worker that came free gets its next job first: the controller updates while
            // every worker trains.
            while let Some(&w) = free.last() {
                let Some(job) = pipeline.next_job(search) else {
                    break;
                };
                workers[w]
                    .send(job)
                    .map_err(|_| Failure::bug("a training worker stopped"))?;
                free.pop();
            }
            if let Some(record) = pipeline.report(search) {
                let record = record.map_err(Failure::bug)?;
                on_event(Event::Record(&record))?;
                on_event(Event::BatchDone(search))?;
                continue;
            }
            if !pipeline.advance(search) {
                // Every rollout is reported; the workers end with their channels.
                return Ok(Speculation {
                    guess,
                    stats: pipeline.stats(),
                });
            }
            let (w, job, outcome) = done_rx
                .recv()
                .map_err(|_| Failure::bug("every training worker stopped"))?;
            let outcome = outcome
                .ok_or_else(|| Failure::bug(format!("rollout {}: training failed", job.index)))?;
            pipeline.finished(job, outcome);
            free.push(w);
        }
    })
}

/// Worker `w`'s loop: train each job as the search scores a child, send back the outcome.
fn work(
    w: usize,
    config: &SearchConfig,
    data: &Split<'_>,
    jobs: &Receiver<Job>,
    done: &Sender<Trained>,
) {
    let mut trainer = Box::<Trainer>::default();
    for job in jobs {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            search::evaluate(config, job, data, |fold, rng| {
                crate::kernel::fit(&mut trainer, &job.arch, &config.child, fold, rng)
            })
        }))
        .ok();
        if done.send((w, job, outcome)).is_err() {
            return;
        }
    }
}
