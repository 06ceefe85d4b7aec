//! The host runner's reusable parts: the data loader and the error type, shared by the
//! `piconas` binary, its tests and the fuzz targets (tests/fuzz).

pub mod data;
pub mod failure;
pub mod history;
