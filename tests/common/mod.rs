//! Helpers shared by the end-to-end tests.
#![allow(dead_code)] // each test crate uses its own subset

use piconas::data::Dataset;
use piconas_core::search::Record;
use piconas_core::{DataConfig, Search, SearchConfig};

/// The default data set: 1000 two-moons points, noise 0.2, data seed 0.
pub fn moons_data() -> Dataset {
    generated(piconas_core::Dataset::Moons)
}

/// `dataset` with the default size, noise and data seed, as a run generates it.
pub fn generated(dataset: piconas_core::Dataset) -> Dataset {
    let config = DataConfig {
        dataset,
        ..DataConfig::default()
    };
    Dataset::generate(config).unwrap()
}

/// A search as the runner builds it: a 64-unit controller, room for the largest batch.
pub type Runner = Search<64, { piconas_core::config::MAX_ROLLOUTS_PER_UPDATE }>;

/// Runs `config` to the end on `data` with a 64-unit controller.
pub fn run(config: SearchConfig, data: &Dataset) -> (Vec<Record>, Box<Runner>) {
    let split = data.split().unwrap();
    let mut search = Box::new(Search::new(config).unwrap());
    let records = std::iter::from_fn(|| search.step(&split)).collect();
    (records, search)
}

/// One record as a line (see `Record::bits`).
pub fn record_line(r: &Record) -> String {
    format!("{}\n", r.bits())
}
