//! Checkpoints: the complete state of a [`Search`](crate::Search) between two controller updates, as a
//! versioned, checksummed byte image written into the caller's buffer (no allocation, so a
//! firmware can keep one in flash).
//!
//! What is saved is everything the rest of the search depends on: the configuration (so a
//! checkpoint is only ever resumed with the search it came from), the rollout counter, the
//! controller's random-generator state, its weights, Adam's moments and step state, the
//! baseline, the entropy weight, the finalists, regularized evolution's population and the
//! rungs' recent scores ([`crate::rungs`], since version 9). Children's random streams depend only on
//! the seed and the rollout index, so nothing else is needed for a resumed search to produce
//! exactly the records an uninterrupted one would. A checkpoint is taken only at a batch
//! boundary (no proposal awaiting its outcome).
//!
//! Layout (all little-endian): `b"piconas\0"`, format version `u16`, hidden size `u16`, batch
//! capacity `u16`, reserved `u16`, the configuration (since version 4 with the data's shape, the
//! metric and the folds; since version 5 with the original's rules, [`crate::rules`]; since
//! version 6 with the child's step floor, weight decay and best epoch and evolution's
//! population and tournament; since version 7 with the budget; version 7 also held whether
//! the data is standardised, which version 8 drops; since version 9 with the rungs),
//! the data's fingerprint `u64` (see [`Split::fingerprint`](crate::Split::fingerprint)), the
//! small state, the controller's
//! weights and moments row by row (`f32`), and a CRC-32 (IEEE) of everything before it.
//!
//! This module is the image's frame: header, configuration, checksum (`begin`, `open`,
//! `seal`). Each part of the search encodes and decodes its own state between them —
//! `Search` its counter and generator, `Reinforce` its Adam step, baseline, β and moments,
//! `Finalists` its table, `ControllerParams` its rows — so no other type's fields are
//! reached into. [`Search::restore`](crate::Search::restore) reads and checks every part before it writes anything:
//! on any error the search is left exactly as it was.

use core::fmt;

use crate::config::{AdamConfig, SearchConfig};
use crate::rules::{BestEpoch, ControllerInput, DevAccuracy, RewardEpoch, Shaping, StepLoss};
use crate::sample::Fingerprint;

const MAGIC: [u8; 8] = *b"piconas\0";
/// The checkpoint format this build writes and reads.
pub const VERSION: u16 = 9;

/// Why a checkpoint could not be written or read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckpointError {
    /// The output buffer is smaller than [`Search::checkpoint_len`](crate::Search::checkpoint_len).
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
    /// Proposals await their outcomes: checkpoints are taken between controller updates.
    MidBatch,
    /// The search was never started: there is nothing to save.
    Idle,
    /// The bytes are not a piconas checkpoint.
    NotACheckpoint,
    /// A checkpoint of another format version.
    Version {
        /// The version found.
        found: u16,
    },
    /// A checkpoint of a search with another controller size or batch capacity.
    Shape {
        /// Hidden size found.
        hidden: u16,
        /// Batch capacity found.
        capacity: u16,
    },
    /// Fewer (or more) bytes than the header promises: a truncated or padded file.
    Length {
        /// Bytes expected.
        expected: usize,
        /// Bytes given.
        found: usize,
    },
    /// The checksum does not match: the bytes were damaged.
    Checksum,
    /// The checkpoint belongs to a search with another configuration.
    OtherConfig,
    /// The checkpoint belongs to a search on other data.
    OtherData {
        /// The fingerprint of the data the checkpoint was taken on.
        saved: Fingerprint,
        /// The fingerprint of the data given.
        given: Fingerprint,
    },
    /// A field holds an impossible value (only reachable with a valid checksum if the file was
    /// written by something else).
    Corrupt(&'static str),
}

impl fmt::Display for CheckpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::BufferTooSmall { needed } => write!(f, "the buffer needs {needed} bytes"),
            Self::MidBatch => {
                f.write_str("proposals await their outcomes; checkpoint between updates")
            }
            Self::Idle => f.write_str("the search was never started; nothing to save"),
            Self::NotACheckpoint => f.write_str("not a piconas checkpoint"),
            Self::Version { found } => {
                write!(
                    f,
                    "checkpoint format version {found}, this build reads version {VERSION}"
                )
            }
            Self::Shape { hidden, capacity } => write!(
                f,
                "checkpoint of a search with {hidden} hidden units and batch capacity {capacity}"
            ),
            Self::Length { expected, found } => {
                write!(
                    f,
                    "checkpoint is {found} bytes, expected {expected} (truncated?)"
                )
            }
            Self::Checksum => f.write_str("checkpoint checksum mismatch (damaged)"),
            Self::OtherConfig => f.write_str("checkpoint of a search with another configuration"),
            Self::OtherData { saved, given } => write!(
                f,
                "checkpoint of a search on other data (data fingerprint {saved}, this data's {given})"
            ),
            Self::Corrupt(field) => write!(f, "checkpoint field {field} holds an impossible value"),
        }
    }
}

impl core::error::Error for CheckpointError {}

/// CRC-32 (IEEE 802.3, reflected), bit by bit: no table in flash, fast enough for 200 KB.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xedb8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// Writes little-endian fields into a buffer whose length was checked first.
pub(crate) struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Writer<'a> {
    /// A writer at the start of `buf`.
    #[cfg(test)]
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        Writer { buf, pos: 0 }
    }
    /// Bytes written so far.
    #[cfg(test)]
    pub(crate) fn written(&self) -> usize {
        self.pos
    }
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        // The caller checked the length once; writes past the end are impossible.
        if let Some(dst) = self.buf.get_mut(self.pos..self.pos + b.len()) {
            dst.copy_from_slice(b);
        }
        self.pos += b.len();
    }
    pub(crate) fn u8(&mut self, v: u8) {
        self.bytes(&[v]);
    }
    pub(crate) fn u16(&mut self, v: u16) {
        self.bytes(&v.to_le_bytes());
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    pub(crate) fn f32(&mut self, v: f32) {
        self.u32(v.to_bits());
    }
}

/// Reads little-endian fields from bytes whose length was checked first.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    #[cfg(test)]
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }
    pub(crate) fn bytes<const N: usize>(&mut self) -> [u8; N] {
        // Lengths are checked against the header before any read; a short read gives zeros.
        let mut out = [0; N];
        if let Some(src) = self.buf.get(self.pos..self.pos + N) {
            out.copy_from_slice(src);
        }
        self.pos += N;
        out
    }
    pub(crate) fn u8(&mut self) -> u8 {
        self.bytes::<1>()[0]
    }
    pub(crate) fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.bytes())
    }
    pub(crate) fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.bytes())
    }
    pub(crate) fn f32(&mut self) -> f32 {
        f32::from_bits(self.u32())
    }
}

fn write_adam_config(w: &mut Writer<'_>, c: &AdamConfig) {
    for v in [c.learning_rate, c.beta1, c.beta2, c.epsilon] {
        w.f32(v);
    }
}

fn write_config(w: &mut Writer<'_>, c: &SearchConfig) {
    w.u32(c.rollouts);
    w.u64(c.seed);
    write_adam_config(w, &c.child.adam);
    w.u32(c.child.batch_size as u32);
    w.u32(c.child.max_epochs);
    w.u32(c.child.patience);
    write_adam_config(w, &c.controller.adam);
    w.f32(c.controller.entropy_weight);
    w.f32(c.controller.entropy_decay);
    w.u8(u8::from(c.controller.baseline_decay.is_some()));
    w.f32(c.controller.baseline_decay.unwrap_or(0.0));
    w.u8(u8::from(c.controller.max_grad_norm.is_some()));
    w.f32(c.controller.max_grad_norm.unwrap_or(0.0));
    w.u32(c.controller.rollouts_per_update as u32);
    w.u32(c.finalists as u32);
    w.u32(c.retrains);
    w.u8(place(&crate::config::Strategy::ALL, c.strategy));
    w.f32(c.cost_weight);
    w.u8(match c.cost {
        crate::arch::Cost::Macs => 0,
        crate::arch::Cost::Params => 1,
    });
    w.u8(c.shape.inputs() as u8);
    w.u8(c.shape.classes() as u8);
    w.u8(match c.child.metric {
        crate::config::Metric::Accuracy => 0,
        crate::config::Metric::Balanced => 1,
    });
    w.u32(c.folds);
    w.u32(c.reward_folds);
    // The rules (since version 5; see `crate::rules`), each its choice's place.
    w.u8(place(&ControllerInput::ALL, c.controller.input));
    w.u8(place(&StepLoss::ALL, c.controller.step_loss));
    w.u8(place(&RewardEpoch::ALL, c.child.reward_epoch));
    w.u8(place(&DevAccuracy::ALL, c.child.dev_accuracy));
    w.u8(place(&Shaping::ALL, c.shaping));
    // Since version 6: the child's step floor and weight decay, evolution's sizes.
    w.u32(c.child.min_steps);
    w.f32(c.child.weight_decay);
    w.u32(c.population as u32);
    w.u32(c.tournament as u32);
    w.u8(place(&BestEpoch::ALL, c.child.best_epoch));
    w.u8(place(&crate::config::Selection::ALL, c.selection));
    // Since version 7: the budget (since version 8 without whether the data is standardised,
    // which no cost reads any more).
    w.u8(place(&crate::config::Target::ALL, c.budget.target));
    w.u32(c.budget.max_flash);
    w.u32(c.budget.max_ram);
    w.u32(c.budget.max_latency_us);
    w.u8(place(&crate::target::OverBudget::ALL, c.budget.over));
    // Since version 9: the rungs.
    w.u8(place(&crate::config::Rungs::ALL, c.rungs));
    w.u32(c.rung_eta);
}

/// Where `choice` is in `all`.
fn place<T: PartialEq>(all: &[T], choice: T) -> u8 {
    all.iter().position(|c| *c == choice).unwrap_or(0) as u8
}

/// Bytes of the configuration's encoding.
const CONFIG_LEN: usize =
    4 + 8 + 16 + 12 + 16 + 12 + 1 + 1 + 4 + 12 + 1 + 4 + 1 + 2 + 1 + 8 + 5 + 18 + 14 + 5;
/// Bytes of the header.
const HEADER_LEN: usize = 8 + 2 * 4;
/// Where the state (everything after the header and the configuration) starts: for tools,
/// such as the fuzz target that rewrites it.
pub const STATE_START: usize = HEADER_LEN + CONFIG_LEN + 8;
/// Bytes of the checkpoint whose parts write `state` bytes between the frame (header,
/// configuration, fingerprint) and the checksum.
pub(crate) const fn image_len(state: usize) -> usize {
    STATE_START + state + 4
}

/// Starts an image in `out` (its length checked by the caller): the header of a search of
/// `hidden` units and batch capacity `capacity`, then `config`. The types write their state
/// after it, and [`seal`] ends it.
pub(crate) fn begin<'a>(
    out: &'a mut [u8],
    (hidden, capacity): (usize, usize),
    config: &SearchConfig,
    data: Fingerprint,
) -> Writer<'a> {
    let mut w = Writer { buf: out, pos: 0 };
    w.bytes(&MAGIC);
    w.u16(VERSION);
    w.u16(hidden as u16);
    w.u16(capacity as u16);
    w.u16(0);
    write_config(&mut w, config);
    w.u64(data.0);
    w
}

/// Ends an image with the checksum of everything before it; returns its length.
pub(crate) fn seal(mut w: Writer<'_>) -> usize {
    let crc = crc32(&w.buf[..w.pos]);
    w.u32(crc);
    w.pos
}

/// Checks an image's header, length (`expected`), checksum and configuration (which must be
/// `config`'s, byte for byte) for a search of `hidden` units and batch capacity `capacity`,
/// and returns a reader at the start of the types' state. Never panics, for any bytes.
pub(crate) fn open<'a>(
    bytes: &'a [u8],
    (hidden, capacity): (usize, usize),
    expected: usize,
    (config, data): (&SearchConfig, Fingerprint),
) -> Result<Reader<'a>, CheckpointError> {
    if bytes.len() < HEADER_LEN || bytes[..8] != MAGIC {
        return Err(CheckpointError::NotACheckpoint);
    }
    let mut r = Reader { buf: bytes, pos: 8 };
    let version = r.u16();
    if version != VERSION {
        return Err(CheckpointError::Version { found: version });
    }
    let (h, k) = (r.u16(), r.u16());
    if usize::from(h) != hidden || usize::from(k) != capacity {
        return Err(CheckpointError::Shape {
            hidden: h,
            capacity: k,
        });
    }
    let _reserved = r.u16();
    if bytes.len() != expected {
        return Err(CheckpointError::Length {
            expected,
            found: bytes.len(),
        });
    }
    let (body, tail) = bytes.split_at(expected - 4);
    let stored = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]);
    if crc32(body) != stored {
        return Err(CheckpointError::Checksum);
    }
    let mut mine = [0u8; CONFIG_LEN];
    write_config(
        &mut Writer {
            buf: &mut mine,
            pos: 0,
        },
        config,
    );
    let theirs: [u8; CONFIG_LEN] = r.bytes();
    if mine != theirs
        || config.validate().is_err()
        || config.controller.rollouts_per_update > capacity
    {
        return Err(CheckpointError::OtherConfig);
    }
    let saved = Fingerprint(u64::from_le_bytes(r.bytes()));
    if saved != data {
        return Err(CheckpointError::OtherData { saved, given: data });
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{Record, Search};
    use crate::testdata::Data;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn the_config_encoding_has_its_declared_length() {
        let mut buf = [0u8; 2 * CONFIG_LEN];
        let mut w = Writer {
            buf: &mut buf,
            pos: 0,
        };
        write_config(&mut w, &SearchConfig::DEFAULT);
        assert_eq!(w.pos, CONFIG_LEN);
    }

    fn data() -> Data {
        Data::moons(200)
    }

    fn config() -> SearchConfig {
        let mut c = SearchConfig {
            rollouts: 24,
            seed: 3,
            retrains: 1,
            reward_folds: 1,
            ..SearchConfig::DEFAULT
        };
        c.child.max_epochs = 4;
        c.controller.rollouts_per_update = 2;
        c
    }

    type S = Search<8, 2>;

    /// The fingerprint of [`data`]'s split.
    fn fp() -> Fingerprint {
        data().split().fingerprint()
    }

    /// The data, and the checkpoint of the test search after four rollouts.
    fn after_four() -> (Data, Vec<u8>) {
        let v = data();
        let split = v.split();
        let mut search: Box<S> = Box::new(Search::new(config()).unwrap());
        for _ in 0..4 {
            search.step(&split);
        }
        let mut good = vec![0u8; S::checkpoint_len()];
        search.save(&mut good, fp()).unwrap();
        (v, good)
    }

    #[test]
    fn a_resumed_search_continues_exactly_as_the_uninterrupted_one() {
        let v = data();
        let split = v.split();
        // Each strategy; evolution's population of 6 is full after 6 rollouts, so the
        // checkpoint at 10 carries a ring that has wrapped.
        for strategy in crate::Strategy::ALL {
            let config = SearchConfig {
                strategy,
                population: 6,
                tournament: 3,
                ..config()
            };
            let mut whole: Box<S> = Box::new(Search::new(config).unwrap());
            let all: Vec<Record> = core::iter::from_fn(|| whole.step(&split)).collect();

            let mut first: Box<S> = Box::new(Search::new(config).unwrap());
            for _ in 0..10 {
                first.step(&split);
            }
            let mut bytes = vec![0u8; S::checkpoint_len()];
            assert_eq!(first.save(&mut bytes, fp()), Ok(S::checkpoint_len()));
            drop(first);
            let mut resumed: Box<S> = Box::new(Search::idle());
            resumed.restore(config, &bytes, fp()).unwrap();
            assert_eq!(resumed.completed(), 10);
            let rest: Vec<Record> = core::iter::from_fn(|| resumed.step(&split)).collect();
            assert_eq!(rest, all[10..], "{strategy}");
            assert_eq!(resumed.finish(&split), whole.finish(&split), "{strategy}");
        }
    }

    #[test]
    fn a_resumed_search_with_rungs_keeps_its_bars() {
        // 70 rollouts: bars stop children from rollout 17 on; saved at 60, the ladder holds
        // scores whose bars the rest need.
        let v = data();
        let split = v.split();
        let config = SearchConfig {
            rollouts: 70,
            rungs: crate::config::Rungs::Three,
            ..config()
        };
        let mut whole: Box<S> = Box::new(Search::new(config).unwrap());
        let all: Vec<Record> = core::iter::from_fn(|| whole.step(&split)).collect();
        assert!(
            all[60..].iter().any(|r| r.rungs < 3),
            "no bar stopped a child"
        );
        let mut first: Box<S> = Box::new(Search::new(config).unwrap());
        for _ in 0..60 {
            first.step(&split);
        }
        let mut bytes = vec![0u8; S::checkpoint_len()];
        first.save(&mut bytes, fp()).unwrap();
        let mut resumed: Box<S> = Box::new(Search::idle());
        resumed.restore(config, &bytes, fp()).unwrap();
        let rest: Vec<Record> = core::iter::from_fn(|| resumed.step(&split)).collect();
        assert_eq!(rest, all[60..]);
    }

    #[test]
    fn every_bad_checkpoint_is_refused_and_changes_nothing() {
        let (v, good) = after_four();
        let split = v.split();

        let mut victim: Box<S> = Box::new(Search::new(config()).unwrap());
        let before: Vec<Record> = {
            let mut copy = victim.clone();
            core::iter::from_fn(|| copy.step(&split)).take(6).collect()
        };
        let mut flipped = good.clone();
        flipped[HEADER_LEN + CONFIG_LEN + 40] ^= 0x10;
        let mut bad_version = good.clone();
        bad_version[8] = 10;
        let mut other_seed = config();
        other_seed.seed = 4;
        let cases: [(&[u8], SearchConfig, CheckpointError); 6] = [
            (
                &good[..good.len() - 1],
                config(),
                CheckpointError::Length {
                    expected: good.len(),
                    found: good.len() - 1,
                },
            ),
            (&flipped, config(), CheckpointError::Checksum),
            (
                &bad_version,
                config(),
                CheckpointError::Version { found: 10 },
            ),
            (
                b"not a checkpoint at all",
                config(),
                CheckpointError::NotACheckpoint,
            ),
            (&good, other_seed, CheckpointError::OtherConfig),
            (&[], config(), CheckpointError::NotACheckpoint),
        ];
        for (bytes, cfg, want) in cases {
            assert_eq!(victim.restore(cfg, bytes, fp()), Err(want));
        }
        let mut wrong_shape: Box<Search<16, 2>> = Box::new(Search::idle());
        assert_eq!(
            wrong_shape.restore(config(), &good, fp()),
            Err(CheckpointError::Shape {
                hidden: 8,
                capacity: 2
            })
        );
        let after: Vec<Record> = core::iter::from_fn(|| victim.step(&split))
            .take(6)
            .collect();
        assert_eq!(before, after, "refused restores left the search untouched");
    }

    #[test]
    fn checkpoints_are_taken_between_updates_only() {
        let mut search: Box<S> = Box::new(Search::new(config()).unwrap());
        let mut bytes = vec![0u8; S::checkpoint_len()];
        assert_eq!(
            search.save(&mut bytes[..10], fp()),
            Err(CheckpointError::BufferTooSmall {
                needed: S::checkpoint_len()
            })
        );
        search.propose().unwrap();
        assert_eq!(
            search.save(&mut bytes, fp()),
            Err(CheckpointError::MidBatch)
        );
        let idle: Box<S> = Box::new(Search::idle());
        assert_eq!(idle.save(&mut bytes, fp()), Err(CheckpointError::Idle));
        assert_eq!(
            CheckpointError::Idle.to_string(),
            "the search was never started; nothing to save"
        );
    }

    #[test]
    fn checkpoints_before_the_first_rollout_and_after_the_last_restore() {
        let v = data();
        let split = v.split();
        let mut whole: Box<S> = Box::new(Search::new(config()).unwrap());
        let all: Vec<Record> = core::iter::from_fn(|| whole.step(&split)).collect();
        let mut bytes = vec![0u8; S::checkpoint_len()];
        // Started, nothing run: no baseline yet.
        let fresh: Box<S> = Box::new(Search::new(config()).unwrap());
        fresh.save(&mut bytes, fp()).unwrap();
        let mut resumed: Box<S> = Box::new(Search::idle());
        resumed.restore(config(), &bytes, fp()).unwrap();
        let again: Vec<Record> = core::iter::from_fn(|| resumed.step(&split)).collect();
        assert_eq!(again, all);
        // Done: every rollout counted, nothing left to step.
        whole.save(&mut bytes, fp()).unwrap();
        let mut done: Box<S> = Box::new(Search::idle());
        done.restore(config(), &bytes, fp()).unwrap();
        assert_eq!(done.completed(), config().rollouts);
        assert!(done.is_done() && done.step(&split).is_none());
        assert_eq!(done.finish(&split), whole.finish(&split));
    }

    #[test]
    fn a_batch_reported_in_part_is_not_saved() {
        // Two rollouts per update: one proposed and reported leaves the update pending.
        let mut search: Box<S> = Box::new(Search::new(config()).unwrap());
        let p = search.propose().unwrap();
        let outcome = crate::train::Outcome {
            reward: 0.5,
            epochs: 1,
            best_epoch: 1,
            diverged: false,
            climb: crate::train::Climb::NONE,
        };
        search.report(p.index, outcome).unwrap();
        assert_eq!(search.completed(), 1);
        let mut bytes = vec![0u8; S::checkpoint_len()];
        assert_eq!(
            search.save(&mut bytes, fp()),
            Err(CheckpointError::MidBatch)
        );
    }

    /// `good` with `f` applied to its state, and the checksum made right again: only the
    /// field checks can refuse it.
    fn resealed(good: &[u8], f: impl FnOnce(&mut [u8])) -> Vec<u8> {
        let mut bytes = good.to_vec();
        f(&mut bytes[STATE_START..]);
        let n = bytes.len() - 4;
        let crc = crc32(&bytes[..n]);
        bytes[n..].copy_from_slice(&crc.to_le_bytes());
        bytes
    }

    #[test]
    fn impossible_fields_with_a_good_checksum_are_refused() {
        let (_, good) = after_four();
        // State: counter (4), generator (16), Adam (12), baseline flag (1) and value (4).
        let baseline = 4 + 16 + 12 + 1;
        let cases: [(Vec<u8>, &str); 4] = [
            (
                resealed(&good, |s| s[..4].copy_from_slice(&25u32.to_le_bytes())),
                "rollout counter",
            ),
            (resealed(&good, |s| s[4..20].fill(0)), "generator state"),
            (
                resealed(&good, |s| {
                    s[baseline..baseline + 4].copy_from_slice(&f32::NAN.to_le_bytes())
                }),
                "baseline",
            ),
            (resealed(&good, |s| s[baseline - 1] = 2), "baseline"),
        ];
        let mut victim: Box<S> = Box::new(Search::new(config()).unwrap());
        for (bytes, field) in cases {
            assert_eq!(
                victim.restore(config(), &bytes, fp()),
                Err(CheckpointError::Corrupt(field))
            );
        }
        assert_eq!(victim.completed(), 0, "refused restores changed nothing");
        // The counter at its largest is a finished search, not an impossible one.
        let done = resealed(&good, |s| s[..4].copy_from_slice(&24u32.to_le_bytes()));
        assert!(victim.restore(config(), &done, fp()).is_ok());
    }

    #[test]
    fn a_checkpoint_is_refused_on_other_data() {
        let (v, good) = after_four();
        // One label flipped: same sizes, same configuration, other data.
        let mut other = v.clone();
        other.y[150] ^= 1;
        let given = other.split().fingerprint();
        assert_ne!(given, fp());
        let mut victim: Box<S> = Box::new(Search::new(config()).unwrap());
        let e = victim.restore(config(), &good, given).unwrap_err();
        assert_eq!(e, CheckpointError::OtherData { saved: fp(), given });
        assert_eq!(
            e.to_string(),
            format!(
                "checkpoint of a search on other data (data fingerprint {}, this data's {given})",
                fp()
            )
        );
        assert_eq!(victim.completed(), 0);
        // The same samples split differently are other data too.
        let fewer = crate::Split::new(v.rows().slice(0..199))
            .unwrap()
            .fingerprint();
        assert_ne!(fewer, fp());
    }
}
