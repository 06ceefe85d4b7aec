//! `piconas bench`: the fixed workload later speed work is measured against.
//!
//! Part 1 trains fixed architectures for a fixed number of epochs (patience = epochs, so no
//! early stop) and reports samples/s and multiply-adds/s; it says which instruction set
//! trained the children (see `kernel`). Part 2 runs the default search for a fixed number of
//! rollouts, the way the runner does, on one thread and then on all of them with each guess of
//! the speculative pipeline (`pipeline`), and reports rollouts/s, the speed-up and the hit
//! rates. Part 3 times the default search on the committed real data sets (iris, wine,
//! digits), so that a change that speeds up the moons and slows down 64 features is seen.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use piconas_core::rng::{self, Stream};
use piconas_core::speculate::Guess;
use piconas_core::{Arch, ChildConfig, DataConfig, Hidden, SearchConfig, Shape, Split, Trainer};

use crate::args::BenchArgs;
use crate::data::{CsvOptions, Dataset};
use crate::failure::Failure;

/// A report line that could not be written.
fn lost(e: std::io::Error) -> Failure {
    crate::output::stdout_failure("the report")(e)
}
use crate::pipeline::Speculation;
use piconas::session::{Event, Session};

/// The architectures of part 1: the largest child, a typical good one, a small one, the
/// bare output layer.
const ARCHS: [&str; 4] = [
    "[16, Tanh, 16, Tanh, 16, Tanh]",
    "[16, ReLU, 8, ReLU]",
    "[4, Tanh]",
    "[]",
];

/// Multiply-adds to train on one sample: forward, weight gradients, and input gradients of
/// every linear layer but the first.
fn training_macs(arch: &Arch, shape: Shape) -> u64 {
    let mut fan_in = shape.inputs();
    let mut total = 0;
    for (i, w) in arch.linear_widths(shape).iter().enumerate() {
        let layer = (fan_in * w) as u64;
        total += if i == 0 { 2 * layer } else { 3 * layer };
        fan_in = *w;
    }
    total
}

/// Multiply-adds of one epoch of `arch` on `split`: training on its train rows, then scoring
/// its dev rows.
fn epoch_macs(arch: &Arch, split: &Split<'_>) -> f64 {
    let shape = split.shape();
    (split.train.len() * training_macs(arch, shape) as usize
        + split.dev.len() * arch.forward_macs(shape)) as f64
}

/// `piconas bench`: child training per architecture, then the default search's rollouts/s.
pub fn main(args: &BenchArgs) -> Result<(), Failure> {
    let real = args.real.as_os_str();
    if real != "none" && real != "builtin" && !args.real.is_dir() {
        return Err(Failure::Input(format!(
            "--real {}: no such folder (give a folder of iris.csv, wine.csv and digits.csv, \
             builtin, or none)",
            args.real.display()
        )));
    }
    let data = Dataset::generate(DataConfig::default())?;
    let split = data.split()?;
    // A full or closed stdout (`| head`) stops the report and the program: exit 1.
    let mut out = std::io::stdout().lock();
    // Speeds hold on one machine: say which, and which instruction set trains.
    writeln!(
        out,
        "machine: {}, {} threads; training kernel {}\n",
        crate::kernel::cpu_model(),
        crate::parallel::default_threads(),
        crate::kernel::kernel().name()
    )
    .map_err(lost)?;
    children(&mut out, args.epochs, &split)?;
    let threads = args
        .threads
        .map_or_else(crate::parallel::default_threads, usize::from);
    rollouts(&mut out, args.rollouts, threads, &split)?;
    if args.real.as_os_str() != "none" {
        real_data(&mut out, args.real_rollouts, &args.real)?;
    }
    Ok(())
}

/// Trains each of [`ARCHS`] for `epochs` epochs, again and again for about a second, and
/// reports samples, multiply-adds and milliseconds per child.
fn children(out: &mut impl Write, epochs: u32, split: &Split<'_>) -> Result<(), Failure> {
    let child = ChildConfig {
        max_epochs: epochs,
        patience: epochs,
        ..ChildConfig::default()
    };
    child.validate()?;
    writeln!(
        out,
        "child training, {}, {} train + {} dev samples, on {}",
        epochs_each(&child, split.train.len()),
        split.train.len(),
        split.dev.len(),
        crate::kernel::kernel().name()
    )
    .map_err(lost)?;
    writeln!(
        out,
        "{:<34} {:>12} {:>14} {:>10}",
        "architecture", "samples/s", "MAC/s", "ms/child"
    )
    .map_err(lost)?;
    let mut trainer = Trainer::new();
    for name in ARCHS {
        let arch: Arch = name
            .parse()
            .map_err(|e| Failure::bug(format!("{name}: {e}")))?;
        let start = Instant::now();
        let (mut children, mut trained) = (0u32, 0u64);
        while start.elapsed().as_secs_f64() < 1.0 || children < 3 {
            let mut rng = rng::stream(0, Stream::Child, children.into());
            let outcome =
                crate::kernel::fit(&mut trainer, &arch, &child, &split.holdout(), &mut rng);
            trained += u64::from(outcome.epochs);
            children += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        // The epochs trained, not those asked: a split of few batches stretches them to the
        // child's `min_steps` (60 for 30 on the moons' 22 batches).
        let epochs = trained as f64;
        let samples = epochs * split.train.len() as f64;
        let macs = epoch_macs(&arch, split) * epochs;
        writeln!(
            out,
            "{:<34} {:>12.0} {:>14.3e} {:>10.2}",
            name,
            samples / secs,
            macs / secs,
            1e3 * secs / f64::from(children)
        )
        .map_err(lost)?;
    }
    Ok(())
}

/// "30 epochs each", or, where `rows` rows make too few batches for the child's `min_steps`,
/// the epochs the trainer stretches them to: "60 epochs each (30 asked; at least 1000 steps)".
fn epochs_each(child: &ChildConfig, rows: usize) -> String {
    let asked = child.max_epochs;
    let trained = asked.saturating_mul(child.epoch_scale(rows));
    if trained == asked {
        format!("{asked} epochs each")
    } else {
        format!(
            "{trained} epochs each ({asked} asked; at least {} steps)",
            child.min_steps
        )
    }
}

/// The default search on `split` (its shape), first `rollouts` rollouts, seed 0.
fn default_search(rollouts: u32, split: &Split<'_>) -> Result<SearchConfig, Failure> {
    let config = SearchConfig {
        rollouts,
        shape: split.shape(),
        ..SearchConfig::default()
    };
    config.validate()?;
    Ok(config)
}

/// One timed search: seconds, epochs per child, multiply-adds, and the speculation's
/// statistics.
struct Timed {
    secs: f64,
    epochs: f64,
    macs: f64,
    speculation: Option<Speculation>,
}

/// Runs `config` to the end on `split` as the runner does (a [`Session`]: each record observed
/// into the history), on `threads` threads guessing with
/// `guess`, and times it.
fn timed(
    config: SearchConfig,
    split: &Split<'_>,
    threads: usize,
    guess: Option<Guess>,
) -> Result<Timed, Failure> {
    let start = Instant::now();
    let mut session = Session::<{ Hidden::DEFAULT.units() }>::start(config)?;
    let (mut epochs, mut macs) = (0u64, 0.0);
    let speculation = session.run(split, threads, guess, None, |event| {
        if let Event::Record { record, .. } = event {
            epochs += u64::from(record.epochs);
            macs += epoch_macs(&record.arch, split) * f64::from(record.epochs);
        }
        Ok(())
    })?;
    Ok(Timed {
        secs: start.elapsed().as_secs_f64(),
        epochs: epochs as f64 / f64::from(config.rollouts),
        macs,
        speculation,
    })
}

/// Runs the first `rollouts` rollouts of the default search (seed 0, the default controller)
/// on one thread, then on `threads` with each guess of the speculative pipeline, and reports
/// their rates, the speed-up and how often the guesses hit.
fn rollouts(
    out: &mut impl Write,
    rollouts: u32,
    threads: usize,
    split: &Split<'_>,
) -> Result<(), Failure> {
    let config = default_search(rollouts, split)?;
    let one = timed(config, split, 1, None)?;
    let ms = |t: &Timed| 1e3 * t.secs / f64::from(rollouts);
    writeln!(
        out,
        "\ndefault search, first {rollouts} rollouts (seed 0): {:.1} rollouts/s, {:.2} ms/rollout, {:.1} epochs/child, {:.3e} MAC/s",
        f64::from(rollouts) / one.secs,
        ms(&one),
        one.epochs,
        one.macs / one.secs
    ).map_err(lost)?;
    if threads < 2 {
        return Ok(());
    }
    writeln!(
        out,
        "the same on {threads} threads, training guessed children ahead (identical records):"
    )
    .map_err(lost)?;
    for guess in Guess::ALL {
        let run = timed(config, split, threads, Some(guess))?;
        let speculation = run.speculation.map_or_else(String::new, |s| s.text());
        writeln!(
            out,
            "  --speculate {:<7} {:.2} ms/rollout, {:.2}x one thread; {}",
            guess.name(),
            ms(&run),
            one.secs / run.secs,
            speculation
        )
        .map_err(lost)?;
    }
    Ok(())
}

/// The committed real data sets, for the time per rollout beyond the moons.
const REAL: [(&str, &str); 3] = [
    ("iris", include_str!("../../tests/data/iris.csv")),
    ("wine", include_str!("../../tests/data/wine.csv")),
    ("digits", include_str!("../../tests/data/digits.csv")),
];

/// Runs the first `rollouts` rollouts of the default search on each of [`REAL`] in `dir` (one
/// thread) and reports the time per rollout.
fn real_data(out: &mut impl Write, rollouts: u32, dir: &Path) -> Result<(), Failure> {
    let builtin = dir.as_os_str() == "builtin";
    writeln!(
        out,
        "\nreal data ({}), first {rollouts} rollouts of the default search, one thread:",
        if builtin {
            "the committed data sets, built in".to_string()
        } else {
            dir.display().to_string()
        }
    )
    .map_err(lost)?;
    for (name, text) in REAL {
        let file = format!("{name}.csv");
        let data = if builtin {
            Dataset::read(&file, text.as_bytes(), &CsvOptions::default())?
        } else {
            Dataset::csv(&dir.join(file), &CsvOptions::default())?
        };
        let split = data.split()?;
        let run = timed(default_search(rollouts, &split)?, &split, 1, None)?;
        let shape = split.shape();
        writeln!(
            out,
            "  {name:<7} {:>4} rows, {:>2} features, {:>2} classes: {:.2} ms/rollout, {:.1} epochs/child",
            data.labels.len(),
            shape.inputs(),
            shape.classes(),
            1e3 * run.secs / f64::from(rollouts),
            run.epochs
        ).map_err(lost)?;
    }
    Ok(())
}
