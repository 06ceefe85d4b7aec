//! Why data was refused, as a value: where it came from, the line to blame, and what is
//! wrong ([`Problem`], with the numbers and names involved). Training data, new rows to
//! predict, and the check that a run's data is the one it was made on all speak it.
//!
//! Each problem's words are the library's; where one refers to something the user sets (the
//! label column, the split), that is a [`Knob`] the front end names ([`DataError::message`]).
//! Never panics.

use std::fmt;

use piconas_core::config::{MAX_SAMPLES, MIN_SAMPLES};
use piconas_core::{Fingerprint, ShapeError};

use crate::run_files;
use crate::words::{Knob, Plain, Words};

// The reader's limits live here, beside the errors that name them (`data` re-exports them).

/// The most feature columns a data file may have.
pub const MAX_FEATURES: usize = 64;
/// The largest data file read: a million rows (the most) of 64 features (the most) at up to
/// 32 bytes a value. The reader streams it: memory holds the parsed table (4 bytes a value),
/// never the text.
pub const MAX_FILE_BYTES: u64 = 2 << 30;
/// The longest line read.
pub const MAX_LINE_BYTES: usize = 64 << 10;
/// The most of a bad cell an error message quotes.
const QUOTED_CHARS: usize = 32;

/// Data refused: its source, the line to blame, and the problem.
#[derive(Clone, Debug, PartialEq)]
pub struct DataError {
    /// The data's name (a file as given, the page's chosen file, "the generated data"), or
    /// `None` for rows handed over in memory (Python's arrays).
    pub source: Option<String>,
    /// The line of the file to blame, from 1.
    pub line: Option<u64>,
    /// What is wrong.
    pub problem: Problem,
}

/// What is wrong with data.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// The file cannot be opened (the system's reason).
    Open(String),
    /// A row cannot be read (the CSV reader's reason).
    Unreadable(String),
    /// The file is larger than [`MAX_FILE_BYTES`].
    TooLarge,
    /// A line is longer than [`MAX_LINE_BYTES`].
    LineTooLong,
    /// The file has no row at all.
    NoRows,
    /// A file of new rows has none.
    NoRowsToPredict,
    /// More than `MAX_SAMPLES` data rows.
    TooManyRows,
    /// Fewer than `MIN_SAMPLES` data rows.
    TooFewRows {
        /// The rows there are.
        rows: usize,
    },
    /// A first row of a column count no data file has.
    Columns {
        /// The columns it has.
        columns: usize,
    },
    /// A row of another length than the first.
    RowLength {
        /// The first row's length.
        expected: usize,
        /// This row's.
        found: usize,
    },
    /// A feature cell that is not a number.
    NotANumber {
        /// The feature's name.
        feature: String,
        /// The cell.
        cell: String,
    },
    /// A feature cell that is NaN or infinite.
    NotFinite {
        /// The feature's name.
        feature: String,
        /// The cell.
        cell: String,
    },
    /// An empty label cell.
    EmptyLabel,
    /// The label column given by position is beyond the row.
    LabelPosition {
        /// The 1-based position asked for.
        position: usize,
        /// The columns a row has.
        columns: usize,
    },
    /// The label column given by name is not in the header, nor a position.
    LabelName {
        /// The name asked for.
        name: String,
    },
    /// The label column is given by name, but the file has no header.
    LabelWithoutHeader {
        /// The name asked for.
        name: String,
    },
    /// The features and classes do not fit the core.
    Shape(ShapeError),
    /// Rows handed over in memory: not 1 to [`MAX_FEATURES`] features.
    Features {
        /// The features given.
        features: usize,
    },
    /// Rows handed over in memory: the values are not rows × features.
    Values {
        /// The values given.
        values: usize,
        /// The rows.
        rows: usize,
        /// The features a row.
        features: usize,
    },
    /// Rows handed over in memory: not `MIN_SAMPLES` to `MAX_SAMPLES` of them.
    RowCount {
        /// The rows given.
        rows: usize,
    },
    /// Rows handed over in memory: a value NaN or infinite.
    NotFiniteValue {
        /// The row, from 0.
        row: usize,
        /// The feature's name.
        feature: String,
    },
    /// Rows handed over in memory: a class index beyond the classes.
    ClassIndex {
        /// The row, from 0.
        row: usize,
        /// The index.
        label: u8,
        /// The classes there are.
        classes: usize,
    },
    /// A class with no row.
    EmptyClass {
        /// The class's name.
        class: String,
    },
    /// A class too small to be in each of train, dev and test when split stratified.
    ClassTooSmall {
        /// The class's name.
        class: String,
        /// Its rows.
        rows: usize,
        /// Whether line 1 was read as data and is this class's only row: perhaps a header.
        perhaps_header: bool,
    },
    /// Standardising a training row overflows `f32`.
    Overflow {
        /// The data row, from 0 in file order.
        row: usize,
        /// The feature's name.
        feature: String,
        /// The arithmetic that overflows.
        how: Overflowing,
    },
    /// A new row: its column count is neither the network's features nor one more.
    NetworkColumns {
        /// The columns it has.
        columns: usize,
        /// The network's features.
        features: usize,
    },
    /// A new row's label column, by name, is not there.
    LabelNotAColumn {
        /// The name asked for.
        name: String,
    },
    /// A header cell of new rows that is not the network's feature there.
    HeaderMismatch {
        /// The 1-based column.
        column: usize,
        /// The cell.
        found: String,
        /// The network's feature.
        expected: String,
    },
    /// Standardising a new row's value overflows `f32`.
    NewRowOverflow {
        /// The feature's name.
        feature: String,
        /// The arithmetic that overflows.
        how: Overflowing,
    },
    /// A new row's label is none of the network's classes.
    UnknownLabel {
        /// The label.
        label: String,
        /// The network's classes.
        classes: Vec<String>,
    },
    /// The data is not the data a run was made on.
    NotTheRunsData {
        /// The data's fingerprint.
        found: Fingerprint,
        /// The run's.
        recorded: Fingerprint,
    },
    /// The rows broke one of the core's rules.
    Core(piconas_core::DataError),
}

/// A value whose standardisation `(value − mean) / scale` is infinite though it is finite.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overflowing {
    /// The value.
    pub value: f32,
    /// The feature's mean.
    pub mean: f32,
    /// The feature's scale.
    pub scale: f32,
}

impl fmt::Display for Overflowing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Overflowing { value, mean, scale } = self;
        write!(
            f,
            "({value:e} − mean {mean:e}) / scale {scale:e} is infinite"
        )
    }
}

impl DataError {
    /// `problem` with `source`, the file to blame, and no line.
    pub fn of(source: &str, problem: Problem) -> DataError {
        DataError {
            source: Some(source.into()),
            line: None,
            problem,
        }
    }

    /// `problem` of rows handed over in memory.
    pub fn rows(problem: Problem) -> DataError {
        DataError {
            source: None,
            line: None,
            problem,
        }
    }

    /// The message, `source:line: problem`, naming what the user sets in `words`.
    pub fn message(&self, words: &dyn Words) -> String {
        let what = self.problem.message(words);
        match (&self.source, self.line) {
            (Some(source), Some(line)) => format!("{source}:{line}: {what}"),
            (Some(source), None) => format!("{source}: {what}"),
            (None, _) => what,
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(&Plain))
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(&Plain))
    }
}

impl Problem {
    /// The problem's words, naming what the user sets in `words`.
    pub fn message(&self, words: &dyn Words) -> String {
        let label = || {
            words
                .knob(Knob::Label)
                .unwrap_or_else(|| "label column".into())
        };
        match self {
            Problem::LabelPosition { position, columns } => {
                format!("{} {position}: the file has {columns} columns", label())
            }
            Problem::LabelName { name } => {
                format!("{} {}: no such column in the header", label(), quote(name))
            }
            Problem::LabelWithoutHeader { name } => format!(
                "{} {}: the file has no header to name it",
                label(),
                quote(name)
            ),
            Problem::LabelNotAColumn { name } => {
                format!("{} {}: no such column", label(), quote(name))
            }
            Problem::ClassTooSmall {
                class,
                rows,
                perhaps_header,
            } => too_small(class, *rows, *perhaps_header, words),
            Problem::Open(_)
            | Problem::Unreadable(_)
            | Problem::TooLarge
            | Problem::LineTooLong
            | Problem::NoRows
            | Problem::NoRowsToPredict
            | Problem::TooManyRows
            | Problem::TooFewRows { .. }
            | Problem::Columns { .. }
            | Problem::RowLength { .. }
            | Problem::NotANumber { .. }
            | Problem::NotFinite { .. }
            | Problem::EmptyLabel
            | Problem::Shape(_)
            | Problem::Core(_) => self.of_file(),
            Problem::Features { .. }
            | Problem::Values { .. }
            | Problem::RowCount { .. }
            | Problem::NotFiniteValue { .. }
            | Problem::ClassIndex { .. }
            | Problem::EmptyClass { .. }
            | Problem::Overflow { .. }
            | Problem::NetworkColumns { .. }
            | Problem::HeaderMismatch { .. }
            | Problem::NewRowOverflow { .. }
            | Problem::UnknownLabel { .. }
            | Problem::NotTheRunsData { .. } => self.of_rows(),
        }
    }

    /// The words of a file's problem that names nothing the user sets (the others: empty).
    fn of_file(&self) -> String {
        match self {
            Problem::Open(e) => format!("cannot read the data file: {e}"),
            Problem::Unreadable(e) => format!("unreadable row: {e}"),
            Problem::TooLarge => format!(
                "larger than {} MiB; that is the supported maximum",
                MAX_FILE_BYTES >> 20
            ),
            Problem::LineTooLong => format!(
                "a line longer than {} KiB; that is the supported maximum",
                MAX_LINE_BYTES >> 10
            ),
            Problem::NoRows => "no rows".into(),
            Problem::NoRowsToPredict => "no rows to predict".into(),
            Problem::TooManyRows => {
                format!("more than {MAX_SAMPLES} rows; that is the supported maximum")
            }
            Problem::TooFewRows { rows } => format!(
                "{rows} data rows, but at least {MIN_SAMPLES} are needed (70/10/20 split, none empty)"
            ),
            Problem::Columns { columns } => format!(
                "{columns} columns; a data file has 1 to {MAX_FEATURES} features and a label"
            ),
            Problem::RowLength { expected, found } => {
                format!("expected {expected} columns, found {found}")
            }
            Problem::NotANumber { feature, cell } => {
                format!("{feature} is not a number: {}", quote(cell))
            }
            Problem::NotFinite { feature, cell } => {
                format!("{feature} is NaN or infinite: {}", quote(cell))
            }
            Problem::EmptyLabel => "the label is empty".into(),
            Problem::Shape(e) => e.to_string(),
            Problem::Core(e) => e.to_string(),
            _ => String::new(),
        }
    }

    /// The words of the problems of rows in memory, new rows and runs (the others: empty).
    fn of_rows(&self) -> String {
        match self {
            Problem::Features { features } => {
                format!("{features} features; 1 to {MAX_FEATURES} are supported")
            }
            Problem::Values {
                values,
                rows,
                features,
            } => format!("{values} values for {rows} rows of {features} features"),
            Problem::RowCount { rows } => format!(
                "{rows} rows; {MIN_SAMPLES} to {MAX_SAMPLES} are needed (70/10/20 split, none empty)"
            ),
            Problem::NotFiniteValue { row, feature } => {
                format!("row {row}, feature {}: NaN or infinite", quote(feature))
            }
            Problem::ClassIndex {
                row,
                label,
                classes,
            } => format!("row {row}: class index {label}, but there are {classes} classes"),
            Problem::EmptyClass { class } => format!("class {} has no rows", quote(class)),
            Problem::Overflow { row, feature, how } => format!(
                "{feature}: standardising data row {row} (from 0) overflows f32: {how}; rescale the column"
            ),
            Problem::NetworkColumns { columns, features } => format!(
                "{columns} columns; the network reads {features} features (and, optionally, a label)"
            ),
            Problem::HeaderMismatch {
                column,
                found,
                expected,
            } => format!(
                "column {column} is {}, but the network's feature there is {}",
                quote(found),
                quote(expected)
            ),
            Problem::NewRowOverflow { feature, how } => format!(
                "{feature}: standardising it overflows f32: {how}; the network never saw values this far out"
            ),
            Problem::UnknownLabel { label, classes } => format!(
                "label {} is not one of the network's classes ({})",
                quote(label),
                classes.join(", ")
            ),
            Problem::NotTheRunsData { found, recorded } => format!(
                "not the data this run was made on (data fingerprint {found}, the run's {recorded} in {}): its rows, split, feature or class names changed",
                run_files::SETTINGS
            ),
            _ => String::new(),
        }
    }
}

/// A class too small to split stratified, with the advice the front end can give: split in
/// file order, where it offers that; if line 1 may be a header read as data, say so.
fn too_small(class: &str, rows: usize, perhaps_header: bool, words: &dyn Words) -> String {
    let rows = match rows {
        1 => "1 row".to_string(),
        n => format!("{n} rows"),
    };
    let advice = match words.knob(Knob::SplitInOrder) {
        Some(knob) => format!("give more rows of it, or split in file order ({knob})"),
        None => "give more rows of it".into(),
    };
    let header = if perhaps_header {
        " (line 1 was read as data, its features being numbers; if it is a header, give its feature columns names that are not numbers)"
    } else {
        ""
    };
    format!(
        "class {} has {rows}, too few to appear in each of train, dev and test (70/10/20); {advice}{header}",
        quote(class)
    )
}

/// A cell or name as a message quotes it: in double quotes with Rust's escapes, the first
/// [`QUOTED_CHARS`] characters of a long one and its length in bytes.
pub(crate) fn quote(cell: &str) -> String {
    match cell.char_indices().nth(QUOTED_CHARS) {
        Some((cut, _)) => format!("{:?}… ({} bytes)", &cell[..cut], cell.len()),
        None => format!("{cell:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The command line's words, as its edge adds them.
    struct Dashes;

    impl Words for Dashes {
        fn knob(&self, knob: Knob) -> Option<String> {
            Some(match knob {
                Knob::Label => "--label".into(),
                Knob::SplitInOrder => "--split in-order".into(),
                Knob::Setting(s) => format!("--{}", s.flag),
            })
        }
    }

    fn t(s: &str) -> String {
        s.to_string()
    }

    fn overflowing() -> Overflowing {
        Overflowing {
            value: 3e38,
            mean: -3e38,
            scale: 0.5,
        }
    }

    /// Each problem's words are these, and none is empty.
    fn assert_words(cases: Vec<(Problem, &str)>) {
        for (problem, words) in cases {
            assert_eq!(problem.to_string(), words);
            assert!(!words.is_empty());
        }
    }

    #[test]
    fn a_files_problems_have_their_words() {
        // Reading a file: opening, limits, rows, cells, the label column, the shape.
        assert_words(vec![
            (
                Problem::Open(t("denied")),
                "cannot read the data file: denied",
            ),
            (Problem::Unreadable(t("bad")), "unreadable row: bad"),
            (
                Problem::TooLarge,
                "larger than 2048 MiB; that is the supported maximum",
            ),
            (
                Problem::LineTooLong,
                "a line longer than 64 KiB; that is the supported maximum",
            ),
            (Problem::NoRows, "no rows"),
            (Problem::NoRowsToPredict, "no rows to predict"),
            (
                Problem::TooManyRows,
                "more than 1000000 rows; that is the supported maximum",
            ),
            (
                Problem::TooFewRows { rows: 3 },
                "3 data rows, but at least 20 are needed (70/10/20 split, none empty)",
            ),
            (
                Problem::Columns { columns: 1 },
                "1 columns; a data file has 1 to 64 features and a label",
            ),
            (
                Problem::RowLength {
                    expected: 3,
                    found: 2,
                },
                "expected 3 columns, found 2",
            ),
            (
                Problem::NotANumber {
                    feature: t("x1"),
                    cell: t("a"),
                },
                "x1 is not a number: \"a\"",
            ),
            (
                Problem::NotFinite {
                    feature: t("x2"),
                    cell: t("inf"),
                },
                "x2 is NaN or infinite: \"inf\"",
            ),
            (Problem::EmptyLabel, "the label is empty"),
            (
                Problem::LabelPosition {
                    position: 5,
                    columns: 3,
                },
                "label column 5: the file has 3 columns",
            ),
            (
                Problem::LabelName { name: t("kind") },
                "label column \"kind\": no such column in the header",
            ),
            (
                Problem::LabelWithoutHeader { name: t("kind") },
                "label column \"kind\": the file has no header to name it",
            ),
            (
                Problem::Shape(ShapeError {
                    inputs: 65,
                    classes: 2,
                }),
                "65 features and 2 classes, but this build takes 1 to 64 features and 2 to 10 classes",
            ),
        ]);
    }

    #[test]
    fn the_problems_of_rows_in_memory_have_their_words() {
        // Rows handed over in memory (Python's arrays) and the split.
        assert_words(vec![
            (
                Problem::Features { features: 0 },
                "0 features; 1 to 64 are supported",
            ),
            (
                Problem::Values {
                    values: 5,
                    rows: 2,
                    features: 3,
                },
                "5 values for 2 rows of 3 features",
            ),
            (
                Problem::RowCount { rows: 4 },
                "4 rows; 20 to 1000000 are needed (70/10/20 split, none empty)",
            ),
            (
                Problem::NotFiniteValue {
                    row: 2,
                    feature: t("x1"),
                },
                "row 2, feature \"x1\": NaN or infinite",
            ),
            (
                Problem::ClassIndex {
                    row: 1,
                    label: 7,
                    classes: 3,
                },
                "row 1: class index 7, but there are 3 classes",
            ),
            (
                Problem::EmptyClass { class: t("b") },
                "class \"b\" has no rows",
            ),
            (
                Problem::ClassTooSmall {
                    class: t("b"),
                    rows: 2,
                    perhaps_header: false,
                },
                "class \"b\" has 2 rows, too few to appear in each of train, dev and test (70/10/20); give more rows of it, or split in file order (split mode in-order)",
            ),
        ]);
    }

    #[test]
    fn the_problems_of_new_rows_and_runs_have_their_words() {
        // New rows for a network, standardisation, a run's data, the core's rules.
        let how = overflowing();
        assert_words(vec![
            (
                Problem::Overflow {
                    row: 4,
                    feature: t("x1"),
                    how,
                },
                "x1: standardising data row 4 (from 0) overflows f32: (3e38 − mean -3e38) / scale 5e-1 is infinite; rescale the column",
            ),
            (
                Problem::NetworkColumns {
                    columns: 5,
                    features: 2,
                },
                "5 columns; the network reads 2 features (and, optionally, a label)",
            ),
            (
                Problem::LabelNotAColumn { name: t("9") },
                "label column \"9\": no such column",
            ),
            (
                Problem::HeaderMismatch {
                    column: 2,
                    found: t("a"),
                    expected: t("b"),
                },
                "column 2 is \"a\", but the network's feature there is \"b\"",
            ),
            (
                Problem::NewRowOverflow {
                    feature: t("x2"),
                    how,
                },
                "x2: standardising it overflows f32: (3e38 − mean -3e38) / scale 5e-1 is infinite; the network never saw values this far out",
            ),
            (
                Problem::UnknownLabel {
                    label: t("z"),
                    classes: vec![t("a"), t("b")],
                },
                "label \"z\" is not one of the network's classes (a, b)",
            ),
            (
                Problem::NotTheRunsData {
                    found: Fingerprint(1),
                    recorded: Fingerprint(2),
                },
                "not the data this run was made on (data fingerprint 0000000000000001, the run's 0000000000000002 in settings.json): its rows, split, feature or class names changed",
            ),
            (
                Problem::Core(piconas_core::DataError::TooFew { got: 3 }),
                &piconas_core::DataError::TooFew { got: 3 }.to_string(),
            ),
            (
                Problem::ClassTooSmall {
                    class: t("c"),
                    rows: 1,
                    perhaps_header: true,
                },
                "class \"c\" has 1 row, too few to appear in each of train, dev and test (70/10/20); give more rows of it, or split in file order (split mode in-order) (line 1 was read as data, its features being numbers; if it is a header, give its feature columns names that are not numbers)",
            ),
        ]);
    }

    #[test]
    fn the_source_and_line_come_first_and_the_front_end_names_its_knobs() {
        // Where a file and a line are to blame, they come first; the front end names its knobs.
        let e = DataError {
            source: Some("d.csv".into()),
            line: Some(3),
            problem: Problem::LabelName {
                name: "kind".into(),
            },
        };
        assert_eq!(
            e.to_string(),
            "d.csv:3: label column \"kind\": no such column in the header"
        );
        assert_eq!(
            e.message(&Dashes),
            "d.csv:3: --label \"kind\": no such column in the header"
        );
        assert_eq!(DataError::rows(Problem::NoRows).to_string(), "no rows");
        assert_eq!(
            DataError::of("d.csv", Problem::NoRows).to_string(),
            "d.csv: no rows"
        );
        let small = Problem::ClassTooSmall {
            class: "b".into(),
            rows: 1,
            perhaps_header: false,
        };
        assert!(
            small
                .message(&Dashes)
                .ends_with("or split in file order (--split in-order)")
        );
    }
}
