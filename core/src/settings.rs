//! Every setting a user can change, described once: [`SETTINGS`].
//!
//! Each [`Setting`] names itself three ways (the `snake_case` key of a run's `settings.json`,
//! the command line's `--kebab-case` flag, the page's `camelCase` field), says what values it
//! takes ([`Kind`]), and reads and writes its field of [`Settings`]. The command line, the
//! page's parser, its defaults and its form are all derived from this table, so a setting is
//! added here and nowhere else; the defaults shown are read from [`Settings::DEFAULT`], so they
//! cannot drift from the real ones.
//!
//! Text is read the same way everywhere ([`Setting::parse`]: Rust's `str::parse`, then the
//! configuration's own checks), so a value typed on the page gives the same bits as the same
//! value on the command line.

use core::fmt;

use crate::config::{
    Allowed, ConfigError, Cost, DataConfig, Dataset, Got, Hidden, MAX_EPOCHS, MAX_FINALISTS,
    MAX_FOLDS, MAX_POPULATION, MAX_RETRAINS, MAX_ROLLOUTS, MAX_ROLLOUTS_PER_UPDATE, MAX_RUNG_ETA,
    MAX_SAMPLES, MAX_STEPS, MIN_SAMPLES, Metric, Rungs, SearchConfig, Selection, Strategy, Target,
};
use crate::rules::{BestEpoch, ControllerInput, DevAccuracy, RewardEpoch, Shaping, StepLoss};
use crate::target::OverBudget;

/// What a user can set: the search, the generated data, and the controller's size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// The search.
    pub search: SearchConfig,
    /// The generated data (unused when the data comes from a file).
    pub data: DataConfig,
    /// The controller's hidden size.
    pub hidden: Hidden,
}

impl Settings {
    /// Every default (`const`, for statics; `Default` returns the same).
    pub const DEFAULT: Settings = Settings {
        search: SearchConfig::DEFAULT,
        data: DataConfig::DEFAULT,
        hidden: Hidden::DEFAULT,
    };

    /// Checks the data, then the search; the first field out of range is the error.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.data.validate()?;
        self.search.validate()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The values a setting takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// An integer in `min..=max`.
    Int {
        /// Smallest accepted value.
        min: u64,
        /// Largest accepted value.
        max: u64,
    },
    /// A number (its range is the configuration's to check).
    Float,
    /// A number, or `none` for unset.
    OptionalFloat,
    /// One of these names.
    Choice(&'static [&'static str]),
}

impl Kind {
    /// What text must look like to be read as this kind.
    pub fn allowed(self) -> Allowed {
        match self {
            Kind::Int { min, max } => Allowed::Range { min, max },
            Kind::Float => Allowed::Number,
            Kind::OptionalFloat => Allowed::NumberOrNone,
            Kind::Choice(names) => Allowed::OneOf(names),
        }
    }
}

/// A setting's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// Of a [`Kind::Int`].
    Int(u64),
    /// Of a [`Kind::Float`] or [`Kind::OptionalFloat`].
    Float(f32),
    /// An unset [`Kind::OptionalFloat`].
    Unset,
    /// Of a [`Kind::Choice`]: one of its names.
    Choice(&'static str),
}

/// The text `none` stands for an unset optional number.
pub const NONE: &str = "none";

impl fmt::Display for Value {
    /// The text [`Setting::parse`] reads back to the same value (floats in their shortest
    /// exact form).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Value::Int(v) => write!(f, "{v}"),
            Value::Float(v) => write!(f, "{v}"),
            Value::Unset => f.write_str(NONE),
            Value::Choice(name) => f.write_str(name),
        }
    }
}

/// Why text is not a value of a setting.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParseError {
    /// The text is not of the setting's kind; says what it should be.
    Unreadable(Allowed),
    /// A value of the right kind, out of its range.
    Invalid(ConfigError),
}

impl ParseError {
    /// What the setting accepts.
    pub fn allowed(&self) -> Allowed {
        match self {
            ParseError::Unreadable(a) => *a,
            ParseError::Invalid(e) => e.allowed,
        }
    }
}

impl fmt::Display for ParseError {
    /// `must be …`, and the value read when there was one: the caller names the setting (and
    /// the text, for unreadable text) its own way.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Unreadable(a) => write!(f, "must be {a}"),
            ParseError::Invalid(e) => write!(f, "must be {} (got {})", e.allowed, e.got),
        }
    }
}

/// One setting: its names, its kind, its help, and its field of [`Settings`].
#[derive(Clone, Copy)]
pub struct Setting {
    /// The key in a run's `settings.json`, e.g. `child_lr`.
    pub name: &'static str,
    /// The command-line flag without its dashes, e.g. `child-lr`.
    pub flag: &'static str,
    /// The page's field, e.g. `childLr`.
    pub page: &'static str,
    /// The configuration field it sets, as [`ConfigError::field`] names it.
    pub field: &'static str,
    /// The placeholder of its value in help text, e.g. `LR`.
    pub value_name: &'static str,
    /// One line of help (the default is appended from [`Settings::DEFAULT`]).
    pub help: &'static str,
    /// Its values.
    pub kind: Kind,
    /// Whether it describes generated data (meaningless when the data comes from a file).
    pub generated_data: bool,
    get: fn(&Settings) -> Value,
    set: fn(&mut Settings, Value),
}

impl fmt::Debug for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Setting")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Setting {
    /// Its value in `settings`.
    pub fn get(&self, settings: &Settings) -> Value {
        (self.get)(settings)
    }

    /// Its default.
    pub fn default_value(&self) -> Value {
        self.get(&Settings::DEFAULT)
    }

    /// Reads `text` as a value of this setting's kind, without checking its range.
    pub fn read(&self, text: &str) -> Result<Value, ParseError> {
        let text = text.trim();
        let unreadable = ParseError::Unreadable(self.kind.allowed());
        match self.kind {
            Kind::Int { .. } => text.parse().map(Value::Int).map_err(|_| unreadable),
            Kind::OptionalFloat if text == NONE => Ok(Value::Unset),
            Kind::Float | Kind::OptionalFloat => {
                text.parse().map(Value::Float).map_err(|_| unreadable)
            }
            Kind::Choice(names) => names
                .iter()
                .find(|n| **n == text)
                .map(|n| Value::Choice(n))
                .ok_or(unreadable),
        }
    }

    /// Sets its field of `settings` to `value`, which must be of its kind and, for an
    /// integer, in its range; other checks are [`Settings::validate`]'s.
    pub fn set(&self, settings: &mut Settings, value: Value) -> Result<(), ParseError> {
        let fits = match (self.kind, value) {
            (Kind::Int { min, max }, Value::Int(v)) => {
                if !(min..=max).contains(&v) {
                    return Err(ParseError::Invalid(ConfigError {
                        field: self.field,
                        allowed: Allowed::Range { min, max },
                        got: Got::Int(v),
                    }));
                }
                true
            }
            (Kind::Float, Value::Float(_)) => true,
            (Kind::OptionalFloat, Value::Float(_) | Value::Unset) => true,
            (Kind::Choice(names), Value::Choice(name)) => names.contains(&name),
            _ => false,
        };
        if !fits {
            return Err(ParseError::Unreadable(self.kind.allowed()));
        }
        (self.set)(settings, value);
        Ok(())
    }

    /// Reads `text` and checks it the way the search will, alone (every other setting at its
    /// default): what a form or a command line can say about one field.
    pub fn parse(&self, text: &str) -> Result<Value, ParseError> {
        let value = self.read(text)?;
        let mut scratch = Settings::DEFAULT;
        self.set(&mut scratch, value)?;
        match scratch.validate() {
            Err(e) if e.field == self.field => Err(ParseError::Invalid(e)),
            _ => Ok(value),
        }
    }

    /// The setting whose configuration field is `field` ([`ConfigError::field`]), if any.
    pub fn of_field(field: &str) -> Option<&'static Setting> {
        SETTINGS.iter().find(|s| s.field == field)
    }

    /// The setting called `name` ([`Setting::name`]), if any.
    pub fn named(name: &str) -> Option<&'static Setting> {
        SETTINGS.iter().find(|s| s.name == name)
    }

    /// Whether it can change a child's outcome, the architecture, its rollout number and the
    /// data being given: how the child trains and is scored (`child.…`), the seed its
    /// streams are drawn from, and the reward's folds. [`crate::search::evaluate`] reads
    /// nothing else to train a child (the cost is charged after it, by the search); the
    /// whole-space table's settings fingerprint covers these, so searches of other
    /// strategies, controllers, costs or finalists read one table. A budget (`budget.…`)
    /// decides whether a child is trained at all, not how: a table trains every
    /// architecture, without one, and a budgeted search scores its lookups 0 over it.
    pub fn reaches_the_outcome(&self) -> bool {
        self.field.starts_with("child.")
            || matches!(self.field, "seed" | "reward_folds" | "rungs" | "rung_eta")
    }

    /// A value other than its default, for tests of what a setting changes.
    #[cfg(test)]
    pub(crate) fn other_value(&self) -> Value {
        match (self.kind, self.default_value()) {
            (Kind::Int { min, .. }, Value::Int(v)) => {
                Value::Int(if v == min { min + 1 } else { min })
            }
            (Kind::Float, Value::Float(v)) => Value::Float(v + 0.5),
            (Kind::OptionalFloat, _) => Value::Float(2.5),
            (Kind::Choice(names), Value::Choice(d)) => {
                Value::Choice(names.iter().find(|n| **n != d).copied().unwrap())
            }
            other => panic!("{}: {other:?}", self.name),
        }
    }
}

/// The value of an integer setting, narrowed: [`Setting::set`] checked the range, and every
/// range fits its field's type.
fn int<T: TryFrom<u64> + Default>(value: Value) -> T {
    match value {
        Value::Int(v) => T::try_from(v).unwrap_or_default(),
        _ => T::default(),
    }
}

fn float(value: Value) -> f32 {
    match value {
        Value::Float(v) => v,
        _ => 0.0,
    }
}

/// An optional number as a value: unset for `None`.
fn optional(v: Option<f32>) -> Value {
    v.map_or(Value::Unset, Value::Float)
}

/// The optional number a value of a [`Kind::OptionalFloat`] stands for.
fn optional_of(value: Value) -> Option<f32> {
    match value {
        Value::Float(v) => Some(v),
        _ => None,
    }
}

fn choice(value: Value) -> &'static str {
    match value {
        Value::Choice(name) => name,
        _ => "",
    }
}

const DATASETS: [&str; 4] = [
    Dataset::Moons.name(),
    Dataset::Circles.name(),
    Dataset::Xor.name(),
    Dataset::Spirals.name(),
];
const COSTS: [&str; 2] = [Cost::Macs.name(), Cost::Params.name()];
const METRICS: [&str; 2] = [Metric::ALL[0].name(), Metric::ALL[1].name()];

/// The largest integer setting: any `u64`.
const ANY: u64 = u64::MAX;

/// Every setting, in the order help text and the page's form show them.
pub static SETTINGS: [Setting; 41] = [
    Setting {
        name: "rollouts",
        flag: "rollouts",
        page: "rollouts",
        field: "rollouts",
        value_name: "N",
        help: "Rollouts to run",
        kind: Kind::Int {
            min: 1,
            max: MAX_ROLLOUTS as u64,
        },
        generated_data: false,
        get: |s| Value::Int(s.search.rollouts.into()),
        set: |s, v| s.search.rollouts = int(v),
    },
    Setting {
        name: "seed",
        flag: "seed",
        page: "seed",
        field: "seed",
        value_name: "S",
        help: "Seed of the search's random streams",
        kind: Kind::Int { min: 0, max: ANY },
        generated_data: false,
        get: |s| Value::Int(s.search.seed),
        set: |s, v| s.search.seed = int(v),
    },
    Setting {
        name: "dataset",
        flag: "dataset",
        page: "dataset",
        field: "dataset",
        value_name: "NAME",
        help: "The generated data set",
        kind: Kind::Choice(&DATASETS),
        generated_data: true,
        get: |s| Value::Choice(s.data.dataset.name()),
        set: |s, v| s.data.dataset = Dataset::from_name(choice(v)).unwrap_or_default(),
    },
    Setting {
        name: "samples",
        flag: "samples",
        page: "samples",
        field: "samples",
        value_name: "N",
        help: "Generated points",
        kind: Kind::Int {
            min: MIN_SAMPLES as u64,
            max: MAX_SAMPLES as u64,
        },
        generated_data: true,
        get: |s| Value::Int(s.data.samples as u64),
        set: |s, v| s.data.samples = int(v),
    },
    Setting {
        name: "noise",
        flag: "noise",
        page: "noise",
        field: "noise",
        value_name: "SIGMA",
        help: "Noise σ of the generated data",
        kind: Kind::Float,
        generated_data: true,
        get: |s| Value::Float(s.data.noise),
        set: |s, v| s.data.noise = float(v),
    },
    Setting {
        name: "data_seed",
        flag: "data-seed",
        page: "dataSeed",
        field: "data_seed",
        value_name: "S",
        help: "Seed of the generated data, separate from --seed",
        kind: Kind::Int { min: 0, max: ANY },
        generated_data: true,
        get: |s| Value::Int(s.data.seed),
        set: |s, v| s.data.seed = int(v),
    },
    Setting {
        name: "strategy",
        flag: "strategy",
        page: "strategy",
        field: "strategy",
        value_name: "NAME",
        help: "How architectures are proposed: the controller (reinforce), uniformly at random, \
               or by regularized evolution",
        kind: Kind::Choice(&Strategy::NAMES),
        generated_data: false,
        get: |s| Value::Choice(s.search.strategy.name()),
        set: |s, v| s.search.strategy = Strategy::from_name(choice(v)).unwrap_or_default(),
    },
    Setting {
        name: "hidden",
        flag: "hidden",
        page: "hidden",
        field: "hidden",
        value_name: "H",
        help: "Controller hidden units",
        kind: Kind::Choice(&Hidden::NAMES),
        generated_data: false,
        get: |s| Value::Choice(s.hidden.name()),
        set: |s, v| s.hidden = Hidden::from_name(choice(v)).unwrap_or_default(),
    },
    Setting {
        name: "rollouts_per_update",
        flag: "rollouts-per-update",
        page: "rolloutsPerUpdate",
        field: "controller.rollouts_per_update",
        value_name: "K",
        help: "Rollouts per controller update",
        kind: Kind::Int {
            min: 1,
            max: MAX_ROLLOUTS_PER_UPDATE as u64,
        },
        generated_data: false,
        get: |s| Value::Int(s.search.controller.rollouts_per_update as u64),
        set: |s, v| s.search.controller.rollouts_per_update = int(v),
    },
    Setting {
        name: "child_lr",
        flag: "child-lr",
        page: "childLr",
        field: "child.learning_rate",
        value_name: "LR",
        help: "Child learning rate",
        kind: Kind::Float,
        generated_data: false,
        get: |s| Value::Float(s.search.child.adam.learning_rate),
        set: |s, v| s.search.child.adam.learning_rate = float(v),
    },
    Setting {
        name: "max_epochs",
        flag: "max-epochs",
        page: "maxEpochs",
        field: "child.max_epochs",
        value_name: "N",
        help: "Child epoch limit",
        kind: Kind::Int {
            min: 1,
            max: MAX_EPOCHS as u64,
        },
        generated_data: false,
        get: |s| Value::Int(s.search.child.max_epochs.into()),
        set: |s, v| s.search.child.max_epochs = int(v),
    },
    Setting {
        name: "patience",
        flag: "patience",
        page: "patience",
        field: "child.patience",
        value_name: "N",
        help: "Epochs without a new best (the dev loss, or the dev accuracy: --best-epoch) before \
               a child stops",
        kind: Kind::Int {
            min: 1,
            max: MAX_EPOCHS as u64,
        },
        generated_data: false,
        get: |s| Value::Int(s.search.child.patience.into()),
        set: |s, v| s.search.child.patience = int(v),
    },
    Setting {
        name: "min_steps",
        flag: "min-steps",
        page: "minSteps",
        field: "child.min_steps",
        value_name: "N",
        help: "The fewest gradient steps a child's epoch limit allows: on data of few batches \
               per epoch, --max-epochs and --patience are stretched to reach it (0: never)",
        kind: Kind::Int {
            min: 0,
            max: MAX_STEPS as u64,
        },
        generated_data: false,
        get: |s| Value::Int(s.search.child.min_steps.into()),
        set: |s, v| s.search.child.min_steps = int(v),
    },
    Setting {
        name: "weight_decay",
        flag: "weight-decay",
        page: "weightDecay",
        field: "child.weight_decay",
        value_name: "L2",
        help: "L2 penalty on a child's weights (not its biases): L2/2 · ‖W‖² joins the mean loss \
               (0: none)",
        kind: Kind::Float,
        generated_data: false,
        get: |s| Value::Float(s.search.child.weight_decay),
        set: |s, v| s.search.child.weight_decay = float(v),
    },
    Setting {
        name: "metric",
        flag: "metric",
        page: "metric",
        field: "child.metric",
        value_name: "NAME",
        help: "What a child's reward and best epoch measure on the dev rows: accuracy, or \
               balanced accuracy (the mean per-class recall, for imbalanced classes)",
        kind: Kind::Choice(&METRICS),
        generated_data: false,
        get: |s| Value::Choice(s.search.child.metric.name()),
        set: |s, v| s.search.child.metric = Metric::from_name(choice(v)).unwrap_or_default(),
    },
    Setting {
        name: "reward_folds",
        flag: "reward-folds",
        page: "rewardFolds",
        field: "reward_folds",
        value_name: "K",
        help: "Score each rollout's child by K-fold cross-validation on train + dev instead of \
               the dev split (K times the training; for small data sets); 1: the dev split; 0: \
               3 folds when the dev split has fewer than 100 rows, else the dev split",
        kind: Kind::Int {
            min: 0,
            max: MAX_FOLDS as u64,
        },
        generated_data: false,
        get: |s| Value::Int(s.search.reward_folds.into()),
        set: |s, v| s.search.reward_folds = int(v),
    },
    Setting {
        name: "rungs",
        flag: "rungs",
        page: "rungs",
        field: "rungs",
        value_name: "R",
        help: "Successive halving: a child first learns from the first rows of the train split \
               and goes on to η times as many only if its dev score is among the recent best \
               1/η of that rung, up to the whole split; its reward is its highest rung's \
               score. auto: on from 20,000 train rows, as many rungs as keep the smallest at \
               2,000 rows; off; or 2 to 6 rungs",
        kind: Kind::Choice(&Rungs::NAMES),
        generated_data: false,
        get: |s| Value::Choice(s.search.rungs.name()),
        set: |s, v| s.search.rungs = Rungs::from_name(choice(v)).unwrap_or_default(),
    },
    Setting {
        name: "rung_eta",
        flag: "rung-eta",
        page: "rungEta",
        field: "rung_eta",
        value_name: "ETA",
        help: "η of the rungs: each has η times the rows of the one below, and about 1/η of \
               the children on a rung go on (those among the best of the recent rollouts' \
               scores there)",
        kind: Kind::Int {
            min: 2,
            max: MAX_RUNG_ETA as u64,
        },
        generated_data: false,
        get: |s| Value::Int(s.search.rung_eta.into()),
        set: |s, v| s.search.rung_eta = int(v),
    },
    Setting {
        name: "controller_lr",
        flag: "controller-lr",
        page: "controllerLr",
        field: "controller.learning_rate",
        value_name: "LR",
        help: "Controller learning rate",
        kind: Kind::Float,
        generated_data: false,
        get: |s| Value::Float(s.search.controller.adam.learning_rate),
        set: |s, v| s.search.controller.adam.learning_rate = float(v),
    },
    Setting {
        name: "entropy_weight",
        flag: "entropy-weight",
        page: "entropyWeight",
        field: "controller.entropy_weight",
        value_name: "BETA",
        help: "Initial entropy-bonus weight β",
        kind: Kind::Float,
        generated_data: false,
        get: |s| Value::Float(s.search.controller.entropy_weight),
        set: |s, v| s.search.controller.entropy_weight = float(v),
    },
    Setting {
        name: "max_grad_norm",
        flag: "max-grad-norm",
        page: "maxGradNorm",
        field: "controller.max_grad_norm",
        value_name: "NORM",
        help: "Clip the controller's gradient to this L2 norm (none: no clipping)",
        kind: Kind::OptionalFloat,
        generated_data: false,
        get: |s| optional(s.search.controller.max_grad_norm),
        set: |s, v| s.search.controller.max_grad_norm = optional_of(v),
    },
    Setting {
        name: "baseline_decay",
        flag: "baseline-decay",
        page: "baselineDecay",
        field: "controller.baseline_decay",
        value_name: "D",
        help: "Decay of the reward moving average the controller's rewards are judged against \
               (none: no baseline, the original's)",
        kind: Kind::OptionalFloat,
        generated_data: false,
        get: |s| optional(s.search.controller.baseline_decay),
        set: |s, v| s.search.controller.baseline_decay = optional_of(v),
    },
    Setting {
        name: "controller_input",
        flag: "controller-input",
        page: "controllerInput",
        field: "controller.input",
        value_name: "NAME",
        help: "What the controller reads at each step: the previous token, or zeros (the \
               original's)",
        kind: Kind::Choice(&ControllerInput::NAMES),
        generated_data: false,
        get: |s| Value::Choice(s.search.controller.input.name()),
        set: |s, v| {
            s.search.controller.input = ControllerInput::from_name(choice(v)).unwrap_or_default()
        },
    },
    Setting {
        name: "loss_per_step",
        flag: "loss-per-step",
        page: "lossPerStep",
        field: "controller.step_loss",
        value_name: "NAME",
        help: "A rollout's controller loss over its steps: their sum, or their mean (the \
               original's)",
        kind: Kind::Choice(&StepLoss::NAMES),
        generated_data: false,
        get: |s| Value::Choice(s.search.controller.step_loss.name()),
        set: |s, v| {
            s.search.controller.step_loss = StepLoss::from_name(choice(v)).unwrap_or_default()
        },
    },
    Setting {
        name: "reward_epoch",
        flag: "reward-epoch",
        page: "rewardEpoch",
        field: "child.reward_epoch",
        value_name: "NAME",
        help: "Which epoch's dev accuracy is a child's reward: the best, or the last (the \
               original's)",
        kind: Kind::Choice(&RewardEpoch::NAMES),
        generated_data: false,
        get: |s| Value::Choice(s.search.child.reward_epoch.name()),
        set: |s, v| {
            s.search.child.reward_epoch = RewardEpoch::from_name(choice(v)).unwrap_or_default()
        },
    },
    Setting {
        name: "best_epoch",
        flag: "best-epoch",
        page: "bestEpoch",
        field: "child.best_epoch",
        value_name: "NAME",
        help: "Which epoch a child keeps, and what its patience waits for: the lowest dev loss, \
               or the highest dev accuracy (the original's)",
        kind: Kind::Choice(&BestEpoch::NAMES),
        generated_data: false,
        get: |s| Value::Choice(s.search.child.best_epoch.name()),
        set: |s, v| s.search.child.best_epoch = BestEpoch::from_name(choice(v)).unwrap_or_default(),
    },
    Setting {
        name: "dev_accuracy",
        flag: "dev-accuracy",
        page: "devAccuracy",
        field: "child.dev_accuracy",
        value_name: "NAME",
        help: "How dev accuracy is computed: exactly, or as the mean of per-batch accuracies \
               over shuffled batches (batch-mean, the original's)",
        kind: Kind::Choice(&DevAccuracy::NAMES),
        generated_data: false,
        get: |s| Value::Choice(s.search.child.dev_accuracy.name()),
        set: |s, v| {
            s.search.child.dev_accuracy = DevAccuracy::from_name(choice(v)).unwrap_or_default()
        },
    },
    Setting {
        name: "shaping",
        flag: "shaping",
        page: "shaping",
        field: "shaping",
        value_name: "NAME",
        help: "Penalties added to each rollout's reward: none, or the original's (-1 for EOS \
               first or second, -0.1 for two widths or two activations in a row)",
        kind: Kind::Choice(&Shaping::NAMES),
        generated_data: false,
        get: |s| Value::Choice(s.search.shaping.name()),
        set: |s, v| s.search.shaping = Shaping::from_name(choice(v)).unwrap_or_default(),
    },
    Setting {
        name: "finalists",
        flag: "finalists",
        page: "finalists",
        field: "finalists",
        value_name: "N",
        help: "Finalists retrained at the end",
        kind: Kind::Int {
            min: 1,
            max: MAX_FINALISTS as u64,
        },
        generated_data: false,
        get: |s| Value::Int(s.search.finalists as u64),
        set: |s, v| s.search.finalists = int(v),
    },
    Setting {
        name: "retrains",
        flag: "retrains",
        page: "retrains",
        field: "retrains",
        value_name: "N",
        help: "Retrains per finalist, each scored on the dev split (with --folds 1)",
        kind: Kind::Int {
            min: 1,
            max: MAX_RETRAINS as u64,
        },
        generated_data: false,
        get: |s| Value::Int(s.search.retrains.into()),
        set: |s, v| s.search.retrains = int(v),
    },
    Setting {
        name: "folds",
        flag: "folds",
        page: "folds",
        field: "folds",
        value_name: "K",
        help: "Compare the finalists by K-fold cross-validation on train + dev, then refit the \
               winner on all of it; 1: by --retrains retrains scored on the dev split",
        kind: Kind::Int {
            min: 1,
            max: MAX_FOLDS as u64,
        },
        generated_data: false,
        get: |s| Value::Int(s.search.folds.into()),
        set: |s, v| s.search.folds = int(v),
    },
    Setting {
        name: "population",
        flag: "population",
        page: "population",
        field: "population",
        value_name: "N",
        help: "Regularized evolution's population: the latest architectures, parents are drawn \
               from",
        kind: Kind::Int {
            min: 1,
            max: MAX_POPULATION as u64,
        },
        generated_data: false,
        get: |s| Value::Int(s.search.population as u64),
        set: |s, v| s.search.population = int(v),
    },
    Setting {
        name: "tournament",
        flag: "tournament",
        page: "tournament",
        field: "tournament",
        value_name: "N",
        help: "Regularized evolution's tournament: members drawn to pick a parent, the best of \
               them (at most --population)",
        kind: Kind::Int {
            min: 1,
            max: MAX_POPULATION as u64,
        },
        generated_data: false,
        get: |s| Value::Int(s.search.tournament as u64),
        set: |s, v| s.search.tournament = int(v),
    },
    Setting {
        name: "selection",
        flag: "selection",
        page: "selection",
        field: "selection",
        value_name: "NAME",
        help: "How the winner is picked among the cross-validated finalists: one-se, the \
               smallest within one standard error of the best score; or best, the best score",
        kind: Kind::Choice(&Selection::NAMES),
        generated_data: false,
        get: |s| Value::Choice(s.search.selection.name()),
        set: |s, v| s.search.selection = Selection::from_name(choice(v)).unwrap_or_default(),
    },
    Setting {
        name: "cost_weight",
        flag: "cost-weight",
        page: "costWeight",
        field: "cost_weight",
        value_name: "LAMBDA",
        help: "λ of the resource-aware reward accuracy − λ·cost, the cost normalised so that the \
               largest network costs 1 (0: accuracy alone)",
        kind: Kind::Float,
        generated_data: false,
        get: |s| Value::Float(s.search.cost_weight),
        set: |s, v| s.search.cost_weight = float(v),
    },
    Setting {
        name: "cost",
        flag: "cost",
        page: "cost",
        field: "cost",
        value_name: "NAME",
        help: "What --cost-weight charges for: multiply-adds (macs) or parameters (params)",
        kind: Kind::Choice(&COSTS),
        generated_data: false,
        get: |s| Value::Choice(s.search.cost.name()),
        set: |s, v| s.search.cost = Cost::from_name(choice(v)).unwrap_or_default(),
    },
    Setting {
        name: "target",
        flag: "target",
        page: "target",
        field: "budget.target",
        value_name: "PART",
        help: "The part the winner must fit: host (no budget), or atmega328p (an Arduino Uno: \
               16 MHz, 32,256 bytes of flash after the bootloader, 2,048 of RAM; int8)",
        kind: Kind::Choice(&Target::NAMES),
        generated_data: false,
        get: |s| Value::Choice(s.search.budget.target.name()),
        set: |s, v| s.search.budget.target = Target::from_name(choice(v)).unwrap_or_default(),
    },
    Setting {
        name: "over_budget",
        flag: "over-budget",
        page: "overBudget",
        field: "budget.over",
        value_name: "RULE",
        help: "What a search does with an architecture over the budget (never a finalist \
               either way): zero, not trained and rewarded 0 so the controller learns to avoid \
               it; or filter, trained and rewarded as usual (to measure zero against)",
        kind: Kind::Choice(&OverBudget::NAMES),
        generated_data: false,
        get: |s| Value::Choice(s.search.budget.over.name()),
        set: |s, v| s.search.budget.over = OverBudget::from_name(choice(v)).unwrap_or_default(),
    },
    Setting {
        name: "max_flash",
        flag: "max-flash",
        page: "maxFlash",
        field: "budget.max_flash",
        value_name: "BYTES",
        help: "The most flash the smallest program that classifies may take on the target, \
               by its cost model (0: all the part has)",
        kind: Kind::Int {
            min: 0,
            max: u32::MAX as u64,
        },
        generated_data: false,
        get: |s| Value::Int(s.search.budget.max_flash.into()),
        set: |s, v| s.search.budget.max_flash = int(v),
    },
    Setting {
        name: "max_ram",
        flag: "max-ram",
        page: "maxRam",
        field: "budget.max_ram",
        value_name: "BYTES",
        help: "The most RAM (the features and the stack the header states) the network may \
               take on the target (0: all the part has)",
        kind: Kind::Int {
            min: 0,
            max: u32::MAX as u64,
        },
        generated_data: false,
        get: |s| Value::Int(s.search.budget.max_ram.into()),
        set: |s, v| s.search.budget.max_ram = int(v),
    },
    Setting {
        name: "max_latency_us",
        flag: "max-latency-us",
        page: "maxLatencyUs",
        field: "budget.max_latency_us",
        value_name: "MICROSECONDS",
        help: "The longest one classification may take on the target at its clock, by its \
               cost model's bound (0: no deadline)",
        kind: Kind::Int {
            min: 0,
            max: u32::MAX as u64,
        },
        generated_data: false,
        get: |s| Value::Int(s.search.budget.max_latency_us.into()),
        set: |s, v| s.search.budget.max_latency_us = int(v),
    },
];

/// A named set of settings, applied over the defaults before any setting given one by one.
#[derive(Clone, Copy)]
pub struct Preset {
    /// Its name on the command line (`--preset NAME`) and on the page.
    pub name: &'static str,
    /// One line of help.
    pub help: &'static str,
    apply: fn(&mut Settings),
}

impl fmt::Debug for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Preset")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Preset {
    /// `settings` with this preset applied.
    pub fn apply(&self, mut settings: Settings) -> Settings {
        (self.apply)(&mut settings);
        settings
    }

    /// The preset called `name`, if any.
    pub fn named(name: &str) -> Option<&'static Preset> {
        PRESETS.iter().find(|p| p.name == name)
    }
}

/// Every preset.
pub static PRESETS: [Preset; 1] = [Preset {
    name: "original",
    help: "The original's code, rule by rule: the controller reads zeros, no baseline, the loss \
           averaged over steps, the last epoch's batch-averaged dev accuracy, shaping penalties, \
           and the single best reward's architecture as the winner",
    apply: |s| s.search = original(s.search),
}];

/// `config` with every rule the original's: the zero input, no baseline, the per-step mean
/// loss, the last epoch's batch-averaged dev accuracy, the best epoch and patience by dev
/// accuracy, no step floor, rewards on the dev split whatever its size and every child on the
/// whole train split (no rungs), the controller, the
/// shaping penalties, and its winner: the architecture of the single best reward (one
/// finalist, trained once more and scored on dev and test, the best-score rule; the
/// original's code stops at the search, and its 91 % has no code behind it). The `original`
/// preset; its other values are piconas's defaults, which are the original's too.
pub const fn original(mut config: SearchConfig) -> SearchConfig {
    config.finalists = 1;
    config.folds = 1;
    config.retrains = 1;
    config.controller.input = ControllerInput::Zeros;
    config.controller.baseline_decay = None;
    config.controller.step_loss = StepLoss::Mean;
    config.child.reward_epoch = RewardEpoch::Last;
    config.child.dev_accuracy = DevAccuracy::BatchMean;
    config.child.best_epoch = BestEpoch::Accuracy;
    config.child.min_steps = 0;
    config.reward_folds = 1;
    config.rungs = Rungs::Off;
    config.strategy = Strategy::Reinforce;
    config.selection = Selection::Best;
    config.shaping = Shaping::Original;
    config
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::{String, ToString};

    fn kebab(name: &str) -> String {
        name.replace('_', "-")
    }

    fn camel(name: &str) -> String {
        let mut out = String::new();
        let mut upper = false;
        for c in name.chars() {
            if c == '_' {
                upper = true;
            } else if upper {
                out.extend(c.to_uppercase());
                upper = false;
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn each_setting_names_itself_consistently_and_once() {
        for (i, s) in SETTINGS.iter().enumerate() {
            assert_eq!(s.flag, kebab(s.name), "{}", s.name);
            assert_eq!(s.page, camel(s.name), "{}", s.name);
            for other in &SETTINGS[i + 1..] {
                assert!(s.name != other.name && s.field != other.field, "{}", s.name);
            }
            assert_eq!(Setting::named(s.name).map(|t| t.field), Some(s.field));
            assert_eq!(Setting::of_field(s.field).map(|t| t.name), Some(s.name));
        }
        // Debug names the setting and its kind (its accessors are functions, left out).
        let text = format!("{:?}", Setting::named("child_lr").unwrap());
        assert_eq!(text, "Setting { name: \"child_lr\", kind: Float, .. }");
        // Presets are found by name, and only by their own.
        for p in &PRESETS {
            assert_eq!(Preset::named(p.name).map(|q| q.name), Some(p.name));
        }
        assert!(Preset::named("Original").is_none() && Preset::named("").is_none());
        let text = format!("{:?}", Preset::named("original").unwrap());
        assert_eq!(text, "Preset { name: \"original\", .. }");
        // Applied, the original preset sets the original's rules and nothing else.
        let original = Preset::named("original").unwrap().apply(Settings::DEFAULT);
        let expected = Settings {
            search: super::original(Settings::DEFAULT.search),
            ..Settings::DEFAULT
        };
        assert_eq!(original, expected);
        assert_ne!(original, Settings::DEFAULT);
    }

    #[test]
    fn every_default_reads_back_to_itself_and_sets_nothing_new() {
        for s in &SETTINGS {
            let text = s.default_value().to_string();
            assert_eq!(s.parse(&text), Ok(s.default_value()), "{}", s.name);
            let mut settings = Settings::DEFAULT;
            s.set(&mut settings, s.default_value()).unwrap();
            assert_eq!(settings, Settings::DEFAULT, "{}", s.name);
        }
    }

    #[test]
    fn each_setting_reaches_its_own_field() {
        // A value other than the default, set through the table, is read back through it and
        // changes exactly one setting.
        for s in &SETTINGS {
            let other = s.other_value();
            let mut settings = Settings::DEFAULT;
            s.set(&mut settings, other).unwrap();
            assert_ne!(settings, Settings::DEFAULT, "{}", s.name);
            for t in &SETTINGS {
                let want = if t.name == s.name {
                    other
                } else {
                    t.default_value()
                };
                assert_eq!(
                    t.get(&settings),
                    want,
                    "{} after setting {}",
                    t.name,
                    s.name
                );
            }
        }
    }

    #[test]
    fn text_is_read_by_kind_and_checked_by_the_configuration() {
        let get = |name| Setting::named(name).unwrap();
        assert_eq!(get("rollouts").parse(" 12 "), Ok(Value::Int(12)));
        assert_eq!(get("child_lr").parse("0.5"), Ok(Value::Float(0.5)));
        assert_eq!(get("max_grad_norm").parse("none"), Ok(Value::Unset));
        assert_eq!(get("hidden").parse("128"), Ok(Value::Choice("128")));
        // Alone a population of 4 is valid, though the default tournament (16) then is not:
        // that is the tournament's error, not the population's.
        assert_eq!(get("population").parse("4"), Ok(Value::Int(4)));
        let message = |name, text| get(name).parse(text).unwrap_err().to_string();
        assert_eq!(
            message("rollouts", "0"),
            "must be an integer in 1..=10000000 (got 0)"
        );
        assert_eq!(
            message("rollouts", "1.5"),
            "must be an integer in 1..=10000000"
        );
        assert_eq!(
            message("seed", "-1"),
            "must be an integer in 0..=18446744073709551615"
        );
        assert_eq!(
            message("noise", "-0.5"),
            "must be a number in [0, 10] (got -0.5)"
        );
        assert_eq!(message("noise", "x"), "must be a number");
        assert_eq!(
            message("child_lr", "0"),
            "must be a finite number > 0 (got 0)"
        );
        assert_eq!(
            message("max_grad_norm", "-1"),
            "must be a finite number > 0 (got -1)"
        );
        assert_eq!(message("max_grad_norm", ""), "must be a number, or none");
        assert_eq!(message("hidden", "48"), "must be one of 16, 32, 64, 128");
        assert_eq!(
            message("dataset", "Moons"),
            "must be one of moons, circles, xor, spirals"
        );
        // A value of another kind is refused, and changes nothing.
        let mut settings = Settings::DEFAULT;
        assert!(
            get("rollouts")
                .set(&mut settings, Value::Float(3.0))
                .is_err()
        );
        assert!(
            get("cost")
                .set(&mut settings, Value::Choice("moons"))
                .is_err()
        );
        assert_eq!(settings, Settings::DEFAULT);
    }
}
