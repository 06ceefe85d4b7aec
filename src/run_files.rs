//! The files of a run directory, each named once here (docs/reference.md, "Output files",
//! says what each holds). The runner, the exports, the page's settings and Python's estimator
//! all name them from here.

/// The run's settings, written first: what a resume and the exports rebuild it from.
pub const SETTINGS: &str = "settings.json";
/// The winner: its architecture, weights, standardisation and accuracies.
pub const NETWORK: &str = "network.json";
/// One row per rollout, appended as the search goes.
pub const ROLLOUTS: &str = "rollouts.csv";
/// The last checkpoint of the search.
pub const CHECKPOINT: &str = "checkpoint.bin";
/// The history up to the last checkpoint.
pub const HISTORY: &str = "history.bin";
/// Each data-file row's part of the split.
pub const SPLIT: &str = "split.csv";
/// The chart of the rewards.
pub const REWARDS: &str = "rewards.svg";
/// Every architecture seen, with its accuracy/size frontier flag.
pub const FRONTIER: &str = "frontier.csv";
/// The chart of the frontier.
pub const FRONTIER_CHART: &str = "frontier.svg";
/// The outcome: the file a finished run writes last.
pub const SUMMARY: &str = "summary.json";
/// The table of the whole space (`piconas enumerate`; `piconas::space_table`'s bytes).
pub const SPACE: &str = "space.bin";
/// That table as CSV, written when it is complete.
pub const SPACE_CSV: &str = "space.csv";
/// The lock file (see [`Claim`](crate::output::Claim)).
pub const LOCK: &str = ".piconas.lock";
/// The network file's `format` tag.
pub const NETWORK_FORMAT: &str = "piconas-network";
/// The network file's newest `version` (files of 1 to it are read).
pub const NETWORK_VERSION: u32 = 4;
