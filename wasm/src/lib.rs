//! # piconas-wasm
//!
//! The search in a browser: one opaque handle, [`Nas`], owns the data and a
//! [`piconas::session::Session`] (the search as every front end runs it, with its history and
//! losses); JavaScript calls [`Nas::step`] and reads small copies of what it draws. Everything numeric happens in the core, so a seed gives the page exactly the records
//! the native runner prints (`tests/wasm` checks the first 50, bit for bit).
//!
//! The page's view of a whole-space table (load one, or make a small one, and rank the
//! search in it) is the `table` module's part of the handle.
//!
//! Settings come as a plain object (see [`defaults`]); a bad value throws a JS `Error` whose
//! `message` names the setting and its allowed range and whose `field` property is the
//! setting's name, so the page can show it beside the input.

#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms)]

mod finals;
mod pipeline;
mod settings;
mod table;

use piconas::data::{CsvOptions, Dataset, LabelColumn, SplitMode};
use piconas::deploy::{self, Export, Format, Needs, Output, Rows};
use piconas::final_runs::{FinalJob, Replay};
use piconas::history::History;
use piconas::metrics::Metrics;
use piconas::model::NetworkFile;
use piconas::session::{Finished, K, Session};
use piconas_core::arch::VOCAB;
use piconas_core::bayes;
use piconas_core::frontier::Seen;
use piconas_core::mlp::Workspace;
use piconas_core::policy::Trajectory;
use piconas_core::search::Record;
use piconas_core::speculate::{Guess, Pipeline};
use piconas_core::{
    Arch, ConfigError, Fingerprint, MAX_TOKENS, Network, Search, SearchConfig, Split, WithHidden,
};
use wasm_bindgen::prelude::*;

pub use settings::{defaults, presets, settings_table};
pub use table::{TableInfo, table_info};

/// The most grid cells one [`Nas::heatmap`] call computes.
const MAX_GRID_CELLS: u32 = 512 * 512;

/// What the handle asks of its [`Session`], whatever the controller's size: `Session<H>` for
/// every `H`, type-erased once, by the core's one dispatch ([`Hidden::dispatch`]). The
/// session steps, observes (history and losses) and finishes; this only reaches it.
trait AnySession {
    /// One rollout, observed by the session.
    fn step(&mut self, split: &Split<'_>) -> Option<Record>;
    fn copy_last_child(&self, net: &mut Network);
    fn config(&self) -> SearchConfig;
    fn completed(&self) -> u32;
    fn is_done(&self) -> bool;
    fn beta(&self) -> f32;
    fn history(&self) -> &History;
    fn losses(&self) -> &[f32];
    /// The greedy architecture and its token probabilities, `MAX_TOKENS × VOCAB`.
    fn greedy(&self) -> (Arch, Vec<f32>);
    fn save(&self, data: Fingerprint) -> Option<Vec<u8>>;
    /// The end of the search as every front end ends it (`Session::finish`).
    fn finish(&mut self, data: &Dataset, split: &Split<'_>) -> Finished;
    /// The finish's runs `replay` needs next (`Session::final_jobs`).
    fn final_jobs(&self, replay: &mut Replay) -> Vec<FinalJob>;
    /// The end of the search from the runs handed in to `replay` (`Session::finish_replayed`).
    fn finish_replayed(
        &mut self,
        data: &Dataset,
        split: &Split<'_>,
        replay: &mut Replay,
    ) -> Option<Finished>;
    /// The session itself, for the pipeline of its size to find it (`pipeline.rs`).
    fn as_any(&mut self) -> &mut dyn core::any::Any;
    /// A pipeline of this session's controller size (see `pipeline.rs`).
    fn pipeline(&self, guess: Guess, window: usize) -> Box<dyn pipeline::AnyPipeline>;
    /// Rollout `index`'s bars (the core's `rungs`).
    fn bars(&self, index: u32) -> piconas_core::rungs::Bars;
}

impl<const H: usize> AnySession for Session<H> {
    fn step(&mut self, split: &Split<'_>) -> Option<Record> {
        Session::step(self, split)
    }
    fn copy_last_child(&self, net: &mut Network) {
        self.search().trainer().copy_network(net);
    }
    fn config(&self) -> SearchConfig {
        *self.search().config()
    }
    fn completed(&self) -> u32 {
        self.search().completed()
    }
    fn is_done(&self) -> bool {
        self.search().is_done()
    }
    fn beta(&self) -> f32 {
        self.search().beta()
    }
    fn history(&self) -> &History {
        Session::history(self)
    }
    fn losses(&self) -> &[f32] {
        Session::losses(self)
    }
    fn greedy(&self) -> (Arch, Vec<f32>) {
        let mut traj: Box<Trajectory<H>> = Box::default();
        let (arch, _) = self.search().policy().greedy(&mut traj);
        let mut out = vec![0.0; MAX_TOKENS * VOCAB];
        for (t, row) in out.chunks_mut(VOCAB).enumerate() {
            if let Some(p) = traj.probabilities(t) {
                row.copy_from_slice(&p);
            }
        }
        (arch, out)
    }
    fn save(&self, data: Fingerprint) -> Option<Vec<u8>> {
        let search = self.search();
        let mut bytes = vec![0u8; Search::<H, K>::checkpoint_len()];
        search.save(&mut bytes, data).ok().map(|_| bytes)
    }
    fn finish(&mut self, data: &Dataset, split: &Split<'_>) -> Finished {
        Session::finish(self, data, split, 1, &|| {})
    }
    fn final_jobs(&self, replay: &mut Replay) -> Vec<FinalJob> {
        Session::final_jobs(self, replay)
    }
    fn finish_replayed(
        &mut self,
        data: &Dataset,
        split: &Split<'_>,
        replay: &mut Replay,
    ) -> Option<Finished> {
        Session::finish_replayed(self, data, split, replay)
    }
    fn as_any(&mut self) -> &mut dyn core::any::Any {
        self
    }
    fn pipeline(&self, guess: Guess, window: usize) -> Box<dyn pipeline::AnyPipeline> {
        Box::new(Pipeline::<H>::new(guess, window))
    }
    fn bars(&self, index: u32) -> piconas_core::rungs::Bars {
        self.search().bars(index)
    }
}

/// Starts a session of the dispatched size.
struct Start(SearchConfig);

impl WithHidden for Start {
    type Output = Result<Box<dyn AnySession>, ConfigError>;

    // Never inlined: each size's search passes through this frame on its way to the heap, and
    // the sizes inlined together into the caller would pass the wasm stack (1 MB).
    #[inline(never)]
    fn call<const H: usize>(self) -> Self::Output {
        Ok(Box::new(Session::<H>::start(self.0)?))
    }
}

/// Restores a session of the dispatched size from a checkpoint, with its past rollouts.
struct Restore<'a> {
    config: SearchConfig,
    checkpoint: &'a [u8],
    data: Fingerprint,
    history: History,
    losses: Vec<f32>,
}

impl WithHidden for Restore<'_> {
    type Output = Result<Box<dyn AnySession>, String>;

    // Never inlined, as `Start::call`.
    #[inline(never)]
    fn call<const H: usize>(self) -> Self::Output {
        let session = Session::<H>::restore(self.config, self.checkpoint, self.data)
            .map_err(|e| e.to_string())?;
        let session = session
            .with_past(self.history, self.losses)
            .map_err(|e| e.to_string())?;
        Ok(Box::new(session))
    }
}

/// What a call to [`Nas::step`] left behind.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// Rollouts done.
    pub completed: u32,
    /// Rollouts configured.
    pub rollouts: u32,
    /// Whether all rollouts are done.
    pub done: bool,
    /// The latest rollout's reward (NaN before the first).
    #[wasm_bindgen(js_name = lastReward)]
    pub last_reward: f32,
    /// The best reward so far (NaN before the first).
    #[wasm_bindgen(js_name = bestReward)]
    pub best_reward: f32,
    /// The entropy weight β of the next rollout.
    pub beta: f32,
}

/// What [`Nas::finish`] found.
#[wasm_bindgen(getter_with_clone)]
#[derive(Clone, Debug)]
pub struct Finish {
    /// The chosen architecture, e.g. `[16, Tanh, 8, ReLU]`.
    pub winner: String,
    /// Its mean dev accuracy over the retrains.
    #[wasm_bindgen(js_name = devMean)]
    pub dev_mean: f32,
    /// The saved network's test accuracy (the ensemble of the winner's fold models, or its
    /// best retrain): what the downloads classify.
    pub test: f32,
    /// The saved network's members.
    pub members: u32,
    /// Its mean test accuracy over the fold models (or retrains), one by one.
    #[wasm_bindgen(js_name = testMean)]
    pub test_mean: f32,
    /// Its worst test accuracy.
    #[wasm_bindgen(js_name = testMin)]
    pub test_min: f32,
    /// Its best test accuracy.
    #[wasm_bindgen(js_name = testMax)]
    pub test_max: f32,
    /// The Bayes-optimal accuracy on the same test split.
    pub bayes: f32,
    /// Cross-validation folds the finalists were compared over (the test figures are over
    /// the winner's fold models); 1: retrains scored on dev (over its retrains).
    pub folds: u32,
    /// Fold models, or retrains, the test figures are over.
    pub runs: u32,
}

/// A search and its data, owned by the page (or a worker).
#[wasm_bindgen]
pub struct Nas {
    /// The data, generated or read by the host library, as the runner has it.
    data: Dataset,
    /// The search, its history (every reward and architecture, including those before a
    /// [`Nas::resume`]) and its controller losses.
    session: Box<dyn AnySession>,
    /// The records of this page session, for [`Nas::record_bits`]; the first is rollout
    /// `first_record` (0 unless resumed).
    records: Vec<Record>,
    first_record: u32,
    workspace: Box<Workspace>,
    /// The child with the best reward so far, as trained in its rollout (for the heatmap).
    best: Option<Box<Network>>,
    /// The network the finished search saved, as `network.json` has it, and its test metrics.
    saved: Option<(NetworkFile, Arch, Metrics)>,
    /// The schedule of helper workers, once [`Nas::speculate`] turned it on.
    pipeline: Option<Box<dyn pipeline::AnyPipeline>>,
    /// The finish's runs brought back by helper workers, once [`Nas::final_tasks`] was asked.
    replay: Option<Box<Replay>>,
    /// Trains the children this handle trains outside its search's own steps (a helper's
    /// tasks, the awaited child of a pipeline, the best child again for the heatmap, a
    /// table's rows).
    trainer: Box<piconas_core::Trainer>,
    /// The settings the search was made with (a table's fingerprint is of some of them).
    settings: piconas_core::Settings,
    /// The whole-space table the search is shown against ([`Nas::use_table`]).
    table: Option<Box<piconas::regret::Lookup>>,
    /// The table being made on the page ([`Nas::start_table`]).
    making: Option<Box<table::Making>>,
}

/// A JS `Error` carrying `message`.
fn js_error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

impl Nas {
    /// The best reward so far.
    fn best_reward(&self) -> Option<f32> {
        self.session.history().best().map(|(reward, _)| reward)
    }

    /// Keeps `record`, which the session has observed, among this page session's records;
    /// whether it beat `before`, the best reward before it (the caller then keeps its
    /// network for the heatmap).
    fn kept(&mut self, record: Record, before: Option<f32>) -> bool {
        self.records.push(record);
        before.is_none_or(|b| record.reward > b)
    }

    /// A new search of checked settings, on the data they generate.
    fn of(s: &piconas_core::Settings) -> Result<Nas, JsValue> {
        let data = Dataset::generate(s.data).map_err(settings::error)?;
        Nas::on(s, data)
    }

    /// A new search of checked settings on `data` (checked when it was made).
    fn on(s: &piconas_core::Settings, data: Dataset) -> Result<Nas, JsValue> {
        data.split().map_err(settings::data_error)?;
        let config = data.configure(s.search);
        let session = s.hidden.dispatch(Start(config)).map_err(settings::error)?;
        Ok(Nas {
            data,
            session,
            records: Vec::new(),
            first_record: 0,
            workspace: Box::default(),
            best: None,
            saved: None,
            pipeline: None,
            replay: None,
            trainer: Box::default(),
            settings: *s,
            table: None,
            making: None,
        })
    }

    /// What the frontier is sorted and drawn by: the search's cost, or on a part the
    /// deployed network's flash (the core's `SearchConfig::frontier_axis`).
    fn axis(&self) -> piconas_core::frontier::Axis {
        self.session.config().frontier_axis()
    }

    /// Every architecture seen, sorted and marked (see the core's `frontier::mark`).
    fn marked(&self) -> Vec<Seen> {
        self.session.history().marked(self.axis())
    }
}

/// The heatmap's colours: class 0 orange, class 1 blue (must match the first two of
/// `CLASS_COLOURS` in www/draw.js, the points' colours).
const CLASS0: [f32; 3] = [232.0, 113.0, 10.0];
const CLASS1: [f32; 3] = [26.0, 115.0, 232.0];

/// `P(class 1) = p` as a colour: white at ½, towards the likelier class's colour as `p` nears
/// 0 or 1 (at most 55 % of the way, so the points stay visible on it).
fn colour(p: f32) -> [u8; 3] {
    let t = (p - 0.5).abs() * 2.0;
    let c = if p < 0.5 { CLASS0 } else { CLASS1 };
    c.map(|v| (255.0 + (v - 255.0) * t * 0.55).round() as u8)
}

/// The split of a handle's data (checked when the handle was made; it never changes).
fn split_of(data: &Dataset) -> Split<'_> {
    let empty = piconas_core::Rows::empty(data.shape);
    data.split().unwrap_or(Split {
        train: empty,
        dev: empty,
        test: empty,
        learn: empty,
    })
}

#[wasm_bindgen]
impl Nas {
    /// A new search from a settings object (missing fields take their defaults). Throws an
    /// `Error` naming the first invalid setting.
    #[wasm_bindgen(constructor)]
    pub fn new(settings: JsValue) -> Result<Nas, JsValue> {
        Nas::of(&settings::from_js(&settings)?)
    }

    /// A new search on the CSV data `csv` (a file's bytes, called `name` in messages), read
    /// by the runner's own reader: the label column `label` (a header name or a 1-based
    /// index; the last column if `undefined`), split stratified with `splitSeed` (or in file
    /// order if `inOrder`), standardised as the runner does by default. Throws an `Error`
    /// with the runner's message for bad data (its `field` is `data`).
    #[wasm_bindgen(js_name = withData)]
    pub fn with_data(
        settings: JsValue,
        name: &str,
        csv: &[u8],
        label: Option<String>,
        in_order: bool,
        split_seed: u64,
    ) -> Result<Nas, JsValue> {
        let s = settings::from_js(&settings)?;
        let options = CsvOptions {
            label: label.map_or(LabelColumn::Last, LabelColumn::Named),
            split: if in_order {
                SplitMode::InOrder
            } else {
                SplitMode::Stratified
            },
            split_seed,
            ..CsvOptions::default()
        };
        // The reader's message belongs beside the page's file field.
        let data = Dataset::read(name, csv, &options).map_err(settings::data_error)?;
        Nas::on(&s, data)
    }

    /// Features per row and classes: `[d, k]`.
    pub fn shape(&self) -> Vec<u32> {
        vec![
            self.data.shape.inputs() as u32,
            self.data.shape.classes() as u32,
        ]
    }

    /// The classes' names, in class order.
    pub fn classes(&self) -> Vec<String> {
        self.data.classes.clone()
    }

    /// The feature columns' names.
    pub fn features(&self) -> Vec<String> {
        self.data.features.clone()
    }

    /// Runs up to `n` rollouts (with a pipeline on, training here what no helper has
    /// brought back yet).
    pub fn step(&mut self, n: u32) -> Progress {
        if self.pipeline.is_some() {
            for _ in 0..n {
                if !self.step_here() {
                    break;
                }
            }
            return self.progress();
        }
        for _ in 0..n {
            let before = self.best_reward();
            let Some(record) = self.session.step(&split_of(&self.data)) else {
                break;
            };
            if self.kept(record, before) {
                let best = self.best.get_or_insert_with(Box::default);
                self.session.copy_last_child(best);
            }
        }
        self.progress()
    }

    /// Where the search stands.
    pub fn progress(&self) -> Progress {
        let s = &self.session;
        Progress {
            completed: s.completed(),
            rollouts: s.config().rollouts,
            done: s.is_done(),
            last_reward: s.history().rewards().last().copied().unwrap_or(f32::NAN),
            best_reward: self.best_reward().unwrap_or(f32::NAN),
            beta: s.beta(),
        }
    }

    /// Rewards of rollouts `from..` (a copy).
    pub fn rewards(&self, from: u32) -> Vec<f32> {
        let rewards = self.session.history().rewards();
        rewards[(from as usize).min(rewards.len())..].to_vec()
    }

    /// The controller's loss on each rollout from `from` on (the core's `Record::loss`, as
    /// the session keeps them); NaN for the rollouts of a search resumed from a kept state
    /// that saved none (the page's before it kept them).
    pub fn losses(&self, from: u32) -> Vec<f32> {
        let losses = self.session.losses();
        losses[(from as usize).min(losses.len())..].to_vec()
    }

    /// Rollout `index` as one line of exact bits (see `Record::bits` in the core), or
    /// `undefined` if it has not run in this session (a resumed search holds the records from
    /// where it resumed).
    #[wasm_bindgen(js_name = recordBits)]
    pub fn record_bits(&self, index: u32) -> Option<String> {
        let at = index.checked_sub(self.first_record)?;
        self.records.get(at as usize).map(|r| r.bits().to_string())
    }

    /// The points to draw, two coordinates each, in split order: the features themselves for
    /// two (`x0, y0, x1, y1, …` on the moons), else their projection onto the first two
    /// principal components (`piconas::data::projection`).
    pub fn points(&self) -> Vec<f32> {
        piconas::data::projection(&self.data.x, self.data.shape.inputs())
    }

    /// The class of each point.
    pub fn labels(&self) -> Vec<u8> {
        self.data.labels.clone()
    }

    /// `[train, dev, test]` sizes: the points are in that order.
    #[wasm_bindgen(js_name = splitSizes)]
    pub fn split_sizes(&self) -> Vec<u32> {
        let s = split_of(&self.data);
        [s.train.len(), s.dev.len(), s.test.len()]
            .map(|n| n as u32)
            .to_vec()
    }

    /// The architecture with the best reward so far (`undefined` before the first rollout).
    #[wasm_bindgen(js_name = bestArch)]
    pub fn best_arch(&self) -> Option<String> {
        self.best.as_ref().map(|n| n.arch().to_string())
    }

    /// The decision heatmap as pixels: [`Nas::heatmap`]'s grid drawn orange (class 0)
    /// through white to blue (class 1), the more saturated the surer, top row at `y1`.
    /// `undefined` when there is no heatmap (see [`Nas::heatmap`]).
    #[wasm_bindgen(js_name = heatmapImage)]
    pub fn heatmap_image(
        &mut self,
        nx: u32,
        ny: u32,
        x0: f32,
        x1: f32,
        y0: f32,
        y1: f32,
    ) -> Option<web_sys::ImageData> {
        let p = self.heatmap(nx, ny, x0, x1, y0, y1);
        if p.is_empty() {
            return None;
        }
        let mut rgba = vec![255u8; p.len() * 4];
        for (j, row) in p.chunks_exact(nx as usize).enumerate() {
            let top = ny as usize - 1 - j; // grid row 0 is y0, the bottom
            for (i, &v) in row.iter().enumerate() {
                let o = 4 * (top * nx as usize + i);
                rgba[o..o + 3].copy_from_slice(&colour(v));
            }
        }
        // Copied into a JS array: an ImageData made from a slice would view wasm memory (not
        // transferable, and reused once the Vec is freed).
        let pixels = js_sys::Uint8ClampedArray::from(&rgba[..]);
        web_sys::ImageData::new_with_js_u8_clamped_array_and_sh(&pixels, nx, ny).ok()
    }

    /// `P(class 1)` of the best network so far on an `nx × ny` grid over
    /// `[x0, x1] × [y0, y1]`, row by row from `y0`, each cell sampled at its centre. Empty
    /// before the first rollout, for more than 512 × 512 cells, or for data other than two
    /// features and two classes.
    pub fn heatmap(&mut self, nx: u32, ny: u32, x0: f32, x1: f32, y0: f32, y1: f32) -> Vec<f32> {
        if nx.saturating_mul(ny) > MAX_GRID_CELLS {
            return Vec::new();
        }
        let Some(net) = &self.best else {
            return Vec::new();
        };
        if net.shape() != piconas_core::Shape::MOONS {
            return Vec::new(); // a plane of two features, two classes only
        }
        let (dx, dy) = ((x1 - x0) / nx as f32, (y1 - y0) / ny as f32);
        let points: Vec<f32> = (0..ny)
            .flat_map(|j| {
                (0..nx).flat_map(move |i| [x0 + (i as f32 + 0.5) * dx, y0 + (j as f32 + 0.5) * dy])
            })
            .collect();
        let mut both = vec![0.0; points.len()];
        net.probabilities(&mut self.workspace, &points, &mut both);
        both.chunks_exact(2).map(|p| p[1]).collect()
    }

    /// The controller's token probabilities along its most likely sequence: 6 steps × 10
    /// tokens, row by row (rows past the sequence's end are zero). Token order: 1, 2, 4, 8,
    /// 16, Sigmoid, Tanh, ReLU, LeakyReLU, EOS.
    pub fn policy(&self) -> Vec<f32> {
        self.session.greedy().1
    }

    /// The controller's most likely architecture.
    #[wasm_bindgen(js_name = greedyArch)]
    pub fn greedy_arch(&self) -> String {
        self.session.greedy().0.to_string()
    }

    /// The Bayes-optimal accuracy on the test split: the ceiling for every accuracy shown
    /// (NaN for data read from a file, whose ceiling is unknown).
    #[wasm_bindgen(js_name = bayesTest)]
    pub fn bayes_test(&self) -> f32 {
        match &self.data.generated {
            Some(config) => bayes::accuracy(config, &split_of(&self.data).test),
            None => f32::NAN,
        }
    }

    /// The accuracy/size frontier (see the core's `frontier` module): for every distinct
    /// architecture seen, cheapest first on [`Nas::frontier_unit`]'s axis, four numbers —
    /// cost (multiply-adds, parameters, or on a part bytes of flash), mean dev accuracy, times
    /// sampled, 1 if on the frontier.
    pub fn frontier(&self) -> Vec<f32> {
        let axis = self.axis();
        self.marked()
            .iter()
            .flat_map(|p| {
                [
                    axis.of(&p.arch) as f32,
                    p.mean_accuracy() as f32,
                    p.samples as f32,
                    f32::from(u8::from(p.frontier)),
                ]
            })
            .collect()
    }

    /// The frontier's axis, for the chart: "multiply-adds per sample", "parameters", or on a
    /// part "bytes of flash on the part".
    #[wasm_bindgen(js_name = frontierUnit)]
    pub fn frontier_unit(&self) -> String {
        self.axis().unit().into()
    }

    /// The architectures on the frontier, in [`Nas::frontier`]'s order.
    #[wasm_bindgen(js_name = frontierArchs)]
    pub fn frontier_archs(&self) -> Vec<String> {
        self.marked()
            .iter()
            .filter(|p| p.frontier)
            .map(|p| p.arch.to_string())
            .collect()
    }

    /// The search's history (every reward, the best, and every architecture seen) as
    /// bytes for [`Nas::resume`]: the host library's one persisted form, also the runner's
    /// `history.bin`.
    pub fn history(&self) -> Vec<u8> {
        self.session.history().encode()
    }

    /// The search's checkpoint (see the core's `checkpoint` module), or `undefined` between the
    /// proposals of one controller update (with `rolloutsPerUpdate` > 1).
    pub fn checkpoint(&self) -> Option<Vec<u8>> {
        self.session.save(split_of(&self.data).fingerprint())
    }

    /// The weights of the best network so far (`undefined` before the first rollout); with
    /// [`Nas::best_arch`], what [`Nas::resume`] needs to redraw the heatmap.
    #[wasm_bindgen(js_name = bestWeights)]
    pub fn best_weights(&self) -> Option<Vec<f32>> {
        self.best.as_ref().map(|n| n.weights().to_vec())
    }

    /// A search continued from `checkpoint` (of a search with these `settings`), with its
    /// [`Nas::history`], the best network's architecture and weights, and its controller
    /// [`Nas::losses`] from 0, as the page saved them (`undefined` losses, as a page before
    /// it kept them saved, read as NaN). Throws an `Error` naming the problem if any of them
    /// does not fit.
    pub fn resume(
        settings: JsValue,
        checkpoint: &[u8],
        history: &[u8],
        best_arch: Option<String>,
        best_weights: Option<Vec<f32>>,
        losses: Option<Vec<f32>>,
    ) -> Result<Nas, JsValue> {
        let saved =
            |what: String| JsValue::from(js_sys::Error::new(&format!("saved search: {what}")));
        let s = settings::from_js(&settings)?;
        let mut nas = Nas::of(&s)?;
        let history = History::decode(history).map_err(|e| saved(e.to_string()))?;
        let losses = losses.unwrap_or_else(|| vec![f32::NAN; history.len()]);
        let restore = Restore {
            config: nas.session.config(),
            checkpoint,
            data: split_of(&nas.data).fingerprint(),
            history,
            losses,
        };
        nas.session = s.hidden.dispatch(restore).map_err(saved)?;
        nas.first_record = nas.session.completed();
        if let (Some(arch), Some(weights)) = (best_arch, best_weights) {
            let network =
                |e: String| JsValue::from(js_sys::Error::new(&format!("saved network: {e}")));
            let arch: Arch = arch.parse().map_err(|e| network(format!("{e}")))?;
            let network =
                Network::new(arch, nas.data.shape, &weights).map_err(|e| network(e.to_string()))?;
            nas.best = Some(Box::new(network));
        }
        Ok(nas)
    }

    /// Retrains the finalists and reports the winner's test accuracy beside the Bayes ceiling;
    /// then the saved network is ready for [`Nas::export`]. After [`Nas::final_tasks`], from
    /// the runs helpers brought back (any missing trained here).
    pub fn finish(&mut self) -> Finish {
        let finished = match self.finish_replayed() {
            Some(finished) => finished,
            None => self.session.finish(&self.data, &split_of(&self.data)),
        };
        let Finished {
            winner,
            file,
            metrics,
            ..
        } = finished;
        let (report, test) = (winner.report, metrics.accuracy());
        self.saved = Some((file, report.winner, metrics));
        Finish {
            winner: report.winner.to_string(),
            dev_mean: report.dev_mean,
            test,
            members: winner.members.len() as u32,
            test_mean: report.test_mean,
            test_min: report.test_min,
            test_max: report.test_max,
            bayes: self.bayes_test(),
            folds: report.folds,
            runs: report.retrains,
        }
    }

    /// The saved network of a finished search (after [`Nas::finish`]) in the format called
    /// `format` (see [`export_formats`]): the bytes `piconas export` writes for the same run.
    pub fn export(&self, format: &str) -> Result<Vec<u8>, JsValue> {
        let (file, arch, _) = self
            .saved
            .as_ref()
            .ok_or_else(|| js_error("no saved network yet: finish the search first"))?;
        let format = Format::from_name(format)
            .ok_or_else(|| js_error(&format!("unknown export format {format:?}")))?;
        let rows = Rows::train_only(split_of(&self.data).train.features().to_vec());
        match deploy::emit(file, *arch, format, &rows) {
            Ok(Export {
                output: Output::File(bytes),
                ..
            }) => Ok(bytes),
            Ok(_) => Err(js_error(&format!("format {format:?} is a folder"))),
            Err(e) => Err(js_error(&e.to_string())),
        }
    }
}

#[wasm_bindgen]
impl Nas {
    /// The saved network's test confusion matrix, `k × k` row by row (true class, then
    /// predicted), after [`Nas::finish`]; empty before.
    pub fn confusion(&self) -> Vec<u32> {
        self.saved
            .as_ref()
            .map_or_else(Vec::new, |(_, _, m)| m.confusion.concat())
    }

    /// Each class's test recall after [`Nas::finish`] (`NaN` for a class the test split
    /// lacks); empty before.
    pub fn recall(&self) -> Vec<f32> {
        self.saved.as_ref().map_or_else(Vec::new, |(_, _, m)| {
            m.recall()
                .into_iter()
                .map(|r| r.unwrap_or(f32::NAN))
                .collect()
        })
    }
}

/// A data file's label choices (the header's names, or the column numbers), read as the
/// runner reads the file; throws the runner's message for a bad file.
#[wasm_bindgen(js_name = csvColumns)]
pub fn csv_columns(name: &str, csv: &[u8]) -> Result<Vec<String>, JsValue> {
    piconas::data::columns(name, csv).map_err(settings::data_error)
}

/// The export formats the page offers, as `[name, file name]` pairs: `["json",
/// "network.json"]`, … The library's table, less what needs rows the page does not keep (its
/// data is standardised, so the raw test split is not at hand): `Format::offered`.
#[wasm_bindgen(js_name = exportFormats)]
pub fn export_formats() -> js_sys::Array {
    Format::offered(Needs::Train)
        .map(|f| js_sys::Array::of2(&f.name.into(), &f.file.into()))
        .collect()
}
