//! The runner's errors: one line each, with the exit code they map to.

use std::fmt;
use std::path::Path;

/// Why the runner stopped.
#[derive(Debug, PartialEq)]
pub enum Failure {
    /// Bad input from the user (flags, data file, output directory): exit code 2.
    Input(String),
    /// The system failed us (disk full, permissions on write): exit code 1.
    Io(String),
    /// An invariant of piconas itself broke (a bug, not the user's doing): exit code 70
    /// (`EX_SOFTWARE`), and the message asks for a report.
    Bug(String),
}

impl Failure {
    /// The process exit code for this failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Input(_) => 2,
            Failure::Io(_) => 1,
            Failure::Bug(_) => 70,
        }
    }

    /// A broken invariant, described by `what`.
    pub fn bug(what: impl fmt::Display) -> Failure {
        Failure::Bug(what.to_string())
    }

    /// An I/O failure on `path`, as one line.
    pub fn io(path: &Path, doing: &str, err: std::io::Error) -> Failure {
        Failure::Io(format!("{}: {doing}: {err}", path.display()))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Input(m) | Failure::Io(m) => f.write_str(m),
            Failure::Bug(m) => write!(
                f,
                "internal error: {m} (a bug in piconas; please report it with the command that \
                 caused it)"
            ),
        }
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
            assert_eq!(failure.to_string(), text);
        }
    }
}
