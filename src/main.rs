//! `piconas`: the host runner. Runs the search (the main job), or the benchmark.

mod bench;
mod cli;
mod compare;
mod export;
mod outcome;
mod predict_command;
mod run;

use clap::Parser as _;
use piconas::{data, failure, frontier, kernel, output, parallel, pipeline, spec, svg};

fn main() {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => cli::exit_on_parse_error(&e),
    };
    let result = match cli.command {
        Some(cli::Command::Bench(args)) => bench::main(&args),
        Some(cli::Command::Export(args)) => export::main(&args),
        Some(cli::Command::Compare(args)) => compare::main(&args),
        Some(cli::Command::Predict(args)) => predict_command::main(&args),
        None => run::main(&cli.search),
    };
    if let Err(failure) = result {
        fail(&failure);
    }
}

/// Ends the process on `failure`: its one line on stderr (lost if stderr is full or closed,
/// never a panic), and its exit code.
fn fail(failure: &failure::Failure) -> ! {
    let _ = output::to_stderr(&format!("piconas: error: {failure}\n"));
    std::process::exit(failure.exit_code())
}
