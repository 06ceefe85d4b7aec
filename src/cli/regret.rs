//! `piconas regret`: search strategies run against a table of the whole space
//! (`piconas::regret`), many seeds each; per strategy the regret against rollouts (median and
//! quartiles), the incumbent's rank, and how many rollouts it takes to reach the top 1 %.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use piconas::failure::Failure;
use piconas::output;
use piconas::regret::{Lookup, Trace, quantile, run};
use piconas::run_files::SETTINGS;
use piconas::spec::Spec;
use piconas::svg::{self, RegretCurve};
use piconas_core::settings::Preset;
use piconas_core::{SearchConfig, Settings, Strategy};

use crate::args::{RegretArgs, STRATEGIES};

/// A strategy as `--strategy` names it: the core's, with the settings it runs under.
struct Contender {
    name: &'static str,
    colour: &'static str,
    settings: Settings,
}

fn contender(name: &str, base: Settings, rollouts: Option<u32>) -> Option<Contender> {
    let (strategy, preset, colour) = match name {
        "reinforce" => (Strategy::Reinforce, None, "#d0021b"),
        "original" => (Strategy::Reinforce, Preset::named("original"), "#7b3fa0"),
        "random" => (Strategy::Random, None, "#4a90d9"),
        "evolution" => (Strategy::Evolution, None, "#f5a623"),
        _ => return None,
    };
    let mut settings = preset.map_or(base, |p| p.apply(base));
    settings.search.strategy = strategy;
    if let Some(r) = rollouts {
        settings.search.rollouts = r;
    }
    let name = STRATEGIES.into_iter().find(|n| *n == name)?;
    Some(Contender {
        name,
        colour,
        settings,
    })
}

/// Runs every strategy's seeds against the table and writes regret.csv, regret-seeds.csv and
/// regret.svg into `--out`, then prints the table.
pub fn main(args: &RegretArgs) -> Result<(), Failure> {
    let spec = Spec::load(&args.table, "piconas enumerate directory")?;
    let table = crate::enumerate::read_table(&args.table)?;
    let lookup =
        Lookup::new(table).map_err(|e| Failure::Input(format!("{}: {e}", args.table.display())))?;
    let data = spec.dataset()?;
    let contenders: Vec<Contender> = args
        .strategy
        .iter()
        .filter_map(|n| contender(n, spec.settings, args.rollouts))
        .collect();
    let data = &data;
    let jobs: Vec<Job> = contenders
        .iter()
        .enumerate()
        .flat_map(|(c, contender)| {
            (0..u64::from(args.seeds)).map(move |seed| {
                let s = contender.settings;
                let config = data.configure(SearchConfig { seed, ..s.search });
                (c, config, s.hidden)
            })
        })
        .collect();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| crate::run::default_dir_for("regret"));
    let claim = output::claim_new(&out, None)?;
    let threads = args
        .threads
        .map_or_else(piconas::parallel::default_threads, usize::from);
    let bar = crate::run::progress_bar(jobs.len() as u64, args.quiet);
    let traces = run_all(&jobs, &lookup, threads, &bar)?;
    bar.finish_and_clear();
    let report = Report::of(&contenders, &jobs, &traces, &lookup, args.seeds);
    output::write_atomic(&out.join("regret.csv"), report.curves_csv().as_bytes())?;
    output::write_atomic(&out.join("regret-seeds.csv"), report.seeds_csv.as_bytes())?;
    output::write_atomic(&out.join("regret.svg"), report.chart(&lookup).as_bytes())?;
    output::write_atomic(&out.join(SETTINGS), spec.to_json().as_bytes())?;
    claim.release();
    let text = format!("{}output: {}\n", report.table(&lookup), out.display());
    output::to_stdout(&text, "the regret table")?;
    Ok(())
}

/// Every job's trace, in job order, on `threads` threads, each counted on `bar`.
fn run_all(
    jobs: &[Job],
    lookup: &Lookup,
    threads: usize,
    bar: &indicatif::ProgressBar,
) -> Result<Vec<Trace>, Failure> {
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, Result<Trace, String>)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, jobs.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(_, config, hidden)) = jobs.get(i) else {
                        break;
                    };
                    let trace = run(config, hidden, lookup);
                    if let Ok(mut d) = done.lock() {
                        d.push((i, trace));
                    }
                    bar.inc(1);
                }
            });
        }
    });
    let mut done = done
        .into_inner()
        .map_err(|_| Failure::bug("a regret thread panicked"))?;
    done.sort_by_key(|(i, _)| *i);
    if done.len() != jobs.len() {
        return Err(Failure::bug("a regret thread stopped early"));
    }
    done.into_iter()
        .map(|(_, t)| t.map_err(|e| Failure::Input(format!("the table does not answer: {e}"))))
        .collect()
}

/// A search's end: its final regret, its incumbent's rank, and the rollout at which it
/// first reached the top 1 % (if it did).
type End = (f32, usize, Option<usize>);

/// A job: its strategy's place among the contenders, its search, its controller's size.
type Job = (usize, SearchConfig, piconas_core::Hidden);

/// What the runs add up to, per strategy.
struct Report {
    /// Per strategy: its name, colour and, per rollout, the quartiles of the incumbents'
    /// quality over the seeds.
    curves: Vec<(&'static str, &'static str, [Vec<f32>; 3])>,
    /// Per strategy: the final regrets, ranks and rollouts to the top 1 % of its seeds.
    ends: Vec<(&'static str, Vec<End>)>,
    seeds_csv: String,
    /// The table's best mean reward.
    best: f32,
}

impl Report {
    fn of(
        contenders: &[Contender],
        jobs: &[Job],
        traces: &[Trace],
        lookup: &Lookup,
        seeds: u32,
    ) -> Report {
        let (best, top) = (lookup.best(), lookup.top_percent());
        let mut seeds_csv =
            String::from("strategy,seed,incumbent,final_regret,rank,rollouts_to_top_1pct\n");
        let mut curves = Vec::new();
        let mut ends = Vec::new();
        for (c, contender) in contenders.iter().enumerate() {
            let mine: Vec<(&SearchConfig, &Trace)> = jobs
                .iter()
                .zip(traces)
                .filter(|((j, _, _), _)| *j == c)
                .map(|((_, config, _), t)| (config, t))
                .collect();
            let n = mine.iter().map(|(_, t)| t.quality.len()).min().unwrap_or(0);
            let quartiles = [0.25, 0.5, 0.75].map(|q| {
                (0..n)
                    .map(|i| {
                        let mut at: Vec<f32> = mine.iter().map(|(_, t)| t.quality[i]).collect();
                        quantile(&mut at, q)
                    })
                    .collect::<Vec<f32>>()
            });
            let mut end = Vec::new();
            for (config, trace) in &mine {
                let last = trace.quality.last().copied().unwrap_or(0.0);
                let reached = trace.quality.iter().position(|&q| q >= top).map(|i| i + 1);
                let rank = lookup.rank(last);
                let _ = writeln!(
                    seeds_csv,
                    "{},{},\"{}\",{:.6},{rank},{}",
                    contender.name,
                    config.seed,
                    trace.incumbent,
                    best - last,
                    reached.map_or(String::new(), |r| r.to_string())
                );
                end.push((best - last, rank, reached));
            }
            debug_assert_eq!(end.len(), seeds as usize);
            curves.push((contender.name, contender.colour, quartiles));
            ends.push((contender.name, end));
        }
        Report {
            curves,
            ends,
            seeds_csv,
            best,
        }
    }

    /// `strategy,rollout,regret_q1,regret_median,regret_q3`, one row per rollout.
    fn curves_csv(&self) -> String {
        let mut out = String::from("strategy,rollout,regret_q1,regret_median,regret_q3\n");
        for (name, _, [q1, median, q3]) in &self.curves {
            for i in 0..median.len() {
                // A lower quality is a higher regret: the quality's q3 is the regret's q1.
                let _ = writeln!(
                    out,
                    "{name},{},{:.6},{:.6},{:.6}",
                    i + 1,
                    self.best - q3[i],
                    self.best - median[i],
                    self.best - q1[i]
                );
            }
        }
        out
    }

    /// Regret against rollouts (logarithmic), in points: each strategy's median (solid) and
    /// quartiles over the seeds (dashed).
    fn chart(&self, lookup: &Lookup) -> String {
        // A lower quality is a higher regret: the quality's upper quartile is the regret's
        // lower one.
        let regrets: Vec<[Vec<f32>; 3]> = self
            .curves
            .iter()
            .map(|(_, _, [q1, median, q3])| {
                [q3, median, q1].map(|q| q.iter().map(|v| 100.0 * (self.best - v)).collect())
            })
            .collect();
        let curves: Vec<RegretCurve<'_>> = self
            .curves
            .iter()
            .zip(&regrets)
            .map(|((name, colour, _), [a, b, c])| RegretCurve {
                label: name,
                colour,
                quartiles: [a, b, c],
            })
            .collect();
        svg::regret_chart(
            &format!(
                "regret: the table's best mean reward ({:.2} %) minus the incumbent's",
                100.0 * lookup.best()
            ),
            &curves,
        )
    }

    /// The printed table: per strategy the final regret (median and quartiles), the median
    /// rank, and how many seeds reached the top 1 % and when (median).
    fn table(&self, lookup: &Lookup) -> String {
        let mut out = format!(
            "table best mean reward {:.2} %, top 1 % from {:.2} %\n{:<10} {:>22} {:>12} {:>16} {:>20}\n",
            100.0 * lookup.best(),
            100.0 * lookup.top_percent(),
            "strategy",
            "final regret (points)",
            "median rank",
            "reached top 1 %",
            "median rollouts to it"
        );
        for (name, end) in &self.ends {
            let mut regrets: Vec<f32> = end.iter().map(|e| 100.0 * e.0).collect();
            let mut ranks: Vec<f32> = end.iter().map(|e| e.1 as f32).collect();
            let mut reached: Vec<f32> = end.iter().filter_map(|e| e.2).map(|r| r as f32).collect();
            let (q1, m, q3) = (
                quantile(&mut regrets, 0.25),
                quantile(&mut regrets, 0.5),
                quantile(&mut regrets, 0.75),
            );
            let when = if reached.is_empty() {
                "–".to_string()
            } else {
                format!("{:.0}", quantile(&mut reached, 0.5))
            };
            let _ = writeln!(
                out,
                "{name:<10} {:>22} {:>12.0} {:>16} {when:>20}",
                format!("{m:.2} ({q1:.2}–{q3:.2})"),
                quantile(&mut ranks, 0.5),
                format!("{} of {}", reached.len(), end.len()),
            );
        }
        out
    }
}
