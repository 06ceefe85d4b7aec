//! The main job: run a search, show progress, write the run directory, print the summary.

use std::collections::VecDeque;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use piconas_core::config::MAX_ROLLOUTS_PER_UPDATE;
use piconas_core::frontier::Seen;
use piconas_core::mlp::Workspace;
use piconas_core::{ConfigError, DataConfig, Network, Search, SearchConfig, Split, bayes};

use crate::cli::SearchArgs;
use crate::data::Dataset;
use crate::export::NetworkFile;
use crate::failure::Failure;
use crate::frontier;
use crate::outcome::{ORIGINAL_TEST_ACC, Outcome, WINDOW};
use crate::output::{self, RolloutLog};
use crate::parallel;
use crate::svg::{self, Reference};

/// Which flag sets a core configuration field (for error messages).
fn flag_of(field: &str) -> &'static str {
    match field {
        "rollouts" => "--rollouts",
        "child.learning_rate" => "--child-lr",
        "child.max_epochs" => "--max-epochs",
        "child.patience" => "--patience",
        "controller.learning_rate" => "--controller-lr",
        "controller.entropy_weight" => "--entropy-weight",
        "controller.max_grad_norm" => "--max-grad-norm",
        "controller.rollouts_per_update" => "--rollouts-per-update",
        "finalists" => "--finalists",
        "retrains" => "--retrains",
        "samples" => "--samples",
        "noise" => "--noise",
        "cost_weight" => "--cost-weight",
        _ => "a setting",
    }
}

/// A configuration error as a one-line message naming the flag.
pub fn invalid(e: ConfigError) -> Failure {
    Failure::Input(format!("invalid {}: {e}", flag_of(e.field)))
}

/// Overwrites `target` with `value` when the flag was given.
fn set<T: Copy>(target: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *target = v;
    }
}

/// The search configuration the flags describe (validated).
pub fn search_config(args: &SearchArgs) -> Result<SearchConfig, Failure> {
    let mut c = SearchConfig::default();
    set(&mut c.rollouts, args.rollouts);
    set(&mut c.seed, args.seed);
    set(&mut c.child.adam.learning_rate, args.child_lr);
    set(&mut c.child.max_epochs, args.max_epochs);
    set(&mut c.child.patience, args.patience);
    set(&mut c.controller.adam.learning_rate, args.controller_lr);
    set(&mut c.controller.entropy_weight, args.entropy_weight);
    set(
        &mut c.controller.rollouts_per_update,
        args.rollouts_per_update,
    );
    set(&mut c.finalists, args.finalists);
    if let Some(strategy) = args.strategy {
        c.strategy = match strategy {
            crate::cli::StrategyArg::Reinforce => piconas_core::Strategy::Reinforce,
            crate::cli::StrategyArg::Random => piconas_core::Strategy::Random,
        };
    }
    set(&mut c.retrains, args.retrains);
    set(&mut c.cost_weight, args.cost_weight);
    if let Some(cost) = args.cost {
        c.cost = match cost {
            crate::cli::CostArg::Macs => piconas_core::Cost::Macs,
            crate::cli::CostArg::Params => piconas_core::Cost::Params,
        };
    }
    if args.max_grad_norm.is_some() {
        c.controller.max_grad_norm = args.max_grad_norm;
    }
    c.validate().map_err(invalid)?;
    Ok(c)
}

/// The data the flags describe (validated).
pub fn dataset(args: &SearchArgs) -> Result<Dataset, Failure> {
    if let Some(path) = &args.data {
        return Dataset::csv(path);
    }
    let mut m = DataConfig::default();
    if let Some(d) = args.dataset {
        m.dataset = d.core();
    }
    set(&mut m.samples, args.samples);
    set(&mut m.noise, args.noise);
    set(&mut m.seed, args.data_seed);
    m.validate().map_err(invalid)?;
    Dataset::generate(m)
}

/// Runs the search the flags describe.
pub fn main(args: &SearchArgs) -> Result<(), Failure> {
    if let Some(dir) = &args.resume {
        return resume(dir, args);
    }
    let config = search_config(args)?;
    let data = dataset(args)?;
    let split = Split::new(&data.samples).map_err(|e| {
        let source = data
            .file
            .as_ref()
            .map_or("generated data".to_string(), |f| f.display().to_string());
        Failure::Input(format!("{source}: {e}"))
    })?;
    let out = args.out.clone().unwrap_or_else(output::default_dir);
    output::create_dir(&out)?;
    // The run's own settings first: with them, `--resume` rebuilds exactly this search. A
    // CSV path is stored absolute, so a resume works from any directory.
    let mut settings = serde_json::to_value(args).map_err(|e| Failure::Io(e.to_string()))?;
    if let Some(file) = &args.data {
        let absolute = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        settings["data"] = serde_json::Value::from(absolute.display().to_string());
    }
    let text = serde_json::to_string_pretty(&settings).map_err(|e| Failure::Io(e.to_string()))?;
    output::write_atomic(&out.join(SETTINGS), format!("{text}\n").as_bytes())?;
    Job {
        config,
        split,
        data: &data,
        out: &out,
        args,
        resume: None,
    }
    .run()
}

/// The file of a run directory holding the run's settings.
const SETTINGS: &str = "settings.json";
/// The file of a run directory holding its last checkpoint.
const CHECKPOINT: &str = "checkpoint.bin";

/// Everything a search run needs, whatever its controller size.
struct Job<'a> {
    config: SearchConfig,
    split: Split<'a>,
    data: &'a Dataset,
    out: &'a Path,
    args: &'a SearchArgs,
    /// A checkpoint to resume from (empty: start over in place); `None` for a fresh run.
    resume: Option<&'a [u8]>,
}

impl Job<'_> {
    /// Runs the search with the controller size the flags ask for.
    fn run(&self) -> Result<(), Failure> {
        match self.args.hidden.as_deref().unwrap_or("64") {
            "16" => search::<16>(self),
            "32" => search::<32>(self),
            "128" => search::<128>(self),
            _ => search::<64>(self),
        }
    }
}

/// `--resume DIR`: the stopped run's settings, its last checkpoint (or a fresh start if it
/// stopped before the first), and the flags that only change how it is shown.
fn resume(dir: &Path, flags: &SearchArgs) -> Result<(), Failure> {
    let given = serde_json::to_value(flags).map_err(|e| Failure::Io(e.to_string()))?;
    let defaults = serde_json::to_value(SearchArgs::default_for_resume())
        .map_err(|e| Failure::Io(e.to_string()))?;
    if given != defaults {
        return Err(Failure::Input(
            "--resume continues a run with its own settings; give only --quiet, --threads, --print-records or --checkpoint-every with it".into(),
        ));
    }
    if dir.join("summary.json").exists() {
        return Err(Failure::Input(format!(
            "{}: the run is finished; nothing to resume",
            dir.display()
        )));
    }
    let (path, text) = output::read_run_file(dir, SETTINGS, "piconas run")?;
    let mut args: SearchArgs = serde_json::from_str(&text)
        .map_err(|e| Failure::Input(format!("{}: not a settings file: {e}", path.display())))?;
    if args.cache {
        return Err(Failure::Input(format!(
            "{}: a run with --cache cannot be resumed (the cache is not checkpointed)",
            dir.display()
        )));
    }
    args.quiet = flags.quiet;
    args.print_records = flags.print_records;
    args.threads = flags.threads;
    args.checkpoint_every = flags.checkpoint_every;
    let config = search_config(&args)?;
    let data = dataset(&args)?;
    let split = Split::new(&data.samples).map_err(|e| Failure::Input(e.to_string()))?;
    let checkpoint = match std::fs::read(dir.join(CHECKPOINT)) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Failure::io(&dir.join(CHECKPOINT), "cannot read", e)),
    };
    Job {
        config,
        split,
        data: &data,
        out: dir,
        args: &args,
        resume: Some(checkpoint.as_deref().unwrap_or(&[])),
    }
    .run()
}

fn progress_bar(rollouts: u32, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(rollouts.into());
    let style = ProgressStyle::with_template(
        "{bar:30.cyan/blue} {pos}/{len} {per_sec:.dim} ETA {eta} │ {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// Threads to train children on: one per core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn mean(values: impl ExactSizeIterator<Item = f32>) -> f32 {
    let n = values.len().max(1);
    values.sum::<f32>() / n as f32
}

/// Checkpoints are written every this many rollouts unless `--checkpoint-every` says otherwise.
const CHECKPOINT_EVERY: u32 = 100;

/// Runs the search in `out`: fresh (`resume` = `None`), or resumed from a checkpoint's bytes
/// (empty: the run stopped before its first checkpoint, so it starts over in place). The
/// checkpoint is checked before anything in `out` is touched.
fn search<const H: usize>(job: &Job<'_>) -> Result<(), Failure> {
    let Job {
        config,
        split,
        data,
        out,
        args,
        resume,
    } = *job;
    let start = Instant::now();
    let mut search: Box<Search<H, MAX_ROLLOUTS_PER_UPDATE>> = Box::new(Search::idle());
    match resume {
        Some(bytes) if !bytes.is_empty() => search.restore(config, bytes).map_err(|e| {
            Failure::Input(format!(
                "{}: {e}; nothing was changed",
                out.join(CHECKPOINT).display()
            ))
        })?,
        _ => search.start(config).map_err(invalid)?,
    }
    let (mut log, kept) = match resume {
        Some(_) => RolloutLog::reopen(out, search.completed() as usize)?,
        None => (RolloutLog::create(out)?, Vec::new()),
    };
    let mut rewards: Vec<f32> = kept.iter().map(|&(_, r, _)| r).collect();
    let bar = progress_bar(config.rollouts, args.quiet || args.print_records);
    bar.inc(rewards.len() as u64);
    let every = args.checkpoint_every.unwrap_or(CHECKPOINT_EVERY);
    let mut last_checkpoint = search.completed();
    let mut image = vec![0u8; Search::<H, MAX_ROLLOUTS_PER_UPDATE>::checkpoint_len()];
    let mut recent: VecDeque<f32> = rewards.iter().rev().take(WINDOW).rev().copied().collect();
    let mut best: Option<(f32, piconas_core::Arch)> = None;
    // Every architecture sampled: reward and accuracy sums and count (top 10 and frontier).
    let mut sampled: std::collections::HashMap<piconas_core::Arch, Seen> =
        std::collections::HashMap::new();
    for &(arch, reward, accuracy) in &kept {
        sampled
            .entry(arch)
            .or_insert(Seen::new(arch))
            .add(reward, accuracy);
    }
    let mut stdout = std::io::stdout().lock();
    let threads = args.threads.map_or_else(default_threads, usize::from);
    let mut cache = args.cache.then(parallel::Cache::default);
    parallel::run(&mut search, &split, threads, cache.as_mut(), |event| {
        let record = match event {
            parallel::Event::Record(record) => record,
            parallel::Event::BatchDone(search) => {
                if search.completed() >= last_checkpoint + every && !search.is_done() {
                    // Rows first, then the checkpoint that counts them: a checkpoint never
                    // claims a rollout that is not on disk.
                    log.sync()?;
                    let n = search
                        .save(&mut image)
                        .map_err(|e| Failure::Io(e.to_string()))?;
                    output::write_atomic(&out.join(CHECKPOINT), &image[..n])?;
                    last_checkpoint = search.completed();
                }
                return Ok(());
            }
        };
        log.append(record)?;
        sampled
            .entry(record.arch)
            .or_insert(Seen::new(record.arch))
            .add(record.reward, record.accuracy);
        if args.print_records {
            // A closed pipe (`| head`) just stops the printing; the run goes on.
            let _ = writeln!(stdout, "{}", record.bits());
        }
        rewards.push(record.reward);
        if recent.len() == WINDOW {
            recent.pop_front();
        }
        recent.push_back(record.reward);
        if best.is_none_or(|(reward, _)| record.reward > reward) {
            best = Some((record.reward, record.arch));
        }
        if let Some((reward, arch)) = best {
            bar.set_message(format!(
                "mean{WINDOW} {:.3} │ best {reward:.2} {arch}",
                mean(recent.iter().copied()),
            ));
        }
        bar.inc(1);
        Ok(())
    })?;
    drop(stdout);
    log.sync()?;
    bar.set_message("retraining the finalists");
    let report = search.finish(&split);
    let mut trajectory = Box::new(piconas_core::Trajectory::<H>::EMPTY);
    let (likely, likely_p) = search.policy().greedy(&mut trajectory);
    // Training is deterministic: the winner's best retrain, run again, gives back its weights.
    let kept = search.retrain(&split, &report.winner, report.winner_retrain);
    let mut network = Box::new(Network::EMPTY);
    search.trainer().copy_network(&mut network);
    let mut workspace = Box::new(Workspace::new());
    let network_test = network.accuracy(&mut workspace, split.test);
    NetworkFile::new(&network, data.generated, kept.reward, network_test).save(out)?;
    bar.finish_and_clear();
    let mut seen: Vec<Seen> = sampled.values().copied().collect();
    piconas_core::frontier::mark(&mut seen, config.cost);
    let outcome = Outcome {
        config,
        report,
        rewards,
        seen,
        likely: (config.strategy == piconas_core::Strategy::Reinforce)
            .then_some((likely, likely_p)),
        saved: (kept.reward, network_test),
        bayes: data.generated.map(|m| bayes::accuracy(&m, split.test)),
        seconds: start.elapsed().as_secs_f64(),
        cache_hits: cache.as_ref().map(|c| c.hits),
        kernel: if crate::kernel::avx2() {
            "AVX2"
        } else {
            "baseline"
        },
        out: out.display().to_string(),
    };
    write_results(&outcome, out)?;
    // The run is complete: its checkpoint has served.
    let _ = std::fs::remove_file(out.join(CHECKPOINT));
    // The summary goes to stdout; a closed pipe silences it but does not fail the run.
    let _ = std::io::stdout()
        .lock()
        .write_all(outcome.text().as_bytes());
    Ok(())
}

/// Writes summary.json, rewards.svg and the frontier's table and chart.
fn write_results(outcome: &Outcome, out: &Path) -> Result<(), Failure> {
    let json = serde_json::to_string_pretty(&outcome.summary())
        .map_err(|e| Failure::Io(format!("summary.json: {e}")))?;
    output::write_atomic(&out.join("summary.json"), format!("{json}\n").as_bytes())?;
    let mut references = vec![Reference {
        value: ORIGINAL_TEST_ACC,
        label: format!(
            "original's test accuracy {:.0} %",
            ORIGINAL_TEST_ACC * 100.0
        ),
        colour: "#777",
    }];
    if let Some(b) = outcome.bayes {
        references.push(Reference {
            value: b,
            label: format!("Bayes ceiling (test split) {:.1} %", b * 100.0),
            colour: "#2e7d32",
        });
    }
    let config = &outcome.config;
    let chart = svg::rewards_chart(&outcome.rewards, WINDOW, &references, config.cost_weight);
    output::write_atomic(&out.join("rewards.svg"), chart.as_bytes())?;
    let table =
        frontier::csv(&outcome.seen).map_err(|e| Failure::Io(format!("frontier.csv: {e}")))?;
    output::write_atomic(&out.join("frontier.csv"), table.as_bytes())?;
    let chart = frontier::svg(&outcome.seen, config.cost, outcome.bayes);
    output::write_atomic(&out.join("frontier.svg"), chart.as_bytes())
}
