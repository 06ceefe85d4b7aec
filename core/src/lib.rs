//! # piconas-core
//!
//! Neural architecture search small enough to run on a microcontroller: a GRU controller
//! samples multilayer perceptrons as token sequences, each child is trained on the data and
//! its dev accuracy is the reward, and REINFORCE teaches the controller to sample better
//! children. `#![no_std]`, no allocator: every buffer is a fixed array sized by the named
//! constants below, so a search fits in a static and runs the same on a host, in a browser
//! and on a Cortex-M.
//!
//! ## The data flow
//!
//! ```text
//!  data ──► arch ──► mlp/train ──► reward ──► reinforce ──► controller ──► next arch
//!  (moons…,  (tokens)  (child net,            (baseline,     (GRU policy)
//!   split)              Adam, early stop)      entropy, Adam)
//!                            └─────────────── search (drives the loop, keeps finalists)
//! ```
//!
//! ### Data ([`sample`], [`datasets`], [`bayes`])
//! A data set is [`Rows`]: `n` rows of `d` features (row-major, one `&[f32]`) and a class each
//! (`&[u8]`), storage the caller owns (static arrays on a chip, `Vec`s from a CSV on a host),
//! checked once and cut in order into train/dev/test (70/10/20) by [`Split::new`]. Its
//! [`Shape`] — `d` features (1 to [`MAX_INPUTS`]), `k` classes (2 to [`MAX_CLASSES`]) — sizes
//! each child's first and last layer; the capacities are compile-time, `d` and `k` run-time.
//! [`datasets`] generates two moons (scikit-learn-style), circles, XOR or spirals; [`bayes`]
//! computes the accuracy of the Bayes-optimal classifier on a split, the ceiling to read every
//! accuracy against.
//!
//! ### Architectures ([`arch`])
//! A child is up to [`MAX_TOKENS`] tokens: widths 1–16 add linear layers, Sigmoid, Tanh,
//! ReLU and LeakyReLU apply to the current features, EOS stops; an output layer of `k` follows.
//!
//! ### Child networks ([`mlp`], [`adam`], [`train`])
//! [`mlp::Layout`] turns an [`Arch`] and a [`Shape`] into ops over one flat parameter array;
//! batches are feature-major so inner loops vectorise. The loss is softmax cross-entropy over
//! the `k` logits (with two classes, the sigmoid of their difference). [`Trainer`] runs mini-batch Adam with
//! early stopping and returns an [`Outcome`] whose reward is the dev accuracy of the epoch it
//! keeps (by default the one of lowest dev loss), with an optional L2 penalty on the weights
//! and a floor on the gradient steps, so that a child of a small data set (a few batches an
//! epoch) is trained as long as one of the moons; [`Network`] is a trained child
//! (architecture and weights), to classify with or export, and [`ensemble`] classifies with
//! several of one architecture (the winner's fold models) by their mean logits.
//!
//! ### The controller ([`gru`], [`policy`])
//! A GRU cell (PyTorch's `GRUCell` equations) reads the previous token and a linear head gives
//! the next token's logits. [`Policy`] samples an architecture, recording a [`Trajectory`],
//! and backpropagates through time the exact gradients of `Σ log π(aₜ)` and `Σ Hₜ`.
//!
//! ### Learning ([`reinforce`])
//! [`Reinforce`] turns rewards into a controller update: loss
//! `−(R − b)·Σ log π − β·Σ H`, with `b` a moving average of rewards and `β` decaying, applied
//! by Adam row by row straight from the trajectories (no gradient buffer).
//!
//! ### The search ([`search`])
//! [`Search`] owns all of the above for one run; the data is lent to each call. Each
//! [`Search::step`] is one rollout and returns a `Copy` [`Record`]; the caller drives the loop,
//! so a page or a firmware can interleave its own work, and a host can train a batch's children
//! on several threads through [`Search::propose`] and [`Search::report`]. On a small data set
//! (a dev split under 100 rows) each child is scored by 3-fold cross-validation instead of the
//! dev split. [`Search::finish`] cross-validates the finalists and reports the winner: the
//! smallest within one standard error of the best. A firmware keeps a whole
//! search in a static and [`Search::start`]s it in place. [`Strategy`] picks who proposes: the
//! controller, uniform random search (the baseline), or regularized evolution ([`evolution`]:
//! mutants of the best of a few of the latest architectures). With a cost weight λ the reward is
//! `accuracy − λ·cost` ([`Cost`]: multiply-adds or parameters, normalised to the largest
//! network), and [`frontier`] marks the accuracy/size frontier of what a search saw.
//!
//! ### Rungs ([`rungs`])
//! On a big file ([`config::AUTO_RUNG_ROWS`] train rows or more) a child first learns from the
//! first rows of the train split, and learns again from η times as many only if its dev score is
//! among the recent best 1/η on that rung, up to the whole split: successive halving. The bars
//! come from the last few hundred rollouts at most, at least [`rungs::RUNG_LAG`] + 1 back, and
//! travel with each [`Proposal`], so every schedule below trains a child with the same bars. A
//! firmware's build (`max-rungs-1`) has no rungs and no ladder.
//!
//! ### Speculation ([`speculate`])
//! A child's outcome depends only on its architecture and its rollout's random stream, so a
//! host with spare cores can train the children of the next rollouts before the controller
//! samples them, on a guess of their architecture ([`speculate::Guess`]: by default the
//! controller's own upcoming draws). [`speculate::Pipeline`] is the schedule every front end
//! drives (the runner's threads, the page's web workers), and its records are
//! [`Search::step`]'s bit for bit.
//!
//! ### Settings ([`settings`])
//! [`SETTINGS`] describes every setting a user can change once: its names on the command line,
//! in `settings.json` and on the page, its kind and range, how to read and write it in
//! [`Settings`]. [`Hidden`] is the controller's size, and [`Hidden::dispatch`] the one place a
//! size chosen at run time becomes the type `Search<H>`.
//!
//! ## The edges
//! ```text
//!                     core: SETTINGS, Search<H>, Network, checkpoint
//!                           │
//!       ┌───────────────────┼─────────────────────┬───────────────────────┐
//!   host runner (src/)     wasm/ + www/          firmware/              tests/
//!   flags ← SETTINGS       form ← settingsTable  Search<H> in .bss      golden records,
//!   spec.rs settings.json  Nas: a type-erased    (H fixed at build)     wasm == native,
//!   run.rs: start → live   search via dispatch   records over           chip == host
//!   → conclude → outcome   checkpoint in         semihosting
//!   → files, summary       localStorage
//! ```
//! Every edge reads settings through the table and numbers through the core, so one seed gives
//! the same records on each.
//!
//! A run's winner leaves as `network.json`; the host library walks its layers once
//! (`src/deploy.rs`) and every export format is an emitter over that walk: the float C header
//! (the core's activations written in C, same bits), the int8 header (`src/int8.rs` quantises
//! and is its integer reference), the Arduino library, ONNX, and Rust `const`s for firmware.
//!
//! ## Memory, in `d` and `k`
//! Every buffer is sized by the capacities `D` = [`MAX_INPUTS`] and `K` = [`MAX_CLASSES`]
//! (features `max-inputs-N`, `max-classes-N`; see [`arch`]), never by the data at run time:
//! - a child's parameters: `MAX_PARAMS = 16·(D + 1) + 5·17·16 + 17·K` floats (the largest
//!   child, six 16-unit layers), 1,442 at the moons' `D = K = 2`, 2,570 at the default 64/10;
//! - the batch [`mlp::Workspace`]: `128·(2·D + 96 + K + 16) + 128·max(16, D) + 36` bytes
//!   (17,188 at 2/2, 40,228 at 64/10);
//! - the [`Trainer`]: four parameter arrays (weights, best weights, Adam's two moments),
//!   `16·MAX_PARAMS` bytes, plus the workspace and a few dozen bytes (40,324 B at 2/2 on
//!   Cortex-M; hosts start each array on a 64-byte cache line, a few bytes more);
//! - a [`Network`]: `4·MAX_PARAMS` bytes and its layout; an [`ensemble`] is the caller's
//!   slice of them (one per member);
//! - regularized evolution's population: [`evolution::MAX_POPULATION`] members of 8 bytes
//!   (an architecture's number and its reward), 515 B with its counters, in every search;
//! - the data, the caller's: `n·(4·d + 1)` bytes for `n` rows of `d` features.
//!
//! The controller does not depend on `d` or `k` (its vocabulary is the same). So a search on
//! the moons built with `max-inputs-2` and `max-classes-2` is exactly as large as before the
//! capacities existed, and the default build pays about 41 KB more per trainer for 64 features
//! and 10 classes.
//!
//! ## Determinism
//! One seed gives the same bits on every target: all float transcendentals go through
//! [`math`] (libm, or its own branch-free functions built from IEEE basic operations), no
//! fused multiply-adds, every sum in a fixed order, and all randomness from [`rng::stream`]s
//! of one seeded xoshiro128++ family. Vectorising, at any width (SSE, AVX2 through
//! `Trainer::fit_avx2`, `Trainer::fit_avx512`, wasm SIMD), never reorders a sum, so it never
//! changes a bit.
//!
//! ## Panics
//! No function panics on its inputs (smoltcp's contract, kept the same way: no `unwrap` on
//! input, typed errors, capacity checked where data enters). The decoders that take outside
//! bytes — [`Arch::decode`], `Arch::from_str`, [`Search::restore`] — are fuzzed
//! (tests/fuzz), and property tests drive random configurations, architectures and learning
//! rates through the public API (core/tests/properties.rs). Configurations and data are validated into typed errors
//! ([`ConfigError`], [`DataError`], [`TokenError`], [`SearchError`]); after [`Search::new`] or
//! [`Search::start`] has accepted a configuration, stepping and finishing cannot panic, and a
//! child whose training diverges is reported with reward 0 instead of propagating NaN. Every
//! buffer index is bounded by the capacity constants by construction (parameters are
//! `[f32; MAX_PARAMS]`, layouts come only from [`Arch`]s).

#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![warn(
    missing_docs,
    rust_2018_idioms,
    trivial_numeric_casts,
    unused_qualifications
)]

pub mod adam;
pub mod arch;
pub mod bayes;
pub mod checkpoint;
pub mod config;
pub mod datasets;
pub mod ensemble;
pub mod evolution;
pub mod finalists;
pub mod frontier;
pub mod gru;
pub mod math;
pub mod memory;
pub mod mlp;
pub mod network;
pub mod policy;
pub mod reinforce;
pub mod rng;
pub mod rules;
pub mod rungs;
pub mod sample;
pub mod search;
pub mod settings;
pub mod shuffle;
pub mod space;
pub mod speculate;
pub mod standardize;
pub mod target;
#[cfg(test)]
mod testdata;
pub mod train;

pub use arch::{
    Activation, Arch, MAX_CLASSES, MAX_INPUTS, MAX_TOKENS, MAX_WIDTH, Shape, ShapeError, Token,
    TokenError,
};
pub use checkpoint::CheckpointError;
pub use config::{
    ChildConfig, ConfigError, ControllerConfig, Cost, DataConfig, Dataset, Hidden, Metric,
    SearchConfig, Strategy, WithHidden,
};
pub use network::{Network, NetworkError};
pub use policy::{DEFAULT_HIDDEN, Policy, Trajectory};
pub use reinforce::Reinforce;
pub use sample::{DataError, Fingerprint, Fold, Rows, Split};
pub use search::{Proposal, Record, Report, Search, SearchError};
pub use settings::{SETTINGS, Setting, Settings};
pub use train::{Climb, Outcome, Trainer};
