//! The export formats every front end offers, and what a deployed network costs.
//!
//! [`Format::ALL`] is the one table of formats: the command line's `export --format` (its
//! names and help), the page's downloads and Python's `export` all come from it, and
//! [`emit`] is the one place a format is made, so each format's bytes are the same from every
//! front end. Each emitter writes a [`Model`], the network read layer by layer.

use piconas_core::{Arch, Network, Split};

use crate::failure::Failure;
use crate::file_errors::{ExportError, Missing};
use crate::int8::Int8Model;
use crate::layers::Model;
use crate::model::NetworkFile;

/// An export format (see [`Format::ALL`] for each one's name and what it needs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `network.json` itself.
    Json,
    /// The float C header.
    C,
    /// The int8 C header.
    CInt8,
    /// A Rust source of `const` items.
    Rust,
    /// An Arduino library folder around the int8 header.
    Arduino,
    /// The ONNX model.
    Onnx,
    /// The test split as a C header, for checking the float header.
    CTest,
    /// The test split as a C header, for checking the int8 header.
    CTestInt8,
    /// The test split as JSON, for checking the ONNX model.
    OnnxTest,
}

/// What a format is made from besides the network: which of the run's rows ([`Rows`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// The network alone.
    Network,
    /// The train split: the int8 scales are calibrated on it.
    Train,
    /// The test split if there is one (it is left empty otherwise).
    TestIfAny,
    /// The test split.
    Test,
    /// Both splits.
    TrainAndTest,
}

impl Needs {
    /// Whether it needs the train split.
    pub const fn train(self) -> bool {
        matches!(self, Needs::Train | Needs::TrainAndTest)
    }

    /// Whether it needs the test split.
    pub const fn test(self) -> bool {
        matches!(self, Needs::Test | Needs::TrainAndTest)
    }
}

/// One row of the formats table.
#[derive(Clone, Copy, Debug)]
pub struct FormatInfo {
    /// The format.
    pub format: Format,
    /// Its name everywhere: `export --format NAME`, the page's downloads, Python's `export`.
    pub name: &'static str,
    /// The file (or, for a folder, the folder) a front end names it by default.
    pub file: &'static str,
    /// What it is, one paragraph (the command line's help).
    pub help: &'static str,
    /// What it is made from besides the network.
    pub needs: Needs,
    /// Whether it is a folder of files rather than one file.
    pub folder: bool,
    /// Whether it is made to check an export (its test split) rather than to deploy.
    pub check: bool,
}

impl Format {
    /// Every format, in the order the front ends list them.
    pub const ALL: [FormatInfo; 9] = [
        FormatInfo {
            format: Format::Json,
            name: "json",
            file: crate::run_files::NETWORK,
            help: "The network file itself (architecture, weights, accuracies).",
            needs: Needs::Network,
            folder: false,
            check: false,
        },
        FormatInfo {
            format: Format::C,
            name: "c",
            file: "piconas.h",
            help: "One self-contained C99/C++ header: piconas_predict, piconas_predict_proba, \
                   the standardisation, the weights as exact hex floats (the host's bits with \
                   -ffp-contract=off).",
            needs: Needs::Network,
            folder: false,
            check: false,
        },
        FormatInfo {
            format: Format::CInt8,
            name: "c-int8",
            file: "piconas_int8.h",
            help: "The C header, integer-only: int8 weights, int32 sums, activation tables, \
                   the host's int8 results bit for bit (post-training quantisation, calibrated \
                   on the run's train split).",
            needs: Needs::Train,
            folder: false,
            check: false,
        },
        FormatInfo {
            format: Format::Rust,
            name: "rust",
            file: "piconas.rs",
            help: "A Rust source of const arrays (exact bits) that firmware can include!, with \
                   the run's test split and the host's predictions if its data is at hand.",
            needs: Needs::TestIfAny,
            folder: false,
            check: false,
        },
        FormatInfo {
            format: Format::Arduino,
            name: "arduino",
            file: "piconas",
            help: "An Arduino library folder: library.properties, src/piconas.h (the int8 \
                   header; constants in flash on AVR) and examples/Classify/Classify.ino, which \
                   classifies test points on the board.",
            needs: Needs::TrainAndTest,
            folder: true,
            check: false,
        },
        FormatInfo {
            format: Format::Onnx,
            name: "onnx",
            file: "piconas.onnx",
            help: "A standard ONNX model (opset 13; binary): Sub/Div for the standardisation, \
                   Gemm and activations, outputs logits, probabilities (Softmax) and class \
                   (ArgMax).",
            needs: Needs::Network,
            folder: false,
            check: false,
        },
        FormatInfo {
            format: Format::CTest,
            name: "c-test",
            file: "piconas_test.h",
            help: "The run's test split as a C header, for a program that checks the float \
                   header (tests/c/check.c): raw rows, labels, the host's predictions, \
                   probabilities, accuracy.",
            needs: Needs::Test,
            folder: false,
            check: true,
        },
        FormatInfo {
            format: Format::CTestInt8,
            name: "c-test-int8",
            file: "piconas_test_int8.h",
            help: "The run's test split as a C header, for a program that checks the int8 \
                   header (tests/c/check_int8.c): raw rows, their int8 inputs, the host's int8 \
                   logits and classes, accuracy.",
            needs: Needs::TrainAndTest,
            folder: false,
            check: true,
        },
        FormatInfo {
            format: Format::OnnxTest,
            name: "onnx-test",
            file: "piconas_test.json",
            help: "The run's test split as JSON, for tests/onnx/check.py: raw rows, the host's \
                   classes and probabilities.",
            needs: Needs::Test,
            folder: false,
            check: true,
        },
    ];

    /// Its row of [`Format::ALL`].
    pub fn info(self) -> &'static FormatInfo {
        let row = Format::ALL.iter().find(|f| f.format == self);
        row.unwrap_or(&Format::ALL[0])
    }

    /// The format called `name` (see [`Format::ALL`]).
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.format)
    }

    /// The formats a front end that has the rows `has` offers: files (a folder cannot be
    /// handed over as one download) for deployment (not the check files), each made from
    /// rows the front end has, so that its bytes are the command line's. The page's
    /// downloads, Python's `export`.
    pub fn offered(has: Needs) -> impl Iterator<Item = &'static FormatInfo> {
        Format::ALL.iter().filter(move |f| {
            // Made without the test split, the Rust source would differ from the runner's.
            let test = f.needs.test() || f.needs == Needs::TestIfAny;
            !f.folder && !f.check && (!f.needs.train() || has.train()) && (!test || has.test())
        })
    }
}

/// The run's rows an export may be made from (see [`Needs`]); empty where the front end does
/// not have them.
#[derive(Clone, Debug, Default)]
pub struct Rows {
    /// The train split as the network's inputs (standardised), row-major: int8 calibration.
    pub train: Vec<f32>,
    /// The test split, raw (as in the data), row-major.
    pub test: Vec<f32>,
    /// The test split's classes.
    pub labels: Vec<u8>,
    /// The network's predicted class of each test row, on the host.
    pub predictions: Vec<u8>,
    /// The network's class probabilities of each test row, row by row.
    pub probabilities: Vec<f32>,
}

impl Rows {
    /// The rows of `split` for `file`'s network (its ensemble `members`): the train split
    /// standardised as the file says, the test split raw with the network's predictions.
    pub fn of(file: &NetworkFile, members: &[Network], split: &Split<'_>) -> Rows {
        let test = split.test.features().to_vec();
        let predicted = crate::predict::predict(file, members, &test);
        Rows {
            train: file.inputs(split.train.features()),
            test,
            labels: split.test.labels().to_vec(),
            predictions: predicted.classes,
            probabilities: predicted.probabilities,
        }
    }

    /// The train split alone (standardised), for a front end that keeps only that.
    pub fn train_only(train: Vec<f32>) -> Rows {
        Rows {
            train,
            ..Rows::default()
        }
    }

    /// Which rows it has.
    pub fn has(&self) -> Needs {
        match (self.train.is_empty(), self.labels.is_empty()) {
            (false, false) => Needs::TrainAndTest,
            (false, true) => Needs::Train,
            (true, false) => Needs::Test,
            (true, true) => Needs::Network,
        }
    }
}

/// A format's output: one file's bytes, or a folder's files (paths relative to it,
/// `/`-separated, and their text).
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// One file.
    File(Vec<u8>),
    /// A folder of text files.
    Folder(Vec<(String, String)>),
}

/// What [`emit`] made.
#[derive(Clone, Debug)]
pub struct Export {
    /// The format's output.
    pub output: Output,
    /// For an int8 format with the test split at hand: both C variants' accuracy and bytes.
    pub deploy: Option<Deploy>,
}

/// `file`'s network (`arch` its parsed architecture) in `format`, from the run's `rows` (what
/// the format needs must be there: see [`Format::ALL`]).
pub fn emit(
    file: &NetworkFile,
    arch: Arch,
    format: Format,
    rows: &Rows,
) -> Result<Export, Failure> {
    check_rows(format.info(), rows)?;
    let file_only = |bytes: Vec<u8>| {
        Ok(Export {
            output: Output::File(bytes),
            deploy: None,
        })
    };
    match format {
        Format::Json => file_only(file.to_json().into_bytes()),
        Format::Rust => {
            let test = crate::rust_source::TestRows {
                x: &rows.test,
                labels: &rows.labels,
                predictions: &rows.predictions,
            };
            file_only(crate::rust_source::source(file, &arch, &test).into_bytes())
        }
        Format::CTest => file_only(c_test(rows).into_bytes()),
        Format::OnnxTest => file_only(onnx_test(rows, file.features.len())?),
        Format::C => file_only(
            crate::c_header::header(&Model::new(file, arch)?)
                .text
                .into_bytes(),
        ),
        Format::Onnx => file_only(crate::onnx::encode(&Model::new(file, arch)?)),
        Format::CInt8 | Format::CTestInt8 | Format::Arduino => {
            int8(&Model::new(file, arch)?, format, rows)
        }
    }
}

/// An input error naming what `info`'s format needs and `rows` lacks.
fn check_rows(info: &FormatInfo, rows: &Rows) -> Result<(), Failure> {
    let missing = match (
        info.needs.train() && rows.train.is_empty(),
        info.needs.test() && rows.labels.is_empty(),
    ) {
        (true, _) => Missing::Train,
        (false, true) => Missing::Test,
        (false, false) => return Ok(()),
    };
    Err(ExportError::NeedsRows {
        format: info.name,
        rows: missing,
    }
    .into())
}

/// The test split as a C header, for checking the float header: raw rows, labels, the host's
/// predictions and probabilities, and its accuracy on them (for a run's own network,
/// network.json's test accuracy).
fn c_test(rows: &Rows) -> String {
    let right = rows
        .predictions
        .iter()
        .zip(&rows.labels)
        .filter(|(p, l)| p == l);
    let accuracy = right.count() as f32 / rows.labels.len().max(1) as f32;
    crate::c_header::test_data(
        &rows.test,
        &rows.labels,
        &rows.predictions,
        &rows.probabilities,
        accuracy,
    )
}

/// An int8 `format` of `model`: calibrated on the train split, measured on the test split if
/// there is one.
fn int8(model: &Model, format: Format, rows: &Rows) -> Result<Export, Failure> {
    let (deploy, q) = if rows.labels.is_empty() {
        (None, Int8Model::quantize(model, &rows.train)?)
    } else {
        let (d, q) = Deploy::measure(model, &rows.train, &rows.test, &rows.labels)?;
        (Some(d), q)
    };
    let header = || crate::c_int8::header(model, &q);
    let output = match format {
        Format::CTestInt8 => Output::File(
            crate::c_int8::test_data(&rows.test, &rows.labels, &q, model.inputs()).into_bytes(),
        ),
        Format::Arduino => Output::Folder(crate::arduino::library(
            model,
            &q,
            &header(),
            &rows.test,
            &rows.labels,
        )),
        _ => Output::File(header().text.into_bytes()),
    };
    Ok(Export { output, deploy })
}

/// The test split as JSON for `tests/onnx/check.py`: raw rows, the host's classes and
/// probabilities.
fn onnx_test(rows: &Rows, d: usize) -> Result<Vec<u8>, Failure> {
    let k = rows.probabilities.len() / rows.labels.len().max(1);
    let json = serde_json::json!({
        "x": rows.test.chunks(d.max(1)).collect::<Vec<_>>(),
        "classes": rows.predictions,
        "probabilities": rows.probabilities.chunks(k.max(1)).collect::<Vec<_>>(),
    });
    serde_json::to_vec(&json).map_err(|e| Failure::bug(format!("onnx-test: {e}")))
}

/// A deploy variant's test accuracy and the memory its C header states.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Footprint {
    /// Accuracy on the test split, computed as the chip computes it.
    pub test_accuracy: f32,
    /// Bytes of constants the header states.
    pub flash_bytes: usize,
    /// Bytes of stack the header states for one classification.
    pub stack_bytes: usize,
}

/// The float and the int8 header side by side (`summary.json`'s `deploy`, and what `export`
/// prints).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Deploy {
    /// The float header.
    pub float: Footprint,
    /// The int8 header.
    pub int8: Footprint,
}

impl Deploy {
    /// Quantises `model` on the `train` inputs (standardised) and measures both variants on
    /// the `test` rows (raw, as a part reads them) and `labels`, row-major. The float accuracy
    /// is the model's own.
    pub fn measure(
        model: &Model,
        train: &[f32],
        test: &[f32],
        labels: &[u8],
    ) -> Result<(Deploy, Int8Model), Failure> {
        let q = Int8Model::quantize(model, train)?;
        let right = test
            .chunks_exact(model.inputs())
            .zip(labels)
            .filter(|(x, l)| q.predict(x) == **l)
            .count();
        let float = crate::c_header::header(model);
        let int8 = crate::c_int8::header(model, &q);
        let deploy = Deploy {
            float: Footprint {
                test_accuracy: model.test_accuracy,
                flash_bytes: float.flash,
                stack_bytes: float.stack,
            },
            int8: Footprint {
                test_accuracy: right as f32 / labels.len().max(1) as f32,
                flash_bytes: int8.flash,
                stack_bytes: int8.stack,
            },
        };
        Ok((deploy, q))
    }

    /// One line per variant.
    pub fn text(&self) -> String {
        let line = |name: &str, f: &Footprint| {
            format!(
                "{name}: test accuracy {:.1} %, {} bytes of constants, {} bytes of stack",
                100.0 * f.test_accuracy,
                f.flash_bytes,
                f.stack_bytes
            )
        };
        format!(
            "{}\n{}\n",
            line("float", &self.float),
            line("int8 ", &self.int8)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_one_row_per_format_and_unique_names() {
        let formats = [
            Format::Json,
            Format::C,
            Format::CInt8,
            Format::Rust,
            Format::Arduino,
            Format::Onnx,
            Format::CTest,
            Format::CTestInt8,
            Format::OnnxTest,
        ];
        assert_eq!(formats.len(), Format::ALL.len());
        for format in formats {
            let rows = Format::ALL.iter().filter(|f| f.format == format).count();
            assert_eq!(rows, 1, "{format:?}");
            assert_eq!(format.info().format, format);
            assert_eq!(Format::from_name(format.info().name), Some(format));
        }
        let folders: Vec<&str> = Format::ALL
            .iter()
            .filter(|f| f.folder)
            .map(|f| f.name)
            .collect();
        assert_eq!(folders, ["arduino"]);
        assert_eq!(Format::from_name("pdf"), None);
    }

    #[test]
    fn a_front_end_offers_what_its_rows_can_make() {
        let names = |has| Format::offered(has).map(|f| f.name).collect::<Vec<_>>();
        assert_eq!(names(Needs::Network), ["json", "c", "onnx"]);
        // The page and Python keep the train split: the int8 header is theirs too.
        assert_eq!(names(Needs::Train), ["json", "c", "c-int8", "onnx"]);
        assert_eq!(
            names(Needs::TrainAndTest),
            ["json", "c", "c-int8", "rust", "onnx"]
        );
    }

    #[test]
    fn every_format_is_made_from_the_rows_it_needs_and_refused_without() {
        let (file, arch) =
            crate::model::test_file("[4, Tanh]", (2, 3), None, |i| (i as f32 * 0.37).sin());
        let members = file.networks(arch).unwrap();
        let test: Vec<f32> = (0..20).map(|i| (i as f32 * 0.7).cos()).collect();
        let predicted = crate::predict::predict(&file, &members, &test);
        let rows = Rows {
            train: (0..40).map(|i| (i as f32 * 0.3).sin()).collect(),
            test,
            labels: (0..10).map(|i| i % 3).collect(),
            predictions: predicted.classes,
            probabilities: predicted.probabilities,
        };
        assert_eq!(rows.has(), Needs::TrainAndTest);
        assert_eq!(Rows::default().has(), Needs::Network);
        assert_eq!(Rows::train_only(vec![0.5; 2]).has(), Needs::Train);
        let test_only = Rows {
            train: Vec::new(),
            ..rows.clone()
        };
        assert_eq!(test_only.has(), Needs::Test);
        for f in &Format::ALL {
            let made = emit(&file, arch, f.format, &rows).unwrap();
            assert_eq!(
                matches!(made.output, Output::Folder(_)),
                f.folder,
                "{}",
                f.name
            );
            let int8 = matches!(
                f.format,
                Format::CInt8 | Format::CTestInt8 | Format::Arduino
            );
            assert_eq!(made.deploy.is_some(), int8, "{}", f.name);
            let without = emit(&file, arch, f.format, &Rows::default());
            let needs = f.needs.train() || f.needs.test();
            assert_eq!(without.is_err(), needs, "{}", f.name);
            if let Err(e) = without {
                assert!(
                    e.to_string()
                        .starts_with(&format!("format {}: needs the run's ", f.name))
                );
            }
        }
        // With the train split alone, the int8 header is made, unmeasured, with the same bytes.
        let alone = emit(
            &file,
            arch,
            Format::CInt8,
            &Rows::train_only(rows.train.clone()),
        );
        let both = emit(&file, arch, Format::CInt8, &rows).unwrap();
        let alone = alone.unwrap();
        assert!(alone.deploy.is_none());
        assert_eq!(alone.output, both.output);
    }
}
