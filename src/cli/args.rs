//! Command-line flags. Defaults come from the core's `Default` impls, so none is repeated here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use piconas::data::{CsvOptions, LabelColumn, SplitMode};
use piconas::failure::Failure;
use piconas::spec::Spec;
use piconas::words::{Knob, Words};
use piconas_core::settings::{Kind, PRESETS, Preset, Value};
use piconas_core::{SETTINGS, Setting, Settings};

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
    /// Write a run's winning network as JSON, Rust, a C header (float or int8), an Arduino
    /// library or ONNX.
    Export(ExportArgs),
    /// Run the controller and random search over several seeds at equal budgets; write a
    /// table and a chart of what each found.
    Compare(CompareArgs),
    /// Apply a run's saved network to new rows (a CSV file with the same feature columns):
    /// each row's class and class probabilities; with labels, its accuracy and confusion.
    Predict(PredictArgs),
    /// Train every architecture of the space (each class of sequences that compute the same
    /// function once) under the search's reward protocol: a table of the true optimum and
    /// where each architecture ranks. Resumable, in shards that --merge joins.
    Enumerate(EnumerateArgs),
    /// Run search strategies against a complete table of the whole space (rewards looked up,
    /// not trained), many seeds each: the regret against rollouts, the incumbent's rank, and
    /// the rollouts each needs to reach the top 1 %.
    Regret(RegretArgs),
}

/// `piconas regret --strategy`'s names: the defaults' controller, the original's (`--preset
/// original`), random search and regularized evolution.
pub const STRATEGIES: [&str; 4] = ["reinforce", "original", "random", "evolution"];

/// Options of `piconas regret`.
#[derive(Debug, Args)]
pub struct RegretArgs {
    /// A complete table of the whole space (a `piconas enumerate` directory).
    #[arg(long, value_name = "DIR")]
    pub table: PathBuf,
    /// The strategies: the defaults' controller (reinforce), the original's (original, as
    /// --preset original), random search and regularized evolution.
    #[arg(long, value_name = "NAME,…", value_delimiter = ',',
          default_value = "reinforce,original,random,evolution",
          value_parser = STRATEGIES)]
    pub strategy: Vec<String>,
    /// Searches per strategy (seeds 0 to N − 1).
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub seeds: u32,
    /// Rollouts per search [default: the table's settings'].
    #[arg(long, value_name = "R", value_parser = clap::value_parser!(u32).range(1..=i64::from(piconas_core::config::MAX_ROLLOUTS)))]
    pub rollouts: Option<u32>,
    /// Output directory (new or empty) [default: runs/regret-<UTC timestamp>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Searches run at once; never changes the results [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `piconas enumerate`.
#[derive(Debug, Args)]
pub struct EnumerateArgs {
    /// The settings the children train under (the search's; those of the controller do not
    /// change the table).
    #[command(flatten)]
    pub table: TableArgs,
    /// The data: generated, or a CSV file and how it is read.
    #[command(flatten)]
    pub input: DataArgs,
    /// Output directory (new or empty) [default: runs/space-<UTC timestamp>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Child seeds each architecture is trained with (seed, seed + 1, …): the table keeps
    /// each one's reward, their mean and their spread.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(piconas::space_table::MAX_SEEDS)))]
    pub child_seeds: u32,
    /// Make only part I of N of the table (0/4, 1/4, …; every N-th architecture from the
    /// I-th): --merge joins the parts, made anywhere.
    #[arg(long, value_name = "I/N", value_parser = piconas::space_table::Shard::parse)]
    pub shard: Option<piconas::space_table::Shard>,
    /// Only sequences of at most L tokens [default: 6, the whole space].
    #[arg(long, value_name = "L", value_parser = clap::value_parser!(u32).range(0..=piconas_core::MAX_TOKENS as i64))]
    pub max_tokens: Option<u32>,
    /// Continue the stopped table in DIR, with its own settings.
    #[arg(long, value_name = "DIR", conflicts_with = "merge")]
    pub resume: Option<PathBuf>,
    /// Join the finished shards in these directories into one table in --out.
    #[arg(long, value_name = "DIR", num_args = 1..)]
    pub merge: Vec<PathBuf>,
    /// Threads training architectures at once; never changes the table [default: one per
    /// core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

impl EnumerateArgs {
    /// Whether any flag that describes the table (rather than how it is made) was given.
    pub fn describes_a_table(&self) -> bool {
        !self.table.given.is_empty()
            || self.table.preset.is_some()
            || self.input.given()
            || self.child_seeds != 1
            || self.shard.is_some()
            || self.max_tokens.is_some()
    }
}

/// Options of `piconas predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// A finished run directory (it holds network.json).
    #[arg(long, value_name = "DIR")]
    pub run: PathBuf,
    /// The rows: the network's feature columns in its order, a header (naming them) optional,
    /// a label column optional.
    #[arg(long, value_name = "FILE.csv")]
    pub data: PathBuf,
    /// The label column, if the file has one: its header name or 1-based position
    /// [default: the last, when there is one column more than features].
    #[arg(long, value_name = "NAME|INDEX")]
    pub label: Option<String>,
    /// Write the predictions here (atomically) instead of to stdout; the accuracy report then
    /// goes to stdout rather than stderr.
    #[arg(long, value_name = "FILE.csv")]
    pub out: Option<PathBuf>,
}

/// The command line's words for what the user sets: its flags. The library's errors name
/// them through this ([`Failure::message`]); no library message names a flag itself.
pub struct Flags;

impl Words for Flags {
    fn knob(&self, knob: Knob) -> Option<String> {
        Some(match knob {
            Knob::Setting(s) => format!("--{}", s.flag),
            Knob::Label => "--label".into(),
            Knob::SplitInOrder => "--split in-order".into(),
        })
    }
}

/// Ends the process for a command line clap refused. Help and version go to stdout with
/// exit code 0; anything else is a usage error: one line, `piconas: error: …`, exit code 2,
/// like every other input error.
pub fn exit_on_parse_error(e: &clap::Error) -> ! {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        // Help on a full or closed stdout is an output failure too.
        std::process::exit(if e.print().is_ok() { 0 } else { 1 })
    }
    crate::fail(&crate::failure::Failure::Input(one_line(e)))
}

/// clap's message without its `error:` prefix, usage and tips: its first paragraph (which
/// may list the arguments on lines of their own), on one line.
fn one_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let paragraph: Vec<&str> = text
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let line = paragraph.join(" ");
    line.strip_prefix("error: ").unwrap_or(&line).to_string()
}

/// Options of `piconas compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Seeds per strategy (0, 1, …).
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub seeds: u32,
    /// The settings every search shares (each search's seed and strategy are the sweep's).
    #[command(flatten)]
    pub table: TableArgs<CompareRows>,
    /// Output directory (new or empty) [default: runs/compare-<UTC timestamp>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Searches run at once [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// No per-search lines on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `--format`'s values: the library's table of formats, each with its help.
fn export_formats() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        piconas::deploy::Format::ALL
            .iter()
            .map(|f| clap::builder::PossibleValue::new(f.name).help(f.help)),
    )
}

/// Options of `piconas export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A finished run directory (it holds network.json).
    #[arg(long, value_name = "DIR")]
    pub run: PathBuf,
    /// Output format (the library's table, `piconas::deploy::Format::ALL`).
    #[arg(long, value_name = "FORMAT", default_value = "json", value_parser = export_formats())]
    pub format: String,
    /// Write here (atomically) instead of to stdout; for `arduino`, the library folder (new
    /// or empty).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// The int8 variant of `c` and `c-test`: `c --int8` is `c-int8`, `c-test --int8` is
    /// `c-test-int8`.
    #[arg(long)]
    pub int8: bool,
}

/// Where a search's data comes from: the generator (the table's data settings), or a CSV file
/// and how it is read and split. The search and `enumerate` share these flags.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// Train on a CSV file instead of generated data: numeric feature columns and a label
    /// column (integers or text), header optional.
    #[arg(long, value_name = "FILE.csv")]
    pub data: Option<PathBuf>,
    /// How the file's rows are cut 70/10/20 into train, dev and test: shuffled with each class
    /// in proportion in every part, or in file order [default: stratified].
    #[arg(long, value_name = "MODE", requires = "data", value_parser = piconas::data::SplitMode::NAMES)]
    pub split: Option<String>,
    /// Seed of the stratified split, independent of --seed [default: 0].
    #[arg(long, value_name = "S", requires = "data")]
    pub split_seed: Option<u64>,
    /// The label column: its header name, or its 1-based position [default: the last].
    #[arg(long, value_name = "NAME|INDEX", requires = "data")]
    pub label: Option<String>,
    /// Standardise each feature with the train split's mean and standard deviation (a column
    /// constant there is only shifted); the statistics go into network.json for every
    /// consumer [default: on].
    #[arg(long, value_name = "on|off", requires = "data", value_parser = ["on", "off"])]
    pub standardize: Option<String>,
}

impl DataArgs {
    /// Whether any flag was given.
    pub fn given(&self) -> bool {
        self.data.is_some()
            || self.split.is_some()
            || self.split_seed.is_some()
            || self.label.is_some()
            || self.standardize.is_some()
    }

    /// The run of `settings` on this data (the settings validated).
    pub fn spec(&self, settings: Settings, cache: bool) -> Result<Spec, Failure> {
        if let Some(path) = &self.data
            && path.to_str().is_none()
        {
            return Err(Failure::Input(format!(
                "{}: a data file's path must be UTF-8 (settings.json records it for --resume)",
                path.display()
            )));
        }
        let mode = self.split.as_deref().and_then(SplitMode::from_name);
        let spec = Spec {
            settings,
            data_file: self.data.clone(),
            csv: CsvOptions {
                label: self
                    .label
                    .clone()
                    .map_or(LabelColumn::Last, LabelColumn::Named),
                split: mode.unwrap_or_default(),
                split_seed: self.split_seed.unwrap_or(0),
                standardize: self.standardize.as_deref() != Some("off"),
            },
            cache,
            data_fingerprint: None,
        };
        spec.settings.validate()?;
        Ok(spec)
    }
}

/// Options of the search (the default command): the settings table's flags (see
/// [`TableArgs`]), then what only a host run has (files, threads, the cache, printing).
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The search's settings.
    #[command(flatten)]
    pub table: TableArgs,
    /// Output directory (must not exist or be empty) [default: runs/<UTC timestamp>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The data: generated, or a CSV file and how it is read.
    #[command(flatten)]
    pub input: DataArgs,
    /// Threads training children in parallel (a batch's children, or with one rollout per
    /// update the guessed children of the next rollouts: --speculate); never changes the
    /// results [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// With one rollout per update and two threads or more, train the children of the next
    /// rollouts ahead on a guess of their architecture: the controller's next samples drawn
    /// with its own upcoming random numbers (draws), its greedy sequence (greedy), or the most
    /// frequent recent architecture (recent). Never changes the results [default: draws].
    #[arg(long, value_name = "GUESS", value_parser = ["draws", "greedy", "recent", "off"])]
    pub speculate: Option<String>,
    /// Reuse the first outcome of an architecture sampled again instead of training it anew
    /// (faster; changes the search: repeated samples no longer draw fresh, noisy rewards).
    #[arg(long)]
    pub cache: bool,
    /// Write a checkpoint every N rollouts, so that a stopped run can be resumed [default: 100].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub checkpoint_every: Option<u32>,
    /// Continue the stopped run in DIR from its last checkpoint, with its own settings.
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print every rollout to stdout as one line of exact bits (for cross-target comparison).
    #[arg(long)]
    pub print_records: bool,
}

impl SearchArgs {
    /// Whether any flag that describes the search (rather than how it is run) was given.
    pub fn describes_a_search(&self) -> bool {
        !self.table.given.is_empty()
            || self.table.preset.is_some()
            || self.out.is_some()
            || self.input.given()
            || self.cache
    }
}

/// The core's settings table ([`piconas_core::SETTINGS`]) as flags: each setting's flag, value
/// name, help and default come from its row, and its text is read by the core, as the page's
/// is. Only the flags given are kept, in table order. `R` picks the rows offered.
#[derive(Clone, Debug)]
pub struct TableArgs<R: Rows = AllRows> {
    /// The preset given (`--preset`), applied before the settings given one by one.
    pub preset: Option<&'static Preset>,
    /// The settings given, with their values.
    pub given: Vec<(&'static Setting, Value)>,
    rows: std::marker::PhantomData<R>,
}

/// Which of the table's rows a command offers.
pub trait Rows: Clone + std::fmt::Debug + Send + Sync + 'static {
    /// The settings (by name) a command leaves out.
    const LEFT_OUT: &'static [&'static str];

    /// Whether the command also takes `--data FILE` (which generated-data flags conflict with).
    const DATA_FILE: bool;

    /// The settings offered, in table order.
    fn offered() -> impl Iterator<Item = &'static Setting> {
        SETTINGS
            .iter()
            .filter(|s| !Self::LEFT_OUT.contains(&s.name))
    }
}

/// Every setting (the search).
#[derive(Clone, Debug)]
pub struct AllRows;

impl Rows for AllRows {
    const LEFT_OUT: &'static [&'static str] = &[];
    const DATA_FILE: bool = true;
}

/// All but the seed and the strategy, which `compare` sweeps.
#[derive(Clone, Debug)]
pub struct CompareRows;

impl Rows for CompareRows {
    const LEFT_OUT: &'static [&'static str] = &["seed", "strategy"];
    const DATA_FILE: bool = false;
}

impl<R: Rows> TableArgs<R> {
    /// `settings` with the given preset, then the given flags, applied over it.
    pub fn apply(&self, settings: Settings) -> Settings {
        let mut settings = self.preset.map_or(settings, |p| p.apply(settings));
        for (setting, value) in &self.given {
            // Each value was parsed by this setting's parser: it fits.
            let _ = setting.set(&mut settings, *value);
        }
        settings
    }
}

/// A flag for `setting`; generated-data settings conflict with `--data` when there is one.
fn table_arg(setting: &'static Setting, data_file: bool) -> clap::Arg {
    let arg = clap::Arg::new(setting.name)
        .long(setting.flag)
        .value_name(setting.value_name)
        .help(format!(
            "{} [default: {}]",
            setting.help,
            setting.default_value()
        ))
        .action(clap::ArgAction::Set)
        // `--noise -1` is a value out of range, not an unknown flag `-1`.
        .allow_negative_numbers(!matches!(setting.kind, Kind::Choice(_)))
        .value_parser(SettingParser(setting));
    if setting.generated_data && data_file {
        arg.conflicts_with("data")
    } else {
        arg
    }
}

impl<R: Rows> clap::FromArgMatches for TableArgs<R> {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let given = R::offered()
            .filter_map(|s| {
                let value = matches.try_get_one::<Value>(s.name).ok().flatten()?;
                Some((s, *value))
            })
            .collect();
        let preset = matches
            .try_get_one::<String>("preset")
            .ok()
            .flatten()
            .and_then(|name| Preset::named(name));
        Ok(TableArgs {
            preset,
            given,
            rows: std::marker::PhantomData,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl<R: Rows> Args for TableArgs<R> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        let names: Vec<&'static str> = PRESETS.iter().map(|p| p.name).collect();
        let help: Vec<String> = PRESETS
            .iter()
            .map(|p| format!("{}: {}", p.name, p.help))
            .collect();
        let preset = clap::Arg::new("preset")
            .long("preset")
            .value_name("NAME")
            .help(format!(
                "Start from a preset, then apply the settings given one by one ({})",
                help.join("; ")
            ))
            .value_parser(names);
        cmd.arg(preset)
            .args(R::offered().map(|s| table_arg(s, R::DATA_FILE)))
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

/// Reads a flag's text with its setting's parser ([`Setting::parse`]); lists a choice's names
/// in help and errors.
#[derive(Clone, Copy, Debug)]
pub struct SettingParser(pub &'static Setting);

impl clap::builder::TypedValueParser for SettingParser {
    type Value = Value;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Value, clap::Error> {
        let text = value.to_string_lossy();
        self.0.parse(&text).map_err(|e| {
            let flag = arg.map_or_else(|| self.0.flag.to_string(), ToString::to_string);
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("invalid value '{text}' for '{flag}': {e}\n"),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        match self.0.kind {
            Kind::Choice(names) => Some(Box::new(
                names.iter().map(|n| clap::builder::PossibleValue::new(*n)),
            )),
            _ => None,
        }
    }
}

/// Options of `piconas bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Rollouts in the rollouts/s part.
    #[arg(long, value_name = "N", default_value_t = 300,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(piconas_core::config::MAX_ROLLOUTS)))]
    pub rollouts: u32,
    /// Threads of the speculative part [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// Folder of the real data sets (iris.csv, wine.csv, digits.csv) to time the search on;
    /// `builtin`: the copies of the committed ones built into this binary; `none` skips that
    /// part.
    #[arg(long, value_name = "DIR", default_value = "builtin")]
    pub real: PathBuf,
    /// Rollouts per real data set.
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(piconas_core::config::MAX_ROLLOUTS)))]
    pub real_rollouts: u32,
    /// Epochs per architecture in the child-training part.
    #[arg(long, value_name = "N", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(piconas_core::config::MAX_EPOCHS)))]
    pub epochs: u32,
}

impl SearchArgs {
    /// The run the flags describe (validated).
    pub fn spec(&self) -> Result<Spec, Failure> {
        self.input
            .spec(self.table.apply(Settings::DEFAULT), self.cache)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// What a run uses for the settings no flag gave.
    fn settings_of(args: &[&str]) -> Settings {
        let cli = Cli::try_parse_from(std::iter::once("piconas").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
        cli.search.spec().unwrap().settings
    }

    #[test]
    fn every_default_in_help_is_the_one_a_run_uses() {
        let help = Cli::command().render_help().to_string();
        // One entry per option, its wrapped lines joined (the width depends on the terminal).
        let mut entries: Vec<String> = Vec::new();
        for line in help.lines() {
            match entries.last_mut() {
                // An option's line is indented by at most six spaces; its wrapped help, more.
                Some(entry) if line.len() - line.trim_start().len() > 6 => {
                    entry.push(' ');
                    entry.push_str(line.trim());
                }
                _ => entries.push(line.trim().to_string()),
            }
        }
        let unset = settings_of(&[]);
        for s in &SETTINGS {
            let flag = format!("--{} <", s.flag);
            let line = entries
                .iter()
                .find(|l| l.starts_with(&flag))
                .unwrap_or_else(|| panic!("{flag} missing from --help"));
            let shown = line
                .split("[default: ")
                .nth(1)
                .and_then(|rest| rest.split(']').next())
                .unwrap_or_else(|| panic!("{flag}: no default in {line:?}"));
            // Giving the default shown changes nothing, and reading it back gives the run's.
            assert_eq!(
                settings_of(&[&format!("--{}={shown}", s.flag)]),
                unset,
                "{flag}"
            );
            assert_eq!(s.get(&unset), s.parse(shown).unwrap(), "{flag}");
        }
    }

    /// Every long flag of the command line and its subcommands.
    fn all_flags(cmd: &clap::Command, flags: &mut Vec<String>) {
        flags.extend(
            cmd.get_arguments()
                .filter_map(|a| a.get_long())
                .map(String::from),
        );
        for sub in cmd.get_subcommands() {
            all_flags(sub, flags);
        }
    }

    #[test]
    fn the_command_lines_words_are_its_flags() {
        // Every knob a library error refers to is named by a flag the command line has.
        let mut flags = Vec::new();
        all_flags(&Cli::command(), &mut flags);
        let knobs = SETTINGS
            .iter()
            .map(Knob::Setting)
            .chain([Knob::Label, Knob::SplitInOrder]);
        for knob in knobs {
            let words = Flags.knob(knob).unwrap();
            let flag = words.split(' ').next().unwrap();
            let flag = flag.strip_prefix("--").unwrap();
            assert!(flags.iter().any(|f| f == flag), "{words}");
        }
        // And the split's words are a command line that parses.
        let split = Flags.knob(Knob::SplitInOrder).unwrap();
        let args = ["piconas", "--data", "d.csv"]
            .into_iter()
            .chain(split.split(' '));
        let cli = Cli::try_parse_from(args).unwrap();
        assert_eq!(cli.search.input.split.as_deref(), Some("in-order"));
    }

    #[test]
    fn no_library_message_names_a_command_line_flag() {
        // The library speaks to the page and Python too: a flag is the command line's word,
        // added at its edge (src/cli). Generated files may say which command made them.
        let mut flags = Vec::new();
        all_flags(&Cli::command(), &mut flags);
        assert!(flags.len() > 40, "{flags:?}");
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut checked = 0;
        for entry in std::fs::read_dir(&src).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
            for (n, line) in code.lines().enumerate() {
                let line = line.trim_start();
                if line.starts_with("//") || line.contains("Generated by") {
                    continue;
                }
                // A flag built from the settings table (`--{}` of `s.flag`) is one too.
                assert!(
                    !line.contains("\"--{") && !line.contains("(\"--"),
                    "{}:{}: builds a flag: {line}",
                    path.display(),
                    n + 1
                );
                for flag in &flags {
                    let named = line.match_indices(&format!("--{flag}")).any(|(at, m)| {
                        !line[at + m.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '-')
                    });
                    assert!(
                        !named,
                        "{}:{}: names --{flag}: {line}",
                        path.display(),
                        n + 1
                    );
                }
            }
            checked += 1;
        }
        assert!(checked > 20);
    }

    #[test]
    fn export_offers_the_library_table_with_its_help() {
        let cmd = Cli::command();
        let export = cmd.find_subcommand("export").unwrap();
        let format = export
            .get_arguments()
            .find(|a| a.get_long() == Some("format"))
            .unwrap();
        let values: Vec<(String, String)> = format
            .get_possible_values()
            .iter()
            .map(|v| (v.get_name().to_string(), v.get_help().unwrap().to_string()))
            .collect();
        let table: Vec<(String, String)> = piconas::deploy::Format::ALL
            .iter()
            .map(|f| (f.name.to_string(), f.help.to_string()))
            .collect();
        assert_eq!(values, table);
        let parse = |args: &[&str]| {
            Cli::try_parse_from(["piconas", "export", "--run", "r"].iter().chain(args))
        };
        assert!(parse(&["--format", "c-test-int8"]).is_ok());
        assert!(parse(&["--format", "pdf"]).is_err());
    }

    #[test]
    fn compare_offers_the_table_less_what_it_sweeps() {
        let cmd = Cli::command();
        let compare = cmd.find_subcommand("compare").unwrap();
        let flags: Vec<&str> = compare
            .get_arguments()
            .filter_map(|a| a.get_long())
            .collect();
        for s in &SETTINGS {
            let swept = ["seed", "strategy"].contains(&s.name);
            assert_eq!(flags.contains(&s.flag), !swept, "{}", s.flag);
        }
    }
}
