//! Golden records: the first rollouts of the default search, seed 0, pinned bit for bit.
//!
//! Any change to the numbers a seed produces (math, random streams, summation order) shows up
//! here first. The same table is what the wasm build and the firmware must reproduce. If a
//! change is intended, say so in the commit and paste the new table printed by the failure.

use piconas_core::{MoonsConfig, Sample, Search, SearchConfig, Split, moons};

/// `index arch reward-bits epochs entropy-bits baseline-bits`
const EXPECTED: &str = "\
0 [1, 8, 1, 4, LeakyReLU, 1] 3f5c28f6 19 415cb884 3f5c28f6
1 [Tanh, ReLU, 2, 16, LeakyReLU, 16] 3f6147ae 28 415cfc9f 3f5c28f6
2 [Tanh, 16] 3f570a3d 13 40dcdbd2 3f5c6a80
3 [] 3f59999a 18 40134a3d 3f5c25b0
4 [16, 16, 1, LeakyReLU, 16, ReLU] 3f5c28f6 12 415b6d37 3f5c0515
5 [LeakyReLU, 2, Sigmoid, Tanh, ReLU, ReLU] 3f547ae1 11 415afb3c 3f5c06e0
6 [16, 8, 16, 4, LeakyReLU, 16] 3f5eb852 15 415a571d 3f5ba647
7 [4, LeakyReLU, 4, 16, ReLU, ReLU] 3f7ae148 24 4158edd8 3f5bcd94
8 [Tanh, 2, 8] 3f570a3d 13 41115192 3f5d5b5d
9 [4, 2, 4, 2, Sigmoid, 2] 3f5c28f6 14 415655ae 3f5d0a82
10 [ReLU, Tanh, Sigmoid, ReLU, LeakyReLU, 1] 3f547ae1 27 41550998 3f5cff3c
11 [Tanh, ReLU, 16, 8] 3f570a3d 20 41304242 3f5c9238
";

#[test]
fn first_rollouts_of_seed_0_are_pinned() {
    let mut data = vec![Sample::default(); 1000];
    moons::generate_config(&MoonsConfig::default(), &mut data).unwrap();
    let config = SearchConfig {
        rollouts: 12,
        ..SearchConfig::default()
    };
    let mut search: Box<Search<'_, 64>> =
        Box::new(Search::new(config, Split::new(&data).unwrap()).unwrap());
    let got: String = std::iter::from_fn(|| search.step())
        .map(|r| {
            format!(
                "{} {} {:08x} {} {:08x} {:08x}\n",
                r.index,
                r.arch,
                r.reward.to_bits(),
                r.epochs,
                r.entropy.to_bits(),
                r.baseline.to_bits()
            )
        })
        .collect();
    assert!(
        got == EXPECTED,
        "the seed-0 records changed; new table:\n{got}"
    );
}
