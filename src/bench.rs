//! `piconas bench`: the fixed workload later speed work is measured against.
//!
//! Part 1 trains fixed architectures for a fixed number of epochs (patience = epochs, so no
//! early stop) and reports samples/s and multiply-adds/s. Part 2 runs the default search for
//! a fixed number of rollouts, the way the runner does (one thread), and reports rollouts/s.
//! Both say which instruction set trained the children (see `kernel`).

use std::io::Write;
use std::time::Instant;

use piconas_core::config::MAX_ROLLOUTS_PER_UPDATE;
use piconas_core::rng::{self, Stream};
use piconas_core::{
    Arch, ChildConfig, DataConfig, Hidden, Search, SearchConfig, Shape, Split, Trainer,
};

use crate::cli::BenchArgs;
use crate::data::Dataset;
use crate::failure::Failure;
use crate::spec::invalid;

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

/// `piconas bench`: child training per architecture, then the default search's rollouts/s.
pub fn main(args: &BenchArgs) -> Result<(), Failure> {
    let data = Dataset::generate(DataConfig::default())?;
    let split = data.split()?;
    // A closed stdout (`| head`) stops the report, not the program.
    let mut out = std::io::stdout().lock();
    children(&mut out, args.epochs, &split)?;
    rollouts(&mut out, args.rollouts, &split)
}

/// Trains each of [`ARCHS`] for `epochs` epochs, again and again for about a second, and
/// reports samples, multiply-adds and milliseconds per child.
fn children(out: &mut impl Write, epochs: u32, split: &Split<'_>) -> Result<(), Failure> {
    let child = ChildConfig {
        max_epochs: epochs,
        patience: epochs,
        ..ChildConfig::default()
    };
    child.validate().map_err(invalid)?;
    let _ = writeln!(
        out,
        "child training, {epochs} epochs each, {} train + {} dev samples, on {}",
        split.train.len(),
        split.dev.len(),
        if crate::kernel::avx2() {
            "AVX2"
        } else {
            "the baseline instruction set"
        }
    );
    let _ = writeln!(
        out,
        "{:<34} {:>12} {:>14} {:>10}",
        "architecture", "samples/s", "MAC/s", "ms/child"
    );
    let mut trainer = Trainer::new();
    for name in ARCHS {
        let arch: Arch = name
            .parse()
            .map_err(|e| Failure::bug(format!("{name}: {e}")))?;
        let start = Instant::now();
        let mut children = 0u32;
        while start.elapsed().as_secs_f64() < 1.0 || children < 3 {
            let mut rng = rng::stream(0, Stream::Child, children.into());
            crate::kernel::fit(&mut trainer, &arch, &child, &split.holdout(), &mut rng);
            children += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        let epochs = f64::from(children) * f64::from(epochs);
        let samples = epochs * split.train.len() as f64;
        let shape = split.shape();
        let macs = samples * training_macs(&arch, shape) as f64
            + epochs * split.dev.len() as f64 * arch.forward_macs(shape) as f64;
        let _ = writeln!(
            out,
            "{:<34} {:>12.0} {:>14.3e} {:>10.2}",
            name,
            samples / secs,
            macs / secs,
            1e3 * secs / f64::from(children)
        );
    }
    Ok(())
}

/// Runs the first `rollouts` rollouts of the default search (seed 0, the default controller,
/// one thread) and reports their rate.
fn rollouts(out: &mut impl Write, rollouts: u32, split: &Split<'_>) -> Result<(), Failure> {
    let config = SearchConfig {
        rollouts,
        ..SearchConfig::default()
    };
    config.validate().map_err(invalid)?;
    let start = Instant::now();
    let mut search: Box<Search<{ Hidden::DEFAULT.units() }, MAX_ROLLOUTS_PER_UPDATE>> =
        Box::new(Search::idle());
    search.start(config).map_err(invalid)?;
    let mut epochs = 0u64;
    crate::parallel::run(&mut search, split, 1, None, |event| {
        if let crate::parallel::Event::Record(r) = event {
            epochs += u64::from(r.epochs);
        }
        Ok(())
    })?;
    let secs = start.elapsed().as_secs_f64();
    let _ = writeln!(
        out,
        "\ndefault search, first {rollouts} rollouts (seed 0): {:.1} rollouts/s, {:.2} ms/rollout, {:.1} epochs/child",
        f64::from(rollouts) / secs,
        1e3 * secs / f64::from(rollouts),
        epochs as f64 / f64::from(rollouts)
    );
    Ok(())
}
