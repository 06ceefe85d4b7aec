//! `piconas compare`: does the controller earn its keep? Every strategy (the controller,
//! random search, regularized evolution), several seeds, equal budgets, the same data and
//! child training; a table and a chart of what each found and shipped.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use piconas_core::{Arch, Hidden, SearchConfig, Settings, Split, Strategy, WithHidden};

use piconas::history::History;
use piconas::session::Session;

use crate::args::CompareArgs;
use crate::data::Dataset;
use crate::failure::Failure;
use crate::outcome::{ORIGINAL_TEST_ACC, WINDOW};
use crate::output;
use crate::parallel::default_threads;
use crate::svg::{self, Reference, Series};

/// What one search found.
struct RunResult {
    strategy: Strategy,
    seed: u64,
    history: History,
    winner: Arch,
    test: f32,
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

/// Runs every search, then writes compare.csv, compare.md and compare.svg and prints the
/// table.
pub fn main(args: &CompareArgs) -> Result<(), Failure> {
    let settings = args.table.apply(Settings::DEFAULT);
    settings.validate()?;
    let data = Dataset::generate(settings.data)?;
    let split = data.split()?;
    let base = data.configure(settings.search);
    let jobs: Vec<SearchConfig> = Strategy::ALL
        .into_iter()
        .flat_map(|strategy| {
            (0..u64::from(args.seeds)).map(move |seed| SearchConfig {
                seed,
                strategy,
                ..base
            })
        })
        .collect();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| crate::run::default_dir_for("compare"));
    let claim = output::claim_new(&out, None)?;
    let threads = args.threads.map_or_else(default_threads, usize::from);
    let results = run_all(&jobs, settings.hidden, (&data, &split), threads, args.quiet)?;
    output::write_atomic(&out.join("compare.csv"), csv(&results).as_bytes())?;
    let table = table(&results, args.seeds, settings.search.rollouts);
    let bayes = piconas_core::bayes::accuracy(&settings.data, &split.test);
    let chart = chart(&results, settings.data.dataset, args.seeds, bayes);
    output::write_atomic(&out.join("compare.svg"), chart.as_bytes())?;
    output::write_atomic(&out.join("compare.md"), table.as_bytes())?;
    claim.release();
    output::to_stdout(&format!("{table}output: {}\n", out.display()), "the table")?;
    Ok(())
}

/// One search, at the controller size the settings chose.
struct OneSearch<'a> {
    config: SearchConfig,
    data: &'a Dataset,
    split: &'a Split<'a>,
}

impl WithHidden for OneSearch<'_> {
    type Output = Result<RunResult, Failure>;

    fn call<const H: usize>(self) -> Result<RunResult, Failure> {
        // Validated with the settings (each job changes only the seed and the strategy), so
        // a refusal is a bug of piconas, reported as one.
        let mut session = Session::<H>::start(self.config).map_err(|e| {
            Failure::bug(format!(
                "compare: the validated settings were refused for {} seed {}: {e}",
                self.config.strategy.name(),
                self.config.seed
            ))
        })?;
        while session.step(self.split).is_some() {}
        // What a plain run ships: the winner's ensemble, on the test split (one thread: the
        // other searches have the others).
        let finished = session.finish(self.data, self.split, 1, &|| {});
        Ok(RunResult {
            strategy: self.config.strategy,
            seed: self.config.seed,
            history: session.into_history(),
            winner: finished.winner.arch(),
            test: finished.metrics.accuracy(),
        })
    }
}

/// Runs `jobs`, one search per thread at a time (each is single-threaded and deterministic,
/// so the results never depend on `threads`), sorted by strategy and seed.
fn run_all(
    jobs: &[SearchConfig],
    hidden: Hidden,
    (data, split): (&Dataset, &Split<'_>),
    threads: usize,
    quiet: bool,
) -> Result<Vec<RunResult>, Failure> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    // The first failure: a search refused, or a progress line a full or closed stderr lost
    // (exit 1). The comparison fails with it, after the searches under way.
    let failed = Mutex::new(None);
    let fail = |e: Failure| {
        if let Ok(mut failed) = failed.lock() {
            failed.get_or_insert(e);
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, jobs.len().max(1)) {
            scope.spawn(|| {
                while let Some(&config) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let r = match hidden.dispatch(OneSearch {
                        config,
                        data,
                        split,
                    }) {
                        Ok(r) => r,
                        Err(e) => {
                            fail(e);
                            continue;
                        }
                    };
                    let line = format!(
                        "{:>9} seed {}: winner {} test {:.1} %\n",
                        r.strategy.name(),
                        r.seed,
                        r.winner,
                        100.0 * r.test
                    );
                    if !quiet && let Err(e) = output::to_stderr(&line) {
                        fail(e);
                    }
                    if let Ok(mut all) = results.lock() {
                        all.push(r);
                    }
                }
            });
        }
    });
    let mut results = results
        .into_inner()
        .map_err(|_| Failure::bug("a search thread panicked"))?;
    if let Some(failure) = failed.into_inner().ok().flatten() {
        return Err(failure);
    }
    if results.len() != jobs.len() {
        return Err(Failure::bug("a search thread stopped early"));
    }
    results.sort_by_key(|r| (r.strategy.name(), r.seed));
    Ok(results)
}

/// Mean reward of the last [`WINDOW`] rollouts.
fn last_window(r: &RunResult) -> f32 {
    r.history.last_mean(WINDOW)
}

fn best(r: &RunResult) -> f32 {
    r.history.best().map_or(0.0, |(reward, _)| reward)
}

/// compare.csv: one row per search.
fn csv(results: &[RunResult]) -> String {
    let mut csv = format!(
        "strategy,seed,winner,test_acc,mean_reward_last_{WINDOW},best_reward,distinct_archs\n"
    );
    for r in results {
        let _ = writeln!(
            csv,
            "{},{},\"{}\",{},{},{},{}",
            r.strategy.name(),
            r.seed,
            r.winner,
            r.test,
            last_window(r),
            best(r),
            r.history.distinct()
        );
    }
    csv
}

/// compare.md: one row per strategy, means ± sample standard deviations over the seeds.
fn table(results: &[RunResult], seeds: u32, rollouts: u32) -> String {
    let pct = |v: f32| format!("{:.1}", 100.0 * v);
    let mut table = format!(
        "| strategy | test accuracy of the winner, % (mean ± sd over {seeds} seeds) | mean reward of the last {WINDOW} rollouts, % | best reward found, % | distinct architectures evaluated |\n|---|---|---|---|---|\n"
    );
    for strategy in Strategy::ALL {
        let runs: Vec<&RunResult> = results.iter().filter(|r| r.strategy == strategy).collect();
        let of = |f: fn(&RunResult) -> f32| mean_sd(&runs.iter().map(|r| f(r)).collect::<Vec<_>>());
        let ((tm, ts), (lm, ls), (bm, _), (dm, _)) = (
            of(|r| r.test),
            of(last_window),
            of(best),
            of(|r| r.history.distinct() as f32),
        );
        let _ = writeln!(
            table,
            "| {} | {} ± {} | {} ± {} | {} | {dm:.0} of {rollouts} |",
            strategy.name(),
            pct(tm),
            pct(ts),
            pct(lm),
            pct(ls),
            pct(bm),
        );
    }
    table
}

/// compare.svg: per strategy, the mean over seeds of the reward's moving average and of the
/// best reward so far.
fn chart(results: &[RunResult], dataset: piconas_core::Dataset, seeds: u32, bayes: f32) -> String {
    // Per strategy: the mean curve, the best-so-far curve, and their labels.
    type Curves = (Strategy, Vec<f32>, Vec<f32>, [String; 2]);
    let curves: Vec<Curves> = Strategy::ALL
        .into_iter()
        .map(|strategy| {
            let runs: Vec<&RunResult> = results.iter().filter(|r| r.strategy == strategy).collect();
            let n = strategy.name();
            (
                strategy,
                svg::moving_average(&mean_curve(&runs, |r| r.history.rewards().to_vec()), WINDOW),
                mean_curve(&runs, |r| running_max(r.history.rewards())),
                [
                    format!("{n}: mean reward (moving average of {WINDOW})"),
                    format!("{n}: best reward found so far"),
                ],
            )
        })
        .collect();
    let lines: Vec<Series<'_>> = curves
        .iter()
        .flat_map(|(strategy, mean, best, [l1, l2])| {
            let colour = match strategy {
                Strategy::Reinforce => "#d0021b",
                Strategy::Random => "#4a90d9",
                Strategy::Evolution => "#f5a623",
            };
            [(l1, false, mean), (l2, true, best)].map(|(label, dashed, values)| Series {
                label,
                colour,
                dashed,
                values,
            })
        })
        .collect();
    let mut references = vec![Reference {
        value: bayes,
        label: format!("Bayes ceiling (test split) {:.1} %", 100.0 * bayes),
        colour: "#2e7d32",
    }];
    if dataset == piconas_core::Dataset::Moons {
        references.push(Reference {
            value: ORIGINAL_TEST_ACC,
            label: format!(
                "original's test accuracy {:.0} %",
                100.0 * ORIGINAL_TEST_ACC
            ),
            colour: "#777",
        });
    }
    svg::lines_chart(
        &format!("Search strategies on {dataset}, mean over {seeds} seeds"),
        &lines,
        &references,
    )
}
