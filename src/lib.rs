//! # piconas (the host library)
//!
//! The host layer every front end with `std` shares: the `piconas` binary (`src/cli/`), the
//! page's wasm handle (`wasm/`), the Python package (`python/`), the tests and the fuzz
//! targets. The search itself is the core's (`piconas-core`, `no_std`); this crate gives it
//! files, threads and formats. Editing a module here changes every front end; editing
//! `src/cli/` changes the command line only.
//!
//! ## The layers, bottom first
//!
//! ```text
//!  foundations ► data ► networks ► emitters ► formats ► runs ► space ► threads ► session ► front ends
//!  (errors,       (CSV,  (network.json,(C, int8 C, (the export (run dir,(the whole (parallel,(one search (fit)
//!   file names,    split, predict,      ONNX, Rust, table,      settings, space,     pipeline) for every
//!   metrics…)      scaling) int8)       Arduino)    footprints) charts)   trained)            front end)
//! ```
//!
//! A module imports only from its own layer and the ones below; `.ci/imports.py` checks it
//! (and that no two modules import each other) in CI, and a new module must be given its
//! layer there.
//!
//! ### Foundations
//! The errors are values: [`data_error`] for data (files, new rows, a run's data),
//! [`file_errors`] for settings files, network files and exports, gathered in [`failure`]
//! (with the run directory's one-line refusals, I/O failures and bugs, and each one's exit
//! code); where one refers to something the user sets, each front end names it in its own
//! [`words`] (the command line its flags, the page its fields, Python its parameters), so no
//! library message names a flag. [`run_files`] names every
//! file of a run directory once; [`metrics`] the confusion matrix, recall and balanced
//! accuracy; [`history`] what a search has done, record by record (the input of every chart
//! and table); [`svg`] the rewards chart; `kernel` picks the widest vector width the CPU has
//! for child training (with threads only).
//!
//! ### Data ([`data`])
//! The generated sets and the bounded CSV reader (header rule, labels, limits), the
//! stratified 70/10/20 split, the standardisation, and the data's fingerprint with its names.
//!
//! ### Networks ([`model`], [`predict`], [`layers`], [`int8`])
//! [`model::NetworkFile`] is `network.json`, what every consumer reads; [`predict`] applies it
//! to new rows; [`layers::Model`] is the same network walked layer by layer, the input of
//! every emitter; [`int8`] quantises it and is the integer reference the int8 C must match.
//!
//! ### Emitters ([`memory`], [`c_header`], [`c_int8`], [`onnx`], [`arduino`], [`rust_source`])
//! Each writes a network in one format, with every name escaped for where it is written;
//! [`memory`] is the bytes of flash and stack the C headers state, from the architecture
//! alone (the whole-space table's byte column).
//!
//! ### Formats ([`deploy`])
//! [`deploy::Format::ALL`], the one table of export formats (the command line's `--format`
//! and its help, the page's downloads, Python's `export`), [`deploy::emit`], the one place a
//! format is made, and a deployed network's footprint (bytes of constants and stack, float
//! and int8 accuracy).
//!
//! ### Runs ([`output`], [`spec`], [`frontier`])
//! [`output`] owns the run directory (lock, atomic writes, checked output paths, full
//! streams); [`spec`] is a run's definition (`settings.json`: settings, data, cache);
//! [`frontier`] its accuracy/size frontier table and chart.
//!
//! ### The whole space ([`space_table`])
//! Every canonical architecture (the core's `space`) trained under a search's reward
//! protocol, once per child seed: the table `piconas enumerate` makes, its bytes, shards and
//! merge, and its CSV.
//!
//! ### Threads (`parallel`, `pipeline`, `final_runs`)
//! With the `threads` feature: several children trained at once, and speculative pipelining,
//! each giving the records of one thread bit for bit. Without it, [`final_runs::Replay`] plays
//! the finish over runs trained elsewhere (the page's helper workers), the same bits.
//!
//! ### The session ([`session`])
//! [`session::Session`] is one search as every front end runs it: started or restored,
//! stepped or run on threads, each record observed once into the history and the loss
//! column, and finished the one way a network is saved ([`session::Winner`]). The runner,
//! `compare`, `bench`, Python and the page's handle drive one (the page through the core's
//! pipeline with its own helper workers).
//!
//! ### Front ends (`fit`)
//! A whole search held in memory, for the front ends without a run directory (Python).

// Unsafe only where `kernel` calls the core's AVX trainers after detecting the CPU's
// features (allowed there alone, each call with its SAFETY note).
#![deny(unsafe_code)]
#![warn(
    missing_docs,
    rust_2018_idioms,
    trivial_numeric_casts,
    unused_qualifications
)]

pub mod arduino;
pub mod c_header;
pub mod c_int8;
pub mod data;
pub mod data_error;
pub mod deploy;
pub mod failure;
pub mod file_errors;
pub mod final_runs;
#[cfg(feature = "threads")]
pub mod fit;
pub mod frontier;
pub mod history;
pub mod int8;
#[cfg(feature = "threads")]
pub mod kernel;
pub mod layers;
pub mod memory;
pub mod metrics;
pub mod model;
pub mod onnx;
pub mod output;
#[cfg(feature = "threads")]
pub mod parallel;
#[cfg(feature = "threads")]
pub mod pipeline;
pub mod predict;
pub mod regret;
pub mod run_files;
pub mod rust_source;
pub mod session;
pub mod space_table;
pub mod spec;
pub mod svg;
pub mod words;
