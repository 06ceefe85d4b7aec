//! The finalists: the few distinct architectures with the best rewards seen so far.
//!
//! A single dev accuracy on 100 points is noisy, and the maximum over thousands of noisy
//! draws is mostly luck. So the search does not trust its single best reward: it keeps the
//! top few distinct architectures (by best reward; ties keep the earlier one), counts how
//! often each was sampled and its mean reward, and [`crate::Search::finish`] re-measures them.

use heapless::Vec;

use crate::arch::{Arch, MAX_TOKENS};
use crate::checkpoint::{CheckpointError, Reader, Writer};
use crate::config::MAX_FINALISTS;

/// One finalist and what the search has seen of it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Finalist {
    /// The architecture.
    pub arch: Arch,
    /// Its best reward.
    pub best_reward: f32,
    /// Times it was sampled since it entered the table.
    pub samples: u32,
    /// Mean reward over those samples.
    pub mean_reward: f32,
    /// The rollout that first put it in the table.
    pub first_rollout: u32,
}

impl Finalist {
    /// The empty architecture, never sampled: what `finish` scores when no rollout ran, and
    /// what an unused checkpoint slot holds.
    pub const EMPTY: Finalist = Finalist {
        arch: Arch::EMPTY,
        best_reward: 0.0,
        samples: 0,
        mean_reward: 0.0,
        first_rollout: 0,
    };
}

/// The top-`capacity` table.
#[derive(Clone, Debug, PartialEq)]
pub struct Finalists {
    list: Vec<Finalist, MAX_FINALISTS>,
    capacity: usize,
}

impl Finalists {
    /// Bytes of [`Finalists::save`]'s output: the count, then each slot's length, tokens and
    /// four statistics.
    pub(crate) const SAVED_LEN: usize = 1 + MAX_FINALISTS * (1 + MAX_TOKENS + 4 * 4);

    /// Writes the table: its length, then [`MAX_FINALISTS`] slots (unused ones
    /// [`Finalist::EMPTY`]), each the architecture's length and tokens, then its statistics.
    pub(crate) fn save(&self, w: &mut Writer<'_>) {
        w.u8(self.list.len() as u8);
        for slot in 0..MAX_FINALISTS {
            let f = self.list.get(slot).copied().unwrap_or(Finalist::EMPTY);
            w.u8(f.arch.len() as u8);
            let mut tokens = [0u8; MAX_TOKENS];
            for (t, token) in tokens.iter_mut().zip(f.arch.tokens()) {
                *t = token.index();
            }
            w.bytes(&tokens);
            w.f32(f.best_reward);
            w.u32(f.samples);
            w.f32(f.mean_reward);
            w.u32(f.first_rollout);
        }
    }

    /// Reads and checks [`Finalists::save`]'s bytes into a table of `capacity`.
    pub(crate) fn read(r: &mut Reader<'_>, capacity: usize) -> Result<Finalists, CheckpointError> {
        let count = usize::from(r.u8());
        if count > capacity {
            return Err(CheckpointError::Corrupt("finalist count"));
        }
        let mut finalists = Finalists::new(capacity);
        for slot in 0..MAX_FINALISTS {
            let len = usize::from(r.u8());
            let tokens: [u8; MAX_TOKENS] = r.bytes();
            let (best_reward, samples, mean_reward, first_rollout) =
                (r.f32(), r.u32(), r.f32(), r.u32());
            if slot < count {
                let arch = tokens
                    .get(..len)
                    .and_then(|t| Arch::decode(t).ok())
                    .filter(|a| a.len() == len)
                    .ok_or(CheckpointError::Corrupt("finalist architecture"))?;
                let finalist = Finalist {
                    arch,
                    best_reward,
                    samples,
                    mean_reward,
                    first_rollout,
                };
                finalists
                    .list
                    .push(finalist)
                    .map_err(|_| CheckpointError::Corrupt("finalist count"))?;
            }
        }
        Ok(finalists)
    }

    /// An empty table keeping up to `capacity` (at most [`MAX_FINALISTS`]) architectures.
    pub const fn new(capacity: usize) -> Self {
        Self {
            list: Vec::new(),
            capacity: if capacity < MAX_FINALISTS {
                capacity
            } else {
                MAX_FINALISTS
            },
        }
    }

    /// The finalists, best reward first (ties: earlier first).
    pub fn as_slice(&self) -> &[Finalist] {
        &self.list
    }

    /// Records that rollout `index` sampled `arch` and got `reward`.
    pub fn offer(&mut self, index: u32, arch: Arch, reward: f32) {
        if let Some(f) = self.list.iter_mut().find(|f| f.arch == arch) {
            f.samples += 1;
            f.mean_reward += (reward - f.mean_reward) / f.samples as f32;
            f.best_reward = f.best_reward.max(reward);
        } else {
            let entry = Finalist {
                arch,
                best_reward: reward,
                samples: 1,
                mean_reward: reward,
                first_rollout: index,
            };
            if self.list.len() < self.capacity {
                let _ = self.list.push(entry); // room checked above
            } else if let Some(last) = self.list.last_mut() {
                if reward > last.best_reward {
                    *last = entry;
                } else {
                    return;
                }
            } else {
                return; // capacity 0
            }
        }
        // Insertion sort by best reward, earlier entry first on ties: stable and tiny.
        let list = &mut self.list;
        for i in 1..list.len() {
            let mut j = i;
            while j > 0 && list[j].best_reward > list[j - 1].best_reward {
                list.swap(j, j - 1);
                j -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_best_distinct_architectures() {
        let arch = |s: &str| s.parse::<Arch>().unwrap();
        let mut f = Finalists::new(2);
        f.offer(0, arch("[1]"), 0.6);
        f.offer(1, arch("[2]"), 0.7);
        f.offer(2, arch("[4]"), 0.65); // better than [1]: replaces it
        f.offer(3, arch("[8]"), 0.65); // ties the last: the earlier stays
        f.offer(4, arch("[2]"), 0.5); // known: updates count and mean only
        let got: std::vec::Vec<_> = f
            .as_slice()
            .iter()
            .map(|x| (x.arch, x.best_reward, x.samples))
            .collect();
        assert_eq!(got, [(arch("[2]"), 0.7, 2), (arch("[4]"), 0.65, 1)]);
        assert!((f.as_slice()[0].mean_reward - 0.6).abs() < 1e-6);
        f.offer(5, arch("[4]"), 0.9); // rises to the top
        assert_eq!(f.as_slice()[0].arch, arch("[4]"));
        // Ties inside the table keep the earlier entry first.
        let mut f = Finalists::new(3);
        f.offer(0, arch("[1]"), 0.6);
        f.offer(1, arch("[2]"), 0.6);
        f.offer(2, arch("[4]"), 0.6);
        let order: std::vec::Vec<_> = f.as_slice().iter().map(|x| x.first_rollout).collect();
        assert_eq!(order, [0, 1, 2]);
        // A new best replaces the last entry and rises past both others.
        f.offer(3, arch("[8]"), 0.9);
        let order: std::vec::Vec<_> = f.as_slice().iter().map(|x| x.first_rollout).collect();
        assert_eq!(order, [3, 0, 1]);
    }
}
