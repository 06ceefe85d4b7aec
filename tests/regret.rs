//! `piconas regret`: strategies against a table of the whole space. The whole-space table here
//! is made up (training all 451,018 architectures is a benchmark, not a test): more units, more
//! reward. A real table of the sequences of up to three tokens is checked against each
//! sequence trained alone.

mod common;

use std::path::Path;

use common::cli::{piconas, stderr};
use piconas::data::{CsvOptions, Dataset};
use piconas::regret::{Lookup, quantile, run};
use piconas::space_table::{Header, Row, Shard, Table};
use piconas::spec::Spec;
use piconas_core::rng::{self, Stream};
use piconas_core::{Arch, Outcome, SearchConfig, Settings, Strategy};

/// A whole-space table whose rewards are made up: more units, more reward, and its two child
/// seeds 0.01 apart.
fn made_up_table() -> Table {
    made_up_table_to(piconas_core::MAX_TOKENS as u32)
}

/// [`made_up_table`] of the sequences of at most `max_tokens` tokens.
fn made_up_table_to(max_tokens: u32) -> Table {
    let header = Header {
        seeds: 2,
        max_tokens,
        shard: Shard::WHOLE,
        settings: 0,
        data: Dataset::generate(Settings::DEFAULT.data)
            .unwrap()
            .fingerprint,
    };
    let rows = header
        .archs()
        .map(|a| {
            let units: usize = a.tokens().iter().filter_map(|t| t.width()).sum();
            let reward = 0.5 + 0.45 * units as f32 / 96.0;
            let o = |r: f32| Outcome {
                reward: r,
                epochs: 3,
                best_epoch: 2,
                diverged: false,
                climb: piconas_core::Climb::NONE,
            };
            Row {
                number: a.number(),
                outcomes: vec![o(reward), o(reward + 0.01)],
            }
        })
        .collect();
    Table { header, rows }
}

/// A run directory holding the made-up table on the default moons (`complete`, or its first
/// 1000 rows).
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
    let mut table = made_up_table();
    if !complete {
        table.rows.truncate(1000);
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("settings.json"), spec.to_json()).unwrap();
    std::fs::write(dir.join("space.bin"), table.encode()).unwrap();
}

fn config(strategy: Strategy, seed: u64) -> SearchConfig {
    SearchConfig {
        rollouts: 300,
        strategy,
        seed,
        ..SearchConfig::DEFAULT
    }
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
        stderr(&o).contains("not a complete table"),
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

#[test]
fn a_search_against_the_table_is_deterministic_and_ends_at_its_incumbent() {
    let lookup = Lookup::new(made_up_table()).unwrap();
    assert!((lookup.best() - 0.955).abs() < 1e-6);
    // Six 16-unit layers: the most units, the first of the best.
    assert_eq!(lookup.best_arch(), Arch::LARGEST);
    assert_eq!(lookup.len(), 451_018);
    assert_eq!(lookup.rank(lookup.best()), 1);
    assert_eq!(lookup.rank(2.0), 1);
    assert!(lookup.rank(0.0) > 1000);
    assert!(lookup.top_percent() <= lookup.best());
    for strategy in Strategy::ALL {
        let a = run(config(strategy, 3), piconas_core::Hidden::DEFAULT, &lookup).unwrap();
        let b = run(config(strategy, 3), piconas_core::Hidden::DEFAULT, &lookup).unwrap();
        assert_eq!(a.quality, b.quality);
        assert_eq!(a.quality.len(), 300);
        assert_eq!(*a.quality.last().unwrap(), lookup.mean(&a.incumbent));
        let c = run(config(strategy, 4), piconas_core::Hidden::DEFAULT, &lookup).unwrap();
        assert_ne!(
            a.quality, c.quality,
            "{strategy:?}: another seed, another search"
        );
    }
}

#[test]
fn a_budgeted_search_against_a_table_ends_within_its_budget() {
    // More units, more reward: free, every strategy ends far over 3 KB of flash on the Uno;
    // under that budget the lookups over it score 0 (Search::report), so none ends there.
    let lookup = Lookup::new(made_up_table()).unwrap();
    let budget = piconas_core::target::Budget {
        target: piconas_core::target::Target::Atmega328p,
        max_flash: 3000,
        ..piconas_core::target::Budget::NONE
    };
    for strategy in Strategy::ALL {
        let free = config(strategy, 5);
        let budgeted = SearchConfig { budget, ..free };
        let a = run(free, piconas_core::Hidden::DEFAULT, &lookup).unwrap();
        assert!(
            !budgeted.fits(&a.incumbent),
            "{strategy:?}: {} fits",
            a.incumbent
        );
        let b = run(budgeted, piconas_core::Hidden::DEFAULT, &lookup).unwrap();
        assert!(
            budgeted.fits(&b.incumbent),
            "{strategy:?}: {} is over",
            b.incumbent
        );
    }
}

#[test]
fn the_outcome_is_a_seed_of_the_row_drawn_by_the_childs_stream() {
    let table = made_up_table();
    let lookup = Lookup::new(table.clone()).unwrap();
    let arch: Arch = "[16, ReLU, ReLU]".parse().unwrap();
    let merged: Arch = "[16, ReLU]".parse().unwrap();
    let (mut low, mut high) = (0, 0);
    for index in 0..200 {
        let o = lookup.outcome(&arch, 9, index).unwrap();
        assert_eq!(Some(o), lookup.outcome(&merged, 9, index));
        let mut s = rng::stream(9, Stream::Child, u64::from(index));
        let j = rng::below(&mut s, 2) as usize;
        let row = &table
            .rows
            .iter()
            .find(|r| r.number == merged.number())
            .unwrap();
        assert_eq!(o, row.outcomes[j]);
        if j == 0 { low += 1 } else { high += 1 }
    }
    assert!(low > 50 && high > 50, "{low} {high}");
    assert!((lookup.mean(&arch) - (0.5 + 0.45 / 6.0 + 0.005)).abs() < 1e-6);
}

#[test]
fn only_a_complete_table_of_the_whole_space_answers() {
    let mut t = made_up_table();
    t.rows.pop();
    let refused = Lookup::new(t).err().unwrap();
    assert!(refused.contains("not a complete table"), "{refused}");
    // A smaller space's table ranks what it holds (the page's view), but a search may propose
    // what it does not hold.
    let small = made_up_table_to(2);
    let refused = Lookup::new(small.clone()).err().unwrap();
    assert!(refused.contains("at most 2 tokens"), "{refused}");
    let lookup = Lookup::complete(small).unwrap();
    assert_eq!(lookup.len(), 86);
    assert_eq!(lookup.best_arch().to_string(), "[16, 16]");
    assert!(lookup.holds(&"[ReLU, ReLU]".parse().unwrap()));
    assert!(!lookup.holds(&"[4, 4, 4]".parse().unwrap()));
    let mut shard = made_up_table_to(2);
    shard.header.shard = Shard { index: 0, count: 2 };
    assert!(Lookup::complete(shard).is_err());
}

#[test]
fn a_real_table_is_each_sequence_trained_alone_and_a_lookup_is_one_of_its_seeds() {
    // Every sequence of up to three tokens (820, merged into 733 rows), two child seeds, made
    // on two threads at the CPU's kernel; each sequence trained alone with the plain trainer,
    // as rollout number of its canonical member of a search of seed + j, gives the row's
    // outcome j bit for bit (so the merge rules hold in real training too).
    let data = Dataset::generate(Settings::DEFAULT.data).unwrap();
    let split = data.split().unwrap();
    let mut config = SearchConfig {
        reward_folds: 1,
        seed: 4,
        shape: data.shape,
        ..SearchConfig::DEFAULT
    };
    config.child.max_epochs = 3;
    config.child.min_steps = 0;
    let header = Header {
        seeds: 2,
        max_tokens: 3,
        shard: Shard::WHOLE,
        settings: 0,
        data: data.fingerprint,
    };
    let mut rows = Vec::new();
    piconas::space_table::train_all(&config, &split, &header, 0, 2, |r| {
        rows.push(r);
        Ok(())
    })
    .unwrap();
    let table = Table { header, rows };
    assert_eq!(table.rows.len(), 733);
    let lookup = Lookup::complete(table.clone()).unwrap();
    let mut trainer: Box<piconas_core::Trainer> = Box::default();
    let mut sequences = 0;
    for n in 0..piconas_core::arch::ARCH_COUNT {
        let arch = Arch::nth(n);
        if arch.len() > 3 {
            break;
        }
        sequences += 1;
        let number = piconas_core::space::canonical(&arch).number();
        let row = table.rows.iter().find(|r| r.number == number).unwrap();
        for j in 0..2u32 {
            let mut rng = rng::stream(config.seed + u64::from(j), Stream::Child, u64::from(number));
            let alone = trainer.train(&arch, &config.child, &split, &mut rng);
            assert_eq!(row.outcomes[j as usize], alone, "{arch}, child seed {j}");
        }
        // A search's lookup of it is one of those outcomes, drawn by its child stream.
        let index = n % 97;
        let mut draw = rng::stream(config.seed, Stream::Child, u64::from(index));
        let j = rng::below(&mut draw, 2) as usize;
        assert_eq!(
            lookup.outcome(&arch, config.seed, index),
            Some(row.outcomes[j])
        );
    }
    assert_eq!(sequences, 820);
}

#[test]
fn quantiles_interpolate() {
    let mut v = [4.0, 1.0, 3.0, 2.0];
    assert_eq!(quantile(&mut v, 0.5), 2.5);
    assert_eq!(quantile(&mut v, 0.0), 1.0);
    assert_eq!(quantile(&mut v, 1.0), 4.0);
    assert_eq!(quantile(&mut v, 0.25), 1.75);
    assert!(quantile(&mut [], 0.5).is_nan());
}
