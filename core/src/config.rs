//! Every hyper-parameter, in one place, with its default and where that default comes from.
//!
//! "The original" below is the PyTorch experiment piconas re-creates (Zoph & Le-style NAS on
//! two moons, re-expressed in `shared/bench/seed_ref.py`). No hyper-parameter literal appears
//! anywhere else in the crate.

use core::fmt;

pub use crate::arch::Cost;
use crate::arch::{Arch, Shape};
pub use crate::rules::{BestEpoch, ControllerInput, DevAccuracy, RewardEpoch, Shaping, StepLoss};
pub use crate::target::{Budget, Resource, Target};

/// The most rollouts a search may be configured for.
pub const MAX_ROLLOUTS: u32 = 10_000_000;
/// The most rollouts that may share one controller update (sizes the trajectory buffer).
pub const MAX_ROLLOUTS_PER_UPDATE: usize = 8;
/// The most finalists [`crate::Search::finish`] may retrain.
pub const MAX_FINALISTS: usize = 8;
/// The largest population of regularized evolution ([`crate::evolution`]).
pub const MAX_POPULATION: usize = 64;
/// The most retrains per finalist.
pub const MAX_RETRAINS: u32 = 64;
/// The largest child mini-batch (sizes the activation buffers).
pub const MAX_BATCH: usize = 32;
/// The most epochs a child may be trained for.
pub const MAX_EPOCHS: u32 = 100_000;
/// The largest [`ChildConfig::min_steps`].
pub const MAX_STEPS: u32 = 10_000_000;
/// The largest [`ChildConfig::weight_decay`]: beyond it every weight is pulled to 0.
pub const MAX_WEIGHT_DECAY: f32 = 10.0;
/// The fewest samples a data set may have: enough for every split to be non-empty.
pub const MIN_SAMPLES: usize = 20;
/// The most samples a data set may have. Nothing in the core is sized by it (the epoch shuffle
/// needs no buffer); it bounds the cost of one rollout and keeps indices in `u32`.
pub const MAX_SAMPLES: usize = 1_000_000;
/// Percent of the samples, from the front, used for training (the original: 70/10/20).
pub const TRAIN_PERCENT: usize = 70;
/// Percent of the samples, after the training ones, used as the dev split (the reward).
pub const DEV_PERCENT: usize = 10;

/// Adam's hyper-parameters (Kingma & Ba 2015).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamConfig {
    /// Step size. Default 1e-2: the original's `lr` for both child and controller.
    pub learning_rate: f32,
    /// First-moment decay. Default 0.9 (PyTorch's default, used by the original).
    pub beta1: f32,
    /// Second-moment decay. Default 0.999 (PyTorch's default).
    pub beta2: f32,
    /// Denominator guard. Default 1e-8 (PyTorch's default).
    pub epsilon: f32,
}

impl AdamConfig {
    /// The documented defaults (`const`, for statics; `Default` returns the same).
    pub const DEFAULT: Self = Self {
        learning_rate: 1e-2,
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
    };
}

impl Default for AdamConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// How each child network is trained to produce its reward.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChildConfig {
    /// The child's optimiser. Default: Adam, lr 1e-2 (the original).
    pub adam: AdamConfig,
    /// Mini-batch size; the last partial batch of an epoch counts. Default 32 (the original).
    pub batch_size: usize,
    /// Epoch limit. Default 100 (the original).
    pub max_epochs: u32,
    /// Stop after this many epochs without a new best dev accuracy. Default 10 (the original).
    pub patience: u32,
    /// The fewest gradient steps the epoch limit allows: on data whose epoch is only a few
    /// batches, `max_epochs` and `patience` are both multiplied by
    /// `⌈min_steps / (batches per epoch · max_epochs)⌉`, so a child's budget does not shrink
    /// with the data. 0: the epoch limit as it is (the original).
    pub min_steps: u32,
    /// L2 penalty on the weights (not the biases): `weight_decay/2 · ‖W‖²` joins the mean
    /// loss, so each weight's gradient gains `weight_decay · w` (as scikit-learn's
    /// `LogisticRegression` with `C = 1/(weight_decay · n)`). 0: none (the original).
    pub weight_decay: f32,
    /// What "accuracy" means for the reward and the best epoch. Default: the share of points
    /// right (the original); balanced accuracy for imbalanced classes.
    pub metric: Metric,
    /// Which epoch's dev accuracy is the reward. Default: the best (the original: the last).
    pub reward_epoch: RewardEpoch,
    /// How dev accuracy is computed. Default: exactly (the original: a mean of per-batch
    /// accuracies).
    pub dev_accuracy: DevAccuracy,
    /// Which epoch is kept and what patience waits for. Default: the lowest dev loss (the
    /// original: the highest dev accuracy).
    pub best_epoch: BestEpoch,
}

impl ChildConfig {
    /// The documented defaults (`const`, for statics; `Default` returns the same).
    pub const DEFAULT: Self = Self {
        adam: AdamConfig::DEFAULT,
        batch_size: 32,
        max_epochs: 100,
        patience: 10,
        min_steps: 1000,
        weight_decay: 0.0,
        metric: Metric::Accuracy,
        reward_epoch: RewardEpoch::Best,
        dev_accuracy: DevAccuracy::Exact,
        best_epoch: BestEpoch::Loss,
    };
}

impl Default for ChildConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// How the controller learns from rewards (REINFORCE with a baseline and an entropy bonus).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ControllerConfig {
    /// The controller's optimiser. Default: Adam, lr 1e-2 (the original).
    pub adam: AdamConfig,
    /// Initial entropy-bonus weight β. Default 1e-2 (the original).
    pub entropy_weight: f32,
    /// β is multiplied by this after every rollout. Default 0.99 (the original).
    pub entropy_decay: f32,
    /// Decay of the reward moving average used as baseline; `None` = no baseline. Default
    /// 0.95 (piconas; the original has no baseline).
    pub baseline_decay: Option<f32>,
    /// Clip the update's gradient to this L2 norm; `None` = no clipping. Default `None` (the
    /// original does not clip).
    pub max_grad_norm: Option<f32>,
    /// Rollouts averaged into one controller update. Default 1 (the original).
    pub rollouts_per_update: usize,
    /// What the controller reads at each step. Default: the previous token (the original: a
    /// zero vector).
    pub input: ControllerInput,
    /// How a rollout's loss is totalled over its steps. Default: summed (the original: the
    /// mean).
    pub step_loss: StepLoss,
}

impl ControllerConfig {
    /// The documented defaults (`const`, for statics; `Default` returns the same).
    pub const DEFAULT: Self = Self {
        adam: AdamConfig::DEFAULT,
        entropy_weight: 1e-2,
        entropy_decay: 0.99,
        baseline_decay: Some(0.95),
        max_grad_norm: None,
        rollouts_per_update: 1,
        input: ControllerInput::Previous,
        step_loss: StepLoss::Sum,
    };
}

impl Default for ControllerConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// How a search proposes architectures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strategy {
    /// The GRU controller, trained by REINFORCE (the original's method).
    #[default]
    Reinforce,
    /// Uniform over all valid token sequences (every architecture equally likely), with the
    /// same budget and child training: the baseline NAS has to beat (Li & Talwalkar 2019).
    Random,
    /// Regularized (aging) evolution (Real et al. 2019; [`crate::evolution`]): mutants of the
    /// best of a few members of a population of the latest architectures.
    Evolution,
}

impl Strategy {
    /// Every strategy, in a fixed order.
    pub const ALL: [Strategy; 3] = [Strategy::Reinforce, Strategy::Random, Strategy::Evolution];
    /// The strategies' names ([`Strategy::name`]), in [`Strategy::ALL`]'s order.
    pub const NAMES: [&'static str; 3] = ["reinforce", "random", "evolution"];

    /// The lower-case name used on command lines, in files and in the page.
    pub const fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The strategy called `name` ([`Strategy::name`]), if any.
    pub fn from_name(name: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The controller's hidden size: each is its own instantiation of [`crate::Search`]`<H>`, so
/// the size a user picks at run time reaches the code through [`Hidden::dispatch`], the one
/// place that turns it into a type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hidden {
    /// 16 units (a small part's choice: 1/13 of the default's controller state).
    H16,
    /// 32 units.
    H32,
    /// 64 units (the original's; the default).
    H64,
    /// 128 units.
    H128,
}

/// Code generic over the controller's hidden size, run at a size chosen at run time by
/// [`Hidden::dispatch`].
pub trait WithHidden {
    /// What the code returns.
    type Output;
    /// Runs the code with `H` hidden units.
    fn call<const H: usize>(self) -> Self::Output;
}

impl Hidden {
    /// The original's size.
    pub const DEFAULT: Hidden = Hidden::H64;
    /// Every size, smallest first.
    pub const ALL: [Hidden; 4] = [Hidden::H16, Hidden::H32, Hidden::H64, Hidden::H128];
    /// The sizes' names ([`Hidden::name`]), smallest first.
    pub const NAMES: [&'static str; 4] = ["16", "32", "64", "128"];

    /// Hidden units.
    pub const fn units(self) -> usize {
        match self {
            Hidden::H16 => 16,
            Hidden::H32 => 32,
            Hidden::H64 => 64,
            Hidden::H128 => 128,
        }
    }

    /// The size as a name: its number of units.
    pub const fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The size called `name` ([`Hidden::name`]), if any.
    pub fn from_name(name: &str) -> Option<Hidden> {
        Hidden::ALL.into_iter().find(|h| h.name() == name)
    }

    /// Runs `code` with this many hidden units.
    pub fn dispatch<W: WithHidden>(self, code: W) -> W::Output {
        match self {
            Hidden::H16 => code.call::<16>(),
            Hidden::H32 => code.call::<32>(),
            Hidden::H64 => code.call::<64>(),
            Hidden::H128 => code.call::<128>(),
        }
    }
}

impl Default for Hidden {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TryFrom<u32> for Hidden {
    type Error = ConfigError;

    fn try_from(units: u32) -> Result<Hidden, ConfigError> {
        Hidden::ALL
            .into_iter()
            .find(|h| h.units() as u64 == u64::from(units))
            .ok_or(ConfigError {
                field: "hidden",
                allowed: Allowed::OneOf(&Hidden::NAMES),
                got: Got::Int(units.into()),
            })
    }
}

impl fmt::Display for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a child's predictions on the dev rows are scored (its reward, and its best epoch).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Metric {
    /// The share of rows predicted right.
    #[default]
    Accuracy,
    /// The mean over the classes present of the share of each class's rows predicted right:
    /// a classifier that always says the majority class scores `1/k`, however rare the
    /// others.
    Balanced,
}

impl Metric {
    /// Every metric, the default first.
    pub const ALL: [Metric; 2] = [Metric::Accuracy, Metric::Balanced];

    /// The lower-case name used on command lines, in files and in the page.
    pub const fn name(self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
            Metric::Balanced => "balanced",
        }
    }

    /// The metric called `name` ([`Metric::name`]), if any.
    pub fn from_name(name: &str) -> Option<Metric> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }
}

crate::rules::choices! {
    /// How [`crate::Search::finish`] picks the winner among the cross-validated finalists.
    pub enum Selection {
        /// The one-standard-error rule: the smallest finalist (fewest parameters) whose score
        /// is within one standard error of the best's. On a tie the smaller network wins,
        /// which also suits a microcontroller.
        #[default]
        OneSe => "one-se",
        /// The best score (the first on a tie).
        Best => "best",
    }
}

/// The most cross-validation folds (finalist selection or rewards).
pub const MAX_FOLDS: u32 = 10;

/// The largest accepted cost weight λ: at 1 the largest network already pays a whole
/// accuracy's worth, so beyond 10 nothing is left to trade.
pub const MAX_COST_WEIGHT: f32 = 10.0;

/// Everything a [`crate::Search`] needs besides its data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SearchConfig {
    /// Rollouts (sample → train → update) to run. Default 5000 (the original).
    pub rollouts: u32,
    /// Seed of every random stream (see [`crate::rng`]). Default 0.
    pub seed: u64,
    /// Child training.
    pub child: ChildConfig,
    /// Controller learning.
    pub controller: ControllerConfig,
    /// Distinct architectures kept by best reward and retrained by `finish`. Default 5 (this
    /// project: the best of thousands of noisy dev scores is mostly luck, so a few are
    /// re-measured).
    pub finalists: usize,
    /// Fresh-seed retrains of each finalist in `finish`. Default 5 (this project).
    pub retrains: u32,
    /// How architectures are proposed. Default: the controller (the original).
    pub strategy: Strategy,
    /// λ of the resource-aware reward `R = accuracy − λ·cost`, with the cost normalised so
    /// that the largest possible network costs 1. Default 0: accuracy alone (plus the shaping
    /// penalties when [`SearchConfig::shaping`] is on).
    pub cost_weight: f32,
    /// What the cost counts. Default: multiply-adds.
    pub cost: Cost,
    /// The data's shape (features and classes): what the cost of an architecture is measured
    /// on. Not a setting: the front ends set it from the data. Default: the moons' (2, 2).
    pub shape: Shape,
    /// The part the winner must fit, and its hard limits ([`crate::target`]): an architecture
    /// over them is never trained (its reward is 0) nor a finalist. Default: the host, no
    /// limits.
    pub budget: Budget,
    /// How `finish` compares the finalists: by `folds`-fold cross-validation over train ∪ dev
    /// (each finalist trained once per fold), then the winner refitted on all of it; with 1,
    /// by `retrains` retrains each scored on the dev split (the way before). Default 5 (this
    /// project: 100 dev points, or 15, cannot tell finalists apart).
    pub folds: u32,
    /// How each rollout's child is scored: with 1, trained on train and scored on dev (the
    /// original); with K ≥ 2, the mean over K-fold cross-validation on train ∪ dev (K times
    /// the training, for small data sets whose dev split is a few dozen rows); with 0, by the
    /// data's size ([`SearchConfig::reward_folds_for`]). Default 0 (this project: a dev split
    /// of 15 rows scores in steps of 6.7 points, which a search learns to chase).
    pub reward_folds: u32,
    /// Penalties added to each rollout's reward. Default: none (the original's: see
    /// [`crate::rules::shaping_penalty`]).
    pub shaping: Shaping,
    /// How `finish` picks the winner among the finalists. Default: the one-standard-error
    /// rule (this project: the smallest of the statistically tied).
    pub selection: Selection,
    /// Regularized evolution's population: the latest architectures evaluated, from which
    /// each proposal's parent is drawn. Default 64 (this project; Real et al. use 100 for
    /// 20,000 models and more).
    pub population: usize,
    /// Regularized evolution's tournament: members drawn to pick each parent (the best of
    /// them). Default 16 (this project; a quarter of the population).
    pub tournament: usize,
    /// Successive halving of each child's training rows ([`SearchConfig::rung_plan`]): a
    /// child learns from the first rows of the train split, and only the best of the recent
    /// children at each rung go on to `rung_eta` times as many, up to the whole split.
    /// Default: by the data's size (this project: on from [`AUTO_RUNG_ROWS`] train rows, so
    /// every smaller data set trains as before).
    pub rungs: Rungs,
    /// η of the rungs: each has η times the rows of the one below, and the top 1/η of a rung's
    /// recent scores go on. Default 3 (Hyperband's).
    pub rung_eta: u32,
}

impl SearchConfig {
    /// The documented defaults (`const`, for statics; `Default` returns the same).
    pub const DEFAULT: Self = Self {
        rollouts: 5000,
        seed: 0,
        child: ChildConfig::DEFAULT,
        controller: ControllerConfig::DEFAULT,
        finalists: 5,
        retrains: 5,
        strategy: Strategy::Reinforce,
        cost_weight: 0.0,
        cost: Cost::Macs,
        shape: Shape::MOONS,
        budget: Budget::NONE,
        folds: 5,
        reward_folds: 0,
        shaping: Shaping::None,
        selection: Selection::OneSe,
        population: 64,
        tournament: 16,
        rungs: Rungs::Auto,
        rung_eta: 3,
    };
}

crate::rules::choices! {
    /// How many rungs a child may climb ([`SearchConfig::rungs`]).
    pub enum Rungs {
        /// As many as keep the smallest at [`RUNG_MIN_ROWS`] rows or more, from
        /// [`AUTO_RUNG_ROWS`] train rows on; one (no rungs) below.
        #[default]
        Auto => "auto",
        /// One: every child learns from the whole train split.
        Off => "off",
        /// Two rungs.
        Two => "2",
        /// Three.
        Three => "3",
        /// Four.
        Four => "4",
        /// Five.
        Five => "5",
        /// Six ([`MAX_RUNGS`]).
        Six => "6",
    }
}

impl Rungs {
    /// The rungs asked for: `None` for auto.
    pub const fn count(self) -> Option<usize> {
        match self {
            Rungs::Auto => None,
            Rungs::Off => Some(1),
            Rungs::Two => Some(2),
            Rungs::Three => Some(3),
            Rungs::Four => Some(4),
            Rungs::Five => Some(5),
            Rungs::Six => Some(6),
        }
    }
}

/// The most rungs a child climbs: 6, or 1 (no rungs, and no ladder's RAM) with the
/// `max-rungs-1` feature (a firmware's; see [`crate::arch`]'s capacities).
pub const MAX_RUNGS: usize = crate::arch::one_capacity([(cfg!(feature = "max-rungs-1"), 1)], 6);
/// With `rungs = auto`, a train split of at least this many rows climbs rungs: below it a
/// child's training is cheap enough whole (the moons, iris, wine, breast cancer and digits
/// train exactly as without rungs).
pub const AUTO_RUNG_ROWS: usize = 20_000;
/// With `rungs = auto`, the fewest rows of the smallest rung: enough to rank architectures
/// whose dev accuracies differ by a point.
pub const RUNG_MIN_ROWS: usize = 2_000;
/// The most η ([`SearchConfig::rung_eta`]).
pub const MAX_RUNG_ETA: u32 = 8;

/// The rungs of a search on its data: how many train rows each learns from, from the first
/// (fewest) to the last (the whole train split).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RungPlan {
    /// Rungs (1: none, every child learns from the whole train split).
    pub count: usize,
    /// `rows[r]` for `r < count`: the first rows of the train split rung `r` learns from.
    pub rows: [usize; MAX_RUNGS],
    /// `dev[r]`: the first rows of the dev split rung `r` is scored on: as large a share of
    /// it as the rung's of train, but at least [`RUNG_MIN_DEV_ROWS`] (scoring a small rung on
    /// all of a large dev split would cost more than its training); all of it on the top rung.
    pub dev: [usize; MAX_RUNGS],
}

/// The fewest dev rows a rung is scored on (all of them if the dev split has fewer): one row
/// is a tenth of a point.
pub const RUNG_MIN_DEV_ROWS: usize = 1_000;

/// With `reward_folds = 0`, a dev split of fewer rows than this is replaced by
/// cross-validation: below 100 rows one row is more than a point of accuracy.
pub const AUTO_DEV_ROWS: usize = 100;
/// The folds `reward_folds = 0` chooses for a dev split of fewer than [`AUTO_DEV_ROWS`] rows.
pub const AUTO_REWARD_FOLDS: u32 = 3;

impl SearchConfig {
    /// The members of the network a search deploys: one per fold of `finish`'s
    /// cross-validation (the winner's fold models), or one with a single fold.
    pub fn deployed_members(&self) -> u32 {
        if self.folds >= 2 { self.folds } else { 1 }
    }

    /// What the frontier is sorted and drawn by: on a part, the deployed network's flash in
    /// bytes (the budget's unit); on the host, the search's cost.
    pub fn frontier_axis(&self) -> crate::frontier::Axis {
        match self.budget.target.part() {
            Some(part) => crate::frontier::Axis::Flash {
                part,
                shape: self.shape,
                members: self.deployed_members(),
            },
            None => crate::frontier::Axis::Cost(self.cost, self.shape),
        }
    }

    /// Whether `arch` is scored 0 untrained: over the budget, which zeroes it.
    pub fn zeroes(&self, arch: &Arch) -> bool {
        self.budget.over == crate::target::OverBudget::Zero && !self.fits(arch)
    }

    /// Whether the deployed network of `arch` fits the budget (always on the host).
    pub fn fits(&self, arch: &Arch) -> bool {
        self.budget.fits(arch, self.shape, self.deployed_members())
    }

    /// The folds each rollout's child is scored over on data whose dev split has `dev_rows`
    /// rows: `reward_folds`, or when it is 0, [`AUTO_REWARD_FOLDS`] if `dev_rows` is below
    /// [`AUTO_DEV_ROWS`], else 1 (the dev split).
    pub fn reward_folds_for(&self, dev_rows: usize) -> u32 {
        match self.reward_folds {
            0 if dev_rows < AUTO_DEV_ROWS => AUTO_REWARD_FOLDS,
            0 => 1,
            k => k,
        }
    }

    /// The rungs of a search whose train and dev splits have `train_rows` and `dev_rows`
    /// rows. Rungs need the dev split as the score ([`SearchConfig::reward_folds_for`] 1):
    /// with cross-validated rewards there is one. Rung `r` of `n` learns from the first
    /// `⌊train_rows / ηⁿ⁻¹⁻ʳ⌋` rows; `auto` climbs from [`AUTO_RUNG_ROWS`] train rows, as many
    /// rungs as keep the smallest at [`RUNG_MIN_ROWS`] rows or more; a count asked for is cut
    /// to keep every rung at one row or more.
    pub fn rung_plan(&self, train_rows: usize, dev_rows: usize) -> RungPlan {
        let eta = self.rung_eta.clamp(2, MAX_RUNG_ETA) as usize;
        let fits = |count: usize, least: usize| {
            let mut smallest = train_rows;
            for _ in 1..count {
                smallest /= eta;
            }
            smallest >= least.max(1)
        };
        let wanted = match self.rungs.count() {
            _ if self.reward_folds_for(dev_rows) != 1 => 1,
            None if train_rows < AUTO_RUNG_ROWS => 1,
            None => (1..=MAX_RUNGS)
                .rev()
                .find(|&c| fits(c, RUNG_MIN_ROWS))
                .unwrap_or(1),
            // More than the build holds is refused by `validate`.
            Some(count) => count.min(MAX_RUNGS),
        };
        let count = (1..=wanted).rev().find(|&c| fits(c, 1)).unwrap_or(1);
        let (mut rows, mut dev) = ([0; MAX_RUNGS], [0; MAX_RUNGS]);
        let mut n = train_rows;
        for r in (0..count).rev() {
            rows[r] = n;
            // In u64: dev · n reaches 10^11 for a million rows, beyond a 32-bit usize (wasm).
            let share = (dev_rows as u64 * n as u64 / train_rows.max(1) as u64) as usize;
            dev[r] = share.max(RUNG_MIN_DEV_ROWS).min(dev_rows);
            n /= eta;
        }
        RungPlan { count, rows, dev }
    }
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Which built-in data set to generate (see [`crate::datasets`] for the curves).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Dataset {
    /// Two interleaving half circles (scikit-learn's `make_moons`; the original's data).
    #[default]
    Moons,
    /// Two concentric circles, radii 1 and 0.5 (`make_circles(factor=0.5)`).
    Circles,
    /// Four Gaussian blobs on the corners of a square, opposite corners sharing a class.
    Xor,
    /// Two interleaved spiral arms of 1.5 turns.
    Spirals,
}

impl Dataset {
    /// Every data set, in a fixed order.
    pub const ALL: [Dataset; 4] = [
        Dataset::Moons,
        Dataset::Circles,
        Dataset::Xor,
        Dataset::Spirals,
    ];

    /// The lower-case name used on command lines, in files and in the page.
    pub const fn name(self) -> &'static str {
        match self {
            Dataset::Moons => "moons",
            Dataset::Circles => "circles",
            Dataset::Xor => "xor",
            Dataset::Spirals => "spirals",
        }
    }

    /// The data set called `name` ([`Dataset::name`]), if any.
    pub fn from_name(name: &str) -> Option<Dataset> {
        Dataset::ALL.into_iter().find(|d| d.name() == name)
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A generated data set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DataConfig {
    /// Which data set. Default: two moons (the original).
    pub dataset: Dataset,
    /// Number of points (half in each class). Default 1000 (the original).
    pub samples: usize,
    /// Standard deviation of the Gaussian noise on each coordinate. Default 0.2 (the original).
    pub noise: f32,
    /// Seed of the data stream, independent of the search seed so that searches with
    /// different seeds see the same data, as in the original (numpy seed 0). Default 0.
    pub seed: u64,
}

impl DataConfig {
    /// The documented defaults (`const`, for statics; `Default` returns the same).
    pub const DEFAULT: Self = Self {
        dataset: Dataset::Moons,
        samples: 1000,
        noise: 0.2,
        seed: 0,
    };
}

impl Default for DataConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The largest accepted data noise; beyond it the two classes are indistinguishable.
pub const MAX_NOISE: f32 = 10.0;

/// What values a field accepts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Allowed {
    /// An integer in `min..=max`.
    Range {
        /// Smallest accepted value.
        min: u64,
        /// Largest accepted value.
        max: u64,
    },
    /// A finite number > 0.
    Positive,
    /// A finite number in `[0, max]`.
    UpTo(f32),
    /// A number in `[0, 1)`.
    Fraction,
    /// A number in `(0, 1]`.
    Decay,
    /// One of these names.
    OneOf(&'static [&'static str]),
    /// Any number (what text must be to be read as a float setting).
    Number,
    /// Any number, or `none` (a setting that may be left unset).
    NumberOrNone,
    /// A part (not the host): what a budget's limits need.
    Part,
    /// At least `least`: what the smallest network of the space needs of a budget, as an
    /// ensemble of `members`; `alone` if one network (folds 1) would fit the whole budget.
    AtLeast {
        /// The least the limit must be.
        least: u64,
        /// The deployed members it was computed for.
        members: u32,
        /// Whether one network would fit.
        alone: bool,
    },
}

impl fmt::Display for Allowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Allowed::Range { min, max } => write!(f, "an integer in {min}..={max}"),
            Allowed::Positive => f.write_str("a finite number > 0"),
            Allowed::UpTo(max) => write!(f, "a number in [0, {max}]"),
            Allowed::Fraction => f.write_str("a number in [0, 1)"),
            Allowed::Decay => f.write_str("a number in (0, 1]"),
            Allowed::OneOf(names) => {
                f.write_str("one of ")?;
                for (i, name) in names.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(name)?;
                }
                Ok(())
            }
            Allowed::Number => f.write_str("a number"),
            Allowed::NumberOrNone => f.write_str("a number, or none"),
            Allowed::Part => {
                f.write_str("a part for a limit of flash, RAM or latency")?;
                for (i, t) in Target::ALL
                    .iter()
                    .filter(|t| t.part().is_some())
                    .enumerate()
                {
                    f.write_str(if i == 0 { ": " } else { ", " })?;
                    f.write_str(t.name())?;
                }
                Ok(())
            }
            Allowed::AtLeast {
                least,
                members,
                alone,
            } => {
                write!(f, "at least {least}, what the smallest network needs")?;
                if members > 1 {
                    write!(f, " as an ensemble of {members}")?;
                    if alone {
                        f.write_str("; one network (folds 1) fits")?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// The offending value of a [`ConfigError`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Got {
    /// An integer field's value.
    Int(u64),
    /// A float field's value.
    Float(f32),
    /// A target (a budget's).
    Target(Target),
}

impl fmt::Display for Got {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Got::Int(v) => write!(f, "{v}"),
            Got::Float(v) => write!(f, "{v}"),
            Got::Target(t) => f.write_str(t.name()),
        }
    }
}

/// A configuration field out of its range: names the field, what it accepts, and what it got.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConfigError {
    /// The field, as a path such as `child.batch_size`.
    pub field: &'static str,
    /// What the field accepts.
    pub allowed: Allowed,
    /// What it was given.
    pub got: Got,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} must be {} (got {})",
            self.field, self.allowed, self.got
        )
    }
}

impl core::error::Error for ConfigError {}

fn int(field: &'static str, value: u64, min: u64, max: u64) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError {
            field,
            allowed: Allowed::Range { min, max },
            got: Got::Int(value),
        })
    }
}

fn float(field: &'static str, value: f32, allowed: Allowed) -> Result<(), ConfigError> {
    let ok = match allowed {
        Allowed::Positive => value.is_finite() && value > 0.0,
        Allowed::UpTo(max) => (0.0..=max).contains(&value),
        Allowed::Fraction => (0.0..1.0).contains(&value),
        Allowed::Decay => value > 0.0 && value <= 1.0,
        Allowed::Number | Allowed::NumberOrNone => true,
        Allowed::Range { .. } | Allowed::OneOf(_) | Allowed::Part | Allowed::AtLeast { .. } => {
            false
        }
    };
    if ok {
        Ok(())
    } else {
        Err(ConfigError {
            field,
            allowed,
            got: Got::Float(value),
        })
    }
}

fn usize_field(
    field: &'static str,
    value: usize,
    min: usize,
    max: usize,
) -> Result<(), ConfigError> {
    int(field, value as u64, min as u64, max as u64)
}

impl AdamConfig {
    fn validate(
        &self,
        lr: &'static str,
        b1: &'static str,
        b2: &'static str,
        eps: &'static str,
    ) -> Result<(), ConfigError> {
        float(lr, self.learning_rate, Allowed::Positive)?;
        float(b1, self.beta1, Allowed::Fraction)?;
        float(b2, self.beta2, Allowed::Fraction)?;
        float(eps, self.epsilon, Allowed::Positive)
    }
}

impl ChildConfig {
    /// Checks every field; the first one out of range is the error.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.adam.validate(
            "child.learning_rate",
            "child.beta1",
            "child.beta2",
            "child.epsilon",
        )?;
        usize_field("child.batch_size", self.batch_size, 1, MAX_BATCH)?;
        int(
            "child.max_epochs",
            self.max_epochs.into(),
            1,
            MAX_EPOCHS.into(),
        )?;
        int("child.patience", self.patience.into(), 1, MAX_EPOCHS.into())?;
        int(
            "child.min_steps",
            self.min_steps.into(),
            0,
            MAX_STEPS.into(),
        )?;
        float(
            "child.weight_decay",
            self.weight_decay,
            Allowed::UpTo(MAX_WEIGHT_DECAY),
        )
    }

    /// How many times `max_epochs` and `patience` are stretched for a fold of `rows` learning
    /// rows (see [`ChildConfig::min_steps`]): at least 1, and 1 whenever `max_epochs` epochs
    /// already take `min_steps` steps.
    pub fn epoch_scale(&self, rows: usize) -> u32 {
        let batches = rows.div_ceil(self.batch_size.clamp(1, MAX_BATCH)).max(1) as u64;
        let budget = batches * u64::from(self.max_epochs.max(1));
        u64::from(self.min_steps)
            .div_ceil(budget)
            .clamp(1, u64::from(MAX_EPOCHS)) as u32
    }
}

impl ControllerConfig {
    /// Checks every field; the first one out of range is the error.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.adam.validate(
            "controller.learning_rate",
            "controller.beta1",
            "controller.beta2",
            "controller.epsilon",
        )?;
        float(
            "controller.entropy_weight",
            self.entropy_weight,
            Allowed::UpTo(f32::MAX),
        )?;
        float(
            "controller.entropy_decay",
            self.entropy_decay,
            Allowed::Decay,
        )?;
        if let Some(decay) = self.baseline_decay {
            float("controller.baseline_decay", decay, Allowed::Fraction)?;
        }
        if let Some(norm) = self.max_grad_norm {
            float("controller.max_grad_norm", norm, Allowed::Positive)?;
        }
        usize_field(
            "controller.rollouts_per_update",
            self.rollouts_per_update,
            1,
            MAX_ROLLOUTS_PER_UPDATE,
        )
    }
}

impl SearchConfig {
    /// Checks every field; the first one out of range is the error. Never panics, for any
    /// values (property-tested).
    pub fn validate(&self) -> Result<(), ConfigError> {
        int("rollouts", self.rollouts.into(), 1, MAX_ROLLOUTS.into())?;
        self.child.validate()?;
        self.controller.validate()?;
        usize_field("finalists", self.finalists, 1, MAX_FINALISTS)?;
        int("retrains", self.retrains.into(), 1, MAX_RETRAINS.into())?;
        int("folds", self.folds.into(), 1, MAX_FOLDS.into())?;
        int(
            "reward_folds",
            self.reward_folds.into(),
            0,
            MAX_FOLDS.into(),
        )?;
        float(
            "cost_weight",
            self.cost_weight,
            Allowed::UpTo(MAX_COST_WEIGHT),
        )?;
        int("rung_eta", self.rung_eta.into(), 2, MAX_RUNG_ETA.into())?;
        if let Some(count) = self.rungs.count() {
            int("rungs", count as u64, 1, MAX_RUNGS as u64)?;
        }
        usize_field("population", self.population, 1, MAX_POPULATION)?;
        usize_field("tournament", self.tournament, 1, self.population)?;
        self.validate_budget().map(|_| ())
    }

    /// The budget's limits: within the part, none on the host. Returns the part and its
    /// limits, if any.
    fn validate_budget(
        &self,
    ) -> Result<Option<(&'static crate::target::Part, crate::target::Limits)>, ConfigError> {
        let b = &self.budget;
        let limits = [
            (Resource::Flash, b.max_flash),
            (Resource::Ram, b.max_ram),
            (Resource::Latency, b.max_latency_us),
        ];
        let Some((part, resolved)) = b.limits() else {
            // A limit on the host: the target is what is missing (so a limit read alone, every
            // other setting at its default, is not refused for it).
            return match limits.iter().any(|&(_, v)| v != 0) {
                true => Err(ConfigError {
                    field: "budget.target",
                    allowed: Allowed::Part,
                    got: Got::Target(b.target),
                }),
                false => Ok(None),
            };
        };
        int("budget.max_flash", b.max_flash.into(), 0, part.flash.into())?;
        int("budget.max_ram", b.max_ram.into(), 0, part.ram.into())?;
        Ok(Some((part, resolved)))
    }

    /// Whether the budget leaves room for some network on the data's shape
    /// ([`SearchConfig::shape`]): if not, the error names a
    /// limit and what the smallest network needs of it. [`crate::Search::start`] checks it
    /// after [`SearchConfig::validate`]; a front end that checks settings before it reads the
    /// data checks this once it has (the shape is the data's only then).
    pub fn check_room(&self) -> Result<(), ConfigError> {
        let b = &self.budget;
        let Some((part, resolved)) = self.validate_budget()? else {
            return Ok(());
        };
        let (shape, members) = (self.shape, self.deployed_members());
        if b.fallback(shape, members).is_some() {
            return Ok(());
        }
        // No architecture fits: name a limit the smallest network needs more of.
        let limit = |r: Resource| match r {
            Resource::Flash => resolved.flash,
            Resource::Ram => resolved.ram,
            Resource::Latency => resolved.micros,
        };
        let short = [Resource::Flash, Resource::Ram, Resource::Latency]
            .into_iter()
            .filter_map(|r| Some((r, b.least(r, shape, members)?)))
            .find(|&(r, least)| least > limit(r));
        let (resource, least) = short
            .or_else(|| {
                let r = b.exceeded(&Arch::EMPTY, shape, members)?;
                let cost = part.footprint(&Arch::EMPTY, shape, members);
                Some(match r {
                    Resource::Flash => (r, cost.flash),
                    Resource::Ram => (r, cost.ram),
                    Resource::Latency => (r, part.micros(cost.cycles_bound)),
                })
            })
            .unwrap_or((Resource::Flash, resolved.flash));
        Err(ConfigError {
            field: resource.field(),
            allowed: Allowed::AtLeast {
                least: least.into(),
                members,
                // With one member nothing fits (else no error): false then.
                alone: b.fallback(shape, 1).is_some(),
            },
            got: Got::Int(limit(resource).into()),
        })
    }
}

impl DataConfig {
    /// Checks every field; the first one out of range is the error.
    pub fn validate(&self) -> Result<(), ConfigError> {
        usize_field("samples", self.samples, MIN_SAMPLES, MAX_SAMPLES)?;
        float("noise", self.noise, Allowed::UpTo(MAX_NOISE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rungs_start_on_big_data_and_keep_the_smallest_rung_large_enough() {
        let auto = SearchConfig::default();
        // Below 20,000 train rows, or scored by cross-validation: one rung, the whole split.
        assert_eq!(auto.rung_plan(19_999, 2_857).count, 1);
        assert_eq!(auto.rung_plan(700, 100).rows[0], 700);
        assert_eq!(auto.rung_plan(50_000, 50).count, 1);
        // 70,000 train rows (100,000 in all): 70,000 / 27 is the last at 2,000 or more.
        let plan = auto.rung_plan(70_000, 10_000);
        assert_eq!(plan.count, 4);
        assert_eq!(&plan.rows[..4], &[2_592, 7_777, 23_333, 70_000]);
        // Dev rows: the rung's share of the split, at least 1,000, all of it on top.
        assert_eq!(&plan.dev[..4], &[1_000, 1_111, 3_333, 10_000]);
        // 700,000: six rungs, the most; η = 2 climbs slower.
        assert_eq!(auto.rung_plan(700_000, 100_000).count, 6);
        let halves = SearchConfig {
            rung_eta: 2,
            ..auto
        };
        assert_eq!(
            &halves.rung_plan(20_000, 1_000).rows[..4],
            &[2_500, 5_000, 10_000, 20_000]
        );
        // Asked for: off is one rung; a count is cut to keep every rung a row.
        let with = |rungs| SearchConfig {
            rungs,
            reward_folds: 1,
            ..auto
        };
        assert_eq!(with(Rungs::Off).rung_plan(70_000, 10_000).count, 1);
        assert_eq!(&with(Rungs::Two).rung_plan(140, 20).rows[..2], &[46, 140]);
        assert_eq!(with(Rungs::Six).rung_plan(30, 20).count, 4);
        assert_eq!(
            &with(Rungs::Six).rung_plan(30, 20).rows[..4],
            &[1, 3, 10, 30]
        );
    }

    #[test]
    fn defaults_are_valid() {
        assert_eq!(SearchConfig::default().validate(), Ok(()));
        assert_eq!(DataConfig::default().validate(), Ok(()));
    }

    #[test]
    fn each_bad_field_is_named_with_its_range() {
        let mut c = SearchConfig::default();
        c.child.batch_size = 0;
        assert_eq!(
            c.validate().unwrap_err().to_string(),
            "child.batch_size must be an integer in 1..=32 (got 0)"
        );
        let mut c = SearchConfig::default();
        c.controller.adam.learning_rate = f32::NAN;
        assert_eq!(
            c.validate().unwrap_err().to_string(),
            "controller.learning_rate must be a finite number > 0 (got NaN)"
        );
        let mut c = SearchConfig::default();
        c.controller.rollouts_per_update = 9;
        assert_eq!(
            c.validate().unwrap_err().field,
            "controller.rollouts_per_update"
        );
        let mut c = SearchConfig::default();
        c.controller.max_grad_norm = Some(-1.0);
        assert_eq!(c.validate().unwrap_err().field, "controller.max_grad_norm");
        let m = DataConfig {
            noise: -0.1,
            ..DataConfig::default()
        };
        assert_eq!(
            m.validate().unwrap_err().to_string(),
            "noise must be a number in [0, 10] (got -0.1)"
        );
    }

    /// A search on wine's shape (13 features, 3 classes) under `budget`.
    fn wine(budget: Budget) -> SearchConfig {
        SearchConfig {
            shape: Shape::new(13, 3).unwrap(),
            budget,
            ..SearchConfig::default()
        }
    }

    const UNO: Budget = Budget {
        target: Target::Atmega328p,
        ..Budget::NONE
    };

    /// The first complaint about `c`: its fields, then the budget's room.
    fn message(c: SearchConfig) -> String {
        let error = c.validate().and_then(|()| c.check_room()).unwrap_err();
        error.to_string()
    }

    #[test]
    fn a_budgets_limits_need_a_part_and_room_within_it() {
        let host = wine(Budget {
            max_ram: 512,
            ..Budget::NONE
        });
        assert_eq!(
            message(host),
            "budget.target must be a part for a limit of flash, RAM or latency: atmega328p, \
             cortex-m0, cortex-m4f (got host)"
        );
        let beyond = wine(Budget {
            max_flash: 40_000,
            ..UNO
        });
        assert_eq!(
            message(beyond),
            "budget.max_flash must be an integer in 0..=32256 (got 40000)"
        );
        assert_eq!(wine(UNO).validate(), Ok(()));
        assert_eq!(wine(UNO).check_room(), Ok(()));
        // The Cortex-M parts' memories: the M0's 256 KB and 16 KB, the M4F's 512 KB and 64 KB.
        let on = |target, max_flash, max_ram| {
            wine(Budget {
                target,
                max_flash,
                max_ram,
                ..Budget::NONE
            })
            .validate()
        };
        assert_eq!(on(Target::CortexM0, 262_144, 16_384), Ok(()));
        assert_eq!(
            message(wine(Budget {
                target: Target::CortexM0,
                max_flash: 262_145,
                ..Budget::NONE
            })),
            "budget.max_flash must be an integer in 0..=262144 (got 262145)"
        );
        assert!(on(Target::CortexM0, 0, 16_385).is_err());
        assert_eq!(on(Target::CortexM4f, 524_288, 65_536), Ok(()));
        assert!(on(Target::CortexM4f, 524_289, 0).is_err());
        assert!(on(Target::CortexM4f, 0, 65_537).is_err());
        // One fold deploys one network, five deploy five.
        let members = |folds| SearchConfig { folds, ..wine(UNO) }.deployed_members();
        assert_eq!((members(5), members(1)), (5, 1));
    }

    #[test]
    fn a_budget_needs_room_for_the_smallest_network() {
        // The smallest network needs more flash than 1000 bytes (its code alone is 1.25 KB).
        let part = Target::Atmega328p.part().unwrap();
        let empty = part.footprint(&Arch::EMPTY, Shape::new(13, 3).unwrap(), 5);
        let one = part.footprint(&Arch::ONE, Shape::new(13, 3).unwrap(), 5);
        let tight = wine(Budget {
            max_flash: 1000,
            ..UNO
        });
        assert_eq!(
            message(tight),
            format!(
                "budget.max_flash must be at least {}, what the smallest network needs as an \
                 ensemble of 5 (got 1000)",
                empty.flash.min(one.flash)
            )
        );
        // When one network would fit, the message says so.
        let single = part.footprint(&Arch::EMPTY, Shape::new(13, 3).unwrap(), 1);
        let five_too_many = wine(Budget {
            max_flash: single.flash,
            ..UNO
        });
        assert_eq!(
            message(five_too_many),
            format!(
                "budget.max_flash must be at least {}, what the smallest network needs as an \
                 ensemble of 5; one network (folds 1) fits (got {})",
                empty.flash.min(one.flash),
                single.flash
            )
        );
        let alone = SearchConfig {
            folds: 1,
            ..five_too_many
        };
        assert_eq!(alone.check_room(), Ok(()));
        // One network refused: no ensemble to speak of.
        let one_too_big = SearchConfig { folds: 1, ..tight };
        assert_eq!(
            message(one_too_big),
            format!(
                "budget.max_flash must be at least {}, what the smallest network needs (got \
                 1000)",
                single.flash.min(
                    part.footprint(&Arch::ONE, Shape::new(13, 3).unwrap(), 1)
                        .flash
                )
            )
        );
        // Valid settings (before the data is read), only the room is missing.
        assert_eq!(tight.validate(), Ok(()));
        // Just enough for it: room.
        let enough = wine(Budget {
            max_flash: empty.flash.min(one.flash),
            ..UNO
        });
        assert_eq!(enough.check_room(), Ok(()));
        assert!(enough.fits(&Arch::EMPTY) || enough.fits(&Arch::ONE));
        // Flash just enough, a deadline nothing meets: the deadline is named.
        let deadline = wine(Budget {
            max_latency_us: 1,
            ..enough.budget
        });
        let least_us = part.micros(empty.cycles_bound.min(one.cycles_bound));
        assert_eq!(
            message(deadline),
            format!(
                "budget.max_latency_us must be at least {least_us}, what the smallest network \
                 needs as an ensemble of 5 (got 1)"
            )
        );
    }
}

#[cfg(all(test, feature = "max-rungs-1"))]
mod without_rungs {
    use super::*;

    #[test]
    fn a_build_without_rungs_refuses_them_and_never_climbs() {
        let asked = SearchConfig {
            rungs: Rungs::Two,
            ..SearchConfig::default()
        };
        let e = asked.validate().unwrap_err();
        assert_eq!(e.field, "rungs");
        assert_eq!(SearchConfig::default().validate(), Ok(()));
        assert_eq!(SearchConfig::default().rung_plan(700_000, 100_000).count, 1);
    }
}
