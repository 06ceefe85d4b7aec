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
}

impl Failure {
    /// The process exit code for this failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Input(_) => 2,
            Failure::Io(_) => 1,
        }
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
        }
    }
}
