//! `piconas`: the command line. Runs the search (the main job) or one of the subcommands.
//!
//! This folder is the binary; everything it drives is the library in `src/` (see
//! `src/lib.rs`), which the page and the Python package share. Editing a file here changes
//! the command line only.
//!
//! - `args` — the arguments (clap), their help, and how a parse error exits (code 2);
//! - `run` — the main job: a search into a run directory, resumable, with its progress bar;
//! - `outcome` — what a finished run prints and writes beside its network (summary, charts);
//! - `compare` — several searches side by side (strategies × seeds), with a chart;
//! - `export` — a finished run's network as C, int8 C, Rust, Arduino, ONNX or JSON;
//! - `predict` — a finished run's network on the rows of a CSV file;
//! - `enumerate` — the whole space trained into a table (resumable, in shards);
//! - `regret` — search strategies run against such a table, many seeds each;
//! - `bench` — the speed benchmark (`piconas bench`).

mod args;
mod bench;
mod compare;
mod enumerate;
mod export;
mod outcome;
mod predict;
mod progress;
mod regret;
mod run;

use clap::Parser as _;
use piconas::{data, failure, frontier, kernel, output, parallel, pipeline, spec, svg};

fn main() {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => args::exit_on_parse_error(&e),
    };
    let result = match cli.command {
        Some(args::Command::Bench(args)) => bench::main(&args),
        Some(args::Command::Export(args)) => export::main(&args),
        Some(args::Command::Compare(args)) => compare::main(&args),
        Some(args::Command::Predict(args)) => predict::main(&args),
        Some(args::Command::Enumerate(args)) => enumerate::main(&args),
        Some(args::Command::Regret(args)) => regret::main(&args),
        None => run::main(&cli.search),
    };
    if let Err(failure) = result {
        fail(&failure);
    }
}

/// Ends the process on `failure`: its one line on stderr, naming flags (lost if stderr is full or closed,
/// never a panic), and its exit code.
fn fail(failure: &failure::Failure) -> ! {
    let message = failure.message(&args::Flags);
    let _ = output::to_stderr(&format!("piconas: error: {message}\n"));
    std::process::exit(failure.exit_code())
}
