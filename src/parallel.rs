//! Training several children at once: the host's way to use more than one core.
//!
//! With `rollouts_per_update = K`, the controller proposes K architectures from the same
//! policy before it learns from any of them, so their children are independent: each is
//! trained on a thread with its own [`Trainer`], from the random stream of its rollout index,
//! and the outcomes are reported in rollout order. The numbers therefore depend on the seed and
//! K only, never on the thread count (tests/cli.rs checks it). With K = 1 (the original's
//! setting) there is nothing to overlap and one thread does the work.

use piconas_core::search::{Proposal, Record};
use piconas_core::{Outcome, Search, Split, Trainer};

/// Drives `search` to the end on `data` with up to `threads` threads, calling `on_record` with
/// each record in rollout order.
pub fn run<const H: usize, const K: usize>(
    search: &mut Search<H, K>,
    data: &Split<'_>,
    threads: usize,
    mut on_record: impl FnMut(&Record) -> Result<(), crate::failure::Failure>,
) -> Result<(), crate::failure::Failure> {
    let mut trainers: Vec<Box<Trainer>> = (0..threads.max(1)).map(|_| Box::default()).collect();
    let config = search.config().child;
    loop {
        let proposals: Vec<Proposal> = std::iter::from_fn(|| search.propose()).collect();
        if proposals.is_empty() {
            return Ok(());
        }
        let streams: Vec<_> = proposals
            .iter()
            .map(|p| search.child_rng(p.index))
            .collect();
        let train = |trainer: &mut Trainer, i: usize| {
            let mut rng = streams[i].clone();
            trainer.train(&proposals[i].arch, &config, data, &mut rng)
        };
        let used = trainers.len().min(proposals.len());
        let outcomes: Vec<Outcome> = if used == 1 {
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
                        crate::failure::Failure::Io(format!(
                            "rollout {}: training thread failed",
                            p.index
                        ))
                    })
                })
                .collect::<Result<_, _>>()?
        };
        for (proposal, outcome) in proposals.iter().zip(outcomes) {
            let record = search
                .report(proposal.index, outcome)
                .map_err(|e| crate::failure::Failure::Io(e.to_string()))?;
            on_record(&record)?;
        }
    }
}
