//! What a search has done so far, observed record by record: every reward in order, the best,
//! and a tally of every distinct architecture (the inputs of the frontier, the top list and the
//! window means). The runner, `compare` and the page's handle each keep one, and save it in
//! one form ([`History::encode`]) beside a checkpoint: the runner's `history.bin`, the page's
//! saved search.
//!
//! The tally needs a map that grows with what is seen (up to all 597,871 architectures), so
//! it lives here, on the hosts, and not in the no-alloc core; the firmware prints its records
//! and leaves the tally to the host.

use std::collections::HashMap;
use std::fmt;

use piconas_core::frontier::{self, Seen};
use piconas_core::{Arch, MAX_TOKENS, Record};

/// A search's history.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    rewards: Vec<f32>,
    best: Option<(f32, Arch)>,
    tally: HashMap<Arch, Seen>,
}

/// Why bytes are not a [`History::encode`]d history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryError {
    /// They do not start as a history does.
    NotAHistory,
    /// Fewer or more bytes than the counts in them promise.
    Length {
        /// Bytes expected.
        expected: usize,
        /// Bytes found.
        found: usize,
    },
    /// A field holds a value no search produces.
    Corrupt(&'static str),
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistoryError::NotAHistory => f.write_str("not a piconas search history"),
            HistoryError::Length { expected, found } => write!(
                f,
                "search history is {found} bytes, expected {expected} (truncated?)"
            ),
            HistoryError::Corrupt(what) => write!(f, "search history: {what} is damaged"),
        }
    }
}

impl std::error::Error for HistoryError {}

const MAGIC: [u8; 8] = *b"pnhist\x00\x01";
/// Bytes of one tallied architecture: its tokens (length, six slots), samples, two sums.
const ENTRY_LEN: usize = 1 + MAX_TOKENS + 4 + 8 + 8;
/// Bytes before the rewards: magic, reward count, best (flag, reward, tokens), entry count.
const HEAD_LEN: usize = 8 + 4 + (1 + 4 + 1 + MAX_TOKENS) + 4;

fn put_arch(out: &mut Vec<u8>, arch: &Arch) {
    let tokens = arch.encode();
    out.push(tokens.len() as u8);
    let mut padded = [0u8; MAX_TOKENS];
    padded[..tokens.len()].copy_from_slice(&tokens);
    out.extend_from_slice(&padded);
}

/// A cursor over bytes whose length was checked first.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0; N];
        if let Some((head, rest)) = self.0.split_at_checked(N) {
            out.copy_from_slice(head);
            self.0 = rest;
        }
        out
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }
    fn f32(&mut self) -> f32 {
        f32::from_le_bytes(self.take())
    }
    fn f64(&mut self) -> f64 {
        f64::from_le_bytes(self.take())
    }
    fn arch(&mut self, what: &'static str) -> Result<Arch, HistoryError> {
        let [len] = self.take::<1>();
        let tokens: [u8; MAX_TOKENS] = self.take();
        tokens
            .get(..usize::from(len))
            .and_then(|t| Arch::decode(t).ok())
            .ok_or(HistoryError::Corrupt(what))
    }
}

impl History {
    /// An empty history.
    pub fn new() -> History {
        History::default()
    }

    /// Counts one rollout.
    pub fn observe(&mut self, record: &Record) {
        self.add(record.arch, record.reward, record.accuracy);
    }

    /// Counts one rollout of `arch` with its reward and dev accuracy.
    pub fn add(&mut self, arch: Arch, reward: f32, accuracy: f32) {
        self.rewards.push(reward);
        if self.best.is_none_or(|(best, _)| reward > best) {
            self.best = Some((reward, arch));
        }
        self.tally
            .entry(arch)
            .or_insert(Seen::new(arch))
            .add(reward, accuracy);
    }

    /// Rollouts observed.
    pub fn len(&self) -> usize {
        self.rewards.len()
    }

    /// Whether no rollout was observed.
    pub fn is_empty(&self) -> bool {
        self.rewards.is_empty()
    }

    /// Every reward, in rollout order.
    pub fn rewards(&self) -> &[f32] {
        &self.rewards
    }

    /// The best reward and the first architecture that earned it.
    pub fn best(&self) -> Option<(f32, Arch)> {
        self.best
    }

    /// Distinct architectures seen.
    pub fn distinct(&self) -> usize {
        self.tally.len()
    }

    /// Mean reward of the first `window` rollouts (see [`first_mean`]).
    pub fn first_mean(&self, window: usize) -> f32 {
        first_mean(&self.rewards, window)
    }

    /// Mean reward of the last `window` rollouts (see [`last_mean`]).
    pub fn last_mean(&self, window: usize) -> f32 {
        last_mean(&self.rewards, window)
    }

    /// Every distinct architecture seen, sorted along `axis`, with the frontier marked (see
    /// `piconas_core::frontier::mark`).
    pub fn marked(&self, axis: frontier::Axis) -> Vec<Seen> {
        let mut seen: Vec<Seen> = self.tally.values().copied().collect();
        frontier::mark(&mut seen, axis);
        seen
    }

    /// The history as bytes (little-endian): magic, the rewards, the best, and the tally in
    /// a fixed order, so that equal histories give equal bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEAD_LEN + 4 * self.len() + ENTRY_LEN * self.distinct());
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&(self.rewards.len() as u32).to_le_bytes());
        let (flag, reward, arch) = match self.best {
            Some((r, a)) => (1, r, a),
            None => (0, 0.0, Arch::EMPTY),
        };
        out.push(flag);
        out.extend_from_slice(&reward.to_le_bytes());
        put_arch(&mut out, &arch);
        out.extend_from_slice(&(self.tally.len() as u32).to_le_bytes());
        for r in &self.rewards {
            out.extend_from_slice(&r.to_le_bytes());
        }
        let mut tally: Vec<&Seen> = self.tally.values().collect();
        tally.sort_unstable_by(|a, b| a.arch.tokens().cmp(b.arch.tokens()));
        for s in tally {
            put_arch(&mut out, &s.arch);
            out.extend_from_slice(&s.samples.to_le_bytes());
            out.extend_from_slice(&s.reward_sum.to_le_bytes());
            out.extend_from_slice(&s.accuracy_sum.to_le_bytes());
        }
        out
    }

    /// Reads [`History::encode`]'s bytes, checking every count and value first. Never panics,
    /// for any bytes.
    pub fn decode(bytes: &[u8]) -> Result<History, HistoryError> {
        if bytes.len() < HEAD_LEN || bytes[..8] != MAGIC {
            return Err(HistoryError::NotAHistory);
        }
        let mut b = Bytes(&bytes[8..]);
        let n = b.u32() as usize;
        let (flag, reward, arch) = (b.take::<1>()[0], b.f32(), b.arch("best architecture")?);
        let entries = b.u32() as usize;
        let expected = n
            .checked_mul(4)
            .and_then(|r| entries.checked_mul(ENTRY_LEN)?.checked_add(r))
            .and_then(|body| body.checked_add(HEAD_LEN));
        if expected != Some(bytes.len()) {
            return Err(HistoryError::Length {
                expected: expected.unwrap_or(usize::MAX),
                found: bytes.len(),
            });
        }
        let best = match flag {
            0 if n == 0 => None,
            1 if n > 0 && reward.is_finite() => Some((reward, arch)),
            _ => return Err(HistoryError::Corrupt("best reward")),
        };
        let rewards: Vec<f32> = (0..n).map(|_| b.f32()).collect();
        if rewards.iter().any(|r| !r.is_finite()) {
            return Err(HistoryError::Corrupt("a reward"));
        }
        let mut tally = HashMap::with_capacity(entries);
        let mut samples = 0u64;
        for _ in 0..entries {
            let arch = b.arch("an architecture")?;
            let mut seen = Seen::new(arch);
            (seen.samples, seen.reward_sum, seen.accuracy_sum) = (b.u32(), b.f64(), b.f64());
            let sane =
                seen.samples > 0 && seen.reward_sum.is_finite() && seen.accuracy_sum.is_finite();
            if !sane || tally.insert(arch, seen).is_some() {
                return Err(HistoryError::Corrupt("the tally"));
            }
            samples += u64::from(seen.samples);
        }
        if samples != n as u64 {
            return Err(HistoryError::Corrupt("the tally"));
        }
        Ok(History {
            rewards,
            best,
            tally,
        })
    }
}

fn mean(values: &[f32]) -> f32 {
    values.iter().sum::<f32>() / values.len().max(1) as f32
}

/// Mean of the first `window` of `rewards` (all of them if fewer; 0 for none).
pub fn first_mean(rewards: &[f32], window: usize) -> f32 {
    mean(&rewards[..rewards.len().min(window)])
}

/// Mean of the last `window` of `rewards` (all of them if fewer; 0 for none).
pub fn last_mean(rewards: &[f32], window: usize) -> f32 {
    mean(&rewards[rewards.len().saturating_sub(window)..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use piconas_core::{Cost, Shape};

    fn arch(s: &str) -> Arch {
        s.parse().unwrap()
    }

    fn sample() -> History {
        let mut h = History::new();
        for (a, reward, accuracy) in [
            ("[8]", 0.5, 0.5),
            ("[16, Tanh]", 0.75, 0.8),
            ("[8]", 0.25, 0.3),
            ("[]", 0.75, 0.75),
        ] {
            h.add(arch(a), reward, accuracy);
        }
        h
    }

    #[test]
    fn it_tallies_what_it_observes() {
        let h = sample();
        assert_eq!(h.len(), 4);
        assert_eq!(h.rewards(), [0.5, 0.75, 0.25, 0.75]);
        // Ties keep the first architecture that earned the best.
        assert_eq!(h.best(), Some((0.75, arch("[16, Tanh]"))));
        assert_eq!(h.distinct(), 3);
        assert_eq!((h.first_mean(2), h.last_mean(2)), (0.625, 0.5));
        assert_eq!((h.first_mean(10), h.last_mean(10)), (0.5625, 0.5625));
        assert_eq!(History::new().last_mean(100), 0.0);
        let seen = h.marked(frontier::Axis::Cost(Cost::Macs, Shape::MOONS));
        let eight = seen.iter().find(|s| s.arch == arch("[8]")).unwrap();
        assert_eq!((eight.samples, eight.reward_sum), (2, 0.75));
        assert!((eight.accuracy_sum - 0.8).abs() < 1e-7);
        // Cheapest first: [] (4 MACs), [8] (32), [16, Tanh] (64); each more accurate.
        let order: Vec<(String, bool)> = seen
            .iter()
            .map(|s| (s.arch.to_string(), s.frontier))
            .collect();
        assert_eq!(
            order,
            [
                ("[]".into(), true),
                ("[8]".into(), false),
                ("[16, Tanh]".into(), true)
            ]
        );
    }

    #[test]
    fn its_bytes_read_back_to_the_same_history() {
        for h in [History::new(), sample()] {
            let bytes = h.encode();
            assert_eq!(History::decode(&bytes), Ok(h.clone()));
            assert_eq!(bytes, History::decode(&bytes).unwrap().encode());
        }
    }

    #[test]
    fn damaged_bytes_are_refused_with_what_is_wrong() {
        let good = sample().encode();
        let mut bad_magic = good.clone();
        bad_magic[0] ^= 1;
        assert_eq!(History::decode(&bad_magic), Err(HistoryError::NotAHistory));
        assert_eq!(
            History::decode(&good[..good.len() - 1]),
            Err(HistoryError::Length {
                expected: good.len(),
                found: good.len() - 1
            })
        );
        // The first reward made NaN.
        let mut nan = good.clone();
        nan[HEAD_LEN..HEAD_LEN + 4].copy_from_slice(&f32::NAN.to_le_bytes());
        assert_eq!(
            History::decode(&nan),
            Err(HistoryError::Corrupt("a reward"))
        );
        // The first entry's sample count changed: the tally no longer adds up to the rewards.
        let mut count = good.clone();
        let at = HEAD_LEN + 4 * 4 + 1 + MAX_TOKENS;
        count[at] += 1;
        assert_eq!(
            History::decode(&count),
            Err(HistoryError::Corrupt("the tally"))
        );
        assert_eq!(
            HistoryError::Corrupt("the tally").to_string(),
            "search history: the tally is damaged"
        );
        // Any prefix, any single flipped byte: an error or a history, never a panic.
        for i in 0..good.len() {
            let _ = History::decode(&good[..i]);
            let mut flipped = good.clone();
            flipped[i] ^= 0xa5;
            let _ = History::decode(&flipped);
        }
    }
}
