//! Why a library call, or the runner, stopped: the typed errors of data, settings files,
//! network files and exports, and the rest as one line each; with the exit code the command
//! line maps them to. `message(words)` names what the user sets in a front end's words
//! ([`crate::words`]); `Display` in the library's own.

use std::fmt;
use std::path::Path;

use piconas_core::{ConfigError, Setting};

use crate::data_error::DataError;
use crate::file_errors::{ExportError, NetworkFileError, SpecError};
use crate::words::{Knob, Plain, Words};

/// Why a library call, or the runner, stopped.
#[derive(Debug, PartialEq)]
pub enum Failure {
    /// A setting out of its range (the core's typed error).
    Config(ConfigError),
    /// Data that cannot be trained on or predicted: a data file, new rows, the generator.
    Data(Box<DataError>),
    /// A run's `settings.json` that cannot be read back.
    Spec(Box<SpecError>),
    /// A network file (`network.json`) that cannot be read back.
    Network(Box<NetworkFileError>),
    /// An export that cannot be made from what is at hand.
    Export(ExportError),
    /// Other bad input from the user (a run directory, an output path), named by its path.
    Input(String),
    /// The system failed us (disk full, permissions on write): exit code 1.
    Io(String),
    /// An invariant of piconas itself broke (a bug, not the user's doing): exit code 70
    /// (`EX_SOFTWARE`), and the message asks for a report.
    Bug(String),
}

impl Failure {
    /// The process exit code for this failure: 2 for the user's input, 1 for the system's
    /// failure, 70 for a bug.
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Io(_) => 1,
            Failure::Bug(_) => 70,
            _ => 2,
        }
    }

    /// Whether the user's input is to blame (exit code 2).
    pub fn is_input(&self) -> bool {
        self.exit_code() == 2
    }

    /// A broken invariant, described by `what`.
    pub fn bug(what: impl fmt::Display) -> Failure {
        Failure::Bug(what.to_string())
    }

    /// An I/O failure on `path`, as one line.
    pub fn io(path: &Path, doing: &str, err: std::io::Error) -> Failure {
        Failure::Io(format!("{}: {doing}: {err}", path.display()))
    }

    /// The one-line message, naming what the user sets in `words`.
    pub fn message(&self, words: &dyn Words) -> String {
        match self {
            Failure::Config(e) => config_message(*e, words),
            Failure::Data(e) => e.message(words),
            Failure::Spec(e) => e.to_string(),
            Failure::Network(e) => e.to_string(),
            Failure::Export(e) => e.to_string(),
            Failure::Input(m) | Failure::Io(m) => m.clone(),
            Failure::Bug(m) => format!(
                "internal error: {m} (a bug in piconas; please report it with the command that \
                 caused it)"
            ),
        }
    }
}

/// "{knob} must be … (got …)", the setting named in `words`.
fn config_message(e: ConfigError, words: &dyn Words) -> String {
    let knob = Setting::of_field(e.field).and_then(|s| words.knob(Knob::Setting(s)));
    let name = knob.unwrap_or_else(|| e.field.to_string());
    format!("{name} must be {} (got {})", e.allowed, e.got)
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(&Plain))
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Failure {
        Failure::Config(e)
    }
}

impl From<DataError> for Failure {
    fn from(e: DataError) -> Failure {
        Failure::Data(Box::new(e))
    }
}

impl From<SpecError> for Failure {
    fn from(e: SpecError) -> Failure {
        Failure::Spec(Box::new(e))
    }
}

impl From<NetworkFileError> for Failure {
    fn from(e: NetworkFileError) -> Failure {
        Failure::Network(Box::new(e))
    }
}

impl From<ExportError> for Failure {
    fn from(e: ExportError) -> Failure {
        Failure::Export(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_failure_has_its_exit_code_and_one_line() {
        let cases = [
            (Failure::Input("bad.csv:3: x".into()), 2, "bad.csv:3: x"),
            (Failure::Io("out: disk full".into()), 1, "out: disk full"),
            (
                Failure::bug("rollout 4 was not trained"),
                70,
                "internal error: rollout 4 was not trained (a bug in piconas; please report it with the command that caused it)",
            ),
        ];
        for (failure, code, text) in cases {
            assert_eq!(failure.exit_code(), code);
            assert_eq!(failure.is_input(), code == 2);
            assert_eq!(failure.to_string(), text);
        }
    }

    /// A front end's words: `--flag` for a setting, none for the rest.
    struct Dashes;

    impl Words for Dashes {
        fn knob(&self, knob: Knob) -> Option<String> {
            match knob {
                Knob::Setting(s) => Some(format!("--{}", s.flag)),
                _ => None,
            }
        }
    }

    #[test]
    fn a_setting_out_of_range_is_named_in_the_front_ends_words() {
        let epochs = Setting::named("max_epochs").unwrap();
        let e = Failure::Config(ConfigError {
            field: epochs.field,
            allowed: piconas_core::config::Allowed::Range { min: 1, max: 1000 },
            got: piconas_core::config::Got::Int(0),
        });
        assert_eq!(e.exit_code(), 2);
        assert!(e.is_input());
        assert_eq!(
            e.to_string(),
            "setting max_epochs must be an integer in 1..=1000 (got 0)"
        );
        assert_eq!(
            e.message(&Dashes),
            format!("--{} must be an integer in 1..=1000 (got 0)", epochs.flag)
        );
        // A field of no setting keeps its own name.
        let other = Failure::Config(ConfigError {
            field: "child.nothing",
            ..match e {
                Failure::Config(c) => c,
                _ => unreachable!(),
            }
        });
        assert_eq!(
            other.message(&Dashes),
            "child.nothing must be an integer in 1..=1000 (got 0)"
        );
    }

    #[test]
    fn every_typed_error_is_the_users_input() {
        use crate::data_error::Problem;
        use crate::file_errors::{Missing, SpecProblem};
        let typed: [Failure; 3] = [
            DataError::of("d.csv", Problem::NoRows).into(),
            SpecError {
                path: "s.json".into(),
                problem: SpecProblem::NotAnObject,
            }
            .into(),
            ExportError::NeedsRows {
                format: "c-test",
                rows: Missing::Test,
            }
            .into(),
        ];
        let texts = [
            "d.csv: no rows",
            "s.json: not a settings file (a JSON object)",
            "format c-test: needs the run's test split: it writes those rows, and it is not at hand",
        ];
        for (failure, text) in typed.iter().zip(texts) {
            assert_eq!(failure.exit_code(), 2, "{failure}");
            assert_eq!(failure.to_string(), text);
        }
    }
}
