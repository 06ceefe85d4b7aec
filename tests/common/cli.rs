//! Running the `piconas` binary, and the small inputs its end-to-end tests share.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_piconas");

pub fn piconas(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// A search of `rollouts` rollouts with children of at most `epochs` epochs, one retrain.
pub fn small(out: &Path, rollouts: &str, epochs: &str, extra: &[&str]) -> Output {
    let path = out.to_str().unwrap();
    // At most `epochs` epochs even on small data: no step floor.
    let mut args = vec!["--quiet", "--rollouts", rollouts, "--max-epochs", epochs];
    args.extend_from_slice(&["--min-steps", "0"]);
    args.extend_from_slice(&["--retrains", "1", "--out", path]);
    args.extend_from_slice(extra);
    piconas(&args)
}

/// A quick search: 12 rollouts of at most 3 epochs.
pub fn quick(out: &Path, extra: &[&str]) -> Output {
    small(out, "12", "3", extra)
}

/// A search of `rollouts` rollouts with two-epoch children.
pub fn short(out: &Path, rollouts: &str, extra: &[&str]) -> Output {
    small(out, rollouts, "2", extra)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn write_csv(dir: &Path, name: &str, rows: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, rows).unwrap();
    path
}

/// `n` valid rows of a simple separable data set.
pub fn rows(n: usize) -> String {
    (0..n)
        .map(|i| format!("{},{},{}\n", i as f32 * 0.1, -(i as f32) * 0.05, i % 2))
        .collect()
}

/// A version-2 `network.json` of `[2, ReLU]` in `dir`, with `data` as its data block.
pub fn network_file(dir: &Path, data: &str) {
    let weights: Vec<String> = (0..12).map(|i| format!("{}", i as f32 * 0.25)).collect();
    let text = format!(
        r#"{{"format":"piconas-network","version":2,"arch":"[2, ReLU]","weights":[{}],"data":{data},"dev_accuracy":0.5,"test_accuracy":0.25}}"#,
        weights.join(",")
    );
    std::fs::write(dir.join("network.json"), text).unwrap();
}
