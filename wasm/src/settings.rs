//! The page's settings object, read through the core's settings table
//! ([`piconas_core::SETTINGS`]): its fields, their parsing and defaults, and the form's kinds
//! and options all come from there, so the page offers what the command line offers.

use piconas::data::DataError;
use piconas::failure::Failure;
use piconas::words::{Knob, Words};
use piconas_core::config::{Allowed, Got, MIN_SAMPLES};
use piconas_core::settings::{Kind, PRESETS, ParseError, Value};
use piconas_core::{ConfigError, SETTINGS, Setting, Settings};
use wasm_bindgen::prelude::*;

/// The largest data set the page generates: bigger ones make every rollout slow to watch.
pub const MAX_PAGE_SAMPLES: u64 = 20_000;

/// A JS `Error` with `message` whose `field` property names the page's field it is about.
pub fn js_error(field: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&error, &"field".into(), &field.into());
    error.into()
}

/// The page's words for what the user sets: its fields (the settings table's `page` names)
/// and the data panel's label menu. The page always splits stratified, so it gives no advice
/// to split in file order.
pub struct Fields;

impl Words for Fields {
    fn knob(&self, knob: Knob) -> Option<String> {
        match knob {
            Knob::Setting(s) => Some(s.page.into()),
            Knob::Label => Some("Label column".into()),
            Knob::SplitInOrder => None,
        }
    }
}

/// A data error as a JS `Error` beside the page's data field, in the page's words.
pub fn data_error(e: DataError) -> JsValue {
    js_error("data", &e.message(&Fields))
}

/// A core configuration error as a JS `Error` naming the page's field.
pub fn error(e: ConfigError) -> JsValue {
    let field = Setting::of_field(e.field).map_or(e.field, |s| s.page);
    js_error(field, &Failure::Config(e).message(&Fields))
}

/// A field's text: strings as typed, numbers in their shortest exact form; `None` if unset.
fn text_of(v: &JsValue) -> Option<String> {
    if v.is_undefined() {
        return None;
    }
    // `null` is an unset optional number, as `defaults` and `presets` give it back.
    if v.is_null() {
        return Some(piconas_core::settings::NONE.into());
    }
    if let Some(text) = v.as_string() {
        return Some(text);
    }
    if let Some(n) = v.as_f64() {
        return Some(n.to_string());
    }
    if v.is_bigint() {
        return js_sys::BigInt::from(v.clone())
            .to_string(10)
            .ok()
            .map(String::from);
    }
    Some(String::from(js_sys::JSON::stringify(v).unwrap_or_default()))
}

/// Reads one field with the core's parser, and the page's own limit on data size.
fn parse(setting: &'static Setting, text: &str) -> Result<Value, JsValue> {
    let value = setting.parse(text).map_err(|e| {
        let got = match e {
            ParseError::Unreadable(_) => format!(" (got {text:?})"),
            ParseError::Invalid(_) => String::new(),
        };
        js_error(setting.page, &format!("{} {e}{got}", setting.page))
    })?;
    match value {
        Value::Int(n) if setting.name == "samples" && n > MAX_PAGE_SAMPLES => {
            Err(error(ConfigError {
                field: setting.field,
                allowed: Allowed::Range {
                    min: MIN_SAMPLES as u64,
                    max: MAX_PAGE_SAMPLES,
                },
                got: Got::Int(n),
            }))
        }
        _ => Ok(value),
    }
}

/// Parses and validates a settings object; missing fields take their defaults, unknown ones
/// are an error (a typo would otherwise be silently ignored).
pub fn from_js(obj: &JsValue) -> Result<Settings, JsValue> {
    let mut settings = Settings::DEFAULT;
    if obj.is_undefined() || obj.is_null() {
        return Ok(settings);
    }
    if !obj.is_object() {
        return Err(js_error("", "settings must be an object"));
    }
    for key in js_sys::Object::keys(&js_sys::Object::from(obj.clone())).iter() {
        let key = key.as_string().unwrap_or_default();
        let Some(setting) = SETTINGS.iter().find(|s| s.page == key) else {
            let known: Vec<&str> = SETTINGS.iter().map(|s| s.page).collect();
            return Err(js_error(
                &key,
                &format!("unknown setting {key:?}; known: {}", known.join(", ")),
            ));
        };
        let raw = js_sys::Reflect::get(obj, &key.as_str().into()).unwrap_or(JsValue::UNDEFINED);
        if let Some(text) = text_of(&raw) {
            let value = parse(setting, &text)?;
            // Parsed by this setting: it fits.
            let _ = setting.set(&mut settings, value);
        }
    }
    settings.validate().map_err(error)?;
    Ok(settings)
}

/// A value as the page shows it: numbers as numbers, names as strings, unset as `null`.
fn to_js(value: Value) -> JsValue {
    match value {
        // The integer settings the page offers stay far below 2^53.
        Value::Int(n) => JsValue::from_f64(n as f64),
        // As the f32's shortest decimal, which is what a user types (0.2, not 0.20000000298…).
        Value::Float(v) => JsValue::from_f64(piconas::spec::widen(v)),
        Value::Unset => JsValue::NULL,
        Value::Choice(name) => name.into(),
    }
}

fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    // Plain data properties on a fresh object: cannot fail.
    let _ = js_sys::Reflect::set(obj, &key.into(), value);
}

/// The default settings: an object with every field the page can set.
#[wasm_bindgen]
pub fn defaults() -> JsValue {
    settings_object(&Settings::DEFAULT)
}

/// Every field the page can set, as `settings` has it.
fn settings_object(settings: &Settings) -> JsValue {
    let obj = js_sys::Object::new();
    for s in &SETTINGS {
        set(&obj, s.page, &to_js(s.get(settings)));
    }
    obj.into()
}

/// The presets, `[{ name, help, settings }]`: `settings` is every field the page can set, as
/// the preset leaves the defaults (what `--preset NAME` starts from).
#[wasm_bindgen]
pub fn presets() -> js_sys::Array {
    PRESETS
        .iter()
        .map(|p| {
            let row = js_sys::Object::new();
            set(&row, "name", &p.name.into());
            set(&row, "help", &p.help.into());
            set(
                &row,
                "settings",
                &settings_object(&p.apply(Settings::DEFAULT)),
            );
            JsValue::from(row)
        })
        .collect()
}

/// The settings the page offers, in the form's order: `[{ name, flag, kind, options,
/// default, help }]`, `kind` one of `int`, `float`, `optional` (a number, or empty for
/// none) and `choice` (with its `options`). The page adds only labels and layout.
#[wasm_bindgen(js_name = settingsTable)]
pub fn settings_table() -> js_sys::Array {
    SETTINGS
        .iter()
        .map(|s| {
            let row = js_sys::Object::new();
            let (kind, options) = match s.kind {
                Kind::Int { .. } => ("int", &[][..]),
                Kind::Float => ("float", &[][..]),
                Kind::OptionalFloat => ("optional", &[][..]),
                Kind::Choice(names) => ("choice", names),
            };
            set(&row, "name", &s.page.into());
            set(&row, "flag", &format!("--{}", s.flag).into());
            set(&row, "kind", &kind.into());
            let options: js_sys::Array = options.iter().map(|o| JsValue::from(*o)).collect();
            set(&row, "options", &options);
            set(&row, "default", &to_js(s.default_value()));
            set(&row, "help", &s.help.into());
            JsValue::from(row)
        })
        .collect()
}
