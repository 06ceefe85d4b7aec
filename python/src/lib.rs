//! `piconas._piconas`: the Python package's handle on the host layer (`piconas`, `src/lib.rs`)
//! and the core. It turns Python's arguments (bytes of arrays, names, a settings object as
//! JSON) into the host layer's types and its results back into `bytes`, `str` and `dict`;
//! the estimator (`python/piconas/_estimator.py`) does the rest in Python. Every failure is a
//! Python exception: input errors `ValueError`, I/O errors `OSError`, bugs `RuntimeError`.

use std::path::Path;

use piconas::data::{Dataset, SplitMode, Table};
use piconas::deploy::{self, Format, Needs, Output, Rows};
use piconas::failure::Failure;
use piconas::file_errors::SpecProblem;
use piconas::model::NetworkFile;
use piconas::run_files;
use piconas::space_table::{self, Header, Shard, Table as SpaceTable};
use piconas::spec::Spec;
use piconas::words::{Knob, Words};
use piconas_core::settings::{Kind, PRESETS, ParseError, Value};
use piconas_core::{Record, SETTINGS, Settings};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

/// Python's words for what the user sets: the estimator's parameters, which are the settings'
/// names.
struct Parameters;

impl Words for Parameters {
    fn knob(&self, knob: Knob) -> Option<String> {
        match knob {
            Knob::Setting(s) => Some(s.name.into()),
            // `fit` takes arrays: no label column to choose.
            Knob::Label => None,
            Knob::SplitInOrder => Some("split='in-order'".into()),
        }
    }
}

/// A host-layer failure as the Python exception of its kind, in Python's words: I/O errors
/// `OSError`, bugs `RuntimeError`, the rest (the user's input) `ValueError`.
fn error(failure: impl Into<Failure>) -> PyErr {
    let failure = failure.into();
    let message = failure.message(&Parameters);
    match failure {
        Failure::Io(_) => PyOSError::new_err(message),
        Failure::Bug(_) => PyRuntimeError::new_err(message),
        _ => PyValueError::new_err(message),
    }
}

/// `bytes` of little-endian `f32`s as values (the estimator passes `ndarray.tobytes()` of a
/// `float32` array).
fn floats(bytes: &[u8]) -> PyResult<Vec<f32>> {
    if !bytes.len().is_multiple_of(4) {
        return Err(PyValueError::new_err(
            "float32 data of a length not a multiple of 4",
        ));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

/// Values as `bytes` of little-endian `f32`s.
fn float_bytes<'py>(py: Python<'py>, values: &[f32]) -> Bound<'py, PyBytes> {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    PyBytes::new(py, &bytes)
}

/// The settings table's rows a fit takes (not those of the generated data sets): name, kind
/// (`int`, `float`, `optional_float`, `choice`), default, help, and the kind's bounds or
/// choices. The estimator's constructor is built from it.
#[pyfunction]
fn settings(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let rows = PyList::empty(py);
    for s in SETTINGS.iter().filter(|s| !s.generated_data) {
        let row = PyDict::new(py);
        row.set_item("name", s.name)?;
        row.set_item("help", s.help)?;
        match s.kind {
            Kind::Int { min, max } => {
                row.set_item("kind", "int")?;
                row.set_item("min", min)?;
                row.set_item("max", max)?;
            }
            Kind::Float => row.set_item("kind", "float")?,
            Kind::OptionalFloat => row.set_item("kind", "optional_float")?,
            Kind::Choice(names) => {
                row.set_item("kind", "choice")?;
                row.set_item("choices", names.to_vec())?;
            }
        }
        row.set_item("default", value(py, s.default_value()))?;
        rows.append(row)?;
    }
    Ok(rows)
}

/// A setting's value as Python's: an int, a float (the f32's shortest text, as Python reads
/// it: 0.005, not 0.004999999888241291), None for unset, or a choice's name.
fn value(py: Python<'_>, v: Value) -> Py<PyAny> {
    let object = match v {
        Value::Int(v) => v.into_pyobject(py).map(|o| o.into_any().unbind()),
        Value::Float(v) => piconas::spec::widen(v)
            .into_pyobject(py)
            .map(|o| o.into_any().unbind()),
        Value::Unset => Ok(py.None()),
        Value::Choice(name) => name.into_pyobject(py).map(|o| o.into_any().unbind()),
    };
    object.unwrap_or_else(|_| py.None())
}

/// The most features and classes a network takes: the core's capacities
/// (`piconas_core::MAX_INPUTS`, `MAX_CLASSES`).
#[pyfunction]
fn capacities() -> (usize, usize) {
    (piconas_core::MAX_INPUTS, piconas_core::MAX_CLASSES)
}

/// The split modes' names, the default first (`piconas::data::SplitMode::NAMES`).
#[pyfunction]
fn split_modes() -> Vec<&'static str> {
    SplitMode::NAMES.to_vec()
}

/// The presets: each one's name and the settings it changes (name → value).
#[pyfunction]
fn presets(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let out = PyDict::new(py);
    for preset in &PRESETS {
        let (base, set) = (Settings::DEFAULT, preset.apply(Settings::DEFAULT));
        let changed = PyDict::new(py);
        for s in SETTINGS.iter().filter(|s| s.get(&base) != s.get(&set)) {
            changed.set_item(s.name, value(py, s.get(&set)))?;
        }
        out.set_item(preset.name, changed)?;
    }
    Ok(out)
}

/// The estimator's settings JSON (every setting as the text `Setting::read` reads, `split`,
/// `split_seed`, `standardize`), read by the library's own reader: the one check of every
/// parameter. Its refusals in Python's words, naming the parameter.
fn spec_of(json: &str) -> PyResult<Spec> {
    Spec::from_json(Path::new("PicoNASClassifier"), json).map_err(|e| {
        let message = match &e.problem {
            SpecProblem::Value {
                key,
                value,
                error: ParseError::Unreadable(allowed),
            } => format!(
                "{key} must be {allowed} (got {})",
                value.as_deref().unwrap_or("None")
            ),
            SpecProblem::Value { key, error, .. } => format!("{key} {error}"),
            SpecProblem::Config { setting, error } => {
                format!("{setting} must be {} (got {})", error.allowed, error.got)
            }
            SpecProblem::Split { name } => format!(
                "split must be one of {} (got {name:?})",
                SplitMode::NAMES.join(", ")
            ),
            _ => return error(e),
        };
        PyValueError::new_err(message)
    })
}

/// The data set of `x` (`n` × `d` float32 bytes), `labels` (class-index bytes into `classes`)
/// and `features`' names, split and standardised as `spec` says.
fn dataset(
    x: &[u8],
    labels: &[u8],
    classes: Vec<String>,
    features: Vec<String>,
    spec: &Spec,
) -> PyResult<Dataset> {
    let table = Table::new(features, classes, floats(x)?, labels.to_vec()).map_err(error)?;
    Dataset::of_table(table, &spec.csv).map_err(error)
}

/// Runs a search: `x`, `labels`, `classes`, `features` as [`dataset`] takes them, `spec_json`
/// the settings as `settings.json` holds them, `threads` (0: one per core). `progress(record)`
/// is called after each rollout with `(index, reward, tokens)`, and Ctrl-C is checked there;
/// the GIL is released otherwise. Returns what the runner would have written: `network`
/// (network.json), `rollouts` (rollouts.csv), `frontier` (frontier.csv), the architecture, the
/// train split as the network's inputs (float32 bytes, for int8 calibration), the test
/// accuracy and the speculation line.
#[pyfunction]
#[pyo3(signature = (x, labels, classes, features, spec_json, threads, progress=None))]
#[allow(clippy::too_many_arguments)]
fn fit<'py>(
    py: Python<'py>,
    x: &[u8],
    labels: &[u8],
    classes: Vec<String>,
    features: Vec<String>,
    spec_json: &str,
    threads: usize,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let spec = spec_of(spec_json)?;
    let data = dataset(x, labels, classes, features, &spec)?;
    let threads = match threads {
        0 => piconas::parallel::default_threads(),
        n => n,
    };
    // An exception raised in `progress` (KeyboardInterrupt from Ctrl-C among them) stops the
    // search: it is kept here and raised once the threads have stopped.
    let mut raised: Option<PyErr> = None;
    let fitted = py.detach(|| {
        piconas::fit::fit(spec.settings, &data, threads, |record: &Record| {
            Python::attach(|py| {
                let told = py.check_signals().and_then(|()| match &progress {
                    Some(f) => f
                        .call1(py, (record.index, record.reward, record.arch.to_string()))
                        .map(drop),
                    None => Ok(()),
                });
                told.map_err(|e| {
                    raised = Some(e);
                    Failure::Input("interrupted".into())
                })
            })
        })
    });
    let fitted = match (fitted, raised) {
        (_, Some(e)) => return Err(e),
        (result, None) => result.map_err(error)?,
    };
    let out = PyDict::new(py);
    out.set_item("network", fitted.file.to_json())?;
    out.set_item("rollouts", String::from_utf8_lossy(fitted.rollouts.bytes()))?;
    out.set_item("frontier", fitted.frontier)?;
    out.set_item("train", float_bytes(py, &fitted.train))?;
    out.set_item("test_accuracy", fitted.metrics.accuracy())?;
    out.set_item("speculation", fitted.speculation.map(|s| s.text()))?;
    Ok(out)
}

/// Part `shard_index` of `shard_count` of the table of the whole space (`piconas::space_table`)
/// on the data as [`fit`] takes it, under `spec_json`'s settings: each architecture
/// `child_seeds` times, sequences of at most `max_tokens` tokens, on `threads` threads (0: one
/// per core). Returns the part's bytes, the same whatever process or machine makes it. The
/// GIL is released; Ctrl-C is checked after every architecture.
#[pyfunction]
#[pyo3(signature = (x, labels, classes, features, spec_json, shard_index, shard_count, child_seeds, max_tokens, threads))]
#[allow(clippy::too_many_arguments)]
fn enumerate_shard<'py>(
    py: Python<'py>,
    x: &[u8],
    labels: &[u8],
    classes: Vec<String>,
    features: Vec<String>,
    spec_json: &str,
    shard_index: u32,
    shard_count: u32,
    child_seeds: u32,
    max_tokens: u32,
    threads: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let spec = spec_of(spec_json)?;
    let shard = Shard::parse(&format!("{shard_index}/{shard_count}"))
        .map_err(|e| PyValueError::new_err(format!("shard: {e}")))?;
    if !(1..=space_table::MAX_SEEDS).contains(&child_seeds) {
        return Err(PyValueError::new_err(format!(
            "child_seeds must be 1 to {} (got {child_seeds})",
            space_table::MAX_SEEDS
        )));
    }
    if max_tokens as usize > piconas_core::MAX_TOKENS {
        return Err(PyValueError::new_err(format!(
            "max_tokens must be 0 to {} (got {max_tokens})",
            piconas_core::MAX_TOKENS
        )));
    }
    let data = dataset(x, labels, classes, features, &spec)?;
    let split = data.split().map_err(error)?;
    let header = Header::of(&spec.settings, &data, (child_seeds, max_tokens, shard));
    let config = data.configure(spec.settings.search);
    let threads = match threads {
        0 => piconas::parallel::default_threads(),
        n => n,
    };
    let mut table = SpaceTable {
        header,
        rows: Vec::new(),
    };
    let mut raised: Option<PyErr> = None;
    let made = py.detach(|| {
        space_table::train_all(&config, &split, &header, 0, threads, |row| {
            table.rows.push(row);
            Python::attach(|py| py.check_signals()).map_err(|e| {
                raised = Some(e);
                Failure::Input("interrupted".into())
            })
        })
    });
    match (made, raised) {
        (_, Some(e)) => return Err(e),
        (result, None) => result.map_err(error)?,
    }
    Ok(PyBytes::new(py, &table.encode()))
}

/// The table of `shards` (bytes of `enumerate_shard`, every part of one table, finished, in
/// any order), as one process makes it.
#[pyfunction]
fn merge_shards<'py>(py: Python<'py>, shards: Vec<Vec<u8>>) -> PyResult<Bound<'py, PyBytes>> {
    let parts = shards
        .iter()
        .enumerate()
        .map(|(i, b)| SpaceTable::decode(b).map_err(|e| format!("shard {i}: {e}")))
        .collect::<Result<Vec<SpaceTable>, String>>()
        .map_err(PyValueError::new_err)?;
    let table = SpaceTable::merge(parts).map_err(PyValueError::new_err)?;
    Ok(PyBytes::new(py, &table.encode()))
}

/// A table's bytes as `space.csv`, parameters, multiply-adds and int8 bytes counted on
/// `features` inputs and `classes` classes.
#[pyfunction]
fn table_csv(table: &[u8], features: usize, classes: usize) -> PyResult<String> {
    let table = SpaceTable::decode(table).map_err(PyValueError::new_err)?;
    let shape = piconas_core::Shape::new(features, classes)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(table.to_csv(shape))
}

/// A network file, parsed and checked once: the estimator holds one, so that `predict` runs
/// its members without reading the JSON again, and `export` emits from it. Pickled as its
/// name and text.
#[pyclass(frozen, module = "piconas._piconas")]
struct Model {
    name: String,
    json: String,
    file: NetworkFile,
    arch: piconas_core::Arch,
    members: Vec<piconas_core::Network>,
}

#[pymethods]
impl Model {
    /// Parses and checks `network.json` text (`name` in errors).
    #[new]
    fn new(name: &str, json: &str) -> PyResult<Model> {
        let (file, arch) = NetworkFile::parse(name, json).map_err(error)?;
        let members = file.networks(arch).map_err(error)?;
        Ok(Model {
            name: name.into(),
            json: json.into(),
            file,
            arch,
            members,
        })
    }

    /// The features' names, in the order the network reads them.
    #[getter]
    fn features(&self) -> Vec<String> {
        self.file.features.clone()
    }

    /// The classes' names, in class order.
    #[getter]
    fn classes(&self) -> Vec<String> {
        self.file.classes.clone()
    }

    /// The file's text, as given.
    #[getter]
    fn json(&self) -> &str {
        &self.json
    }

    /// The network on raw rows `x` (float32 bytes, a row of the network's features each):
    /// each row's class index (bytes) and class probabilities (float32 bytes, a row of the
    /// classes each), as `piconas predict` gives them.
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x: &[u8],
    ) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
        let x = floats(x)?;
        let d = self.file.features.len().max(1);
        if !x.len().is_multiple_of(d) {
            return Err(PyValueError::new_err(format!(
                "rows of {d} features expected"
            )));
        }
        let p = py.detach(|| piconas::predict::predict(&self.file, &self.members, &x));
        Ok((
            PyBytes::new(py, &p.classes),
            float_bytes(py, &p.probabilities),
        ))
    }

    /// The network in `format` (one of [`export_formats`]), the bytes `piconas export`
    /// writes; the int8 header is calibrated on `train` (the train split as the network's
    /// inputs, float32 bytes).
    #[pyo3(signature = (format, train=None))]
    fn export<'py>(
        &self,
        py: Python<'py>,
        format: &str,
        train: Option<&[u8]>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let offered = || Format::offered(Needs::Train);
        let Some(format) = offered().find(|f| f.name == format).map(|f| f.format) else {
            let names: Vec<&str> = offered().map(|f| f.name).collect();
            return Err(PyValueError::new_err(format!(
                "unknown format {format:?}; one of {}",
                names.join(", ")
            )));
        };
        let rows = Rows::train_only(floats(train.unwrap_or_default())?);
        if format.info().needs.train() && rows.train.is_empty() {
            return Err(PyValueError::new_err(
                "the int8 header is calibrated on the train split, which this model does not \
                 have (fit it, or load a run directory whose data file is still there)",
            ));
        }
        match deploy::emit(&self.file, self.arch, format, &rows)
            .map_err(error)?
            .output
        {
            Output::File(bytes) => Ok(PyBytes::new(py, &bytes)),
            Output::Folder(_) => Err(PyValueError::new_err("a folder format")),
        }
    }

    /// Pickled as the class and its arguments: the name and the text, parsed again.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String, String))> {
        let model = slf.get();
        Ok((
            slf.get_type().into_any(),
            (model.name.clone(), model.json.clone()),
        ))
    }
}

/// The export formats an estimator offers (it keeps the train split for the int8
/// calibration, not the raw test split): the library's table, `Format::offered`.
#[pyfunction]
fn export_formats() -> Vec<&'static str> {
    Format::offered(Needs::Train).map(|f| f.name).collect()
}

/// A run directory's settings (`settings.json`) re-read: the settings as JSON (`spec_json`
/// keys, every setting resolved), and the train split as the network's inputs (float32
/// bytes) when its data can be read again, else `None`.
#[pyfunction]
fn run_settings<'py>(
    py: Python<'py>,
    dir: &str,
    network: &Model,
) -> PyResult<(String, Option<Bound<'py, PyBytes>>)> {
    let spec = Spec::load(Path::new(dir), "piconas run").map_err(error)?;
    let train = piconas::spec::train_inputs(&spec, &network.file)
        .ok()
        .map(|t| float_bytes(py, &t));
    Ok((spec.to_json(), train))
}

/// The names of a run directory's files that `save` and `load` share with the command line
/// (`piconas::run_files`), by role: `settings`, `network`, `rollouts`, `frontier`.
#[pyfunction]
fn run_file_names() -> std::collections::BTreeMap<&'static str, &'static str> {
    std::collections::BTreeMap::from([
        ("settings", run_files::SETTINGS),
        ("network", run_files::NETWORK),
        ("rollouts", run_files::ROLLOUTS),
        ("frontier", run_files::FRONTIER),
    ])
}

/// The extension module.
#[pymodule]
fn _piconas(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(settings, m)?)?;
    m.add_function(wrap_pyfunction!(run_file_names, m)?)?;
    m.add_function(wrap_pyfunction!(export_formats, m)?)?;
    m.add_function(wrap_pyfunction!(presets, m)?)?;
    m.add_function(wrap_pyfunction!(split_modes, m)?)?;
    m.add_function(wrap_pyfunction!(capacities, m)?)?;
    m.add_function(wrap_pyfunction!(fit, m)?)?;
    m.add_class::<Model>()?;
    m.add_function(wrap_pyfunction!(enumerate_shard, m)?)?;
    m.add_function(wrap_pyfunction!(merge_shards, m)?)?;
    m.add_function(wrap_pyfunction!(table_csv, m)?)?;
    m.add_function(wrap_pyfunction!(run_settings, m)?)?;
    Ok(())
}
