//! `predict`: a saved network (`network.json`, see [`crate::model`]) applied to new rows with
//! the columns it was trained on. The rows are read within the data reader's limits, raw
//! features are standardised with the file's own statistics, and each row gets its class and
//! its class probabilities; where the rows carry labels, they are checked against the
//! network's classes and scored.

use piconas_core::mlp::Workspace;
use piconas_core::{Arch, Network, ensemble};

use crate::data::{DataError, LabelColumn, Problem, each_row, features};
use crate::failure::Failure;
use crate::metrics::Metrics;
use crate::model::NetworkFile;

/// New rows: raw features (row-major, the network's `d` per row) and, if the file had a
/// label column, each row's class index.
#[derive(Clone, Debug, PartialEq)]
pub struct NewRows {
    /// The features as read.
    pub x: Vec<f32>,
    /// The labels as class indices, if the file has them.
    pub labels: Option<Vec<u8>>,
}

/// Where the features and the label are in a file's rows.
struct Layout {
    columns: usize,
    label_at: Option<usize>,
}

/// Reads rows for `file`'s network from CSV `input` (`name` in messages): `d` feature
/// columns in the network's order, and optionally a label column (`label`: a header name or a
/// 1-based position; the last column by default). A header, if present, must name the
/// network's features. Every problem is an error naming the line and the column.
pub fn read_rows(
    name: &str,
    input: impl std::io::Read,
    file: &NetworkFile,
    label: &LabelColumn,
) -> Result<NewRows, Failure> {
    let (mut x, mut labels) = (Vec::new(), Vec::new());
    let layout = each_row(
        name,
        input,
        |cells| first_row(cells, file, label),
        |known: &Layout, cells| {
            labels.push(row(cells, known, file, &mut x)?);
            Ok(())
        },
    )?;
    let Some(layout) = layout else {
        return Err(DataError::of(name, Problem::NoRowsToPredict).into());
    };
    Ok(NewRows {
        x,
        labels: layout
            .label_at
            .map(|_| labels.into_iter().map(|c| c.unwrap_or(0)).collect()),
    })
}

/// The layout the first row sets, and whether it is a header.
fn first_row(
    cells: &[&str],
    file: &NetworkFile,
    label: &LabelColumn,
) -> Result<(Layout, bool), Problem> {
    let (d, columns) = (file.features.len(), cells.len());
    let label_at = match columns {
        c if c == d => None,
        c if c == d + 1 => Some(match label {
            LabelColumn::Last => c - 1,
            LabelColumn::Named(name) => match cells.iter().position(|c| c == name) {
                Some(at) => at,
                None => match name.parse::<usize>() {
                    Ok(k) if (1..=c).contains(&k) => k - 1,
                    _ => return Err(Problem::LabelNotAColumn { name: name.clone() }),
                },
            },
        }),
        _ => {
            return Err(Problem::NetworkColumns {
                columns,
                features: d,
            });
        }
    };
    let features = (0..columns).filter(|&i| Some(i) != label_at);
    // A header: a feature cell that is no finite number, or the network's feature names.
    let header = features.clone().any(|i| !crate::data::is_number(cells[i]))
        || features
            .clone()
            .map(|i| cells[i])
            .eq(file.features.iter().map(String::as_str));
    if header {
        for (i, want) in features.zip(&file.features) {
            if cells[i] != want {
                return Err(Problem::HeaderMismatch {
                    column: i + 1,
                    found: cells[i].into(),
                    expected: want.clone(),
                });
            }
        }
    }
    Ok((Layout { columns, label_at }, header))
}

/// Appends a data row's features to `x`; returns its class, if it has a label.
fn row(
    cells: &[&str],
    layout: &Layout,
    file: &NetworkFile,
    x: &mut Vec<f32>,
) -> Result<Option<u8>, Problem> {
    // The f-th feature column is the network's f-th feature.
    let name = |f: usize| &file.features[f];
    features(cells, layout.columns, layout.label_at, name, x)?;
    if let Some(scaling) = &file.standardize {
        let d = file.features.len();
        for (j, &v) in x[x.len() - d..].iter().enumerate() {
            if let Some(how) = scaling.overflow(j, v) {
                return Err(Problem::NewRowOverflow {
                    feature: file.features[j].clone(),
                    how,
                });
            }
        }
    }
    let Some(at) = layout.label_at else {
        return Ok(None);
    };
    match file.classes.iter().position(|c| c == cells[at]) {
        Some(class) => Ok(Some(class as u8)),
        None => Err(Problem::UnknownLabel {
            label: cells[at].into(),
            classes: file.classes.clone(),
        }),
    }
}

/// What the network says of each row.
#[derive(Clone, Debug, PartialEq)]
pub struct Predictions {
    /// Each row's class index.
    pub classes: Vec<u8>,
    /// Each row's class probabilities, `k` per row.
    pub probabilities: Vec<f32>,
}

/// Runs `x` (raw features, row-major) through the ensemble `members` (at least one, of
/// `file`'s shape), standardised as `file` says first.
pub fn predict(file: &NetworkFile, members: &[Network], x: &[f32]) -> Predictions {
    let inputs = file.inputs(x);
    let (d, k) = (file.features.len().max(1), file.classes.len());
    let n = inputs.len() / d;
    let mut ws = Box::new(Workspace::new());
    let mut classes = vec![0u8; n];
    let mut probabilities = vec![0.0f32; n * k];
    ensemble::classify(members, &mut ws, &inputs, &mut classes);
    ensemble::probabilities(members, &mut ws, &inputs, &mut probabilities);
    Predictions {
        classes,
        probabilities,
    }
}

/// The predictions as CSV: a header `class,<class 1>,…,<class k>`, then per row its class's
/// name and each class's probability (shortest decimals that read back to the same `f32`).
pub fn to_csv(file: &NetworkFile, p: &Predictions) -> Result<String, Failure> {
    let bug = |e: csv::Error| Failure::bug(format!("predictions CSV: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = std::iter::once("class").chain(file.classes.iter().map(String::as_str));
    w.write_record(header).map_err(bug)?;
    let k = file.classes.len();
    for (class, probs) in p.classes.iter().zip(p.probabilities.chunks_exact(k)) {
        let name = file
            .classes
            .get(usize::from(*class))
            .cloned()
            .unwrap_or_default();
        let record = std::iter::once(name).chain(probs.iter().map(f32::to_string));
        w.write_record(record).map_err(bug)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Failure::bug(format!("predictions CSV: {}", e.error())))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The metrics of `p` against `labels`.
pub fn metrics(file: &NetworkFile, p: &Predictions, labels: &[u8]) -> Metrics {
    Metrics::new(file.classes.clone(), labels, &p.classes)
}

/// Reads the rows and predicts: the whole of `predict` but the files, for every front end.
pub fn run(
    name: &str,
    input: impl std::io::Read,
    (file, arch): (&NetworkFile, Arch),
    label: &LabelColumn,
) -> Result<(NewRows, Predictions), Failure> {
    let members = file.networks(arch)?;
    let rows = read_rows(name, input, file, label)?;
    let predictions = predict(file, &members, &rows.x);
    Ok((rows, predictions))
}
