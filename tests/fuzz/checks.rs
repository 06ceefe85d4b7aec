// The fuzz targets' checks, shared with the regression test (tests/fuzz_regressions.rs), which
// replays every seed (tests/fuzz/corpus/) and saved crash input through them. Each panics only
// on a real bug, and returns whether the input was accepted, so that the replay can make sure
// the seeds reach the checks beyond the error paths.
#![allow(dead_code)]

use std::sync::OnceLock;

use piconas_core::checkpoint::crc32;
use piconas_core::config::{DataConfig, MAX_SAMPLES, MIN_SAMPLES};
use piconas_core::{Arch, MAX_CLASSES, MAX_INPUTS, Rows, Search, SearchConfig, Split, datasets};

/// Controller indices or text: what decodes or parses round-trips.
pub fn tokens(data: &[u8]) -> bool {
    let mut accepted = false;
    if let Ok(arch) = Arch::decode(data) {
        assert_eq!(Arch::decode(&arch.encode()), Ok(arch));
        assert_eq!(arch.to_string().parse::<Arch>(), Ok(arch));
        accepted = true;
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(arch) = text.parse::<Arch>()
    {
        assert_eq!(arch.to_string().parse::<Arch>(), Ok(arch));
        accepted = true;
    }
    accepted
}

/// CSV bytes: what loads is within the documented limits and splits.
pub fn csv(data: &[u8]) -> bool {
    let label = piconas::data::LabelColumn::default();
    let Ok(table) = piconas::data::parse_csv("fuzz.csv", data, &label) else {
        return false;
    };
    let (d, k) = (table.features.len(), table.classes.len());
    assert!((1..=MAX_INPUTS).contains(&d) && (2..=MAX_CLASSES).contains(&k));
    assert_eq!((table.shape.inputs(), table.shape.classes()), (d, k));
    assert!((MIN_SAMPLES..=MAX_SAMPLES).contains(&table.labels.len()));
    // Every class occurs, in class order of first appearance's sort; the core accepts the rows.
    assert!((0..k as u8).all(|c| table.labels.contains(&c)));
    let rows = Rows::new(&table.x, &table.labels, table.shape).expect("the core takes the rows");
    assert!(Split::new(rows).is_ok());
    true
}

type Small = Search<8, 2>;

fn config() -> SearchConfig {
    let mut c = SearchConfig {
        rollouts: 6,
        retrains: 1,
        ..SearchConfig::default()
    };
    c.child.max_epochs = 2;
    c.controller.rollouts_per_update = 2;
    c
}

/// A real checkpoint of a small search, after 4 rollouts (the seed
/// tests/fuzz/corpus/checkpoint/valid.bin).
/// The data fingerprint the fuzzed checkpoints carry.
const DATA: piconas_core::Fingerprint = piconas_core::Fingerprint(0x5eed);

pub fn valid() -> &'static [u8] {
    static VALID: OnceLock<Vec<u8>> = OnceLock::new();
    VALID.get_or_init(|| {
        let (mut x, mut y) = (vec![0.0; 200], vec![0; 100]);
        let m = DataConfig {
            samples: 100,
            ..DataConfig::default()
        };
        let split = Split::new(datasets::generate_config(&m, &mut x, &mut y).unwrap()).unwrap();
        let mut s: Box<Small> = Box::new(Search::new(config()).unwrap());
        for _ in 0..4 {
            s.step(&split);
        }
        let mut bytes = vec![0u8; Small::checkpoint_len()];
        s.save(&mut bytes, DATA).unwrap();
        bytes
    })
}

/// Checkpoint bytes: taken as a whole checkpoint, then as the state part of a real one.
pub fn checkpoint(data: &[u8]) -> bool {
    let image = |s: &Small| {
        let mut out = vec![0u8; Small::checkpoint_len()];
        s.save(&mut out, DATA).map(|_| out)
    };
    // Raw bytes: a checkpoint that restores saves an image that restores to itself.
    let mut search: Box<Small> = Box::new(Search::idle());
    if search.restore(config(), data, DATA).is_ok() {
        let saved = image(&search).expect("a restored search saves");
        let mut again: Box<Small> = Box::new(Search::idle());
        again
            .restore(config(), &saved, DATA)
            .expect("its own image restores");
        assert!(image(&again).ok() == Some(saved));
        return true;
    }
    // The fuzz input as the state part of a real checkpoint, checksum recomputed: the decoder
    // must either accept it or refuse it without changing the search.
    let mut bytes = valid().to_vec();
    let state = piconas_core::checkpoint::STATE_START; // header and configuration stay valid
    let end = bytes.len() - 4;
    for (b, d) in bytes[state..end].iter_mut().zip(data) {
        *b = *d;
    }
    let crc = crc32(&bytes[..end]);
    bytes[end..].copy_from_slice(&crc.to_le_bytes());
    let mut target: Box<Small> = Box::new(Search::new(config()).unwrap());
    let before = image(&target);
    if target.restore(config(), &bytes, DATA).is_err() {
        assert!(
            image(&target) == before,
            "a refused checkpoint changed the search"
        );
        return false;
    }
    true
}
