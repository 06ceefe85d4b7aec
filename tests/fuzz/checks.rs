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

/// The network `predict` seeds are read for: `[2, ReLU]`, features `a`, `b`, classes `no`,
/// `yes`, standardised, an ensemble of two (the `network` target's first seed).
fn model() -> &'static (piconas::model::NetworkFile, Arch) {
    static MODEL: OnceLock<(piconas::model::NetworkFile, Arch)> = OnceLock::new();
    MODEL.get_or_init(|| {
        piconas::model::NetworkFile::parse("v4.json", include_str!("corpus/network/v4.json"))
            .expect("the seed network parses")
    })
}

/// `predict`'s input (rows for a network): what reads is finite rows of the network's width,
/// labels among its classes, and every row is classified.
pub fn predict(data: &[u8]) -> bool {
    let (file, arch) = model();
    let label = piconas::data::LabelColumn::default();
    let Ok(rows) = piconas::predict::read_rows("fuzz.csv", data, file, &label) else {
        return false;
    };
    let d = file.features.len();
    assert_eq!(rows.x.len() % d, 0);
    assert!(rows.x.iter().all(|v| v.is_finite()));
    let n = rows.x.len() / d;
    if let Some(labels) = &rows.labels {
        assert_eq!(labels.len(), n);
        assert!(labels.iter().all(|&c| usize::from(c) < file.classes.len()));
    }
    let members = file.networks(*arch).expect("a parsed network builds");
    let predicted = piconas::predict::predict(file, &members, &rows.x);
    assert_eq!(predicted.classes.len(), n);
    assert!(
        predicted
            .classes
            .iter()
            .all(|&c| usize::from(c) < file.classes.len())
    );
    true
}

/// `network.json` (any version, with or without its data block; what the Python bridge's
/// `load` and `predict` take): what parses writes itself back to the same file, builds its
/// networks and classifies a row.
pub fn network(data: &[u8]) -> bool {
    use piconas::model::NetworkFile;
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let Ok((file, arch)) = NetworkFile::parse("fuzz.json", text) else {
        return false;
    };
    let json = file.to_json();
    let (again, again_arch) = NetworkFile::parse("again.json", &json).expect("its own JSON parses");
    assert_eq!((again.to_json(), again_arch), (json, arch));
    let members = file.networks(arch).expect("a parsed network builds");
    let x = vec![0.5f32; file.features.len()];
    let predicted = piconas::predict::predict(&file, &members, &x);
    assert_eq!(predicted.classes.len(), 1);
    true
}

/// A table of the space (`piconas enumerate`'s `space.bin`): never a panic; what reads is its
/// header and its whole rows, and writes back as exactly those bytes (a cut last row left
/// out).
pub fn space(data: &[u8]) -> bool {
    use piconas::space_table::{HEADER_BYTES, Table};
    let Ok(table) = Table::decode(data) else {
        return false;
    };
    let whole = HEADER_BYTES + table.rows.len() * table.header.row_bytes();
    assert_eq!(table.encode(), data[..whole]);
    true
}

/// `settings.json` (and the Python bridge's settings JSON): what reads writes itself back to
/// the same run definition (the data file's path aside: it is made absolute when written).
pub fn settings(data: &[u8]) -> bool {
    use piconas::spec::Spec;
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let Ok(mut spec) = Spec::from_json(std::path::Path::new("fuzz.json"), text) else {
        return false;
    };
    spec.data_file = None;
    let again = Spec::from_json(std::path::Path::new("again.json"), &spec.to_json())
        .expect("its own JSON reads");
    assert_eq!(again, spec);
    true
}
