//! Helpers shared by the end-to-end tests.
#![allow(dead_code)] // each test crate uses its own subset

pub mod cli;

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

/// The first 12 records of the default search (seed 0), pinned (`tests/golden.rs`): `index
/// arch reward epochs entropy log_prob baseline beta`, floats as bits (`--print-records`).
pub const SEED_0: &str = "\
0 [1, 8, 1, 4, LeakyReLU, 1] 3f59999a 18 415cb884 c15d8816 3f59999a 3c23d70a
1 [Tanh, ReLU, 2, 16, LeakyReLU, 16] 3f63d70a 48 415cfc9f c15affe8 3f59999a 3c22339c
2 [Tanh, 16] 3f570a3d 13 40dcdb74 c0da96a0 3f5a1cac 3c209460
3 [] 3f570a3d 29 4013473c c0160a77 3f59f559 3c1ef94b
4 [16, 16, 1, LeakyReLU, 16, ReLU] 3f59999a 28 415b5a8e c14fbe31 3f59cffe 3c1d6252
5 [LeakyReLU, 2, Sigmoid, Tanh, ReLU, ReLU] 3f51eb85 35 415adc58 c15702d7 3f59cd46 3c1bcf6b
6 [16, 8, 16, 8, LeakyReLU, 16] 3f7ae148 51 415a34fa c14fa082 3f596863 3c1a408b
7 [4, LeakyReLU, 4, 16, ReLU, ReLU] 3f7851ec 49 4157d1b9 c157ae2e 3f5b14d5 3c18b5a8
8 [Tanh, 2, 8] 3f570a3d 13 41106c2d c11e78ae 3f5c8b16 3c172eb8
9 [8, 2, 8, 4, Sigmoid, 2] 3f5c28f6 41 41528dee c1709beb 3f5c44a5 3c15abb1
10 [ReLU, Tanh, Sigmoid, ReLU, LeakyReLU, 2] 3f547ae1 43 414ef058 c15ec672 3f5c4342 3c142c89
11 [Tanh, LeakyReLU, 16, 16] 3f570a3d 15 412b4242 c12b4c03 3f5bdfa4 3c12b136
";

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
