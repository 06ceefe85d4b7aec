//! The host layer every front end with `std` shares (the `piconas` binary, the page's wasm
//! handle, the tests and the fuzz targets): the bounded data reader with its split and
//! standardisation, the search history, the network file, prediction and metrics.

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
pub mod deploy;
pub mod failure;
pub mod fit;
pub mod frontier;
pub mod history;
pub mod int8;
#[cfg(feature = "threads")]
pub mod kernel;
pub mod metrics;
pub mod model;
pub mod onnx;
pub mod output;
#[cfg(feature = "threads")]
pub mod parallel;
#[cfg(feature = "threads")]
pub mod pipeline;
pub mod predict;
pub mod spec;
pub mod svg;
