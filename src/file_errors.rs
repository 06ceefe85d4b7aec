//! Why a run's files were refused, as values: its settings file (`settings.json`, read back
//! to resume or export), its network file (`network.json`, read back to predict or export),
//! and an export that cannot be made from what is at hand. Each names the file and what is
//! wrong with the numbers and names involved; none refers to anything a front end names in
//! its own words, so each has one `Display`. Never panics.

use std::fmt;

use piconas_core::settings::ParseError;
use piconas_core::{ConfigError, ShapeError, TokenError};

use crate::run_files;

/// A settings file refused: its path, and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct SpecError {
    /// The file, as the user named it.
    pub path: String,
    /// What is wrong.
    pub problem: SpecProblem,
}

/// What is wrong with a settings file.
#[derive(Clone, Debug, PartialEq)]
pub enum SpecProblem {
    /// Not a JSON object.
    NotAnObject,
    /// A key that is no setting.
    UnknownSetting {
        /// The key.
        key: String,
    },
    /// A setting's value that its parser refuses (`null` is "unset").
    Value {
        /// The setting's name.
        key: &'static str,
        /// The value as the file has it (`None` for `null`).
        value: Option<String>,
        /// Why the parser refuses it.
        error: ParseError,
    },
    /// A fingerprint that is not 16 hex digits.
    Fingerprint {
        /// The text.
        text: String,
    },
    /// A split mode that is none of the known ones.
    Split {
        /// The name.
        name: String,
    },
    /// A split seed that is not an unsigned 64-bit number.
    SplitSeed {
        /// The value as the file has it.
        value: String,
    },
    /// Settings that do not go together (the core's check); `setting` is the file's key.
    Config {
        /// The setting's name, as the file has it.
        setting: &'static str,
        /// The core's error.
        error: ConfigError,
    },
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.path)?;
        match &self.problem {
            SpecProblem::NotAnObject => write!(f, "not a settings file (a JSON object)"),
            SpecProblem::UnknownSetting { key } => write!(f, "unknown setting {key:?}"),
            SpecProblem::Value {
                key,
                value: Some(value),
                error,
            } => write!(f, "{key}: {value} {error}"),
            SpecProblem::Value {
                key,
                value: None,
                error,
            } => write!(f, "{key}: {error}"),
            SpecProblem::Fingerprint { text } => {
                write!(f, "data_fingerprint: {text:?} is not 16 hex digits")
            }
            SpecProblem::Split { name } => write!(f, "split: unknown mode {name:?}"),
            SpecProblem::SplitSeed { value } => write!(f, "split_seed: {value} is not a seed"),
            SpecProblem::Config { setting, error } => {
                write!(f, "{setting} must be {} (got {})", error.allowed, error.got)
            }
        }
    }
}

/// A network file refused: its name, and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkFileError {
    /// The file, as the user named it.
    pub source: String,
    /// What is wrong.
    pub problem: NetworkProblem,
}

/// What is wrong with a network file.
#[derive(Clone, Debug, PartialEq)]
pub enum NetworkProblem {
    /// Not JSON of a network file's fields (the JSON reader's reason).
    NotANetworkFile(String),
    /// Another format, or a version this build does not read.
    Version {
        /// The file's format.
        format: String,
        /// Its version.
        version: u32,
    },
    /// `members` in a file from before ensembles.
    MembersInLegacy {
        /// The file's version.
        version: u32,
    },
    /// No members: an ensemble needs one.
    NoMembers,
    /// `weights` beside `members`.
    WeightsBesideMembers,
    /// More members than an ensemble has.
    TooManyMembers {
        /// The members.
        members: usize,
        /// The most an ensemble has.
        max: usize,
    },
    /// An accuracy that is not a fraction.
    Accuracy {
        /// `dev_accuracy` or `test_accuracy`.
        key: &'static str,
        /// Its value.
        value: f32,
    },
    /// An architecture the core does not read.
    Arch {
        /// The text.
        arch: String,
        /// The core's reason.
        error: TokenError,
    },
    /// Features and classes beyond the core's capacities.
    Shape(ShapeError),
    /// Standardisation statistics of another count than the features.
    ScalingCount {
        /// The means.
        means: usize,
        /// The scales.
        scales: usize,
        /// The features.
        features: usize,
    },
    /// A mean that is not finite, or a scale not finite and positive.
    ScalingValues,
    /// Weights the core refuses for the architecture.
    Weights {
        /// The architecture.
        arch: String,
        /// The member, when the ensemble has more than one.
        member: Option<usize>,
        /// The core's reason.
        error: piconas_core::NetworkError,
    },
    /// A data block naming a data set the generator does not have.
    UnknownDataSet {
        /// The name.
        name: String,
    },
    /// A data block the generator refuses.
    Data(ConfigError),
}

impl fmt::Display for NetworkFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.source)?;
        match &self.problem {
            NetworkProblem::NotANetworkFile(e) => write!(f, "not a network file: {e}"),
            NetworkProblem::Version { format, version } => write!(
                f,
                "format {format:?} version {version}, expected {:?} version 1 to {}",
                run_files::NETWORK_FORMAT,
                run_files::NETWORK_VERSION
            ),
            NetworkProblem::MembersInLegacy { version } => {
                write!(f, "members in a version-{version} file")
            }
            NetworkProblem::NoMembers => write!(f, "no members: an ensemble needs one"),
            NetworkProblem::WeightsBesideMembers => {
                write!(f, "weights beside members (version 4 has only members)")
            }
            NetworkProblem::TooManyMembers { members, max } => write!(
                f,
                "{members} members, but an ensemble has at most {max} (one per fold)"
            ),
            NetworkProblem::Accuracy { key, value } => {
                write!(f, "{key} {value} is not between 0 and 1")
            }
            NetworkProblem::Arch { arch, error } => write!(f, "arch {arch:?}: {error}"),
            NetworkProblem::Shape(e) => write!(f, "{e}"),
            NetworkProblem::ScalingCount {
                means,
                scales,
                features,
            } => write!(
                f,
                "standardize: {means} means and {scales} scales for {features} features"
            ),
            NetworkProblem::ScalingValues => write!(
                f,
                "standardize: a mean is not finite, or a scale not finite and positive"
            ),
            NetworkProblem::Weights {
                arch,
                member: Some(m),
                error,
            } => write!(f, "{arch} member {m}: {error}"),
            NetworkProblem::Weights {
                arch,
                member: None,
                error,
            } => write!(f, "{arch}: {error}"),
            NetworkProblem::UnknownDataSet { name } => write!(
                f,
                "data: unknown data set {name:?} (expected moons, circles, xor or spirals)"
            ),
            NetworkProblem::Data(e) => write!(f, "data: {e}"),
        }
    }
}

/// An export that cannot be made from what is at hand.
#[derive(Clone, Debug, PartialEq)]
pub enum ExportError {
    /// The format needs rows of the run's data that were not given.
    NeedsRows {
        /// The format's name.
        format: &'static str,
        /// Which rows.
        rows: Missing,
    },
    /// An int8 network without calibration rows to choose its scales.
    NoCalibrationRows,
    /// A feature (from 0) whose int8 input scale no power of two in `i8` reaches (its spread
    /// is beyond 2^±100 or so): the integer front cannot read it.
    InputScale {
        /// The feature, from 0.
        feature: usize,
    },
}

/// Rows of a run's data an export needs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Missing {
    /// The train split: the int8 scales are calibrated on it.
    Train,
    /// The test split: the export writes those rows.
    Test,
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::NeedsRows { format, rows } => {
                let rows = match rows {
                    Missing::Train => "train split: the int8 scales are calibrated on it",
                    Missing::Test => "test split: it writes those rows",
                };
                write!(
                    f,
                    "format {format}: needs the run's {rows}, and it is not at hand"
                )
            }
            ExportError::NoCalibrationRows => write!(
                f,
                "int8: no calibration rows (the run's train split) to choose the scales"
            ),
            ExportError::InputScale { feature } => write!(
                f,
                "int8: feature {} spreads too little or too much for an integer input scale \
                 (2^t with t in -128..=127)",
                feature + 1
            ),
        }
    }
}
