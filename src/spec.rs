//! What a run is: its settings (the core's table), its data, and whether it caches. Written
//! to the run directory's `settings.json` before the search starts, so that `--resume`
//! rebuilds exactly the same search.
//!
//! `settings.json` holds every setting of the table by its `name`, resolved (defaults
//! included), numbers as numbers and choices as strings, plus `data` (the CSV file's absolute
//! path, or null) and `cache`. Files from earlier versions (unset settings as null, the
//! strategy capitalised) are read too.

use std::path::{Path, PathBuf};

use piconas_core::settings::{Kind, Value};
use piconas_core::{Fingerprint, SETTINGS, Setting, Settings};
use serde_json::{Map, Value as Json};

use crate::data::{CsvOptions, DataError, Dataset, LabelColumn, Problem, SplitMode};
use crate::failure::Failure;
use crate::file_errors::{SpecError, SpecProblem};

use crate::run_files;

/// A run's definition.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// The search, the generated data and the controller's size.
    pub settings: Settings,
    /// The CSV file the data comes from, instead of the generator.
    pub data_file: Option<PathBuf>,
    /// How the file is read and split.
    pub csv: CsvOptions,
    /// Whether repeated architectures reuse their first outcome.
    pub cache: bool,
    /// The fingerprint of the data the run was made on ([`Dataset::fingerprint`]: values,
    /// split, feature and class names), recorded when it starts; `None` in files from before
    /// it was recorded, and before the data is read.
    pub data_fingerprint: Option<Fingerprint>,
}

impl Spec {
    /// Reads and checks `dir`'s settings file ([`run_files::SETTINGS`]); `kind` says what
    /// `dir` should be, in the error if it has none.
    pub fn load(dir: &Path, kind: &str) -> Result<Spec, Failure> {
        let (path, text) = crate::output::read_run_file(dir, run_files::SETTINGS, kind)?;
        Ok(Spec::from_json(&path, &text)?)
    }

    /// The data the run trains on; when the run recorded its data's fingerprint, data that
    /// differs from it (other values or rows, another split, renamed features or classes) is
    /// refused, both fingerprints named.
    pub fn dataset(&self) -> Result<Dataset, Failure> {
        let data = match &self.data_file {
            Some(path) => Dataset::csv(path, &self.csv)?,
            None => Dataset::generate(self.settings.data)?,
        };
        match self.data_fingerprint {
            Some(recorded) if recorded != data.fingerprint => {
                let source = self
                    .data_file
                    .as_ref()
                    .map_or("the generated data".into(), |f| f.display().to_string());
                let found = data.fingerprint;
                Err(DataError::of(&source, Problem::NotTheRunsData { found, recorded }).into())
            }
            _ => Ok(data),
        }
    }

    /// The run's data again with its features raw (as read, never standardised): the rows a
    /// saved network is exported and checked against.
    pub fn raw_dataset(&self) -> Result<Dataset, Failure> {
        let mut raw = self.clone();
        raw.csv.standardize = false;
        raw.dataset()
    }

    /// `settings.json`'s content. The CSV path is made absolute, so that a resume works from
    /// any directory.
    pub fn to_json(&self) -> String {
        let mut map = Map::new();
        for s in &SETTINGS {
            map.insert(s.name.into(), to_json(s.get(&self.settings)));
        }
        let data = self.data_file.as_ref().map(|file| {
            let absolute = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
            Json::from(absolute.display().to_string())
        });
        map.insert("data".into(), data.unwrap_or(Json::Null));
        map.insert("split".into(), Json::from(self.csv.split.name()));
        map.insert("split_seed".into(), Json::from(self.csv.split_seed));
        let label = match &self.csv.label {
            LabelColumn::Last => Json::Null,
            LabelColumn::Named(name) => Json::from(name.as_str()),
        };
        map.insert("label".into(), label);
        map.insert("standardize".into(), Json::Bool(self.csv.standardize));
        map.insert("cache".into(), Json::Bool(self.cache));
        if let Some(f) = self.data_fingerprint {
            map.insert("data_fingerprint".into(), Json::from(f.to_string()));
        }
        let text = serde_json::to_string_pretty(&Json::Object(map))
            .unwrap_or_else(|_| unreachable!("a map of plain values always serialises"));
        format!("{text}\n")
    }

    /// Reads one key of `settings.json` into this spec: what is wrong, else nothing.
    fn read(&mut self, key: &str, value: &Json) -> Result<(), SpecProblem> {
        match (key, value) {
            // An unset optional number (`--baseline off`) is written as null; other
            // settings were null in earlier versions' files for their default.
            (key, Json::Null) => {
                if let Some(s) = Setting::named(key).filter(|s| s.kind == Kind::OptionalFloat) {
                    s.set(&mut self.settings, Value::Unset).map_err(|error| {
                        SpecProblem::Value {
                            key: s.name,
                            value: None,
                            error,
                        }
                    })?;
                }
            }
            ("data", Json::String(path)) => self.data_file = Some(path.into()),
            ("cache", Json::Bool(cache)) => self.cache = *cache,
            ("data_fingerprint", Json::String(hex)) => {
                let f = u64::from_str_radix(hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 16)
                    .ok_or(SpecProblem::Fingerprint { text: hex.clone() })?;
                self.data_fingerprint = Some(Fingerprint(f));
            }
            ("standardize", Json::Bool(on)) => self.csv.standardize = *on,
            ("label", Json::String(name)) => {
                self.csv.label = LabelColumn::Named(name.clone());
            }
            ("split", Json::String(name)) => {
                self.csv.split = SplitMode::from_name(name)
                    .ok_or_else(|| SpecProblem::Split { name: name.clone() })?;
            }
            ("split_seed", Json::Number(seed)) => {
                self.csv.split_seed = seed.as_u64().ok_or_else(|| SpecProblem::SplitSeed {
                    value: seed.to_string(),
                })?;
            }
            (key, value) => {
                let setting = Setting::named(key)
                    .ok_or_else(|| SpecProblem::UnknownSetting { key: key.into() })?;
                let text = text_of(setting, value);
                let refused = |error| SpecProblem::Value {
                    key: setting.name,
                    value: Some(text.clone()),
                    error,
                };
                let parsed = setting.read(&text).map_err(refused)?;
                setting.set(&mut self.settings, parsed).map_err(refused)?;
            }
        }
        Ok(())
    }

    /// Reads `settings.json` (`path` names it in errors); the settings are validated.
    pub fn from_json(path: &Path, text: &str) -> Result<Spec, SpecError> {
        let bad = |problem| SpecError {
            path: path.display().to_string(),
            problem,
        };
        let Ok(Json::Object(map)) = serde_json::from_str::<Json>(text) else {
            return Err(bad(SpecProblem::NotAnObject));
        };
        // Files from before the split was chosen split theirs in file order; from before
        // standardisation, did not standardise.
        let legacy = !map.contains_key("split");
        let standardize = map.contains_key("standardize");
        let mut spec = Spec {
            settings: Settings::DEFAULT,
            data_file: None,
            csv: CsvOptions {
                split: if legacy {
                    SplitMode::InOrder
                } else {
                    SplitMode::default()
                },
                standardize,
                ..CsvOptions::default()
            },
            cache: false,
            data_fingerprint: None,
        };
        for (key, value) in &map {
            spec.read(key, value).map_err(&bad)?;
        }
        // Named by the setting's key in the file (`child_lr`), not the configuration's field.
        spec.settings.validate().map_err(|error| {
            let setting = Setting::of_field(error.field).map_or(error.field, |s| s.name);
            bad(SpecProblem::Config { setting, error })
        })?;
        Ok(spec)
    }
}

/// The train split of `spec`'s data as `file`'s network takes it (standardised as the file
/// says): what the int8 export calibrates on.
pub fn train_inputs(spec: &Spec, file: &crate::model::NetworkFile) -> Result<Vec<f32>, Failure> {
    let data = spec.raw_dataset()?;
    Ok(file.inputs(data.split()?.train.features()))
}

/// An `f32` setting as the `f64` its shortest decimal reads as: 0.2, not the widened
/// 0.20000000298…; what a user typed. The one conversion for `settings.json`, the page and
/// Python.
pub fn widen(v: f32) -> f64 {
    v.to_string().parse().unwrap_or(f64::from(v))
}

/// A setting's value in JSON: numbers as numbers (a float [`widen`]ed), choices as strings,
/// unset as null.
fn to_json(value: Value) -> Json {
    match value {
        Value::Int(v) => Json::from(v),
        Value::Float(v) => serde_json::Number::from_f64(widen(v)).map_or(Json::Null, Json::Number),
        Value::Unset => Json::Null,
        Value::Choice(name) => Json::from(name),
    }
}

/// A JSON value as the setting's text: a string as it is (a choice in lower case), anything
/// else as JSON writes it. A number may be given as its text (Python gives every setting so).
fn text_of(setting: &Setting, value: &Json) -> String {
    match value {
        // Earlier versions wrote the strategy as `Reinforce`.
        Json::String(s) if matches!(setting.kind, Kind::Choice(_)) => s.to_lowercase(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_float_setting_widens_to_its_shortest_decimal() {
        assert_eq!(widen(0.2), 0.2);
        assert_eq!(widen(0.005), 0.005);
        assert_eq!(widen(3.0e38), 3.0e38);
        assert_eq!(widen(f32::from_bits(1)), 1e-45);
        assert_eq!(widen(f32::NEG_INFINITY), f64::NEG_INFINITY);
        assert!(widen(f32::NAN).is_nan());
        // Every f32 comes back from its widened value.
        for bits in [0x3dcc_cccd, 0x0080_0000, 0x7f7f_ffff, 0xbf80_0001] {
            let v = f32::from_bits(bits);
            assert_eq!(widen(v) as f32, v, "{v}");
        }
    }

    #[test]
    fn settings_json_reads_back_to_the_same_run() {
        let mut settings = Settings::DEFAULT;
        for (name, text) in [
            ("child_lr", "0.003"),
            ("max_grad_norm", "1.5"),
            // Unset, where the default is set: written as null, read back unset.
            ("baseline_decay", "none"),
            ("hidden", "16"),
            ("strategy", "random"),
            ("seed", "18446744073709551615"),
        ] {
            let s = Setting::named(name).unwrap();
            s.set(&mut settings, s.parse(text).unwrap()).unwrap();
        }
        let spec = Spec {
            settings,
            data_file: None,
            csv: CsvOptions {
                label: LabelColumn::Named("kind".into()),
                split: SplitMode::InOrder,
                split_seed: 9,
                standardize: false,
            },
            cache: true,
            data_fingerprint: Some(Fingerprint(0x0123_4567_89ab_cdef)),
        };
        let text = spec.to_json();
        assert!(
            text.contains("\"data_fingerprint\": \"0123456789abcdef\""),
            "{text}"
        );
        assert!(text.contains("\"child_lr\": 0.003,"), "{text}");
        assert!(text.contains("\"max_grad_norm\": 1.5,"), "{text}");
        assert!(text.contains("\"baseline_decay\": null,"), "{text}");
        assert!(text.contains("\"noise\": 0.2,"), "{text}");
        assert_eq!(Spec::from_json(Path::new("s"), &text), Ok(spec));
    }

    #[test]
    fn settings_json_of_an_earlier_version_is_read() {
        let old = r#"{"rollouts": 40, "seed": null, "dataset": null, "hidden": "32",
            "strategy": "Random", "child_lr": null, "max_grad_norm": null, "cache": false}"#;
        let spec = Spec::from_json(Path::new("s"), old).unwrap();
        assert_eq!(spec.settings.search.rollouts, 40);
        assert_eq!(spec.settings.hidden, piconas_core::Hidden::H32);
        assert_eq!(
            spec.settings.search.strategy,
            piconas_core::Strategy::Random
        );
        assert_eq!(spec.settings.search.seed, 0);
        assert_eq!(spec.data_fingerprint, None);
        // Before the split was chosen, files were split in order, and not standardised.
        assert_eq!(spec.csv.split, SplitMode::InOrder);
        assert!(!spec.csv.standardize);
        let now = Spec::from_json(
            Path::new("s"),
            r#"{"split": "stratified", "split_seed": 4}"#,
        );
        let now = now.unwrap().csv;
        assert_eq!((now.split, now.split_seed), (SplitMode::Stratified, 4));
        assert!(
            !now.standardize,
            "a file without the key predates standardisation"
        );
    }

    #[test]
    fn a_bad_settings_file_names_the_problem() {
        let err = |text| Spec::from_json(Path::new("run/settings.json"), text).unwrap_err();
        assert_eq!(
            err("[]").to_string(),
            "run/settings.json: not a settings file (a JSON object)"
        );
        assert_eq!(
            err(r#"{"speed": 3}"#).to_string(),
            "run/settings.json: unknown setting \"speed\""
        );
        assert_eq!(
            err(r#"{"rollouts": 0}"#).to_string(),
            "run/settings.json: rollouts: 0 must be an integer in 1..=10000000 (got 0)"
        );
        assert_eq!(
            err(r#"{"noise": -1}"#).to_string(),
            "run/settings.json: noise must be a number in [0, 10] (got -1)"
        );
    }
}
