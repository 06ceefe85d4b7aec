//! `piconas regret`: strategies against a table of the whole space. The table here is made up
//! (training all 451,018 architectures is a benchmark, not a test): more units, more reward.

mod common;

use std::path::Path;

use common::cli::{piconas, stderr};
use piconas::data::{CsvOptions, Dataset};
use piconas::space_table::{Header, Row, Shard, Table};
use piconas::spec::Spec;
use piconas_core::{Outcome, Settings};

/// A run directory holding a made-up table of the whole space on the default moons.
fn made_up(dir: &Path, complete: bool) {
    let settings = Settings::DEFAULT;
    let data = Dataset::generate(settings.data).unwrap();
    let spec = Spec {
        settings,
        data_file: None,
        csv: CsvOptions::default(),
        cache: false,
        data_fingerprint: Some(data.fingerprint),
    };
    let header = Header {
        seeds: 2,
        max_tokens: piconas_core::MAX_TOKENS as u32,
        shard: Shard::WHOLE,
        settings: 0,
        data: data.fingerprint,
    };
    let mut rows: Vec<Row> = header
        .archs()
        .map(|a| {
            let units: usize = a.tokens().iter().filter_map(|t| t.width()).sum();
            let reward = 0.5 + 0.45 * units as f32 / 96.0;
            let o = |r: f32| Outcome {
                reward: r,
                epochs: 3,
                best_epoch: 2,
                diverged: false,
            };
            Row {
                number: a.number(),
                outcomes: vec![o(reward), o(reward + 0.01)],
            }
        })
        .collect();
    if !complete {
        rows.truncate(1000);
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("settings.json"), spec.to_json()).unwrap();
    std::fs::write(dir.join("space.bin"), Table { header, rows }.encode()).unwrap();
}

#[test]
fn strategies_against_a_table_give_their_regret_the_same_on_any_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let table = tmp.path().join("table");
    made_up(&table, true);
    let run = |out: &str, threads: &str| {
        let out = tmp.path().join(out);
        let o = piconas(&[
            "regret",
            "--table",
            table.to_str().unwrap(),
            "--strategy",
            "reinforce,random,evolution",
            "--seeds",
            "4",
            "--rollouts",
            "150",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        (out, String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let (one, text) = run("one", "1");
    let (two, _) = run("two", "2");
    for file in ["regret.csv", "regret-seeds.csv", "regret.svg"] {
        let read = |d: &Path| std::fs::read(d.join(file)).unwrap();
        assert_eq!(read(&one), read(&two), "{file}");
    }
    assert!(text.starts_with("table best mean reward 95.50 %"), "{text}");
    for name in ["reinforce", "random", "evolution"] {
        assert!(text.contains(&format!("\n{name} ")), "{text}");
    }
    let curves = std::fs::read_to_string(one.join("regret.csv")).unwrap();
    assert_eq!(curves.lines().count(), 1 + 3 * 150);
    let seeds = std::fs::read_to_string(one.join("regret-seeds.csv")).unwrap();
    assert_eq!(seeds.lines().count(), 1 + 3 * 4);
    // Regret is never negative, and a quartile never crosses the median.
    for line in curves.lines().skip(1) {
        let v: Vec<f32> = line
            .split(',')
            .skip(2)
            .map(|x| x.parse().unwrap())
            .collect();
        assert!(v[0] >= 0.0 && v[0] <= v[1] && v[1] <= v[2], "{line}");
    }
}

#[test]
fn only_a_complete_table_of_the_whole_space_is_run_against() {
    let tmp = tempfile::tempdir().unwrap();
    let table = tmp.path().join("partial");
    made_up(&table, false);
    let out = tmp.path().join("out");
    let o = piconas(&[
        "regret",
        "--table",
        table.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not a complete table of the whole space"),
        "{}",
        stderr(&o)
    );
    let o = piconas(&[
        "regret",
        "--table",
        table.to_str().unwrap(),
        "--strategy",
        "grid",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
