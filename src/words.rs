//! The words a front end gives what the user sets, for the library's typed errors.
//!
//! A library message never names a command-line flag: the page and Python read it too. Where
//! an error refers to something the user sets (a [`Knob`]: a setting, the label column, the
//! split), it keeps it as a value, and each front end names it ([`Words`]): the command line
//! `--epochs`, the page its field, Python its parameter. [`Plain`] is the library's own.

use piconas_core::Setting;

/// Something a user sets that an error message refers to.
#[derive(Clone, Copy, Debug)]
pub enum Knob {
    /// A setting of the core's table.
    Setting(&'static Setting),
    /// Which column of a data file holds the label.
    Label,
    /// Splitting a data file's rows in file order rather than stratified.
    SplitInOrder,
}

/// How a front end names the [`Knob`]s; `None` where it does not offer one, and the message
/// leaves out the advice to use it.
pub trait Words {
    /// The front end's name for `knob`.
    fn knob(&self, knob: Knob) -> Option<String>;
}

/// The library's own words: a setting's `name`, "label column", "split mode in-order".
pub struct Plain;

impl Words for Plain {
    fn knob(&self, knob: Knob) -> Option<String> {
        Some(match knob {
            Knob::Setting(s) => format!("setting {}", s.name),
            Knob::Label => "label column".into(),
            Knob::SplitInOrder => "split mode in-order".into(),
        })
    }
}
