//! Training several children at once: the host's way to use more than one core.
//!
//! With `rollouts_per_update = K`, the controller proposes K architectures from the same
//! policy before it learns from any of them, so their children are independent: each is
//! trained on a thread with its own [`Trainer`], from the random stream of its rollout index,
//! and the outcomes are reported in rollout order. The numbers therefore depend on the seed and
//! K only, never on the thread count (tests/cli.rs checks it). With K = 1 (the original's
//! setting) there is nothing to overlap and one thread does the work.

use std::collections::HashMap;

use piconas_core::search::{Proposal, Record};
use piconas_core::{Arch, Outcome, Search, Split, Trainer};

/// Optional memo of trained architectures (`--cache`): a proposal whose architecture was
/// trained before gets that first outcome again instead of a new training. Off by default, as
/// it changes the search: a re-sampled architecture no longer draws a fresh, noisy reward.
#[derive(Debug, Default)]
pub struct Cache {
    outcomes: HashMap<Arch, Outcome>,
    /// Proposals answered from the cache.
    pub hits: u64,
}

/// What [`run`] reports as it goes.
pub enum Event<'a, const H: usize, const K: usize> {
    /// A rollout's record, in rollout order.
    Record(&'a Record),
    /// A batch is reported and the controller updated: the search may be checkpointed.
    BatchDone(&'a Search<H, K>),
}

/// Drives `search` to the end on `data` with up to `threads` threads, telling `on_event` of
/// each record in rollout order and of each batch's end.
pub fn run<const H: usize, const K: usize>(
    search: &mut Search<H, K>,
    data: &Split<'_>,
    threads: usize,
    mut cache: Option<&mut Cache>,
    mut on_event: impl FnMut(Event<'_, H, K>) -> Result<(), crate::failure::Failure>,
) -> Result<(), crate::failure::Failure> {
    let mut trainers: Vec<Box<Trainer>> = (0..threads.max(1)).map(|_| Box::default()).collect();
    let config = search.config().child;
    loop {
        let batch: Vec<Proposal> = std::iter::from_fn(|| search.propose()).collect();
        if batch.is_empty() {
            return Ok(());
        }
        // Only architectures not seen before (and not twice in this batch) are trained.
        let known = |arch: &Arch| cache.as_ref().and_then(|c| c.outcomes.get(arch).copied());
        let mut proposals: Vec<Proposal> = Vec::with_capacity(batch.len());
        for p in &batch {
            let dup = cache.is_some() && proposals.iter().any(|q| q.arch == p.arch);
            if known(&p.arch).is_none() && !dup {
                proposals.push(*p);
            }
        }
        let streams: Vec<_> = proposals
            .iter()
            .map(|p| search.child_rng(p.index))
            .collect();
        let train = |trainer: &mut Trainer, i: usize| {
            let mut rng = streams[i].clone();
            crate::kernel::train(trainer, &proposals[i].arch, &config, data, &mut rng)
        };
        let used = trainers.len().min(proposals.len()).max(1);
        let outcomes: Vec<Outcome> = if proposals.is_empty() {
            Vec::new()
        } else if used == 1 {
            (0..proposals.len())
                .map(|i| train(&mut trainers[0], i))
                .collect()
        } else {
            // Child i goes to trainer i % used; each thread trains its children in turn.
            let mut outcomes = vec![None; proposals.len()];
            std::thread::scope(|scope| {
                let handles: Vec<_> = trainers[..used]
                    .iter_mut()
                    .enumerate()
                    .map(|(t, trainer)| {
                        let (train, n) = (&train, proposals.len());
                        scope.spawn(move || {
                            (t..n)
                                .step_by(used)
                                .map(|i| (i, train(trainer, i)))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                for handle in handles {
                    // A child's training cannot panic (the core never does on valid input);
                    // if a thread did, its children stay None and are reported as an error.
                    for (i, outcome) in handle.join().unwrap_or_default() {
                        outcomes[i] = Some(outcome);
                    }
                }
            });
            outcomes
                .into_iter()
                .zip(&proposals)
                .map(|(o, p)| {
                    o.ok_or_else(|| {
                        crate::failure::Failure::bug(format!(
                            "rollout {}: training thread failed",
                            p.index
                        ))
                    })
                })
                .collect::<Result<_, _>>()?
        };
        let trained: HashMap<u32, Outcome> =
            proposals.iter().map(|p| p.index).zip(outcomes).collect();
        for p in &batch {
            let outcome = match trained.get(&p.index) {
                Some(&o) => {
                    if let Some(c) = cache.as_deref_mut() {
                        c.outcomes.insert(p.arch, o);
                    }
                    o
                }
                None => {
                    let c = cache.as_deref_mut().ok_or_else(|| {
                        crate::failure::Failure::bug(format!("rollout {} was not trained", p.index))
                    })?;
                    c.hits += 1;
                    c.outcomes.get(&p.arch).copied().ok_or_else(|| {
                        crate::failure::Failure::bug(format!(
                            "rollout {}: not in the cache",
                            p.index
                        ))
                    })?
                }
            };
            let record = search
                .report(p.index, outcome)
                .map_err(crate::failure::Failure::bug)?;
            on_event(Event::Record(&record))?;
        }
        on_event(Event::BatchDone(search))?;
    }
}
