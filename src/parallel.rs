//! Training several children at once: the host's way to use more than one core.
//!
//! With `rollouts_per_update = K`, the controller proposes K architectures from the same
//! policy before it learns from any of them, so their children are independent: each is
//! trained on a thread with its own [`Trainer`], from the random stream of its rollout index,
//! and the outcomes are reported in rollout order. The numbers therefore depend on the seed and
//! K only, never on the thread count (tests/cli.rs checks it). With K = 1 (the original's
//! setting) the children of one batch cannot overlap; [`crate::pipeline`] trains guesses of
//! the next rollouts' children instead, with the same records.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};

use piconas_core::search::{self, FinalRuns, Proposal};
use piconas_core::speculate::Guess;
use piconas_core::{Arch, Network, Outcome, Search, SearchConfig, Split, Trainer};

use crate::failure::Failure;
use crate::pipeline::{self, Event};

/// Optional memo of trained architectures (`--cache`): a proposal whose architecture was
/// trained before gets that first outcome again instead of a new training. Off by default, as
/// it changes the search: a re-sampled architecture no longer draws a fresh, noisy reward.
#[derive(Debug, Default)]
pub struct Cache {
    outcomes: HashMap<Arch, Outcome>,
    /// Proposals answered from the cache.
    pub hits: u64,
}

/// Threads to train children on by default: one per core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Drives `search` to the end on `data` with up to `threads` threads, telling `on_event` of
/// each record in rollout order and of each batch's end. With one rollout per update, no
/// cache, two threads or more and a `guess`, the threads train guessed children ahead
/// ([`crate::pipeline`]), and how that went is returned.
pub fn run<const H: usize, const K: usize>(
    search: &mut Search<H, K>,
    data: &Split<'_>,
    threads: usize,
    guess: Option<Guess>,
    cache: Option<&mut Cache>,
    on_event: impl FnMut(Event<'_, H, K>) -> Result<(), Failure>,
) -> Result<Option<pipeline::Speculation>, Failure> {
    match guess {
        Some(guess)
            if threads >= 2
                && cache.is_none()
                && search.config().controller.rollouts_per_update == 1 =>
        {
            pipeline::run(search, data, threads, guess, on_event).map(Some)
        }
        _ => batches(search, data, threads, cache, on_event).map(|()| None),
    }
}

/// [`run`] a batch at a time: the batch's children on up to `threads` threads.
fn batches<const H: usize, const K: usize>(
    search: &mut Search<H, K>,
    data: &Split<'_>,
    threads: usize,
    mut cache: Option<&mut Cache>,
    mut on_event: impl FnMut(Event<'_, H, K>) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let mut trainers: Vec<Box<Trainer>> = (0..threads.max(1)).map(|_| Box::default()).collect();
    let config = *search.config();
    loop {
        let batch: Vec<Proposal> = std::iter::from_fn(|| search.propose()).collect();
        if batch.is_empty() {
            return Ok(());
        }
        let proposals = to_train(&batch, cache.as_deref());
        let outcomes = train_all(&mut trainers, &proposals, &config, data)?;
        let trained: HashMap<u32, Outcome> =
            proposals.iter().map(|p| p.index).zip(outcomes).collect();
        for p in &batch {
            let outcome = outcome_of(p, &trained, cache.as_deref_mut())?;
            let record = search.report(p.index, outcome).map_err(Failure::bug)?;
            on_event(Event::Record(&record))?;
        }
        on_event(Event::BatchDone(search))?;
    }
}

/// The proposals of `batch` to train: with a cache, only architectures it does not hold, once
/// each; without one, all of them.
fn to_train(batch: &[Proposal], cache: Option<&Cache>) -> Vec<Proposal> {
    let Some(cache) = cache else {
        return batch.to_vec();
    };
    let mut proposals: Vec<Proposal> = Vec::with_capacity(batch.len());
    for p in batch {
        let dup = proposals.iter().any(|q| q.arch == p.arch);
        if !cache.outcomes.contains_key(&p.arch) && !dup {
            proposals.push(*p);
        }
    }
    proposals
}

/// Trains every proposal's child as the search scores it (`search::evaluate`: its rollout's
/// random streams, the reward folds), child `i` on trainer `i % used`, each thread its
/// children in turn; the outcomes in proposal order.
fn train_all(
    trainers: &mut [Box<Trainer>],
    jobs: &[Proposal],
    config: &SearchConfig,
    data: &Split<'_>,
) -> Result<Vec<Outcome>, Failure> {
    let train = |trainer: &mut Trainer, job: &Proposal| {
        search::evaluate(config, *job, data, |fold, rng| {
            crate::kernel::fit(trainer, &job.arch, &config.child, fold, rng)
        })
    };
    let used = trainers.len().min(jobs.len()).max(1);
    if used == 1 {
        return Ok(jobs.iter().map(|j| train(&mut trainers[0], j)).collect());
    }
    let mut outcomes = vec![None; jobs.len()];
    std::thread::scope(|scope| {
        let handles: Vec<_> = trainers[..used]
            .iter_mut()
            .enumerate()
            .map(|(t, trainer)| {
                let train = &train;
                scope.spawn(move || {
                    (t..jobs.len())
                        .step_by(used)
                        .map(|i| (i, train(trainer, &jobs[i])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            // A child's training cannot panic (the core never does on valid input); if a
            // thread did, its children stay None and are reported as a bug.
            for (i, outcome) in handle.join().unwrap_or_default() {
                outcomes[i] = Some(outcome);
            }
        }
    });
    outcomes
        .into_iter()
        .zip(jobs)
        .map(|(o, j)| {
            o.ok_or_else(|| Failure::bug(format!("rollout {}: training thread failed", j.index)))
        })
        .collect()
}

/// The outcome of proposal `p`: its training's (kept in the cache, if any), or the cache's.
fn outcome_of(
    p: &Proposal,
    trained: &HashMap<u32, Outcome>,
    cache: Option<&mut Cache>,
) -> Result<Outcome, Failure> {
    match (trained.get(&p.index), cache) {
        (Some(&o), Some(c)) => {
            c.outcomes.insert(p.arch, o);
            Ok(o)
        }
        (Some(&o), None) => Ok(o),
        (None, Some(c)) => {
            c.hits += 1;
            c.outcomes
                .get(&p.arch)
                .copied()
                .ok_or_else(|| Failure::bug(format!("rollout {}: not in the cache", p.index)))
        }
        (None, None) => Err(Failure::bug(format!("rollout {} was not trained", p.index))),
    }
}

/// The end of a search on several threads ([`Search::finish_with`]): each finalist's folds (or
/// retrains) are trained at once, one a thread, with [`crate::kernel`]'s instruction set, and
/// handed back in run order, so the report is [`Search::finish`]'s bit for bit. Keeps the
/// networks of the last architecture it trained: after `finish_with` with cross-validation,
/// the winner's fold models, which are the saved ensemble.
pub struct FinalPool<'a, 'd> {
    config: SearchConfig,
    data: &'a Split<'d>,
    threads: usize,
    /// Called on the training thread as each run ends, in any order (a progress bar's tick).
    on_run: &'a (dyn Fn() + Sync),
    /// The architecture last trained and its runs' networks, in run order.
    pub last: Option<(Arch, Vec<Network>)>,
}

impl<'a, 'd> FinalPool<'a, 'd> {
    /// A pool of `threads` threads (at least one) ending a search of `config` on `data`,
    /// calling `on_run` as each run ends.
    pub fn new(
        config: SearchConfig,
        data: &'a Split<'d>,
        threads: usize,
        on_run: &'a (dyn Fn() + Sync),
    ) -> Self {
        FinalPool {
            config,
            data,
            threads: threads.max(1),
            on_run,
            last: None,
        }
    }
}

impl FinalRuns for FinalPool<'_, '_> {
    fn train(
        &mut self,
        arch: &Arch,
        runs: u32,
        tested: bool,
        done: &mut dyn FnMut(u32, Outcome, f32),
    ) {
        let (config, data, on_run) = (&self.config, self.data, self.on_run);
        let next = AtomicU32::new(0);
        let trained: Vec<Mutex<Option<(Outcome, f32, Network)>>> =
            (0..runs).map(|_| Mutex::new(None)).collect();
        std::thread::scope(|scope| {
            for _ in 0..self.threads.min(runs as usize) {
                scope.spawn(|| {
                    let mut trainer = Box::<Trainer>::default();
                    loop {
                        let r = next.fetch_add(1, Ordering::Relaxed);
                        let Some(slot) = trained.get(r as usize) else {
                            return;
                        };
                        let fit = &mut crate::kernel::fit;
                        let run = (arch, r, tested);
                        let (outcome, test) =
                            search::final_run(config, data, run, &mut trainer, fit);
                        let mut network = Network::EMPTY;
                        trainer.copy_network(&mut network);
                        *slot.lock().unwrap_or_else(PoisonError::into_inner) =
                            Some((outcome, test, network));
                        on_run();
                    }
                });
            }
        });
        // A thread that panicked has panicked this one out of the scope: every run is here.
        let mut networks = Vec::with_capacity(runs as usize);
        for (r, slot) in (0..).zip(trained) {
            let run = slot.into_inner().unwrap_or_else(PoisonError::into_inner);
            let (outcome, test, network) = run.expect("every run was trained");
            done(r, outcome, test);
            networks.push(network);
        }
        self.last = Some((*arch, networks));
    }
}
