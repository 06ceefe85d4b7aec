//! Where the samples come from: a built-in generator, or a user's CSV file.

use std::path::{Path, PathBuf};

use piconas_core::config::{MAX_SAMPLES, MIN_SAMPLES};
use piconas_core::rng::{self, Stream};
use piconas_core::{DataConfig, Fingerprint, Rows, SearchConfig, Shape, Split, datasets};

pub use crate::data_error::{
    DataError, MAX_FEATURES, MAX_FILE_BYTES, MAX_LINE_BYTES, Overflowing, Problem,
};
use crate::file_errors::NetworkProblem;

/// A loaded data set and where it came from.
pub struct Dataset {
    /// The features, row-major, in split order: the split is 70/10/20 in this order (file
    /// order, stratified order, or generated order).
    pub x: Vec<f32>,
    /// Each row's class index.
    pub labels: Vec<u8>,
    /// Features per row and classes.
    pub shape: Shape,
    /// How the features were standardised (`None`: as read, or generated).
    pub scaling: Option<Scaling>,
    /// The test split's features as read, when `x` is standardised (else empty: `x` is as
    /// read): what a part's int8 front reads ([`Dataset::raw_test`]).
    raw_test: Vec<f32>,
    /// The features constant on the train split (left unscaled), by name.
    pub constant: Vec<String>,
    /// The generator's settings, when generated (then the Bayes ceiling is known).
    pub generated: Option<DataConfig>,
    /// The file, when loaded from CSV.
    pub file: Option<PathBuf>,
    /// The feature columns' names.
    pub features: Vec<String>,
    /// The classes' names, in class order.
    pub classes: Vec<String>,
    /// Where each row came from: its index among the file's data rows (from 0, as a data
    /// frame library reads them), in split order; empty for generated data.
    pub order: Vec<usize>,
    /// What tells this data from any other: its values as read (before standardisation) in
    /// split order, its labels, and its feature and class names (see [`fingerprint`]).
    pub fingerprint: Fingerprint,
}

/// The fingerprint of a data set: the shape, every value's bits and every label in split
/// order (so the split too), and the feature and class names (so that renamed columns or
/// relabelled classes are other data).
pub fn fingerprint(
    x: &[f32],
    labels: &[u8],
    shape: Shape,
    features: &[String],
    classes: &[String],
) -> Fingerprint {
    let mut h = Fingerprint::START.and(&[shape.inputs() as u8, shape.classes() as u8]);
    h = h.and(&(labels.len() as u64).to_le_bytes());
    for v in x {
        h = h.and(&v.to_bits().to_le_bytes());
    }
    h = h.and(labels);
    for name in features.iter().chain(classes) {
        h = h
            .and(&(name.len() as u64).to_le_bytes())
            .and(name.as_bytes());
    }
    h
}

/// How a data file is read and split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvOptions {
    /// The label column (`--label`).
    pub label: LabelColumn,
    /// The split (`--split`).
    pub split: SplitMode,
    /// The seed of a stratified split (`--split-seed`).
    pub split_seed: u64,
    /// Whether the features are standardised (`--standardize`).
    pub standardize: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            label: LabelColumn::Last,
            split: SplitMode::default(),
            split_seed: 0,
            standardize: true,
        }
    }
}

/// How a data set's features were standardised (see `piconas_core::standardize`): each
/// feature `(x − mean) / scale`, the statistics of the train split.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Scaling {
    /// Each feature's mean over the train split.
    pub mean: Vec<f32>,
    /// Each feature's standard deviation there (1 for a feature constant there).
    pub scale: Vec<f32>,
}

impl Scaling {
    /// Checks statistics read back for `d` features: one mean and one scale a feature, the
    /// means finite, the scales finite and positive.
    pub fn check(&self, d: usize) -> Result<(), NetworkProblem> {
        if self.mean.len() != d || self.scale.len() != d {
            return Err(NetworkProblem::ScalingCount {
                means: self.mean.len(),
                scales: self.scale.len(),
                features: d,
            });
        }
        let fine = |v: &f32| v.is_finite();
        if !self.mean.iter().all(fine) || !self.scale.iter().all(|v| fine(v) && *v > 0.0) {
            return Err(NetworkProblem::ScalingValues);
        }
        Ok(())
    }

    /// Fits the statistics on the first 70 % of `rows` (the train split `Split::new` will
    /// cut) and standardises every row of `x` with them. Returns them and the indices of the
    /// features that are constant on the train split (only shifted); or, when a value
    /// standardises beyond `f32` (values near ±3e38 far from the mean), its row (in split
    /// order), column and value, and nothing is changed.
    fn fit_and_apply(
        x: &mut [f32],
        labels: &[u8],
        shape: Shape,
    ) -> Result<(Scaling, Vec<usize>), Overflow> {
        let d = shape.inputs();
        let (mut mean, mut scale) = (vec![0.0; d], vec![1.0; d]);
        let (n_train, _) = Split::sizes(labels.len());
        let mask = match Rows::new(x, labels, shape) {
            Ok(rows) => {
                piconas_core::standardize::fit(&rows.slice(0..n_train), &mut mean, &mut scale)
            }
            Err(_) => 0,
        };
        let constant = (0..d).filter(|&j| mask >> j & 1 == 1).collect();
        let scaling = Scaling { mean, scale };
        for (k, &v) in x.iter().enumerate() {
            let j = k % d.max(1);
            if let Some(how) = scaling.overflow(j, v) {
                return Err(Overflow {
                    row: k / d.max(1),
                    column: j,
                    how,
                });
            }
        }
        piconas_core::standardize::apply(x, &scaling.mean, &scaling.scale);
        Ok((scaling, constant))
    }

    /// Whether standardising `v` as feature `j` overflows `f32` (`(v − mean) / scale` is
    /// infinite though `v` is finite: values near ±3e38 far from the mean, or a tiny scale):
    /// the arithmetic that does, else `None`. The one test for training data and new rows
    /// alike.
    pub fn overflow(&self, j: usize, v: f32) -> Option<Overflowing> {
        let (mean, scale) = (self.mean[j], self.scale[j]);
        let far = !((v - mean) / scale).is_finite();
        far.then_some(Overflowing {
            value: v,
            mean,
            scale,
        })
    }

    /// Standardises `x` (rows of this scaling's features) in place.
    pub fn apply(&self, x: &mut [f32]) {
        piconas_core::standardize::apply(x, &self.mean, &self.scale);
    }
}

/// A value whose standardisation overflows `f32` (see [`Scaling::fit_and_apply`]).
struct Overflow {
    row: usize,
    column: usize,
    how: Overflowing,
}

impl Dataset {
    /// `config` for a search on this data: its shape, which costs and budgets are measured
    /// on (the front ends' one way).
    pub fn configure(&self, config: SearchConfig) -> SearchConfig {
        SearchConfig {
            shape: self.shape,
            ..config
        }
    }

    /// `problem`, with this data's file (if it came from one) to blame.
    fn refused(&self, problem: Problem) -> DataError {
        DataError {
            source: self.file.as_ref().map(|f| f.display().to_string()),
            line: None,
            problem,
        }
    }

    /// Generates the data set `config` describes.
    pub fn generate(config: DataConfig) -> Result<Dataset, piconas_core::ConfigError> {
        let (mut x, mut labels) = (vec![0.0; 2 * config.samples], vec![0; config.samples]);
        datasets::generate_config(&config, &mut x, &mut labels)?;
        let shape = Shape::MOONS;
        let features: Vec<String> = (1..=shape.inputs()).map(|i| format!("x{i}")).collect();
        let classes: Vec<String> = (0..shape.classes()).map(|c| c.to_string()).collect();
        Ok(Dataset {
            fingerprint: fingerprint(&x, &labels, shape, &features, &classes),
            x,
            labels,
            shape,
            scaling: None,
            raw_test: Vec::new(),
            constant: Vec::new(),
            generated: Some(config),
            file: None,
            features,
            classes,
            order: Vec::new(),
        })
    }

    /// The test split's features as read (before any standardisation), row-major: what a
    /// deployed int8 network reads.
    pub fn raw_test(&self) -> &[f32] {
        if self.scaling.is_some() {
            return &self.raw_test;
        }
        test_part(&self.x, self.labels.len(), self.shape.inputs())
    }

    /// `split.csv` for a data file: `row,part` for each row in split order (`row` its index
    /// among the file's data rows, from 0; `part` train, dev or test), so that other tools
    /// can train and test on exactly these parts. `None` for generated data.
    pub fn split_csv(&self) -> Option<String> {
        if self.order.is_empty() {
            return None;
        }
        let n = self.order.len();
        let (n_train, n_dev) = Split::sizes(n);
        let mut text = String::from("row,part\n");
        for (i, row) in self.order.iter().enumerate() {
            let part = match i {
                i if i < n_train => "train",
                i if i < n_train + n_dev => "dev",
                _ => "test",
            };
            text.push_str(&format!("{row},{part}\n"));
        }
        Some(text)
    }

    /// The rows (checked by the core).
    pub fn rows(&self) -> Result<Rows<'_>, DataError> {
        Rows::new(&self.x, &self.labels, self.shape).map_err(|e| self.refused(Problem::Core(e)))
    }

    /// The 70/10/20 split of the rows, in their order.
    pub fn split(&self) -> Result<Split<'_>, DataError> {
        Split::new(self.rows()?).map_err(|e| self.refused(Problem::Core(e)))
    }

    /// Loads `path` (see [`parse_csv`]) and orders its rows for the split (see [`stratify`]).
    /// A regular file larger than [`MAX_FILE_BYTES`] is refused before it is read; anything
    /// else (a pipe, a device) is read up to that size.
    pub fn csv(path: &Path, options: &CsvOptions) -> Result<Dataset, DataError> {
        let (name, file) = open(path)?;
        let mut data = Dataset::read(&name, std::io::BufReader::new(file), options)?;
        data.file = Some(path.to_path_buf());
        Ok(data)
    }

    /// Reads CSV data called `name` from `input` (see [`parse_csv`]) and orders its rows for
    /// the split (see [`stratify`]): what a data file gives, from any source (a file, the
    /// page's chosen file).
    pub fn read(
        name: &str,
        input: impl std::io::Read,
        options: &CsvOptions,
    ) -> Result<Dataset, DataError> {
        let table = parse_csv(name, input, &options.label)?;
        Dataset::of_table(table, options).map_err(|e| DataError {
            source: Some(name.into()),
            ..e
        })
    }

    /// The data set of `table` (in file order) as a data file gives it: its rows ordered for
    /// the split (see [`stratify`]) and standardised as `options` say (the label column is the
    /// table's already).
    pub fn of_table(mut table: Table, options: &CsvOptions) -> Result<Dataset, DataError> {
        let mut order: Vec<usize> = (0..table.labels.len()).collect();
        if options.split == SplitMode::Stratified {
            order = stratify(&table.labels, &table.classes, options.split_seed).map_err(|e| {
                // A class of one row, the first: perhaps a header read as data.
                let lone = |c: u8| table.labels.iter().filter(|&&l| l == c).count() == 1;
                let first = table.labels.first().is_some_and(|&c| lone(c));
                DataError::rows(match e {
                    Problem::ClassTooSmall { class, rows, .. } => Problem::ClassTooSmall {
                        class,
                        rows,
                        perhaps_header: table.first_row_is_data && first,
                    },
                    other => other,
                })
            })?;
            table.reorder(&order);
        }
        let fingerprint = fingerprint(
            &table.x,
            &table.labels,
            table.shape,
            &table.features,
            &table.classes,
        );
        let raw_test = if options.standardize {
            test_part(&table.x, table.labels.len(), table.shape.inputs()).to_vec()
        } else {
            Vec::new()
        };
        let (scaling, constant) = if options.standardize {
            let (scaling, constant) =
                Scaling::fit_and_apply(&mut table.x, &table.labels, table.shape).map_err(|o| {
                    DataError::rows(Problem::Overflow {
                        row: order[o.row],
                        feature: table.features[o.column].clone(),
                        how: o.how,
                    })
                })?;
            (Some(scaling), constant)
        } else {
            (None, Vec::new())
        };
        Ok(Dataset {
            x: table.x,
            labels: table.labels,
            shape: table.shape,
            scaling,
            raw_test,
            constant: constant
                .into_iter()
                .map(|j| table.features[j].clone())
                .collect(),
            order,
            generated: None,
            file: None,
            features: table.features,
            classes: table.classes,
            fingerprint,
        })
    }
}

/// The test split's part of `x`, `rows` rows of `d` features in split order (the split is
/// 70/10/20 in this order).
fn test_part(x: &[f32], rows: usize, d: usize) -> &[f32] {
    let (n_train, n_dev) = Split::sizes(rows);
    &x[((n_train + n_dev) * d).min(x.len())..]
}

/// Opens the data file `path` for reading, with its name for messages. A regular file larger
/// than [`MAX_FILE_BYTES`] is refused before it is read (anything else, a pipe or a device, is
/// read up to that size by the reader).
pub fn open(path: &Path) -> Result<(String, std::fs::File), DataError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path)
        .map_err(|e| DataError::of(&name, Problem::Open(e.to_string())))?;
    if let Ok(meta) = file.metadata()
        && meta.is_file()
        && meta.len() > MAX_FILE_BYTES
    {
        return Err(DataError::of(&name, Problem::TooLarge));
    }
    Ok((name, file))
}

/// Which column of a data file holds the label (`--label`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LabelColumn {
    /// The last column (the default).
    #[default]
    Last,
    /// The column with this header name, or, if no header cell has it and it is a number,
    /// the column at this 1-based position.
    Named(String),
}

/// A data file, read: its feature columns' names, its classes' names, and its rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The feature columns' names (`x1`, `x2`, … without a header).
    pub features: Vec<String>,
    /// The classes' names, in class order: the labels sorted (as numbers when every label is
    /// one, else as text).
    pub classes: Vec<String>,
    /// The features, row-major, in file order.
    pub x: Vec<f32>,
    /// Each row's class index.
    pub labels: Vec<u8>,
    /// Features per row and classes.
    pub shape: Shape,
    /// Whether the file's first row was read as data though it could have been a header (it
    /// has no header; its cells are numbers): errors it may explain say so.
    pub first_row_is_data: bool,
}

impl Table {
    /// A table from arrays, checked as a data file is: `x` row-major with one value per
    /// feature of `features` in each row, every value finite; `labels` class indices into
    /// `classes` (2 to `MAX_CLASSES` names, each used); between `MIN_SAMPLES` and `MAX_SAMPLES`
    /// rows. Errors name the row (from 0) and the feature.
    pub fn new(
        features: Vec<String>,
        classes: Vec<String>,
        x: Vec<f32>,
        labels: Vec<u8>,
    ) -> Result<Table, DataError> {
        let bad = |problem| Err(DataError::rows(problem));
        let (d, n) = (features.len(), labels.len());
        if !(1..=MAX_FEATURES).contains(&d) {
            return bad(Problem::Features { features: d });
        }
        if x.len() != n * d {
            return bad(Problem::Values {
                values: x.len(),
                rows: n,
                features: d,
            });
        }
        if !(MIN_SAMPLES..=MAX_SAMPLES).contains(&n) {
            return bad(Problem::RowCount { rows: n });
        }
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            return bad(Problem::NotFiniteValue {
                row: i / d,
                feature: features[i % d].clone(),
            });
        }
        let shape = match Shape::new(d, classes.len()) {
            Ok(shape) => shape,
            Err(e) => return bad(Problem::Shape(e)),
        };
        let mut used = vec![false; classes.len()];
        for (i, &label) in labels.iter().enumerate() {
            match used.get_mut(usize::from(label)) {
                Some(seen) => *seen = true,
                None => {
                    return bad(Problem::ClassIndex {
                        row: i,
                        label,
                        classes: classes.len(),
                    });
                }
            }
        }
        if let Some(c) = used.iter().position(|u| !u) {
            return bad(Problem::EmptyClass {
                class: classes[c].clone(),
            });
        }
        Ok(Table {
            first_row_is_data: false,
            features,
            classes,
            x,
            labels,
            shape,
        })
    }

    /// Puts row `order[i]` at place `i` (`order` a permutation of the rows).
    pub fn reorder(&mut self, order: &[usize]) {
        let d = self.shape.inputs();
        // In place, cycle by cycle: a million rows of 64 features are never held twice. (Were
        // `order` no permutation, a cycle would end at the first place already filled.)
        let mut placed = vec![false; order.len()];
        let mut held = vec![0.0f32; d];
        for start in 0..order.len() {
            if placed[start] {
                continue;
            }
            held.copy_from_slice(&self.x[start * d..(start + 1) * d]);
            let held_label = self.labels[start];
            let mut at = start;
            loop {
                placed[at] = true;
                let from = order[at];
                if placed[from] {
                    self.x[at * d..(at + 1) * d].copy_from_slice(&held);
                    self.labels[at] = held_label;
                    break;
                }
                self.x.copy_within(from * d..(from + 1) * d, at * d);
                self.labels[at] = self.labels[from];
                at = from;
            }
        }
    }
}

/// Parses CSV data: an optional header (a first row with a feature cell that is not a finite
/// number, or the cell `--label` names, or a text label above integer labels),
/// numeric feature columns, and a label column (`label`) of integers or text. Up to
/// [`MAX_FEATURES`] features, 2 to `MAX_CLASSES` classes and between `MIN_SAMPLES` and
/// `MAX_SAMPLES` rows. Every problem is an error naming `name`, the line and the column. Never
/// panics, whatever the bytes (fuzzed).
pub fn parse_csv(
    name: &str,
    input: impl std::io::Read,
    label: &LabelColumn,
) -> Result<Table, DataError> {
    // The features straight into one array, and each row's label as the index of its text
    // among the distinct ones: a million rows are never held as a million small vectors.
    let (mut x, mut ids) = (Vec::new(), Vec::<u32>::new());
    let mut texts = Interner::default();
    let mut first: Vec<String> = Vec::new();
    let mut shape = each_row(
        name,
        input,
        |cells| {
            first = cells.iter().map(|c| c.to_string()).collect();
            Columns::of_first_row(cells, label)
        },
        |known: &Columns, cells| {
            let label = known.push_row(cells, &mut x)?;
            ids.push(texts.id(label));
            Ok(())
        },
    )?;
    let d = shape.as_ref().map_or(0, |c| c.columns - 1);
    if let Some(columns) = shape.as_mut().filter(|c| c.header.is_none())
        && labels_make_a_header(ids.iter().map(|&i| texts.text(i)))
    {
        x.drain(..d);
        ids.remove(0);
        columns.header = Some(first);
    }
    let first_row_is_data = shape.as_ref().is_some_and(|c| c.header.is_none());
    if ids.len() < MIN_SAMPLES {
        let rows = ids.len();
        return Err(DataError::of(name, Problem::TooFewRows { rows }));
    }
    let features = shape.map(|s| s.features()).unwrap_or_default();
    let mut used = vec![false; texts.len()];
    ids.iter().for_each(|&i| used[i as usize] = true);
    let classes = class_names(
        (0..texts.len())
            .filter(|&i| used[i])
            .map(|i| texts.text(i as u32)),
    );
    let fits = Shape::new(features.len(), classes.len());
    let shape = fits.map_err(|e| DataError::of(name, Problem::Shape(e)))?;
    // Each text's class (only used texts are looked up, and every one is a class).
    let class_of: Vec<u8> = (0..texts.len())
        .map(|i| {
            let text = texts.text(i as u32);
            classes.iter().position(|c| c == text).unwrap_or(0) as u8
        })
        .collect();
    let labels = ids.iter().map(|&i| class_of[i as usize]).collect();
    x.shrink_to_fit();
    Ok(Table {
        features,
        classes,
        x,
        labels,
        shape,
        first_row_is_data,
    })
}

/// The distinct label texts of a file, in the order first seen, each once.
#[derive(Default)]
struct Interner {
    ids: std::collections::HashMap<String, u32>,
    texts: Vec<String>,
}

impl Interner {
    /// `text`'s index, given it anew if it is new.
    fn id(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = self.texts.len() as u32;
        self.ids.insert(text.to_string(), id);
        self.texts.push(text.to_string());
        id
    }

    /// The text of index `id`.
    fn text(&self, id: u32) -> &str {
        &self.texts[id as usize]
    }

    /// Distinct texts.
    fn len(&self) -> usize {
        self.texts.len()
    }
}

/// Whether a first row of numbers, read as data, is a header after all, given the labels of
/// the data rows (the first row's first): its label is text over integer labels, as in
/// `1,2,3,label` over rows labelled 0 and 1. (Over text labels `1,2,3,species` stays
/// ambiguous: it is read as data, and errors say so.) The header rule's last clause, the
/// others being [`Columns::of_first_row`]'s; the reader and the label menu share both.
fn labels_make_a_header<'a>(mut labels: impl Iterator<Item = &'a str>) -> bool {
    let integer = |c: &str| c.parse::<i64>().is_ok();
    let Some(first) = labels.next() else {
        return false;
    };
    let mut rest = labels.peekable();
    !integer(first) && rest.peek().is_some() && rest.all(integer)
}

/// Reads CSV `input` (`name` in messages) row by row, within the reader's limits: blank lines
/// (empty, or only spaces) are skipped; the first row sets the layout `L` (`first` returns it,
/// and whether that row is a header, not data); every data row goes to `each` with it, at most
/// [`MAX_SAMPLES`] of them. An error of either names the file and the line. Returns the layout,
/// `None` if there was no row at all.
pub(crate) fn each_row<L>(
    name: &str,
    input: impl std::io::Read,
    mut first: impl FnMut(&[&str]) -> Result<(L, bool), Problem>,
    mut each: impl FnMut(&L, &[&str]) -> Result<(), Problem>,
) -> Result<Option<L>, DataError> {
    let mut reader = csv_reader(input);
    let mut layout: Option<L> = None;
    let mut rows = 0;
    for record in reader.records() {
        let record = record.map_err(|e| unreadable(name, &e))?;
        let line = record.position().map_or(0, |p| p.line());
        let at = |problem| DataError {
            source: Some(name.into()),
            line: Some(line),
            problem,
        };
        let cells: Vec<&str> = record.iter().collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        let known = match &layout {
            Some(known) => known,
            None => {
                let (set, header) = first(&cells).map_err(&at)?;
                let known = layout.insert(set);
                if header {
                    continue;
                }
                known
            }
        };
        if rows == MAX_SAMPLES {
            return Err(at(Problem::TooManyRows));
        }
        each(known, &cells).map_err(&at)?;
        rows += 1;
    }
    Ok(layout)
}

/// What a front end offers as a data file's label choices (`--label NAME|INDEX`): the
/// header's names if its first row is a header by the reader's rule (with the label last),
/// else the 1-based column numbers. An error, as the reader words it, for an unreadable file,
/// one without rows, or a first row of too few or too many columns.
pub fn columns(name: &str, input: impl std::io::Read) -> Result<Vec<String>, DataError> {
    let mut first: Vec<String> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    let layout = each_row(
        name,
        input,
        |cells| {
            first = cells.iter().map(|c| c.to_string()).collect();
            Columns::of_first_row(cells, &LabelColumn::Last)
        },
        |known: &Columns, cells| {
            labels.extend(cells.get(known.label_at).map(|c| c.to_string()));
            Ok(())
        },
    )?;
    let layout = layout.ok_or_else(|| DataError::of(name, Problem::NoRows))?;
    let header = layout.header.is_some() || labels_make_a_header(labels.iter().map(String::as_str));
    Ok(if header {
        first
    } else {
        (1..=first.len()).map(|i| i.to_string()).collect()
    })
}

/// The rows `x` (`d` features each, row-major) projected onto their first two principal
/// components (each row 2 values): a plane to draw data of more than two features on. The
/// components come from the covariance (in `f64`) by power iteration from a fixed start, so
/// the picture is the same on every run; signs are fixed so the largest loading is positive.
/// Two features are returned as they are, one feature gets a zero second coordinate.
pub fn projection(x: &[f32], d: usize) -> Vec<f32> {
    let n = x.len().checked_div(d).unwrap_or(0);
    if d <= 2 || n == 0 {
        return x
            .chunks_exact(d.max(1))
            .flat_map(|r| [r[0], r.get(1).copied().unwrap_or(0.0)])
            .collect();
    }
    let rows = || x.chunks_exact(d);
    let mean: Vec<f64> = (0..d)
        .map(|j| rows().map(|r| f64::from(r[j])).sum::<f64>() / n as f64)
        .collect();
    let centred: Vec<f64> = rows()
        .flat_map(|r| (0..d).map(|j| f64::from(r[j]) - mean[j]))
        .collect();
    // Summed row after row, from 0: the same bits on every target.
    let mut cov: Vec<f64> = (0..d * d)
        .map(|ij| {
            let (i, j) = (ij / d, ij % d);
            centred.chunks_exact(d).fold(0.0, |a, c| a + c[i] * c[j])
        })
        .collect();
    let mut components = Vec::with_capacity(2);
    for _ in 0..2 {
        let mut v: Vec<f64> = (0..d).map(|i| 1.0 + i as f64 / d as f64).collect();
        for _ in 0..200 {
            let w: Vec<f64> = (0..d)
                .map(|i| (0..d).map(|j| cov[i * d + j] * v[j]).sum())
                .collect();
            let norm = w.iter().map(|a| a * a).sum::<f64>().sqrt();
            if norm == 0.0 {
                break;
            }
            v = w.iter().map(|a| a / norm).collect();
        }
        let largest = v
            .iter()
            .copied()
            .fold(0.0f64, |m, a| if a.abs() > m.abs() { a } else { m });
        if largest < 0.0 {
            v.iter_mut().for_each(|a| *a = -*a);
        }
        // Deflate: remove this component's variance before finding the next.
        let cv: Vec<f64> = (0..d)
            .map(|i| (0..d).map(|j| cov[i * d + j] * v[j]).sum())
            .collect();
        let lambda: f64 = v.iter().zip(&cv).map(|(a, b)| a * b).sum();
        for i in 0..d {
            for j in 0..d {
                cov[i * d + j] -= lambda * v[i] * v[j];
            }
        }
        components.push(v);
    }
    let project = |r: &[f32], c: &[f64]| {
        (0..d)
            .map(|j| (f64::from(r[j]) - mean[j]) * c[j])
            .sum::<f64>() as f32
    };
    rows()
        .flat_map(|r| [project(r, &components[0]), project(r, &components[1])])
        .collect()
}

/// A CSV reader as every data file is read: no header assumed (the caller decides), rows of
/// any length (the caller checks), cells trimmed, `#` comments, within [`MAX_FILE_BYTES`] and
/// [`MAX_LINE_BYTES`] (see [`unreadable`] for the errors).
pub(crate) fn csv_reader<R: std::io::Read>(input: R) -> csv::Reader<impl std::io::Read> {
    bounded_csv_reader(Bounded::new(input))
}

/// [`csv_reader`] over a reader bounded as `input` is (tests bound it tighter).
fn bounded_csv_reader<R: std::io::Read>(input: Bounded<R>) -> csv::Reader<Bounded<R>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(input)
}

/// `samples` moons of noise 0.2 from data seed `seed`: the unit tests' small data set.
#[cfg(test)]
pub(crate) fn test_moons(samples: usize, seed: u64) -> Dataset {
    let config = DataConfig {
        dataset: piconas_core::config::Dataset::Moons,
        samples,
        noise: 0.2,
        seed,
    };
    Dataset::generate(config).unwrap_or_else(|e| panic!("{e}"))
}

/// A data file's columns, set by its first row: how many, which holds the label, and the
/// header's names if the first row was a header.
struct Columns {
    columns: usize,
    label_at: usize,
    header: Option<Vec<String>>,
}

impl Columns {
    /// The columns the first row sets, and whether that row is a header (a feature cell that
    /// is not a number).
    fn of_first_row(cells: &[&str], label: &LabelColumn) -> Result<(Columns, bool), Problem> {
        let columns = cells.len();
        if !(2..=MAX_FEATURES + 1).contains(&columns) {
            return Err(Problem::Columns { columns });
        }
        let names: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
        let label_at = label_column(label, &names, columns)?;
        // A header: a feature cell that is no finite number (`nan` and `inf` are names
        // here, never data), or the cell `--label` names.
        let header = cells
            .iter()
            .enumerate()
            .any(|(i, c)| i != label_at && !is_number(c))
            || matches!(label, LabelColumn::Named(n) if names[label_at] == *n);
        if let (false, LabelColumn::Named(n)) = (header, label)
            && n.parse::<usize>().is_err()
        {
            return Err(Problem::LabelWithoutHeader { name: n.clone() });
        }
        let columns = Columns {
            columns,
            label_at,
            header: header.then_some(names),
        };
        Ok((columns, header))
    }

    /// The name of column `i` (0-based): the header's, else `x1`, `x2`, … counting features.
    fn name(&self, i: usize) -> String {
        match self.header.as_ref().and_then(|h| h.get(i)) {
            Some(name) => name.clone(),
            None => format!("x{}", if i < self.label_at { i + 1 } else { i }),
        }
    }

    /// The feature columns' names.
    fn features(&self) -> Vec<String> {
        (0..self.columns)
            .filter(|&i| i != self.label_at)
            .map(|i| self.name(i))
            .collect()
    }

    /// Appends a data row's features to `x` and returns its label's text.
    fn push_row<'c>(&self, cells: &[&'c str], x: &mut Vec<f32>) -> Result<&'c str, Problem> {
        features(
            cells,
            self.columns,
            Some(self.label_at),
            |f| self.features().swap_remove(f),
            x,
        )?;
        match cells[self.label_at] {
            "" => Err(Problem::EmptyLabel),
            class => Ok(class),
        }
    }
}

/// Appends a data row's feature cells (every one of its `columns` but `label_at`) to `x` as
/// numbers; an error for a row of another length, or a cell that is not a finite number,
/// naming its feature (`name(f)` of the `f`-th feature, from 0) and quoting it.
pub(crate) fn features<N: std::fmt::Display>(
    cells: &[&str],
    columns: usize,
    label_at: Option<usize>,
    name: impl Fn(usize) -> N,
    x: &mut Vec<f32>,
) -> Result<(), Problem> {
    if cells.len() != columns {
        return Err(Problem::RowLength {
            expected: columns,
            found: cells.len(),
        });
    }
    let feature_cells = (0..columns).filter(|&i| Some(i) != label_at);
    for (f, cell) in feature_cells.map(|i| cells[i]).enumerate() {
        let named = || (name(f).to_string(), cell.to_string());
        let v: f32 = cell.parse().map_err(|_| {
            let (feature, cell) = named();
            Problem::NotANumber { feature, cell }
        })?;
        if !v.is_finite() {
            let (feature, cell) = named();
            return Err(Problem::NotFinite { feature, cell });
        }
        x.push(v);
    }
    Ok(())
}

/// Whether a cell is data: a finite number.
pub(crate) fn is_number(cell: &str) -> bool {
    cell.parse::<f32>().is_ok_and(f32::is_finite)
}

/// The 0-based position of the label column among `columns`, the first row's cells.
fn label_column(label: &LabelColumn, first: &[String], columns: usize) -> Result<usize, Problem> {
    match label {
        LabelColumn::Last => Ok(columns - 1),
        LabelColumn::Named(name) => {
            if let Some(at) = first.iter().position(|c| c == name) {
                return Ok(at);
            }
            match name.parse::<usize>() {
                Ok(k) if (1..=columns).contains(&k) => Ok(k - 1),
                Ok(position) => Err(Problem::LabelPosition { position, columns }),
                Err(_) => Err(Problem::LabelName { name: name.clone() }),
            }
        }
    }
}

/// The distinct labels, sorted as numbers when every one is an integer, else as text.
fn class_names<'a>(labels: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<&str> = labels.collect();
    names.sort_unstable();
    names.dedup();
    if names.iter().all(|n| n.parse::<i64>().is_ok()) {
        names.sort_by_key(|n| n.parse::<i64>().unwrap_or(0));
    }
    names.into_iter().map(String::from).collect()
}

/// How a data file's rows are cut into train, dev and test (`--split`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SplitMode {
    /// Shuffled with a seed, each class in proportion in every part (the default for files).
    #[default]
    Stratified,
    /// In file order, as the generated data sets are (the original's way).
    InOrder,
}

impl SplitMode {
    /// Every mode's name, the default first.
    pub const NAMES: [&'static str; 2] = ["stratified", "in-order"];

    /// The name on the command line and in settings.json.
    pub fn name(self) -> &'static str {
        match self {
            SplitMode::Stratified => Self::NAMES[0],
            SplitMode::InOrder => Self::NAMES[1],
        }
    }

    /// The mode called `name`, if any.
    pub fn from_name(name: &str) -> Option<SplitMode> {
        [SplitMode::Stratified, SplitMode::InOrder]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

/// The order of the rows (their `labels`, class indices into `classes`) in which the core's
/// in-order 70/10/20 cut ([`Split::new`]) gives a stratified split: each class shuffled
/// (seeded by `seed`, independent of the search's), then dealt to train, dev and test in
/// proportion to its size (largest remainders, so the parts have exactly the sizes
/// `Split::new` cuts), each part in a shuffled order. A class too small to appear in every
/// part is an error naming it.
pub fn stratify(labels: &[u8], classes: &[String], seed: u64) -> Result<Vec<usize>, Problem> {
    let n = labels.len();
    let (n_train, n_dev) = Split::sizes(n);
    let mut present: Vec<u8> = labels.to_vec();
    present.sort_unstable();
    present.dedup();
    // Each class's rows in file order, then shuffled by its own stream.
    let mut groups: Vec<Vec<usize>> = present
        .iter()
        .map(|&c| (0..n).filter(|&i| labels[i] == c).collect())
        .collect();
    for (c, group) in groups.iter_mut().enumerate() {
        shuffle(group, &mut rng::stream(seed, Stream::Split, c as u64));
    }
    let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
    let train = apportion(&sizes, n_train);
    let left: Vec<usize> = sizes.iter().zip(&train).map(|(s, t)| s - t).collect();
    let dev = apportion(&left, n_dev);
    let mut parts: [Vec<usize>; 3] = Default::default();
    for (c, group) in groups.into_iter().enumerate() {
        let test = left[c] - dev[c];
        if train[c] == 0 || dev[c] == 0 || test == 0 {
            let label = usize::from(present[c]);
            return Err(Problem::ClassTooSmall {
                class: classes.get(label).map_or(label.to_string(), String::clone),
                rows: sizes[c],
                perhaps_header: false,
            });
        }
        let mut rows = group.into_iter();
        parts[0].extend(rows.by_ref().take(train[c]));
        parts[1].extend(rows.by_ref().take(dev[c]));
        parts[2].extend(rows);
    }
    let mut out = Vec::with_capacity(n);
    for (p, mut part) in parts.into_iter().enumerate() {
        let index = (present.len() + p) as u64;
        shuffle(&mut part, &mut rng::stream(seed, Stream::Split, index));
        out.extend(part);
    }
    Ok(out)
}

/// Fisher–Yates with the core's unbiased `below`.
fn shuffle<T>(items: &mut [T], rng: &mut rng::Generator) {
    for i in (1..items.len()).rev() {
        let j = rng::below(rng, (i + 1) as u32) as usize;
        items.swap(i, j);
    }
}

/// `total` dealt over groups of `sizes` in proportion (Hamilton's largest remainders; ties to
/// the earlier group), never more than a group has.
fn apportion(sizes: &[usize], total: usize) -> Vec<usize> {
    // In u64: s · total reaches 10^12 for a million rows, beyond a 32-bit usize (wasm).
    let all = sizes.iter().sum::<usize>().max(1) as u64;
    let of = |s: usize| s as u64 * total as u64;
    let mut shares: Vec<usize> = sizes.iter().map(|&s| (of(s) / all) as usize).collect();
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    // Largest remainder first: compare s·total mod all.
    order.sort_by_key(|&c| std::cmp::Reverse(of(sizes[c]) % all));
    let mut missing = total - shares.iter().sum::<usize>();
    for c in order.into_iter().cycle().take(sizes.len() * 2) {
        if missing == 0 {
            break;
        }
        if shares[c] < sizes[c] {
            shares[c] += 1;
            missing -= 1;
        }
    }
    shares
}

/// A read error of the CSV reader as one line: a limit of [`Bounded`], or the row it could not
/// read.
pub(crate) fn unreadable(name: &str, e: &csv::Error) -> DataError {
    let line = e.position().map_or(0, |p| p.line());
    let (line, problem) = match e.kind() {
        csv::ErrorKind::Io(io) => match io.get_ref().and_then(|l| l.downcast_ref::<Limit>()) {
            Some(Limit::File(_)) => (None, Problem::TooLarge),
            Some(Limit::Line(line)) => (Some(*line), Problem::LineTooLong),
            None => (Some(line), Problem::Unreadable(e.to_string())),
        },
        _ => (Some(line), Problem::Unreadable(e.to_string())),
    };
    DataError {
        source: Some(name.into()),
        line,
        problem,
    }
}

/// Which limit of [`Bounded`] was passed.
#[derive(Debug)]
enum Limit {
    /// More than this many bytes in all ([`MAX_FILE_BYTES`]).
    File(u64),
    /// A line (1-based) longer than [`MAX_LINE_BYTES`].
    Line(u64),
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Limit::File(limit) => write!(f, "more than {limit} bytes"),
            Limit::Line(line) => write!(f, "line {line} longer than {MAX_LINE_BYTES} bytes"),
        }
    }
}

impl std::error::Error for Limit {}

/// A reader that fails, instead of reading on, past [`MAX_FILE_BYTES`] in all or
/// [`MAX_LINE_BYTES`] in one line: what keeps `/dev/zero` or a huge one-line file from
/// exhausting memory.
/// A line ends as the CSV reader ends it: at `\n`, `\r\n` or a lone `\r`.
struct Bounded<R> {
    inner: R,
    /// The most bytes read in all: [`MAX_FILE_BYTES`] but in tests.
    limit: u64,
    total: u64,
    line_len: usize,
    line: u64,
    /// Whether the last byte was `\r` (a `\n` after it ends no further line).
    after_cr: bool,
}

impl<R> Bounded<R> {
    fn new(inner: R) -> Self {
        Bounded::with_limit(inner, MAX_FILE_BYTES)
    }

    fn with_limit(inner: R, limit: u64) -> Self {
        Bounded {
            inner,
            limit,
            total: 0,
            line_len: 0,
            line: 1,
            after_cr: false,
        }
    }
}

impl<R: std::io::Read> std::io::Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if self.total > self.limit {
            return Err(std::io::Error::other(Limit::File(self.limit)));
        }
        for &b in &buf[..n] {
            let ends = b == b'\r' || (b == b'\n' && !self.after_cr);
            self.after_cr = b == b'\r';
            if ends {
                self.line += 1;
            }
            if b == b'\r' || b == b'\n' {
                self.line_len = 0;
            } else {
                self.line_len += 1;
                if self.line_len > MAX_LINE_BYTES {
                    return Err(std::io::Error::other(Limit::Line(self.line)));
                }
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_choices_are_the_header_or_the_column_numbers() {
        let named = columns("a.csv", &b"x,y,class\n1,2,a\n"[..]).unwrap();
        assert_eq!(named, ["x", "y", "class"]);
        let numbered = columns("b.csv", &b"1,2,a\n3,4,b\n"[..]).unwrap();
        assert_eq!(numbered, ["1", "2", "3"]);
        // The reader's rule whole: a text label over integer labels makes a header too.
        let text_over_integers = &b"1,2,kind\n3,4,0\n5,6,1\n"[..];
        assert_eq!(
            columns("t.csv", text_over_integers).unwrap(),
            ["1", "2", "kind"]
        );
        let table = parse_csv("t.csv", text_over_integers, &LabelColumn::Last);
        assert!(table.is_err_and(|e| e.to_string().contains("2 data rows")));
        let e = columns("c.csv", &b"just-one\n"[..])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.csv:1: 1 columns"), "{e}");
        let e = columns("d.csv", &b"\n  \n"[..]).unwrap_err().to_string();
        assert_eq!(e, "d.csv: no rows");
    }

    #[test]
    fn the_projection_finds_the_spread_directions() {
        // Points along (1, 1, 0) with a little spread along (0, 0, 1): the first component
        // carries the line, the second the spread.
        // Shifted by (100, −40, 3): the projection is of the centred rows.
        let x: Vec<f32> = (0..50)
            .flat_map(|i| {
                let t = (i / 2) as f32 - 12.0; // each t twice, with spread +0.5 and −0.5
                [t + 100.0, t - 40.0, if i % 2 == 0 { 3.5 } else { 2.5 }]
            })
            .collect();
        let p = projection(&x, 3);
        assert_eq!(p.len(), 100);
        for (i, xy) in p.chunks(2).enumerate() {
            let t = (i / 2) as f32 - 12.0;
            assert!((xy[0] - t * 2f32.sqrt()).abs() < 1e-3, "{i}: {xy:?}");
            assert!((xy[1].abs() - 0.5).abs() < 1e-3, "{i}: {xy:?}");
        }
        // Along (1, 0, −0.95), spread along (0, 1, 0): the power iteration from its fixed
        // start finds −(1, 0, −0.95), and the sign rule (largest loading positive) turns it.
        let x: Vec<f32> = (0..50)
            .flat_map(|i| {
                let t = (i / 2) as f32 - 12.0;
                let spread = if i % 2 == 0 { 0.5 } else { -0.5 };
                [t + 100.0, spread - 40.0, 3.0 - 0.95 * t]
            })
            .collect();
        let length = (1.0f32 + 0.95 * 0.95).sqrt();
        for (i, xy) in projection(&x, 3).chunks(2).enumerate() {
            let t = (i / 2) as f32 - 12.0;
            let spread = if i % 2 == 0 { 0.5 } else { -0.5 };
            assert!((xy[0] - t * length).abs() < 1e-3, "{i}: {xy:?}");
            assert!((xy[1] - spread).abs() < 1e-3, "{i}: {xy:?}");
        }
        assert_eq!(projection(&[1.0, 2.0, 3.0, 4.0], 2), [1.0, 2.0, 3.0, 4.0]);
        assert_eq!(projection(&[1.0, 2.0], 1), [1.0, 0.0, 2.0, 0.0]);
    }

    /// `n` rows of two features labelled 0 and 1 in turn, under `header`.
    fn under(header: &str, n: usize) -> String {
        let rows: String = (0..n)
            .map(|i| format!("{i},{},{}\n", i * 2, i % 2))
            .collect();
        format!("{header}\n{rows}")
    }

    #[test]
    fn a_header_of_numbers_is_told_by_its_label_or_its_non_finite_cells() {
        let read = |text: &str, label: LabelColumn| parse_csv("d.csv", text.as_bytes(), &label);
        for header in [
            "1,2,label",
            "nan,inf,label",
            "infinity,-inf,label",
            "3,NaN,kind",
        ] {
            let t = read(&under(header, 30), LabelColumn::Last).unwrap();
            let names: Vec<&str> = header.split(',').collect();
            assert_eq!(t.features, &names[..2], "{header}");
            assert_eq!((t.classes.len(), t.labels.len()), (2, 30), "{header}");
        }
        // Named by --label: a header, though its label could be a class.
        let t = read(&under("1,2,0", 30), LabelColumn::Named("0".into())).unwrap();
        assert_eq!((t.features.len(), t.labels.len()), (2, 30));
        // A first row of numbers whose class other rows share is data.
        let t = read(&under("7,8,1", 30), LabelColumn::Last).unwrap();
        assert_eq!(t.features, ["x1", "x2"]);
        assert_eq!((t.labels.len(), t.x[..2].to_vec()), (31, vec![7.0, 8.0]));
        assert!(t.first_row_is_data);
        // Over text labels a lone text label is ambiguous: read as data, and the split's
        // error says what was assumed.
        let text: String = (0..30)
            .map(|i| format!("{i},1,{}\n", ["a", "b"][i % 2]))
            .collect();
        let t = read(&format!("1,2,species\n{text}"), LabelColumn::Last).unwrap();
        assert_eq!((t.labels.len(), t.classes.len()), (31, 3));
        let e = Dataset::of_table(t, &CsvOptions::default())
            .err()
            .unwrap()
            .to_string();
        assert!(e.starts_with("class \"species\" has 1 row"), "{e}");
        assert!(e.contains("line 1 was read as data"), "{e}");
        // It says so only then: not for a lone class under a header, nor for a lone class
        // that is not the first row's.
        let split_error = |text: String| {
            let t = read(&text, LabelColumn::Last).unwrap();
            let e = Dataset::of_table(t, &CsvOptions::default()).err().unwrap();
            e.to_string()
        };
        for text in [
            format!("a,b,species\n{text}1,2,lone\n"),
            format!("{text}1,2,lone\n"),
        ] {
            let e = split_error(text);
            assert!(e.starts_with("class \"lone\" has 1 row"), "{e}");
            assert!(!e.contains("read as data"), "{e}");
        }
    }

    #[test]
    fn the_reader_takes_a_file_and_a_line_up_to_their_limits_exactly() {
        use std::io::Read;
        let read = |input: &mut dyn Read| {
            let mut sink = Vec::new();
            Bounded::new(input).read_to_end(&mut sink).map(|n| n as u64)
        };
        let newlines = |n: u64| std::io::repeat(b'\n').take(n);
        assert_eq!(read(&mut newlines(MAX_FILE_BYTES)).unwrap(), MAX_FILE_BYTES);
        assert!(read(&mut newlines(MAX_FILE_BYTES + 1)).is_err());
        let line = |n: usize| [vec![b'a'; n], b"\n".to_vec()].concat();
        let longest = line(MAX_LINE_BYTES);
        assert_eq!(read(&mut &longest[..]).unwrap(), longest.len() as u64);
        assert!(read(&mut &line(MAX_LINE_BYTES + 1)[..]).is_err());
    }

    #[test]
    fn a_data_file_over_the_size_limit_is_refused_before_it_is_read() {
        let tmp = tempfile::tempdir().unwrap();
        // Sparse files: their sizes cost no disk.
        for (size, refused) in [(MAX_FILE_BYTES, false), (MAX_FILE_BYTES + 1, true)] {
            let path = tmp.path().join(format!("{size}.csv"));
            std::fs::File::create(&path).unwrap().set_len(size).unwrap();
            let opened = open(&path);
            assert_eq!(opened.is_err(), refused, "{size} bytes");
            if let Err(e) = opened {
                assert!(
                    e.to_string()
                        .ends_with("larger than 2048 MiB; that is the supported maximum"),
                    "{e}"
                );
            }
        }
    }

    #[test]
    fn a_standardisation_beyond_f32_names_the_column_and_row_not_the_input() {
        // Nine rows in ten at 3e38, one at −3e38: the mean is near 2.4e38, and −3e38 − mean
        // overflows f32 though every value is finite.
        let rows: String = (0..50)
            .map(|i| {
                let v = if i % 10 == 3 { "-3e38" } else { "3e38" };
                format!("{},{v},{}\n", i % 5, i % 2)
            })
            .collect();
        let text = format!("a,big,label\n{rows}");
        let options = CsvOptions {
            split: SplitMode::InOrder,
            ..CsvOptions::default()
        };
        let e = Dataset::read("d.csv", text.as_bytes(), &options)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.starts_with(
                "d.csv: big: standardising data row 3 (from 0) overflows f32: (-3e38 − mean 2."
            ),
            "{e}"
        );
        assert!(e.ends_with("is infinite; rescale the column"), "{e}");
        // Unstandardised, the same file reads.
        let off = CsvOptions {
            standardize: false,
            ..options.clone()
        };
        assert!(Dataset::read("d.csv", text.as_bytes(), &off).is_ok());
        // A difference that fits f32 can still overflow once divided: a spread of about
        // 5e-16 on the train split, and a test row 1e30 away. The second column is named,
        // the first being fine.
        let rows: String = (0..50)
            .map(|i| {
                let v = match i {
                    45 => "1e30",
                    _ if i % 2 == 0 => "0",
                    _ => "1e-15",
                };
                format!("{},{v},{}\n", i % 5, i % 2)
            })
            .collect();
        let text = format!("a,tiny,label\n{rows}");
        let e = Dataset::read("d.csv", text.as_bytes(), &options)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.starts_with("d.csv: tiny: standardising data row 45 (from 0) overflows f32: (1"),
            "{e}"
        );
    }

    #[test]
    fn statistics_read_back_are_one_finite_mean_and_positive_scale_a_feature() {
        let ok = Scaling {
            mean: vec![0.5, -2.0],
            scale: vec![1.0, 3.0],
        };
        assert_eq!(ok.check(2), Ok(()));
        let count = NetworkProblem::ScalingCount {
            means: 2,
            scales: 2,
            features: 3,
        };
        assert_eq!(ok.check(3).unwrap_err(), count);
        let bad = NetworkProblem::ScalingValues;
        for (mean, scale) in [
            (f32::NAN, 1.0),
            (f32::INFINITY, 1.0),
            (0.0, 0.0),
            (0.0, -1.0),
            (0.0, f32::INFINITY),
            (0.0, f32::NAN),
        ] {
            let s = Scaling {
                mean: vec![0.5, mean],
                scale: vec![1.0, scale],
            };
            assert_eq!(s.check(2).unwrap_err(), bad, "{mean} {scale}");
        }
        let short = Scaling {
            mean: vec![0.5, 1.0],
            scale: vec![1.0],
        };
        let short = short.check(2).unwrap_err();
        let file = crate::file_errors::NetworkFileError {
            source: "n.json".into(),
            problem: short,
        };
        assert_eq!(
            file.to_string(),
            "n.json: standardize: 2 means and 1 scales for 2 features"
        );
    }

    #[test]
    fn split_csv_names_each_file_rows_part_in_split_order() {
        // 20 rows in file order: 14 train, 2 dev, 4 test.
        let rows: String = (0..20).map(|i| format!("{i},{}\n", i % 2)).collect();
        let options = CsvOptions {
            split: SplitMode::InOrder,
            ..CsvOptions::default()
        };
        let data = Dataset::read("d.csv", rows.as_bytes(), &options).unwrap();
        let parts: Vec<String> = (0..20)
            .map(|i| {
                let part = match i {
                    0..14 => "train",
                    14..16 => "dev",
                    _ => "test",
                };
                format!("{i},{part}")
            })
            .collect();
        let expected = format!("row,part\n{}\n", parts.join("\n"));
        assert_eq!(data.split_csv().as_deref(), Some(&*expected));
        // Stratified, the rows are the file's, each once, in the split's order.
        let stratified = Dataset::read("d.csv", rows.as_bytes(), &CsvOptions::default()).unwrap();
        let text = stratified.split_csv().unwrap();
        let listed: Vec<usize> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(listed, stratified.order);
        let mut sorted = listed.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>());
        let generated = Dataset::generate(DataConfig::default()).unwrap();
        assert_eq!(generated.split_csv(), None);
    }

    fn error(input: impl std::io::Read) -> String {
        parse_csv("d.csv", input, &LabelColumn::Last)
            .unwrap_err()
            .to_string()
    }

    /// Lines of `line` (ending in a newline) without end.
    struct Endless(&'static [u8], usize);

    impl std::io::Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            for b in buf.iter_mut() {
                *b = self.0[self.1 % self.0.len()];
                self.1 += 1;
            }
            Ok(buf.len())
        }
    }

    #[test]
    fn unbounded_input_fails_at_a_limit_not_at_memory() {
        // /dev/zero: one endless line.
        assert_eq!(
            error(std::io::repeat(0)),
            "d.csv:1: a line longer than 64 KiB; that is the supported maximum"
        );
        // Lines ended by CR alone, or by CRLF, count as lines, however long the file: read
        // whole, line numbers as the reader gives them.
        for end in ["\r", "\r\n", "\n"] {
            let row = |i: usize| format!("{}.{},{},{}{end}", i, "0".repeat(20), i % 7, i % 2);
            let text: String = (0..6000).map(row).collect();
            assert!(text.len() > 2 * MAX_LINE_BYTES);
            let t = parse_csv("d.csv", text.as_bytes(), &LabelColumn::Last).unwrap();
            assert_eq!(t.labels.len(), 6000, "{end:?}");
            let long = format!("{text}{}", "9".repeat(MAX_LINE_BYTES + 1));
            assert_eq!(
                error(long.as_bytes()),
                "d.csv:6001: a line longer than 64 KiB; that is the supported maximum",
                "{end:?}"
            );
        }
        // Read on its own, the bounded reader's error says which limit, in bytes.
        let mut sink = Vec::new();
        let e = std::io::Read::read_to_end(&mut Bounded::new(std::io::repeat(b'a')), &mut sink);
        assert_eq!(e.unwrap_err().to_string(), "line 1 longer than 65536 bytes");
        // (A limit of 1 MiB: the real one, 2 GiB, would take seconds to reach.)
        let endless = Bounded::with_limit(Endless(b"1,2\n", 0), 1 << 20);
        let e = std::io::Read::read_to_end(&mut { endless }, &mut sink);
        assert_eq!(e.unwrap_err().to_string(), "more than 1048576 bytes");
        // Endless short rows: the row limit.
        assert!(
            error(Endless(b"1,2,0\n", 0))
                .ends_with("more than 1000000 rows; that is the supported maximum")
        );
        // Endless comment lines just under the line limit: the size limit.
        let comment: &'static [u8] = Box::leak(
            [b"#".as_slice(), &[b' '; MAX_LINE_BYTES - 2], b"\n"]
                .concat()
                .into_boxed_slice(),
        );
        let mut reader = bounded_csv_reader(Bounded::with_limit(Endless(comment, 0), 1 << 20));
        let e = reader.records().find_map(Result::err).unwrap();
        assert_eq!(
            unreadable("d.csv", &e).to_string(),
            "d.csv: larger than 2048 MiB; that is the supported maximum"
        );
    }

    #[test]
    fn a_bad_cell_is_quoted_short() {
        let long = "z".repeat(300);
        let text = format!("x1,x2,label\n{long},1,0\n");
        assert_eq!(
            error(text.as_bytes()),
            format!(
                "d.csv:2: x1 is not a number: \"{}\"… (300 bytes)",
                &long[..32]
            )
        );
    }

    #[test]
    fn lines_of_spaces_are_blank_lines() {
        let rows: String = (0..20)
            .map(|i| format!("{i},1,{}\n   \n\n", i % 2))
            .collect();
        let text = format!("x1,x2,label\n  \n{rows}   ");
        let table = parse_csv("d.csv", text.as_bytes(), &LabelColumn::Last).unwrap();
        assert_eq!(table.labels.len(), 20);
        assert_eq!(table.x.len(), 40);
    }

    #[test]
    fn labels_name_classes_in_sorted_order_from_any_column() {
        // The label first, named by the header; text labels; no header row after it.
        let rows: String = (0..30)
            .map(|i| format!("{},{i},{}\n", ["setosa", "versicolor"][i % 2], i * 2))
            .collect();
        let text = format!("species,length,width\n{rows}");
        let by_name = LabelColumn::Named("species".into());
        let table = parse_csv("d.csv", text.as_bytes(), &by_name).unwrap();
        assert_eq!(table.features, ["length", "width"]);
        assert_eq!(table.classes, ["setosa", "versicolor"]);
        assert_eq!(table.x[2..4], [1.0, 2.0]);
        assert_eq!(table.labels[1], 1);
        // The same column by its 1-based position.
        let by_index = parse_csv("d.csv", text.as_bytes(), &LabelColumn::Named("1".into()));
        assert_eq!(by_index.unwrap(), table);
        // Integer labels sort as numbers: 10 after 9.
        let rows: String = (0..30)
            .map(|i| format!("{i},1,{}\n", [9, 10][i % 2]))
            .collect();
        let table = parse_csv("d.csv", rows.as_bytes(), &LabelColumn::Last).unwrap();
        assert_eq!(
            (table.features.clone(), table.classes),
            (
                vec!["x1".to_string(), "x2".into()],
                vec!["9".to_string(), "10".into()]
            )
        );
        assert_eq!(table.labels[0], 0);
        // Errors name the column and the reason.
        let parse = |text: &str, label: &LabelColumn| {
            parse_csv("d.csv", text.as_bytes(), label)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            parse(&rows, &LabelColumn::Named("kind".into())),
            "d.csv:1: label column \"kind\": no such column in the header"
        );
        assert_eq!(
            parse(&rows, &LabelColumn::Named("4".into())),
            "d.csv:1: label column 4: the file has 3 columns"
        );
        let eleven: String = (0..33).map(|i| format!("{i},1,{}\n", i % 11)).collect();
        assert_eq!(
            parse(&eleven, &LabelColumn::Last),
            "d.csv: 2 features and 11 classes, but this build takes 1 to 64 features and 2 to \
             10 classes"
        );
        let one: String = (0..30).map(|i| format!("{i},1,a\n")).collect();
        assert_eq!(
            parse(&one, &LabelColumn::Last),
            "d.csv: 2 features and 1 class, but this build takes 1 to 64 features and 2 to \
             10 classes"
        );
        let bad = format!("a,b,label\n{}1,x,0\n", "1,2,0\n".repeat(20));
        assert_eq!(
            parse(&bad, &LabelColumn::Last),
            "d.csv:22: b is not a number: \"x\""
        );
    }

    /// Rows sorted by class, as a student's table often is; x1 numbers the rows.
    fn labelled(counts: &[usize]) -> Table {
        let mut t = Table {
            features: vec!["x1".into(), "x2".into()],
            classes: (0..counts.len()).map(|c| format!("c{c}")).collect(),
            x: Vec::new(),
            labels: Vec::new(),
            shape: Shape::new(2, counts.len()).unwrap(),
            first_row_is_data: false,
        };
        for (class, &n) in counts.iter().enumerate() {
            for _ in 0..n {
                t.x.extend([t.labels.len() as f32, 0.5]);
                t.labels.push(class as u8);
            }
        }
        t
    }

    #[test]
    fn reorder_in_place_puts_row_order_i_at_place_i() {
        // Rows of 3 features whose values name the row; permutations of one cycle, several,
        // and fixed points.
        let table = |n: usize| {
            let x = (0..n * 3).map(|v| v as f32).collect();
            let labels = (0..n).map(|i| (i % 2) as u8).collect();
            let classes = vec!["a".into(), "b".into()];
            Table::new(vec!["p".into(), "q".into(), "r".into()], classes, x, labels).unwrap()
        };
        let n = 40;
        let orders: [Vec<usize>; 3] = [
            (0..n).map(|i| (i + 1) % n).collect(),
            (0..n).map(|i| (i * 7) % n).collect(),
            (0..n)
                .map(|i| if i % 3 == 0 { i } else { n - 1 - i })
                .collect(),
        ];
        for order in orders {
            let mut t = table(n);
            let before = t.clone();
            t.reorder(&order);
            for (i, &o) in order.iter().enumerate() {
                assert_eq!(
                    t.x[i * 3..i * 3 + 3],
                    before.x[o * 3..o * 3 + 3],
                    "{order:?}"
                );
                assert_eq!(t.labels[i], before.labels[o]);
            }
        }
    }

    /// `table` in stratified order (seed `seed`).
    fn stratified(mut table: Table, seed: u64) -> Table {
        let order = stratify(&table.labels, &table.classes, seed).unwrap();
        table.reorder(&order);
        table
    }

    fn split(t: &Table) -> Split<'_> {
        Split::new(Rows::new(&t.x, &t.labels, t.shape).unwrap()).unwrap()
    }

    fn per_class(part: Rows<'_>) -> [usize; 2] {
        let ones = part.labels().iter().filter(|&&l| l == 1).count();
        [part.len() - ones, ones]
    }

    #[test]
    fn a_class_sorted_file_splits_with_every_class_in_proportion() {
        let rows = labelled(&[75, 75]);
        let ordered = stratified(rows.clone(), 0);
        let split = split(&ordered);
        assert_eq!(
            (split.train.len(), split.dev.len(), split.test.len()),
            (105, 15, 30)
        );
        assert_eq!(per_class(split.test), [15, 15]);
        let dev = per_class(split.dev);
        assert!(dev == [8, 7] || dev == [7, 8], "{dev:?}");
        // The same rows, each once.
        let mut seen: Vec<u32> = ordered.x.iter().step_by(2).map(|&v| v as u32).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..150).collect::<Vec<u32>>());
        // In file order, the test split would hold one class only.
        assert_eq!(per_class(self::split(&rows).test), [0, 30]);
        // Seeded: the same seed, the same order; another seed, another.
        assert_eq!(stratified(rows.clone(), 0), ordered);
        assert_ne!(stratified(rows, 1), ordered);
    }

    #[test]
    fn uneven_classes_are_dealt_by_largest_remainders() {
        // 90 and 30 rows: train 84 = 63 + 21, dev 12 = 9 + 3, test 24 = 18 + 6.
        let ordered = stratified(labelled(&[90, 30]), 5);
        let split = split(&ordered);
        assert_eq!(per_class(split.train), [63, 21]);
        assert_eq!(per_class(split.dev), [9, 3]);
        assert_eq!(per_class(split.test), [18, 6]);
        assert_eq!(apportion(&[5, 3, 2], 7), [4, 2, 1]);
        assert_eq!(apportion(&[1, 1, 1], 2), [1, 1, 0]);
        assert_eq!(apportion(&[0, 4], 3), [0, 3]);
        // Remainders 4 and 4: the tie goes to the earlier group, not the larger.
        assert_eq!(apportion(&[3, 5], 4), [2, 2]);
        // 4.9 and 9.1: the larger remainder, not the larger group, gets the one left.
        assert_eq!(apportion(&[7, 13], 14), [5, 9]);
        assert_eq!(apportion(&[], 0), Vec::<usize>::new());
    }

    #[test]
    fn a_class_with_no_test_row_is_named_too() {
        // 2 rows of c0: one to train, one to dev, none left for test.
        let t = labelled(&[2, 14, 14]);
        let e = stratify(&t.labels, &t.classes, 0).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("class \"c0\" has 2 rows, too few"),
            "{e}"
        );
    }

    #[test]
    fn the_shuffle_deals_every_order_alike() {
        // Fisher–Yates: each of the 6 orders of 3 items about 1 time in 6 over 6000 seeds
        // (a shuffle that never leaves an item in place, Sattolo's, makes only 2 of them).
        let mut seen = std::collections::HashMap::new();
        for seed in 0..6000 {
            let mut items = [0, 1, 2];
            shuffle(&mut items, &mut rng::stream(seed, Stream::Split, 0));
            *seen.entry(items).or_insert(0) += 1;
        }
        assert_eq!(seen.len(), 6, "{seen:?}");
        assert!(
            seen.values().all(|&n| (880..=1120).contains(&n)),
            "{seen:?}"
        );
    }

    #[test]
    fn a_seeds_stratified_order_is_pinned() {
        // Train 5 + 9 rows, dev 1 + 1, test 1 + 3 (c0 is rows 0 to 6).
        const PINNED: [usize; 20] = [
            9, 0, 5, 16, 1, 12, 17, 14, 7, 2, 13, 6, 19, 8, // train
            3, 10, // dev
            18, 11, 4, 15, // test
        ];
        // Runs record only the seed: a resume, an export and every other target rebuild this
        // very order from it (the data fingerprint refuses any other).
        let t = labelled(&[7, 13]);
        let order = stratify(&t.labels, &t.classes, 3).unwrap();
        assert_eq!(order, PINNED);
    }

    #[test]
    fn a_file_is_standardised_on_its_train_split_and_a_constant_column_named() {
        // 40 rows: a large feature, a constant one, a small one; sorted by class.
        let rows: String = (0..40)
            .map(|i| {
                format!(
                    "{},7,{},{}\n",
                    1000 + 10 * i,
                    0.01 * f64::from(i % 5),
                    i / 20
                )
            })
            .collect();
        let text = format!("big,flat,small,label\n{rows}");
        let read = |standardize| {
            let options = CsvOptions {
                standardize,
                ..CsvOptions::default()
            };
            Dataset::read("d.csv", text.as_bytes(), &options).unwrap()
        };
        let raw = read(false);
        assert_eq!((raw.scaling.clone(), raw.constant.len()), (None, 0));
        let data = read(true);
        let scaling = data.scaling.clone().unwrap();
        assert_eq!(data.constant, ["flat"]);
        // The test split as read (the last 8 of 40 rows), standardised or not: what the int8
        // front reads.
        let test = &raw.x[32 * 3..];
        assert_eq!((raw.raw_test(), data.raw_test()), (test, test));
        assert_eq!((scaling.mean[1], scaling.scale[1]), (7.0, 1.0));
        // The statistics are the train split's (the first 28 rows in split order), and every
        // row is the raw one through the one formula.
        let train = &raw.x[..28 * 3];
        let mean0 = train.iter().step_by(3).map(|&v| f64::from(v)).sum::<f64>() / 28.0;
        assert!((f64::from(scaling.mean[0]) - mean0).abs() < 1e-3);
        let mut again = raw.x.clone();
        scaling.apply(&mut again);
        assert_eq!(again, data.x);
        let column: Vec<f32> = data.x.iter().skip(2).step_by(3).copied().collect();
        let train_mean = column[..28].iter().sum::<f32>() / 28.0;
        assert!(train_mean.abs() < 1e-5, "{train_mean}");
        assert!(data.x.iter().skip(1).step_by(3).all(|&v| v == 0.0));
    }

    #[test]
    fn a_class_too_small_for_every_part_is_named() {
        let t = labelled(&[100, 4]);
        let e = stratify(&t.labels, &t.classes, 0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "class \"c1\" has 4 rows, too few to appear in each of train, dev and test (70/10/20); \
             give more rows of it, or split in file order (split mode in-order)"
        );
        // A front end without an in-order split gives no advice to use one.
        struct NoSplit;
        impl crate::words::Words for NoSplit {
            fn knob(&self, _: crate::words::Knob) -> Option<String> {
                None
            }
        }
        assert!(
            e.message(&NoSplit)
                .ends_with("(70/10/20); give more rows of it")
        );
    }
}
