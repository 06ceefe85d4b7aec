//! The host layer every front end with `std` shares (the `piconas` binary, the page's wasm
//! handle, the tests and the fuzz targets): the bounded data reader with its split and
//! standardisation, the search history, the network file, prediction and metrics.

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
