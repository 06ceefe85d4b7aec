//! The page's settings object: names, defaults, parsing, and errors that name the setting.

use piconas_core::config::{
    Allowed, Got, MAX_EPOCHS, MAX_FINALISTS, MAX_RETRAINS, MAX_ROLLOUTS, MAX_ROLLOUTS_PER_UPDATE,
    MIN_SAMPLES,
};
use piconas_core::{ConfigError, Cost, DataConfig, Dataset, SearchConfig, Strategy};
use wasm_bindgen::prelude::*;

/// The largest data set the page generates: bigger ones make every rollout slow to watch.
pub const MAX_PAGE_SAMPLES: u64 = 20_000;
/// Controller sizes the page offers (each is a separate instantiation of the core's search).
pub const HIDDEN_SIZES: [u64; 3] = [16, 32, 64];
/// The `strategy` setting's values.
const STRATEGIES: [&str; 2] = ["reinforce", "random"];
/// The `cost` setting's values.
const COSTS: [&str; 2] = ["macs", "params"];
/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Each setting's JS name and the core configuration field it sets (for error messages).
const FIELDS: [(&str, &str); 18] = [
    ("dataset", "dataset"),
    ("strategy", "strategy"),
    ("costWeight", "cost_weight"),
    ("cost", "cost"),
    ("seed", "seed"),
    ("rollouts", "rollouts"),
    ("noise", "noise"),
    ("samples", "samples"),
    ("dataSeed", "data_seed"),
    ("hidden", "hidden"),
    ("rolloutsPerUpdate", "controller.rollouts_per_update"),
    ("maxEpochs", "child.max_epochs"),
    ("patience", "child.patience"),
    ("childLr", "child.learning_rate"),
    ("controllerLr", "controller.learning_rate"),
    ("entropyWeight", "controller.entropy_weight"),
    ("finalists", "finalists"),
    ("retrains", "retrains"),
];

/// Validated settings.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// The search.
    pub search: SearchConfig,
    /// The generated data.
    pub data: DataConfig,
    /// Controller hidden units (one of [`HIDDEN_SIZES`]).
    pub hidden: usize,
}

fn js_error(field: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&error, &"field".into(), &field.into());
    error.into()
}

/// A core configuration error as a JS `Error` naming the page's setting.
pub fn error(e: ConfigError) -> JsValue {
    let js = FIELDS
        .iter()
        .find(|(_, core)| *core == e.field)
        .map_or(e.field, |(js, _)| js);
    js_error(js, &ConfigError { field: js, ..e }.to_string())
}

/// Reads `name` from `obj`: `None` if absent, else a number (numeric strings accepted, since
/// form inputs give strings).
fn number(obj: &JsValue, name: &'static str) -> Result<Option<f64>, JsValue> {
    let v = js_sys::Reflect::get(obj, &name.into()).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(n) = v.as_f64() {
        return Ok(Some(n));
    }
    if let Some(text) = v.as_string() {
        if let Ok(n) = text.trim().parse::<f64>() {
            return Ok(Some(n));
        }
        return Err(js_error(
            name,
            &format!("{name} must be a number (got {text:?})"),
        ));
    }
    if v.is_bigint() {
        let text = String::from(js_sys::BigInt::from(v).to_string(10).unwrap_or_default());
        if let Ok(n) = text.parse::<f64>() {
            return Ok(Some(n));
        }
    }
    Err(js_error(name, &format!("{name} must be a number")))
}

/// An integer setting in `min..=max`.
fn int(obj: &JsValue, name: &'static str, min: u64, max: u64) -> Result<Option<u64>, JsValue> {
    let Some(v) = number(obj, name)? else {
        return Ok(None);
    };
    if v.fract() == 0.0 && v >= min as f64 && v <= max as f64 {
        return Ok(Some(v as u64));
    }
    let e = ConfigError {
        field: name,
        allowed: Allowed::Range { min, max },
        got: Got::Float(v as f32),
    };
    Err(js_error(name, &e.to_string()))
}

/// A setting that names one of `options`.
fn choice(
    obj: &JsValue,
    name: &'static str,
    options: &[&'static str],
) -> Result<Option<&'static str>, JsValue> {
    let v = js_sys::Reflect::get(obj, &name.into()).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    let text = v.as_string().unwrap_or_default();
    options
        .iter()
        .find(|o| **o == text)
        .map(|o| Some(*o))
        .ok_or_else(|| {
            js_error(
                name,
                &format!(
                    "{name} must be one of {} (got {text:?})",
                    options.join(", ")
                ),
            )
        })
}

/// A float setting (its range is the core's to check).
fn float(obj: &JsValue, name: &'static str) -> Result<Option<f32>, JsValue> {
    Ok(number(obj, name)?.map(|v| v as f32))
}

fn set<T>(target: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *target = v;
    }
}

impl Settings {
    /// Parses and validates a settings object; missing settings take their defaults, unknown
    /// ones are an error (a typo would otherwise be silently ignored).
    pub fn from_js(obj: &JsValue) -> Result<Settings, JsValue> {
        if !obj.is_undefined() && !obj.is_null() {
            if !obj.is_object() {
                return Err(js_error("", "settings must be an object"));
            }
            for key in js_sys::Object::keys(&js_sys::Object::from(obj.clone())).iter() {
                let key = key.as_string().unwrap_or_default();
                if !FIELDS.iter().any(|(js, _)| *js == key) {
                    let known: Vec<&str> = FIELDS.iter().map(|(js, _)| *js).collect();
                    return Err(js_error(
                        &key,
                        &format!("unknown setting {key:?}; known: {}", known.join(", ")),
                    ));
                }
            }
        }
        let mut search = SearchConfig::default();
        let mut data = DataConfig::default();
        let mut hidden = piconas_core::DEFAULT_HIDDEN as u64;
        set(&mut search.seed, int(obj, "seed", 0, MAX_SAFE_INTEGER)?);
        set(
            &mut search.rollouts,
            int(obj, "rollouts", 1, MAX_ROLLOUTS.into())?.map(|v| v as u32),
        );
        let names = Dataset::ALL.map(Dataset::name);
        if let Some(name) = choice(obj, "dataset", &names)? {
            data.dataset = Dataset::from_name(name).unwrap_or_default();
        }
        if let Some(name) = choice(obj, "strategy", &STRATEGIES)? {
            search.strategy = if name == "random" {
                Strategy::Random
            } else {
                Strategy::Reinforce
            };
        }
        set(&mut search.cost_weight, float(obj, "costWeight")?);
        if let Some(name) = choice(obj, "cost", &COSTS)? {
            search.cost = Cost::from_name(name).unwrap_or_default();
        }
        set(&mut data.noise, float(obj, "noise")?);
        set(
            &mut data.samples,
            int(obj, "samples", MIN_SAMPLES as u64, MAX_PAGE_SAMPLES)?.map(|v| v as usize),
        );
        set(&mut data.seed, int(obj, "dataSeed", 0, MAX_SAFE_INTEGER)?);
        set(&mut hidden, int(obj, "hidden", 0, u64::MAX)?);
        if !HIDDEN_SIZES.contains(&hidden) {
            return Err(js_error(
                "hidden",
                &format!("hidden must be one of 16, 32, 64 (got {hidden})"),
            ));
        }
        let c = &mut search.controller;
        set(
            &mut c.rollouts_per_update,
            int(obj, "rolloutsPerUpdate", 1, MAX_ROLLOUTS_PER_UPDATE as u64)?.map(|v| v as usize),
        );
        set(&mut c.adam.learning_rate, float(obj, "controllerLr")?);
        set(&mut c.entropy_weight, float(obj, "entropyWeight")?);
        let child = &mut search.child;
        set(
            &mut child.max_epochs,
            int(obj, "maxEpochs", 1, MAX_EPOCHS.into())?.map(|v| v as u32),
        );
        set(
            &mut child.patience,
            int(obj, "patience", 1, MAX_EPOCHS.into())?.map(|v| v as u32),
        );
        set(&mut child.adam.learning_rate, float(obj, "childLr")?);
        set(
            &mut search.finalists,
            int(obj, "finalists", 1, MAX_FINALISTS as u64)?.map(|v| v as usize),
        );
        set(
            &mut search.retrains,
            int(obj, "retrains", 1, MAX_RETRAINS.into())?.map(|v| v as u32),
        );
        data.validate().map_err(error)?;
        search.validate().map_err(error)?;
        Ok(Settings {
            search,
            data,
            hidden: hidden as usize,
        })
    }
}

/// The default settings, as an object with every setting the page can change.
#[wasm_bindgen]
pub fn defaults() -> JsValue {
    let (s, m) = (SearchConfig::default(), DataConfig::default());
    let values: [(&str, f64); 15] = [
        ("seed", s.seed as f64),
        ("rollouts", s.rollouts.into()),
        ("noise", m.noise.into()),
        ("samples", m.samples as f64),
        ("dataSeed", m.seed as f64),
        ("hidden", piconas_core::DEFAULT_HIDDEN as f64),
        ("rolloutsPerUpdate", s.controller.rollouts_per_update as f64),
        ("maxEpochs", s.child.max_epochs.into()),
        ("patience", s.child.patience.into()),
        ("childLr", s.child.adam.learning_rate.into()),
        ("controllerLr", s.controller.adam.learning_rate.into()),
        ("entropyWeight", s.controller.entropy_weight.into()),
        ("finalists", s.finalists as f64),
        ("retrains", s.retrains.into()),
        ("costWeight", s.cost_weight.into()),
    ];
    let obj = js_sys::Object::new();
    for (name, value) in values {
        // f32 defaults widen to f64 with noise digits (0.2 → 0.20000000298…); print them as
        // the f32's shortest decimal instead, which is what a user types.
        let value = (value as f32).to_string().parse().unwrap_or(value);
        // Plain data properties on a fresh object: cannot fail.
        let _ = js_sys::Reflect::set(&obj, &name.into(), &JsValue::from_f64(value));
    }
    let names = [
        ("dataset", m.dataset.name()),
        (
            "strategy",
            STRATEGIES[usize::from(s.strategy == Strategy::Random)],
        ),
        ("cost", s.cost.name()),
    ];
    for (name, value) in names {
        let _ = js_sys::Reflect::set(&obj, &name.into(), &value.into());
    }
    obj.into()
}
