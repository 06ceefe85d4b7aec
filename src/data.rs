//! Where the samples come from: a built-in generator, or a user's CSV file.

use std::path::{Path, PathBuf};

use piconas_core::config::{MAX_SAMPLES, MIN_SAMPLES};
use piconas_core::{DataConfig, Sample, datasets};

use crate::failure::Failure;

/// A loaded data set and where it came from.
pub struct Dataset {
    /// The samples, in file (or generated) order; the split is 70/10/20 in this order.
    pub samples: Vec<Sample>,
    /// The generator's settings, when generated (then the Bayes ceiling is known).
    pub generated: Option<DataConfig>,
    /// The file, when loaded from CSV.
    pub file: Option<PathBuf>,
}

impl Dataset {
    /// Generates the data set `config` describes.
    pub fn generate(config: DataConfig) -> Result<Dataset, Failure> {
        let mut samples = vec![Sample::default(); config.samples];
        datasets::generate_config(&config, &mut samples)
            .map_err(|e| Failure::Input(e.to_string()))?;
        Ok(Dataset {
            samples,
            generated: Some(config),
            file: None,
        })
    }

    /// Loads `path` (see [`parse_csv`]).
    pub fn csv(path: &Path) -> Result<Dataset, Failure> {
        let name = path.display().to_string();
        let file = std::fs::File::open(path)
            .map_err(|e| Failure::Input(format!("{name}: cannot read the data file: {e}")))?;
        let samples = parse_csv(&name, std::io::BufReader::new(file))?;
        Ok(Dataset {
            samples,
            generated: None,
            file: Some(path.to_path_buf()),
        })
    }
}

/// Parses CSV data: rows `x1,x2,label`, an optional `x1,x2,label` header, labels 0 or 1,
/// finite numbers, between `MIN_SAMPLES` and `MAX_SAMPLES` rows. Every problem is an error
/// naming `name` and the line. Never panics, whatever the bytes (fuzzed).
pub fn parse_csv(name: &str, input: impl std::io::Read) -> Result<Vec<Sample>, Failure> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(input);
    let mut samples = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            Failure::Input(format!("{name}:{line}: unreadable row: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let at = |what: String| Failure::Input(format!("{name}:{line}: {what}"));
        let cells: Vec<&str> = record.iter().collect();
        if i == 0 && is_header(&cells) {
            continue;
        }
        let [x1, x2, label] = cells[..] else {
            return Err(at(format!(
                "expected 3 columns (x1,x2,label), found {}",
                cells.len()
            )));
        };
        let number = |column: &str, cell: &str| -> Result<f32, Failure> {
            let v: f32 = cell
                .parse()
                .map_err(|_| at(format!("{column} is not a number: {cell:?}")))?;
            if v.is_finite() {
                Ok(v)
            } else {
                Err(at(format!("{column} is NaN or infinite: {cell:?}")))
            }
        };
        let (x1, x2) = (number("x1", x1)?, number("x2", x2)?);
        let label = match label.parse::<f64>() {
            Ok(0.0) => 0,
            Ok(1.0) => 1,
            _ => return Err(at(format!("label must be 0 or 1, found {label:?}"))),
        };
        if samples.len() == MAX_SAMPLES {
            return Err(at(format!(
                "more than {MAX_SAMPLES} rows; that is the supported maximum"
            )));
        }
        samples.push(Sample { x: [x1, x2], label });
    }
    if samples.len() < MIN_SAMPLES {
        return Err(Failure::Input(format!(
            "{name}: {} data rows, but at least {MIN_SAMPLES} are needed (70/10/20 split, none empty)",
            samples.len()
        )));
    }
    Ok(samples)
}

fn is_header(cells: &[&str]) -> bool {
    let expected = ["x1", "x2", "label"];
    cells.len() == expected.len()
        && cells
            .iter()
            .zip(expected)
            .all(|(c, e)| c.eq_ignore_ascii_case(e))
}
