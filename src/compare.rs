//! `piconas compare`: does the controller earn its keep? Both strategies, several seeds, equal
//! budgets, the same data and child training; a table and a chart of what each found.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use piconas_core::{Arch, DataConfig, Search, SearchConfig, Split, Strategy};

use crate::cli::CompareArgs;
use crate::data::Dataset;
use crate::failure::Failure;
use crate::outcome::WINDOW;
use crate::output;
use crate::run::{default_threads, invalid};
use crate::svg::{self, Reference, Series};

/// What one search found.
struct RunResult {
    strategy: Strategy,
    seed: u64,
    rewards: Vec<f32>,
    distinct: usize,
    winner: Arch,
    test: f32,
}

fn name(s: Strategy) -> &'static str {
    match s {
        Strategy::Reinforce => "reinforce",
        Strategy::Random => "random",
    }
}

/// Mean and sample standard deviation.
fn mean_sd(values: &[f32]) -> (f32, f32) {
    let n = values.len().max(1) as f32;
    let mean = values.iter().sum::<f32>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / (n - 1.0).max(1.0);
    (mean, var.sqrt())
}

/// Per rollout, the mean over runs of `f(run)`.
fn mean_curve(runs: &[&RunResult], f: impl Fn(&RunResult) -> Vec<f32>) -> Vec<f32> {
    let curves: Vec<Vec<f32>> = runs.iter().map(|r| f(r)).collect();
    let n = curves.iter().map(Vec::len).min().unwrap_or(0);
    (0..n)
        .map(|i| curves.iter().map(|c| c[i]).sum::<f32>() / curves.len() as f32)
        .collect()
}

fn running_max(values: &[f32]) -> Vec<f32> {
    let mut best = f32::NEG_INFINITY;
    values
        .iter()
        .map(|&v| {
            best = best.max(v);
            best
        })
        .collect()
}

pub fn main(args: &CompareArgs) -> Result<(), Failure> {
    let data_config = DataConfig {
        dataset: args.dataset.core(),
        ..DataConfig::default()
    };
    let data = Dataset::generate(data_config)?;
    let split = Split::new(&data.samples).map_err(|e| Failure::Input(e.to_string()))?;
    let mut jobs = Vec::new();
    for strategy in [Strategy::Reinforce, Strategy::Random] {
        for seed in 0..u64::from(args.seeds) {
            let config = SearchConfig {
                rollouts: args.rollouts,
                seed,
                strategy,
                ..SearchConfig::default()
            };
            config.validate().map_err(invalid)?;
            jobs.push(config);
        }
    }
    let out = args.out.clone().unwrap_or_else(|| {
        let mut dir = output::default_dir();
        dir.set_file_name(format!(
            "compare-{}",
            dir.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        ));
        dir
    });
    output::create_dir(&out)?;

    // One search per thread at a time; each is single-threaded and deterministic.
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    let threads = args
        .threads
        .map_or_else(default_threads, usize::from)
        .min(jobs.len());
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&config) = jobs.get(i) else { break };
                    let mut search: Box<Search<64>> = Box::new(Search::idle());
                    if search.start(config).is_err() {
                        break; // validated above
                    }
                    let mut rewards = Vec::with_capacity(config.rollouts as usize);
                    let mut distinct = HashSet::new();
                    while let Some(r) = search.step(&split) {
                        rewards.push(r.reward);
                        distinct.insert(r.arch);
                    }
                    let report = search.finish(&split);
                    if !args.quiet {
                        eprintln!(
                            "{:>9} seed {}: winner {} test {:.1} %",
                            name(config.strategy),
                            config.seed,
                            report.winner,
                            100.0 * report.test_mean
                        );
                    }
                    if let Ok(mut all) = results.lock() {
                        all.push(RunResult {
                            strategy: config.strategy,
                            seed: config.seed,
                            rewards,
                            distinct: distinct.len(),
                            winner: report.winner,
                            test: report.test_mean,
                        });
                    }
                }
            });
        }
    });
    let mut results = results
        .into_inner()
        .map_err(|_| Failure::Io("a search thread failed".into()))?;
    if results.len() != jobs.len() {
        return Err(Failure::Io("a search thread failed".into()));
    }
    results.sort_by_key(|r| (name(r.strategy), r.seed));

    let mut csv = String::from(
        "strategy,seed,winner,test_acc,mean_reward_last_100,best_reward,distinct_archs\n",
    );
    for r in &results {
        let last = &r.rewards[r.rewards.len().saturating_sub(WINDOW)..];
        let _ = writeln!(
            csv,
            "{},{},\"{}\",{},{},{},{}",
            name(r.strategy),
            r.seed,
            r.winner,
            r.test,
            mean_sd(last).0,
            r.rewards.iter().copied().fold(0.0, f32::max),
            r.distinct
        );
    }
    output::write_atomic(&out.join("compare.csv"), csv.as_bytes())?;

    let pct = |v: f32| format!("{:.1}", 100.0 * v);
    let mut table = format!(
        "| strategy | test accuracy of the winner, % (mean ± sd over {} seeds) | mean reward of the last 100 rollouts, % | best reward found, % | distinct architectures evaluated |\n|---|---|---|---|---|\n",
        args.seeds
    );
    let mut series = Vec::new();
    let mut curves = Vec::new();
    for strategy in [Strategy::Reinforce, Strategy::Random] {
        let runs: Vec<&RunResult> = results.iter().filter(|r| r.strategy == strategy).collect();
        let tests: Vec<f32> = runs.iter().map(|r| r.test).collect();
        let lasts: Vec<f32> = runs
            .iter()
            .map(|r| mean_sd(&r.rewards[r.rewards.len().saturating_sub(WINDOW)..]).0)
            .collect();
        let bests: Vec<f32> = runs
            .iter()
            .map(|r| r.rewards.iter().copied().fold(0.0, f32::max))
            .collect();
        let distinct: Vec<f32> = runs.iter().map(|r| r.distinct as f32).collect();
        let ((tm, ts), (lm, ls), (bm, _), (dm, _)) = (
            mean_sd(&tests),
            mean_sd(&lasts),
            mean_sd(&bests),
            mean_sd(&distinct),
        );
        let _ = writeln!(
            table,
            "| {} | {} ± {} | {} ± {} | {} | {:.0} of {} |",
            name(strategy),
            pct(tm),
            pct(ts),
            pct(lm),
            pct(ls),
            pct(bm),
            dm,
            args.rollouts
        );
        curves.push((
            strategy,
            svg::moving_average(&mean_curve(&runs, |r| r.rewards.clone()), WINDOW),
            mean_curve(&runs, |r| running_max(&r.rewards)),
        ));
    }
    for (strategy, mean, best) in &curves {
        let colour = if *strategy == Strategy::Reinforce {
            "#d0021b"
        } else {
            "#4a90d9"
        };
        series.push((name(*strategy), colour, mean, best));
    }
    let labels: Vec<(String, String)> = series
        .iter()
        .map(|(n, _, _, _)| {
            (
                format!("{n}: mean reward (moving average of 100)"),
                format!("{n}: best reward found so far"),
            )
        })
        .collect();
    let lines: Vec<Series<'_>> = series
        .iter()
        .zip(&labels)
        .flat_map(|((_, colour, mean, best), (l1, l2))| {
            [
                Series {
                    label: l1,
                    colour,
                    dashed: false,
                    values: mean,
                },
                Series {
                    label: l2,
                    colour,
                    dashed: true,
                    values: best,
                },
            ]
        })
        .collect();
    let bayes = piconas_core::bayes::accuracy(&data_config, split.test);
    let mut references = vec![Reference {
        value: bayes,
        label: format!("Bayes ceiling (test split) {:.1} %", 100.0 * bayes),
        colour: "#2e7d32",
    }];
    if data_config.dataset == piconas_core::Dataset::Moons {
        references.push(Reference {
            value: crate::outcome::ORIGINAL_TEST_ACC,
            label: "original's test accuracy 91 %".into(),
            colour: "#777",
        });
    }
    let chart = svg::lines_chart(
        &format!(
            "Controller vs random search on {}, mean over {} seeds",
            data_config.dataset, args.seeds
        ),
        &lines,
        &references,
    );
    output::write_atomic(&out.join("compare.svg"), chart.as_bytes())?;
    output::write_atomic(&out.join("compare.md"), table.as_bytes())?;
    print!("{table}");
    println!("output: {}", out.display());
    Ok(())
}
