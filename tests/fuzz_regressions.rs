//! The fuzz targets' seeds (tests/fuzz/corpus/<target>/, which CI's fuzzing starts from) and
//! every input a fuzz target ever crashed on (tests/fuzz/regressions/<target>/) go through
//! that target's checks again: a fixed bug stays fixed, and the seeds reach past the error
//! paths.

use std::path::{Path, PathBuf};

#[path = "fuzz/checks.rs"]
mod checks;

/// The files of `tests/fuzz/<kind>/<target>/` (but their README), sorted.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz")
        .join(kind)
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_none_or(|e| e != "md"))
        .collect();
    files.sort();
    files
}

/// Runs every seed and saved crash of `target` through `check`; returns (seeds, accepted seeds).
fn replay(target: &str, check: fn(&[u8]) -> bool) -> (usize, usize) {
    for path in inputs("regressions", target) {
        check(&std::fs::read(&path).unwrap());
    }
    let seeds = inputs("corpus", target);
    let accepted = seeds
        .iter()
        .filter(|path| check(&std::fs::read(path).unwrap()))
        .count();
    (seeds.len(), accepted)
}

#[test]
fn seeds_and_saved_crashes_pass_their_checks() {
    for (target, check) in [
        ("tokens", checks::tokens as fn(&[u8]) -> bool),
        ("csv", checks::csv),
        ("checkpoint", checks::checkpoint),
        ("predict", checks::predict),
        ("network", checks::network),
        ("settings", checks::settings),
        ("space", checks::space),
    ] {
        let (seeds, accepted) = replay(target, check);
        assert!(seeds >= 2, "{target}: {seeds} seeds");
        assert!(
            accepted >= 1 && accepted < seeds,
            "{target}: {accepted} of {seeds} seeds accepted; the seeds must reach both outcomes"
        );
    }
}

#[test]
fn the_checkpoint_seed_is_a_checkpoint_of_this_build() {
    // A format change makes the seed stale; PICONAS_BLESS=1 writes the current one.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/corpus/checkpoint/valid.bin");
    if std::env::var_os("PICONAS_BLESS").is_some() {
        std::fs::write(&path, checks::valid()).unwrap();
    }
    assert!(
        std::fs::read(&path).unwrap() == checks::valid(),
        "{} is stale: rerun with PICONAS_BLESS=1",
        path.display()
    );
}
