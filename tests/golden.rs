//! Golden records: the first rollouts of the default search, seed 0, pinned bit for bit.
//!
//! Any change to the numbers a seed produces (math, random streams, summation order) shows up
//! here first. The same table is what the wasm build and the firmware must reproduce. If a
//! change is intended, say so in the commit and paste the new table printed by the failure.

mod common;

use piconas_core::SearchConfig;

/// `index arch reward epochs entropy log_prob baseline beta` (floats as bits).
const EXPECTED: &str = "\
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

#[test]
fn first_rollouts_of_seed_0_are_pinned() {
    let config = SearchConfig {
        rollouts: 12,
        ..SearchConfig::default()
    };
    let (records, _) = common::run(config, &common::moons_data());
    let got: String = records.iter().map(common::record_line).collect();
    assert!(
        got == EXPECTED,
        "the seed-0 records changed; new table:\n{got}"
    );
}
