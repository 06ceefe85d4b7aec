//! The main job: run a search, show progress, write the run directory, print the summary.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use piconas::history::History;
use piconas_core::speculate::Guess;
use piconas_core::{Fingerprint, Record, Search, Split, WithHidden, bayes};

use crate::args::SearchArgs;
use crate::data::Dataset;
use crate::failure::Failure;
use crate::frontier;
use crate::outcome::{ORIGINAL_TEST_ACC, Outcome, WINDOW};
use crate::output::{self, Claim, KeptRow, RolloutLog};
use crate::parallel;
use crate::spec::Spec;
use crate::svg::{self, Reference};
use piconas::run_files::{
    CHECKPOINT, FRONTIER, FRONTIER_CHART, HISTORY, REWARDS, ROLLOUTS, SETTINGS, SPLIT, SUMMARY,
};
use piconas::session::{Event, K, Session, Winner};

use crate::progress::{self, Work};

/// Runs the search the flags describe (or continues the stopped one `--resume` names).
pub fn main(args: &SearchArgs) -> Result<(), Failure> {
    // A resume: the stopped run's spec, its directory (already claimed) and its checkpoint.
    let (spec, resumed) = match &args.resume {
        Some(dir) => {
            let (spec, bytes, claim) = prepare_resume(dir, args)?;
            (spec, Some((dir.clone(), claim, bytes)))
        }
        None => (args.spec()?, None),
    };
    let mut spec = spec;
    // A resumed run's data must be the data it began on (Spec::dataset checks); a new run
    // records its data's fingerprint, for resumes and exports to check.
    let data = spec.dataset()?;
    spec.data_fingerprint = Some(data.fingerprint);
    // The search measures costs and budgets on the data's shape and standardisation.
    spec.settings.search = data.configure(spec.settings.search);
    // Only now is the budget's room known (it depends on the data's shape): refused before
    // anything is written.
    spec.settings.search.check_room()?;
    let split = data.split()?;
    let (out, claim, checkpoint) = match resumed {
        Some((dir, claim, bytes)) => (dir, claim, Some(bytes)),
        None => {
            let (out, claim) = create_run_dir(args, &spec)?;
            (out, claim, None)
        }
    };
    let job = Job {
        spec: &spec,
        split,
        data: &data,
        out: &out,
        options: Options::of(args),
        resume: checkpoint.as_deref(),
    };
    spec.settings.hidden.dispatch(job)?;
    claim.release();
    Ok(())
}

/// How this invocation shows and paces the run (never part of what the run computes).
#[derive(Clone, Copy, Debug)]
struct Options {
    quiet: bool,
    print_records: bool,
    threads: usize,
    guess: Option<Guess>,
    checkpoint_every: u32,
}

impl Options {
    fn of(args: &SearchArgs) -> Options {
        Options {
            quiet: args.quiet || args.print_records,
            print_records: args.print_records,
            threads: args
                .threads
                .map_or_else(parallel::default_threads, usize::from),
            // clap admits only the guesses' names and "off".
            guess: Guess::from_name(args.speculate.as_deref().unwrap_or("draws")),
            checkpoint_every: args.checkpoint_every.unwrap_or(CHECKPOINT_EVERY),
        }
    }
}

/// A fresh run's directory, new or empty, holding the run's settings first: with them,
/// `--resume` rebuilds exactly this search.
fn create_run_dir(args: &SearchArgs, spec: &Spec) -> Result<(PathBuf, Claim), Failure> {
    let out = args.out.clone().unwrap_or_else(default_dir);
    // The library says a stopped run can be resumed; the command line says how.
    let resume = format!("continue it with --resume {}", out.display());
    let claim = output::claim_new(&out, Some(&resume))?;
    output::write_atomic(&out.join(SETTINGS), spec.to_json().as_bytes())?;
    Ok((out, claim))
}

/// `--resume DIR`: the stopped run's spec and its last checkpoint (empty if it stopped before
/// the first: it starts over in place).
fn prepare_resume(dir: &Path, flags: &SearchArgs) -> Result<(Spec, Vec<u8>, Claim), Failure> {
    if flags.describes_a_search() {
        return Err(Failure::Input(
            "--resume continues a run with its own settings; give only --quiet, --threads, --speculate, --print-records or --checkpoint-every with it".into(),
        ));
    }
    // Seen before the claim, which makes the lock file and removes temporaries.
    let stopped_early = output::holds_only_leftovers(dir);
    let claim = output::claim_existing(dir)?;
    // summary.json is the last file a run writes: with it, the run is complete.
    if dir.join(SUMMARY).exists() {
        let leftovers = [CHECKPOINT, HISTORY]
            .iter()
            .filter(|f| std::fs::remove_file(dir.join(f)).is_ok())
            .count();
        claim.release();
        return Err(Failure::Input(format!(
            "{}: the run is finished; nothing to resume{}",
            dir.display(),
            if leftovers > 0 {
                " (its leftover checkpoint was removed)"
            } else {
                ""
            }
        )));
    }
    if stopped_early && !dir.join(SETTINGS).exists() {
        return Err(Failure::Input(format!(
            "{}: the run was stopped before it began (no {}); give its command again with --out {0}, which takes the directory over",
            dir.display(),
            SETTINGS
        )));
    }
    let spec = Spec::load(dir, "piconas run")?;
    if spec.cache {
        return Err(Failure::Input(format!(
            "{}: a run with --cache cannot be resumed (the cache is not checkpointed)",
            dir.display()
        )));
    }
    // No checkpoint: the run stopped before its first, and starts over in place. An empty one
    // is never written (checkpoints are renamed into place whole): it is damage.
    let checkpoint = match std::fs::read(dir.join(CHECKPOINT)) {
        Ok(bytes) if bytes.is_empty() => {
            return Err(Failure::Input(format!(
                "{}: empty (damaged); nothing was changed",
                dir.join(CHECKPOINT).display()
            )));
        }
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(Failure::io(&dir.join(CHECKPOINT), "cannot read", e)),
    };
    Ok((spec, checkpoint, claim))
}

/// Everything a search run needs, whatever its controller size.
struct Job<'a> {
    spec: &'a Spec,
    split: Split<'a>,
    data: &'a Dataset,
    out: &'a Path,
    options: Options,
    /// A checkpoint to resume from (empty: start over in place); `None` for a fresh run.
    resume: Option<&'a [u8]>,
}

impl WithHidden for Job<'_> {
    type Output = Result<(), Failure>;

    fn call<const H: usize>(self) -> Result<(), Failure> {
        search::<H>(&self)
    }
}

/// A bar of `total` steps with its rate and ETA (hidden when `quiet`).
pub(crate) fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    let style = ProgressStyle::with_template(
        "{bar:30.cyan/blue} {pos}/{len} {per_sec:.dim} ETA {eta} │ {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// Checkpoints are written every this many rollouts unless `--checkpoint-every` says otherwise.
const CHECKPOINT_EVERY: u32 = 100;

/// Runs the search in `out`, in steps: start (or restore), run with progress and
/// checkpoints, conclude into an [`Outcome`], write the artifacts, print the summary.
fn search<const H: usize>(job: &Job<'_>) -> Result<(), Failure> {
    let start = Instant::now();
    let (mut session, mut log) = open_session::<H>(job)?;
    let mut live = Live::new(job, session.search().completed());
    let mut cache = job.spec.cache.then(parallel::Cache::default);
    let speculation = session.run(
        &job.split,
        job.options.threads,
        job.options.guess,
        cache.as_mut(),
        |event| match event {
            Event::Record {
                record,
                loss,
                history,
            } => live.record(&mut log, (record, loss), history),
            Event::BatchDone { search, history } => live.checkpoint(&mut log, search, history),
        },
    )?;
    log.sync()?;
    let counts = Counts {
        cache_hits: cache.map(|c| c.hits),
        speculation,
    };
    let outcome = conclude(job, &mut session, live, start, counts)?;
    write_results(&outcome, session.losses(), job.out)?;
    // The run is complete (summary.json was written last): its checkpoint has served.
    let _ = std::fs::remove_file(job.out.join(CHECKPOINT));
    let _ = std::fs::remove_file(job.out.join(HISTORY));
    // The summary goes to stdout; a full or closed one fails the run (exit 1) though its
    // files are complete.
    output::to_stdout(&outcome.text(), "the summary")
}

/// The session, started fresh or restored from the job's checkpoint with its past rollouts,
/// and the rollout log to continue. The checkpoint is checked before anything in the run
/// directory is touched; the kept rows of rollouts.csv before the log is rewritten.
fn open_session<const H: usize>(job: &Job<'_>) -> Result<(Session<H>, RolloutLog), Failure> {
    let config = job.spec.settings.search;
    let session = match job.resume {
        Some(bytes) if !bytes.is_empty() => {
            Session::<H>::restore(config, bytes, job.split.fingerprint()).map_err(|e| {
                Failure::Input(format!(
                    "{}: {e}; nothing was changed",
                    job.out.join(CHECKPOINT).display()
                ))
            })?
        }
        _ => Session::<H>::start(config)?,
    };
    let Some(_) = job.resume else {
        return Ok((session, RolloutLog::create(job.out)?));
    };
    let completed = session.search().completed() as usize;
    let mut past = (History::new(), Vec::new());
    let log = RolloutLog::reopen(job.out, completed, |kept| {
        past = resumed_history(job.out, kept)?;
        Ok(())
    })?;
    Ok((session.with_past(past.0, past.1)?, log))
}

/// What the run keeps track of as it goes: the progress bar, and when the last checkpoint
/// was written.
struct Live<'a> {
    out: &'a Path,
    options: Options,
    bar: ProgressBar,
    /// What the bar counts: the training done and to come, and the runs of the finish
    /// after the rollouts (as the last batch left the search).
    work: Work,
    finish_runs: u32,
    last_checkpoint: u32,
    image: Vec<u8>,
    /// The fingerprint of the run's data, in every checkpoint.
    data: Fingerprint,
    stdout: std::io::StdoutLock<'static>,
    /// This session's controller losses, for the log line every [`WINDOW`] rollouts.
    losses: Vec<f32>,
}

impl<'a> Live<'a> {
    /// Picks up after the `completed` rollouts (none for a fresh run).
    fn new(job: &Job<'a>, completed: u32) -> Live<'a> {
        let bar = progress::search_bar(job.options.quiet);
        let work = Work::new(&job.spec.settings.search, &job.split, completed);
        progress::show(&bar, &work, 0);
        Live {
            out: job.out,
            options: job.options,
            bar,
            work,
            finish_runs: 0,
            last_checkpoint: completed,
            image: Vec::new(),
            data: job.split.fingerprint(),
            stdout: std::io::stdout().lock(),
            losses: Vec::new(),
        }
    }

    /// One rollout (`history` holds it): its row, its line (with `--print-records`), the bar.
    fn record(
        &mut self,
        log: &mut RolloutLog,
        (record, loss): (&Record, f32),
        history: &History,
    ) -> Result<(), Failure> {
        log.append(record, loss)?;
        self.losses.push(loss);
        if self.options.print_records {
            // A full or closed stdout loses records: the run stops (exit 1), resumable.
            writeln!(self.stdout, "{}", record.bits())
                .map_err(output::stdout_failure("the records"))?;
        }
        if let Some((reward, arch)) = history.best() {
            self.bar.set_message(format!(
                "mean{WINDOW} {:.3} │ best {reward:.2} {arch}",
                history.last_mean(WINDOW),
            ));
        }
        self.bar.inc(self.work.add(record));
        progress::show(&self.bar, &self.work, self.finish_runs);
        if (record.index + 1).is_multiple_of(WINDOW as u32) {
            // The original's log, every 100 rollouts (above the bar; nothing when it is hidden).
            let recent = &self.losses[self.losses.len().saturating_sub(WINDOW)..];
            self.bar.println(format!(
                "rollout {}: mean reward {:.4}, β {:.3e}, mean controller loss {:.4} (last {WINDOW})",
                record.index + 1,
                history.last_mean(WINDOW),
                record.beta,
                recent.iter().sum::<f32>() / recent.len() as f32
            ));
        }
        Ok(())
    }

    /// At a batch's end: a checkpoint when one is due. Rows first, then the history, then the
    /// checkpoint that counts them: a checkpoint never claims a rollout that is not on disk.
    fn checkpoint<const H: usize>(
        &mut self,
        log: &mut RolloutLog,
        search: &Search<H, K>,
        history: &History,
    ) -> Result<(), Failure> {
        self.finish_runs = Winner::runs(search);
        if search.completed() < self.last_checkpoint + self.options.checkpoint_every
            || search.is_done()
        {
            return Ok(());
        }
        log.sync()?;
        output::write_atomic(&self.out.join(HISTORY), &history.encode())?;
        self.image.resize(Search::<H, K>::checkpoint_len(), 0);
        let n = search
            .save(&mut self.image, self.data)
            .map_err(|e| Failure::bug(format!("checkpoint: {e}")))?;
        output::write_atomic(&self.out.join(CHECKPOINT), &self.image[..n])?;
        self.last_checkpoint = search.completed();
        Ok(())
    }
}

/// The history and the controller losses of a resumed run, rebuilt from the kept rows of
/// rollouts.csv. When
/// `history.bin` counts exactly the checkpoint's rollouts, the rows must agree with it, so an
/// edited row is refused; when it does not (a run stopped between the two writes, or
/// checkpointed by an earlier version), the rows are taken as they are.
fn resumed_history(out: &Path, kept: &[KeptRow]) -> Result<(History, Vec<f32>), Failure> {
    let mut history = History::new();
    for &(arch, reward, accuracy, _) in kept {
        history.add(arch, reward, accuracy);
    }
    let losses = kept.iter().map(|row| row.3).collect();
    let saved = std::fs::read(out.join(HISTORY))
        .ok()
        .and_then(|bytes| History::decode(&bytes).ok())
        .filter(|h| h.len() == kept.len());
    match saved {
        Some(saved) if saved != history => Err(Failure::Input(format!(
            "{}: its first {} rows differ from the history saved with the checkpoint ({HISTORY}); \
             edited? nothing was changed",
            out.join(ROLLOUTS).display(),
            kept.len()
        ))),
        _ => Ok((history, losses)),
    }
}

/// How the rollouts were run, for the summary (timing-dependent, so never in summary.json).
struct Counts {
    cache_hits: Option<u64>,
    speculation: Option<crate::pipeline::Speculation>,
}

/// The end of the search: the finalists retrained, the winner's best retrain saved as
/// network.json, and everything the summary reports.
fn conclude<const H: usize>(
    job: &Job<'_>,
    session: &mut Session<H>,
    live: Live<'_>,
    start: Instant,
    counts: Counts,
) -> Result<Outcome, Failure> {
    let (split, config) = (&job.split, job.spec.settings.search);
    let tick = progress::finishing(&live.bar, &live.work, session.finish_runs());
    let finished = session.finish(job.data, split, job.options.threads, &tick);
    let mut trajectory = Box::new(piconas_core::Trajectory::<H>::EMPTY);
    let likely = session.search().policy().greedy(&mut trajectory);
    // One pass over the test split: the metrics, and the accuracy they hold on the diagonal.
    let (file, metrics, winner) = (finished.file, finished.metrics, finished.winner);
    let (arch, validation, report) = (winner.arch(), winner.validation, winner.report);
    let network_test = metrics.accuracy();
    crate::export::save(&file, job.out)?;
    // The network as the C headers would deploy it (int8 calibrated on the train split).
    let model = piconas::layers::Model::new(&file, arch)?;
    let (deploy, _) = piconas::deploy::Deploy::measure(
        &model,
        split.train.features(),
        job.data.raw_test(),
        split.test.labels(),
    )?;
    // Which file rows trained, picked and tested: for other tools to use the same parts.
    if let Some(text) = job.data.split_csv() {
        output::write_atomic(&job.out.join(SPLIT), text.as_bytes())?;
    }
    live.bar.finish_and_clear();
    Ok(Outcome {
        config,
        report,
        seen: finished.seen,
        rewards: session.history().rewards().to_vec(),
        likely: (config.strategy == piconas_core::Strategy::Reinforce).then_some(likely),
        saved: (validation, network_test),
        members: file.members.len(),
        reward_folds: config.reward_folds_for(split.dev.len()),
        bayes: job.data.generated.map(|m| bayes::accuracy(&m, &split.test)),
        dataset: job.data.generated.map(|m| m.dataset),
        features: job.data.features.len(),
        standardized: job.data.scaling.is_some(),
        constant: job.data.constant.clone(),
        metrics,
        deploy,
        seconds: start.elapsed().as_secs_f64(),
        cache_hits: counts.cache_hits,
        speculation: counts.speculation,
        kernel: crate::kernel::kernel().name(),
        out: job.out.display().to_string(),
    })
}

/// Writes rewards.svg (with every rollout's controller `losses`), the frontier's table and
/// chart, and summary.json last: a run directory with a summary is complete.
fn write_results(outcome: &Outcome, losses: &[f32], out: &Path) -> Result<(), Failure> {
    // The original's figure is for the moons; the Bayes line where a ceiling is known.
    let mut references = Vec::new();
    if outcome.dataset == Some(piconas_core::Dataset::Moons) {
        references.push(Reference {
            value: ORIGINAL_TEST_ACC,
            label: format!(
                "original's test accuracy {:.0} %",
                ORIGINAL_TEST_ACC * 100.0
            ),
            colour: "#777",
        });
    }
    if let Some(b) = outcome.bayes {
        references.push(Reference {
            value: b,
            label: format!("Bayes ceiling (test split) {:.1} %", b * 100.0),
            colour: "#2e7d32",
        });
    }
    let config = &outcome.config;
    let chart = svg::rewards_chart(
        &outcome.rewards,
        losses,
        WINDOW,
        &references,
        config.cost_weight,
    );
    output::write_atomic(&out.join(REWARDS), chart.as_bytes())?;
    let axis = config.frontier_axis();
    let table = frontier::csv(&outcome.seen, axis)
        .map_err(|e| Failure::bug(format!("frontier.csv: {e}")))?;
    output::write_atomic(&out.join(FRONTIER), table.as_bytes())?;
    let chart = frontier::svg(&outcome.seen, axis, outcome.bayes);
    output::write_atomic(&out.join(FRONTIER_CHART), chart.as_bytes())?;
    let json = serde_json::to_string_pretty(&outcome.summary())
        .map_err(|e| Failure::bug(format!("{SUMMARY}: {e}")))?;
    output::write_atomic(&out.join(SUMMARY), format!("{json}\n").as_bytes())
}

/// The default run directory: `runs/<UTC timestamp>`.
pub(crate) fn default_dir() -> PathBuf {
    Path::new("runs").join(stamp())
}

/// The default directory of another command's output: `runs/<kind>-<UTC timestamp>`.
pub(crate) fn default_dir_for(kind: &str) -> PathBuf {
    Path::new("runs").join(format!("{kind}-{}", stamp()))
}

fn stamp() -> String {
    jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string()
}
