//! The host layer every front end with `std` shares (the `piconas` binary, the page's wasm
//! handle, the tests and the fuzz targets): the bounded data reader with its split and
//! standardisation, the search history, the network file, prediction and metrics.

pub mod c_header;
pub mod data;
pub mod failure;
pub mod history;
pub mod metrics;
pub mod model;
pub mod predict;
