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

/// The first 12 records of the default search (seed 0), pinned (`tests/golden.rs`): `index
/// arch reward epochs entropy log_prob baseline beta`, floats as bits (`--print-records`).
pub const SEED_0: &str = "\
0 [1, 8, 1, 4, LeakyReLU, 1] 3f5c28f6 19 415cb884 c15d8816 3f5c28f6 3c23d70a
1 [Tanh, ReLU, 2, 16, LeakyReLU, 16] 3f6147ae 28 415cfc9f c15affe8 3f5c28f6 3c22339c
2 [Tanh, 16] 3f570a3d 13 40dcdbd2 c0dab844 3f5c6a80 3c209460
3 [] 3f59999a 18 40134a3d c016ad50 3f5c25b0 3c1ef94b
4 [16, 16, 1, LeakyReLU, 16, ReLU] 3f5c28f6 12 415b6d37 c150ddf9 3f5c0515 3c1d6252
5 [LeakyReLU, 2, Sigmoid, Tanh, ReLU, ReLU] 3f547ae1 11 415afb3c c1562d18 3f5c06e0 3c1bcf6b
6 [16, 8, 16, 4, LeakyReLU, 16] 3f5eb852 15 415a571e c14fbd2e 3f5ba647 3c1a408b
7 [4, LeakyReLU, 4, 16, ReLU, ReLU] 3f7ae148 24 4158edd8 c1564e3c 3f5bcd94 3c18b5a8
8 [Tanh, 2, 8] 3f570a3d 13 41115191 c11f2dd0 3f5d5b5d 3c172eb8
9 [4, 2, 4, 2, Sigmoid, 2] 3f5c28f6 14 415655ae c16099ca 3f5d0a82 3c15abb1
10 [ReLU, Tanh, Sigmoid, ReLU, LeakyReLU, 1] 3f547ae1 27 41550998 c162a8b2 3f5cff3c 3c142c89
11 [Tanh, ReLU, 16, 8] 3f570a3d 20 41304244 c146d3a4 3f5c9238 3c12b136
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
