//! Speculative pipelining: more than one core for the original's one-rollout-per-update
//! search, with the records of one thread bit for bit.
//!
//! With `rollouts_per_update = 1` every controller update waits for its child. The pipeline
//! keeps the other cores busy training the children of the next rollouts before they are
//! proposed, each with its own rollout's random stream and the architecture the
//! [`Speculator`] guesses for it (see `piconas_core::speculate`). When the controller proposes
//! rollout `i`, its child is already trained if a guess for `i` was that architecture (a hit),
//! and is trained now otherwise; guesses for `i` with another architecture are dropped. An
//! outcome depends only on `(i, architecture)`, so the records are the single thread's,
//! whatever the thread count, the guess, or the timing (tests/cli.rs checks it).
//!
//! The main thread proposes, reports and writes; `threads` workers train, each with its own
//! [`Trainer`]. A worker that comes free takes rollout `i`'s child if nobody trains it, else
//! the first guess for `i + 1 … i + threads` that nobody trains yet.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};

use piconas_core::search::{self, Proposal};
use piconas_core::speculate::{Guess, Speculator};
use piconas_core::{Arch, Outcome, Search, SearchConfig, Split, Trainer};

use crate::failure::Failure;
use crate::parallel::Event;

/// How the speculation went, for the summary and the bench.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// The guess used.
    pub guess: Option<Guess>,
    /// Children trained on a guess.
    pub guessed: u64,
    /// Rollouts whose child was trained on a guess (hits).
    pub hits: u64,
    /// Rollouts run.
    pub rollouts: u64,
}

impl Stats {
    /// One line for the printed summary.
    pub fn text(&self) -> String {
        let percent = |a: u64, b: u64| 100.0 * a as f64 / b.max(1) as f64;
        format!(
            "{} of {} rollouts trained ahead ({:.1} %); {} of {} guesses ({}) hit ({:.1} %)",
            self.hits,
            self.rollouts,
            percent(self.hits, self.rollouts),
            self.hits,
            self.guessed,
            self.guess.map_or("none", Guess::name),
            percent(self.hits, self.guessed)
        )
    }
}

/// A child to train: rollout `index`'s, of architecture `arch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Job {
    index: u32,
    arch: Arch,
}

/// A trained child (`None` if its training panicked, which the core never does on valid input).
type Trained = (Job, Option<Outcome>);

/// Drives `search` (one rollout per update) to the end on `data` with `threads ≥ 2` workers
/// guessing with `guess`; reports each record and batch end to `on_event`, as
/// `parallel::run` does, and returns how the speculation went.
pub fn run<const H: usize, const K: usize>(
    search: &mut Search<H, K>,
    data: &Split<'_>,
    threads: usize,
    guess: Guess,
    on_event: impl FnMut(Event<'_, H, K>) -> Result<(), Failure>,
) -> Result<Stats, Failure> {
    let config = *search.config();
    let (done_tx, done_rx) = channel::<Trained>();
    std::thread::scope(|scope| {
        let workers: Vec<Worker> = (0..threads.max(2))
            .map(|_| {
                let (tx, rx) = channel::<Job>();
                let done = done_tx.clone();
                scope.spawn(move || work(&config, data, &rx, &done));
                Worker {
                    tx,
                    job: None,
                    guessed: false,
                }
            })
            .collect();
        drop(done_tx);
        let mut pipeline = Pipeline {
            workers,
            done: done_rx,
            results: HashMap::new(),
            speculator: Box::new(Speculator::new()),
            stats: Stats {
                guess: Some(guess),
                ..Stats::default()
            },
        };
        // Dropping the pipeline closes the job channels: each worker ends after its job.
        pipeline.drive(search, guess, on_event)
    })
}

/// A worker's loop: train each job as the search scores a child, send back the outcome.
fn work(config: &SearchConfig, data: &Split<'_>, jobs: &Receiver<Job>, done: &Sender<Trained>) {
    let mut trainer = Box::<Trainer>::default();
    for job in jobs {
        let proposal = Proposal {
            index: job.index,
            arch: job.arch,
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            search::evaluate(config, proposal, data, |fold, rng| {
                crate::kernel::fit(&mut trainer, &job.arch, &config.child, fold, rng)
            })
        }))
        .ok();
        if done.send((job, outcome)).is_err() {
            return;
        }
    }
}

/// A worker as the main thread sees it: where to send jobs, the one it is training, and
/// whether that one is a guess.
struct Worker {
    tx: Sender<Job>,
    job: Option<Job>,
    guessed: bool,
}

/// The main thread's state: the workers, the outcomes trained and not yet reported (keyed by
/// job, each with whether it was a guess), and the speculator.
struct Pipeline<const H: usize> {
    workers: Vec<Worker>,
    done: Receiver<Trained>,
    results: HashMap<Job, (Outcome, bool)>,
    speculator: Box<Speculator<H>>,
    stats: Stats,
}

impl<const H: usize> Pipeline<H> {
    fn drive<const K: usize>(
        &mut self,
        search: &mut Search<H, K>,
        guess: Guess,
        mut on_event: impl FnMut(Event<'_, H, K>) -> Result<(), Failure>,
    ) -> Result<Stats, Failure> {
        let mut guesses = vec![Arch::EMPTY; self.workers.len()];
        while let Some(p) = search.propose() {
            self.speculator.observe(p.arch);
            self.results.retain(|job, _| job.index >= p.index);
            let n = self.speculator.guess(guess, search, &mut guesses);
            let want = Job {
                index: p.index,
                arch: p.arch,
            };
            let ahead: Vec<Job> = (1..)
                .zip(&guesses[..n])
                .map(|(d, &arch)| Job {
                    index: p.index + d,
                    arch,
                })
                .collect();
            let (outcome, hit) = self.outcome(want, &ahead)?;
            self.stats.rollouts += 1;
            self.stats.hits += u64::from(hit);
            let record = search.report(p.index, outcome).map_err(Failure::bug)?;
            on_event(Event::Record(&record))?;
            on_event(Event::BatchDone(search))?;
        }
        Ok(self.stats)
    }

    /// The outcome of `want` and whether a guess trained it: keeps every free worker busy
    /// (`want` first, then the guesses `ahead`) until `want` is trained.
    fn outcome(&mut self, want: Job, ahead: &[Job]) -> Result<(Outcome, bool), Failure> {
        loop {
            // A worker that came free gets its next job before anything else is done: the
            // controller's update runs while both train.
            if !self.started(|job| job == want) {
                self.start(want, false)?;
            }
            for &job in ahead {
                if !self.started(|j| j.index == job.index) && !self.start(job, true)? {
                    break;
                }
            }
            if let Some(result) = self.results.remove(&want) {
                return Ok(result);
            }
            self.receive(want.index)?;
        }
    }

    /// Whether a job that `matches` is being trained or waits to be reported.
    fn started(&self, matches: impl Fn(Job) -> bool) -> bool {
        self.workers.iter().filter_map(|w| w.job).any(&matches)
            || self.results.keys().any(|&j| matches(j))
    }

    /// Gives `job` to a free worker; `false` if none is free.
    fn start(&mut self, job: Job, guessed: bool) -> Result<bool, Failure> {
        let Some(worker) = self.workers.iter_mut().find(|w| w.job.is_none()) else {
            return Ok(false);
        };
        worker
            .tx
            .send(job)
            .map_err(|_| Failure::bug(format!("rollout {}: a worker stopped", job.index)))?;
        worker.job = Some(job);
        worker.guessed = guessed;
        self.stats.guessed += u64::from(guessed);
        Ok(true)
    }

    /// Waits for the next trained child; keeps it unless it is for a rollout before `from`.
    fn receive(&mut self, from: u32) -> Result<(), Failure> {
        let (job, outcome) = self
            .done
            .recv()
            .map_err(|_| Failure::bug("every training worker stopped"))?;
        let outcome = outcome
            .ok_or_else(|| Failure::bug(format!("rollout {}: training failed", job.index)))?;
        let worker = self.workers.iter_mut().find(|w| w.job == Some(job));
        let worker = worker.ok_or_else(|| Failure::bug("a result from no worker's job"))?;
        worker.job = None;
        if job.index >= from {
            self.results.insert(job, (outcome, worker.guessed));
        }
        Ok(())
    }
}
