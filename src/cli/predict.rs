//! `piconas predict`: the files and the printing around `piconas::predict`.

use piconas::data::{self, LabelColumn};
use piconas::predict;

use crate::args::PredictArgs;
use crate::failure::Failure;
use crate::output;

/// `piconas predict`.
pub fn main(args: &PredictArgs) -> Result<(), Failure> {
    if let Some(path) = &args.out {
        output::check_file_target(path)?;
    }
    let model = crate::export::load(&args.run)?;
    let (name, file) = data::open(&args.data)?;
    let label = args
        .label
        .clone()
        .map_or(LabelColumn::Last, LabelColumn::Named);
    let (rows, predictions) = predict::run(
        &name,
        std::io::BufReader::new(file),
        (&model.0, model.1),
        &label,
    )?;
    let csv = predict::to_csv(&model.0, &predictions)?;
    let mut report = vec![format!(
        "predicted           {} rows with {} ({} features, {} classes{})",
        predictions.classes.len(),
        model.0.arch,
        model.0.features.len(),
        model.0.classes.len(),
        if model.0.standardize.is_some() {
            ", standardised as in training"
        } else {
            ""
        }
    )];
    if let Some(labels) = &rows.labels {
        let metrics = predict::metrics(&model.0, &predictions, labels);
        report.push(format!(
            "accuracy            {}",
            piconas::metrics::pct(metrics.accuracy())
        ));
        report.extend(metrics.text("rows"));
    }
    let report = report.join("\n") + "\n";
    match &args.out {
        Some(path) => {
            output::write_atomic(path, csv.as_bytes())?;
            output::to_stdout(&report, "the report")
        }
        // The predictions are the output: a full or closed stdout is a failure (exit 1).
        None => {
            output::to_stdout(&csv, "the predictions")?;
            output::to_stderr(&report)
        }
    }
}
