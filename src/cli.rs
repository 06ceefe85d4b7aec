//! Command-line flags. Defaults come from the core's `Default` impls, so none is repeated here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Neural architecture search on two moons, circles, XOR, spirals or your CSV, small enough for
/// a microcontroller.
#[derive(Debug, Parser)]
#[command(version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to run instead of the search.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The search's options.
    #[command(flatten)]
    pub search: SearchArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Measure child-training throughput and rollouts per second on a fixed workload.
    Bench(BenchArgs),
    /// Write a run's winning network (architecture and trained weights) as JSON or Rust.
    Export(ExportArgs),
    /// Run the controller and random search over several seeds at equal budgets; write a
    /// table and a chart of what each found.
    Compare(CompareArgs),
}

/// Options of `piconas compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Seeds per strategy (0, 1, …).
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub seeds: u32,
    /// Rollouts per search.
    #[arg(long, value_name = "N", default_value_t = 5000)]
    pub rollouts: u32,
    /// Output directory (new or empty) [default: runs/compare-<UTC timestamp>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Searches run at once [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// The generated data set every search runs on.
    #[arg(long, value_enum, default_value_t = DatasetArg::Moons)]
    pub dataset: DatasetArg,
    /// No per-search lines on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A built-in data set (`--dataset`); see the core's `datasets` module for the curves.
#[derive(Clone, Copy, Debug, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatasetArg {
    /// Two interleaving half circles (the original's data).
    Moons,
    /// Two concentric circles, radii 1 and 0.5.
    Circles,
    /// Four Gaussian blobs at (±0.5, ±0.5), opposite corners sharing a class.
    Xor,
    /// Two interleaved spiral arms of 1.5 turns.
    Spirals,
}

impl DatasetArg {
    /// The core's data set.
    pub fn core(self) -> piconas_core::Dataset {
        match self {
            DatasetArg::Moons => piconas_core::Dataset::Moons,
            DatasetArg::Circles => piconas_core::Dataset::Circles,
            DatasetArg::Xor => piconas_core::Dataset::Xor,
            DatasetArg::Spirals => piconas_core::Dataset::Spirals,
        }
    }
}

/// What the resource-aware reward counts (`--cost`).
#[derive(Clone, Copy, Debug, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CostArg {
    /// Multiply-adds of one forward pass (inference time).
    Macs,
    /// Trainable parameters (memory for the weights).
    Params,
}

/// How architectures are proposed (`--strategy`).
#[derive(Clone, Copy, Debug, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
pub enum StrategyArg {
    /// The GRU controller trained by REINFORCE (the original).
    Reinforce,
    /// Uniform over all valid architectures, same budget and child training.
    Random,
}

/// What `piconas export` writes.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ExportFormat {
    /// The network file itself (architecture, weights, accuracies).
    Json,
    /// A Rust source of `const` arrays (exact bits) that firmware can `include!`.
    Rust,
}

/// Options of `piconas export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A finished run directory (it holds network.json).
    #[arg(long, value_name = "DIR")]
    pub run: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,
    /// Write here (atomically) instead of to stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Options of the search (the default command). Serialised (less the per-invocation ones)
/// into a run's `settings.json`, so that `--resume` rebuilds exactly the same search.
#[derive(Debug, Args, serde::Serialize, serde::Deserialize)]
pub struct SearchArgs {
    /// Rollouts to run [default: 5000].
    #[arg(long, value_name = "N")]
    pub rollouts: Option<u32>,
    /// Seed of the search's random streams [default: 0].
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Output directory (must not exist or be empty) [default: runs/<UTC timestamp>].
    #[arg(long, value_name = "DIR")]
    #[serde(skip)]
    pub out: Option<PathBuf>,
    /// Train on a CSV file (columns x1,x2,label; header optional) instead of generated data.
    #[arg(long, value_name = "FILE.csv")]
    pub data: Option<PathBuf>,
    /// The generated data set [default: moons].
    #[arg(long, value_enum, conflicts_with = "data")]
    pub dataset: Option<DatasetArg>,
    /// Generated points [default: 1000].
    #[arg(long, value_name = "N", conflicts_with = "data")]
    pub samples: Option<usize>,
    /// Noise σ of the generated data [default: 0.2].
    #[arg(long, value_name = "SIGMA", conflicts_with = "data")]
    pub noise: Option<f32>,
    /// Seed of the generated data, separate from --seed [default: 0].
    #[arg(long, value_name = "S", conflicts_with = "data")]
    pub data_seed: Option<u64>,
    /// Controller hidden units [default: 64].
    #[arg(long, value_name = "H", value_parser = clap::builder::PossibleValuesParser::new(["16", "32", "64", "128"]))]
    pub hidden: Option<String>,
    /// How architectures are proposed [default: reinforce].
    #[arg(long, value_enum)]
    pub strategy: Option<StrategyArg>,
    /// λ of the resource-aware reward: accuracy − λ·cost, the cost normalised so that the
    /// largest network costs 1; 0 to 10 [default: 0, accuracy alone].
    #[arg(long, value_name = "LAMBDA")]
    pub cost_weight: Option<f32>,
    /// What --cost-weight charges for [default: macs].
    #[arg(long, value_enum)]
    pub cost: Option<CostArg>,
    /// Rollouts per controller update, 1 to 8 [default: 1].
    #[arg(long, value_name = "K")]
    pub rollouts_per_update: Option<usize>,
    /// Child learning rate [default: 0.01].
    #[arg(long, value_name = "LR")]
    pub child_lr: Option<f32>,
    /// Child epoch limit [default: 100].
    #[arg(long, value_name = "N")]
    pub max_epochs: Option<u32>,
    /// Epochs without a new best dev accuracy before a child stops [default: 10].
    #[arg(long, value_name = "N")]
    pub patience: Option<u32>,
    /// Controller learning rate [default: 0.01].
    #[arg(long, value_name = "LR")]
    pub controller_lr: Option<f32>,
    /// Initial entropy-bonus weight β [default: 0.01].
    #[arg(long, value_name = "BETA")]
    pub entropy_weight: Option<f32>,
    /// Clip the controller's gradient to this L2 norm [default: no clipping].
    #[arg(long, value_name = "NORM")]
    pub max_grad_norm: Option<f32>,
    /// Threads training children in parallel; helps only with --rollouts-per-update ≥ 2, and
    /// never changes the results [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    #[serde(skip)]
    pub threads: Option<u16>,
    /// Reuse the first outcome of an architecture sampled again instead of training it anew
    /// (faster; changes the search: repeated samples no longer draw fresh, noisy rewards).
    #[arg(long)]
    pub cache: bool,
    /// Finalists retrained at the end, 1 to 8 [default: 5].
    #[arg(long, value_name = "N")]
    pub finalists: Option<usize>,
    /// Retrains per finalist [default: 5].
    #[arg(long, value_name = "N")]
    pub retrains: Option<u32>,
    /// Write a checkpoint every N rollouts, so that a stopped run can be resumed [default: 100].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    #[serde(skip)]
    pub checkpoint_every: Option<u32>,
    /// Continue the stopped run in DIR from its last checkpoint, with its own settings.
    #[arg(long, value_name = "DIR")]
    #[serde(skip)]
    pub resume: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    #[serde(skip)]
    pub quiet: bool,
    /// Print every rollout to stdout as one line of exact bits (for cross-target comparison).
    #[arg(long)]
    #[serde(skip)]
    pub print_records: bool,
}

impl SearchArgs {
    /// The flags of a plain `--resume DIR` (everything else unset), to tell which were given.
    pub fn default_for_resume() -> SearchArgs {
        <SearchArgs as clap::FromArgMatches>::from_arg_matches(
            &<Cli as clap::CommandFactory>::command().get_matches_from(["piconas"]),
        )
        .unwrap_or_else(|_| unreachable!("no flags always parse"))
    }
}

/// Options of `piconas bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Rollouts in the rollouts/s part.
    #[arg(long, value_name = "N", default_value_t = 300)]
    pub rollouts: u32,
    /// Epochs per architecture in the child-training part.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub epochs: u32,
}
