//! Golden records: the first rollouts of seeded searches and their final reports, pinned bit
//! for bit.
//!
//! Any change to the numbers a seed produces (math, random streams, summation order) shows up
//! here first. The default table is also what the wasm build and the firmware must reproduce.
//! The other cases pin what only they exercise: batched updates, the cost penalty, random
//! search, each data set, and the finalists' retraining that picks the winner. If a change is
//! intended, say so in the commit and paste the new tables printed by the failure.

mod common;

use piconas_core::search::Report;
use piconas_core::{ControllerConfig, Cost, Dataset, SearchConfig, Strategy};

#[test]
fn first_rollouts_of_seed_0_are_pinned() {
    let config = SearchConfig {
        rollouts: 12,
        ..SearchConfig::default()
    };
    let (records, _) = common::run(config, &common::moons_data());
    let got: String = records.iter().map(common::record_line).collect();
    assert!(
        got == common::SEED_0,
        "the seed-0 records changed; new table:\n{got}"
    );
}

/// The final report as one line: `winner dev_mean test_mean test_min test_max winner_retrain`
/// then each finalist's `arch dev_mean` (floats as bits).
fn report_line(r: &Report) -> String {
    let mut line = format!(
        "report {} {:08x} {:08x} {:08x} {:08x} {}",
        r.winner,
        r.dev_mean.to_bits(),
        r.test_mean.to_bits(),
        r.test_min.to_bits(),
        r.test_max.to_bits(),
        r.winner_retrain
    );
    for f in &r.finalists {
        line += &format!(" | {} {:08x}", f.arch, f.dev_mean.to_bits());
    }
    line + "\n"
}

/// Eight rollouts of `config` on `dataset` (at most 20 epochs a child, three finalists
/// compared by 5-fold cross-validation, or retrained twice with one fold): the records, then
/// the report.
fn case(dataset: Dataset, change: impl FnOnce(&mut SearchConfig)) -> String {
    let mut config = SearchConfig {
        rollouts: 8,
        seed: 4,
        finalists: 3,
        retrains: 2,
        ..SearchConfig::default()
    };
    config.child.max_epochs = 20;
    change(&mut config);
    let data = common::generated(dataset);
    let (records, mut search) = common::run(config, &data);
    let split = data.split().unwrap();
    let report = search.finish(&split);
    records.iter().map(common::record_line).collect::<String>() + &report_line(&report)
}

/// Every case, named: what it pins.
fn cases() -> Vec<(&'static str, String)> {
    vec![
        ("moons", case(Dataset::Moons, |_| {})),
        (
            "batched updates (4 per update)",
            case(Dataset::Moons, |c| {
                c.controller = ControllerConfig {
                    rollouts_per_update: 4,
                    ..c.controller
                };
            }),
        ),
        (
            "cost weight 0.5 on parameters",
            case(Dataset::Moons, |c| {
                c.cost_weight = 0.5;
                c.cost = Cost::Params;
            }),
        ),
        (
            "random search",
            case(Dataset::Moons, |c| c.strategy = Strategy::Random),
        ),
        ("circles", case(Dataset::Circles, |_| {})),
        ("xor", case(Dataset::Xor, |_| {})),
        ("spirals", case(Dataset::Spirals, |_| {})),
        (
            "finalists retrained and scored on dev (--folds 1)",
            case(Dataset::Moons, |c| c.folds = 1),
        ),
    ]
}

/// Records and report of each case (see `cases`).
const CASES: &str = "\
# moons
0 [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f570a3d 20 415cc0f5 c15f3c04 3f570a3d 3c23d70a
1 [2, Tanh, ReLU, Tanh, Tanh, 16] 3f5c28f6 14 415cf7ed c15d3738 3f570a3d 3c22339c
2 [LeakyReLU, 8, Sigmoid, 4, 4, LeakyReLU] 3f570a3d 19 415cbcc4 c161c899 3f574bc6 3c209460
3 [Tanh, 1] 3f5c28f6 12 40dca44c c0ddae58 3f57487f 3c1ef94b
4 [Tanh, ReLU, ReLU, 4, 2, Sigmoid] 3f547ae1 14 415bebe5 c15d4968 3f5786ec 3c1d6252
5 [] 3f59999a 20 40131d6c c01584f1 3f575fec 3c1bcf6b
6 [4, LeakyReLU] 3f666666 20 40dbc0ec c0e33d1c 3f577c68 3c1a408b
7 [8, 1, Sigmoid, Tanh, Tanh, Tanh] 3f59999a 14 415b1057 c14cb30e 3f583b4e 3c18b5a8
report [4, LeakyReLU] 3f61999a 3f61cac0 3f5d70a4 3f651eb8 1 | [4, LeakyReLU] 3f61999a | [2, Tanh, ReLU, Tanh, Tanh, 16] 3f60f5c2 | [Tanh, 1] 3f5b851e
# batched updates (4 per update)
0 [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f570a3d 20 415cc0f5 c15f3c04 3f570a3d 3c23d70a
1 [2, Tanh, Tanh, Tanh, Sigmoid, 16] 3f5c28f6 13 415cce72 c15e994b 3f570a3d 3c22339c
2 [LeakyReLU, 8, Sigmoid, 4, 2, LeakyReLU] 3f570a3d 20 415cc3f7 c15ec861 3f570a3d 3c209460
3 [Tanh, 1] 3f5c28f6 12 40dcccd1 c0de08d6 3f570a3d 3c1ef94b
4 [Tanh, ReLU, ReLU, 4, 2, Sigmoid] 3f547ae1 14 415ca7b0 c15eded7 3f5786ec 3c1d6252
5 [] 3f59999a 20 40132f19 c01690a2 3f5786ec 3c1bcf6b
6 [4, LeakyReLU] 3f666666 20 40dcae72 c0e6acbc 3f5786ec 3c1a408b
7 [8, 1, 16, Tanh, Sigmoid, Sigmoid] 3f570a3d 16 415cb1db c156af0c 3f5786ec 3c18b5a8
report [4, LeakyReLU] 3f61999a 3f61cac0 3f5d70a4 3f651eb8 1 | [4, LeakyReLU] 3f61999a | [2, Tanh, Tanh, Tanh, Sigmoid, 16] 3f600000 | [Tanh, 1] 3f5b851e
# cost weight 0.5 on parameters
0 [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f4dcef1 20 415cc0f5 c15f3c04 3f4dcef1 3c23d70a
1 [2, Tanh, ReLU, Tanh, Tanh, 16] 3f545940 14 415cf7ed c15d3738 3f4dcef1 3c22339c
2 [LeakyReLU, 8, Sigmoid, 4, 2, LeakyReLU] 3f504b37 20 415cbfd2 c16119e1 3f4e22a8 3c209460
3 [Tanh, 1] 3f5b89e5 12 40dcb604 c0decb1a 3f4e3e48 3c1ef94b
4 [Tanh, ReLU, ReLU, 4, 2, Sigmoid] 3f51fe9b 14 415c33dd c15cdd45 3f4ee876 3c1d6252
5 [] 3f591142 20 40132ff4 c016ad03 3f4f0ff8 3c1bcf6b
6 [4, LeakyReLU] 3f647278 20 40dc5623 c0e29f55 3f4f9009 3c1a408b
7 [8, 1, Sigmoid, Tanh, Sigmoid, Tanh] 3f58e02c 20 415c4413 c157d833 3f509b5c 3c18b5a8
report [4, LeakyReLU] 3f61999a 3f61cac0 3f5d70a4 3f651eb8 1 | [4, LeakyReLU] 3f61999a | [Tanh, 1] 3f5b851e | [] 3f5d70a3
# random search
0 [16, 16, LeakyReLU, Sigmoid, 8, ReLU] 3f63d70a 20 415cc55d c15b489a 3f63d70a 3c23d70a
1 [Sigmoid, 2, 16, 1, 2, 2] 3f5c28f6 15 415cca8f c158b367 3f63d70a 3c22339c
2 [8, LeakyReLU, Sigmoid, 1, 2, 1] 3f5c28f6 20 415cc475 c159a0a4 3f6374bc 3c209460
3 [Tanh, ReLU, 1, 16, LeakyReLU, 8] 3f547ae1 13 415cc5c9 c15b357c 3f631758 3c1ef94b
4 [ReLU, 1, Sigmoid, ReLU, 4, Sigmoid] 3f570a3d 13 415cca7e c15cdc48 3f625c52 3c1d6252
5 [1, 2, LeakyReLU, ReLU, LeakyReLU, Sigmoid] 3f59999a 19 415cbb86 c160b254 3f61cb6a 3c1bcf6b
6 [1, 16, Sigmoid, Sigmoid, 2, 1] 3f5c28f6 20 415cce82 c15abb5f 3f616286 3c1a408b
7 [Tanh, 4, 2, 8, Sigmoid, Sigmoid] 3f5c28f6 12 415cc99c c15caa88 3f611fa6 3c18b5a8
report [16, 16, LeakyReLU, Sigmoid, 8, ReLU] 3f67ae13 3f6872b0 3f5eb852 3f770a3d 1 | [16, 16, LeakyReLU, Sigmoid, 8, ReLU] 3f67ae13 | [Sigmoid, 2, 16, 1, 2, 2] 3f5e147b | [8, LeakyReLU, Sigmoid, 1, 2, 1] 3f6428f6
# circles
0 [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f2e147b 20 415cc0f5 c15f3c04 3f2e147b 3c23d70a
1 [2, Tanh, ReLU, Tanh, Tanh, 16] 3f3ae148 19 415cf7ed c15d3738 3f2e147b 3c22339c
2 [LeakyReLU, 8, Sigmoid, 4, 2, LeakyReLU] 3f0f5c29 11 415cbfbe c1611cab 3f2eb853 3c209460
3 [Tanh, 1] 3ee147ae 20 40dc9292 c0db4ac8 3f2d26ea 3c1ef94b
4 [Tanh, ReLU, ReLU, 4, 2, Sigmoid] 3f23d70a 20 415b82c1 c15d2efe 3f2a205c 3c1d6252
5 [] 3ee147ae 11 40130955 c0183247 3f29cfe5 3c1bcf6b
6 [4, LeakyReLU] 3f5c28f6 20 40db1da4 c0ed2862 3f26f418 3c1a408b
7 [8, 1, 16, Tanh, Sigmoid, Tanh] 3f333333 20 415a7ef4 c1549143 3f299d24 3c18b5a8
report [4, LeakyReLU] 3f5428f6 3f57ceda 3f3ae148 3f628f5c 1 | [4, LeakyReLU] 3f5428f6 | [2, Tanh, ReLU, Tanh, Tanh, 16] 3f34cccd | [8, 1, 16, Tanh, Sigmoid, Tanh] 3f3947ae
# xor
0 [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f7d70a4 20 415cc0f5 c15f3c04 3f7d70a4 3c23d70a
1 [2, Tanh, ReLU, Tanh, Tanh, 16] 3f47ae14 13 415cf7ed c15d3738 3f7d70a4 3c22339c
2 [LeakyReLU, 8, Sigmoid, 4, 2] 3ee147ae 11 415cdcf8 c15a9394 3f7ac084 3c209460
3 [Tanh, 1] 3ee147ae 13 40dce21e c0db525d 3f73d8af 3c1ef94b
4 [Tanh, ReLU, ReLU, 4, 2, Sigmoid] 3f1c28f6 12 415c852b c15d1121 3f6d493e 3c1d6252
5 [] 3ee147ae 11 40133e8a c0174cf0 3f693ad4 3c1bcf6b
6 [4, LeakyReLU] 3f75c28f 16 40dc6a03 c0ddc0e2 3f633347 3c1a408b
7 [8, 1, 16, Tanh, Sigmoid, Sigmoid] 3f733333 17 415bbca4 c15fa2b5 3f6420d8 3c18b5a8
report [4, LeakyReLU] 3f79999a 3f781062 3f747ae1 3f7ae148 4 | [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f766666 | [4, LeakyReLU] 3f79999a | [8, 1, 16, Tanh, Sigmoid, Sigmoid] 3f6fae15
# spirals
0 [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f1c28f6 20 415cc0f5 c15f3c04 3f1c28f6 3c23d70a
1 [2, Tanh, ReLU, Tanh, Tanh, 16] 3f1eb852 11 415cf7ed c15d3738 3f1c28f6 3c22339c
2 [LeakyReLU, 8, Sigmoid, 4, 4, LeakyReLU] 3f1eb852 12 415cbce7 c161a84c 3f1c49bb 3c209460
3 [Tanh, 1] 3f1eb852 12 40dcd4ca c0df309f 3f1c68dc 3c1ef94b
4 [Tanh, ReLU, ReLU, 4, 2, Sigmoid] 3f1c28f6 20 415c71f2 c15cc77e 3f1c866f 3c1d6252
5 [] 3f147ae1 15 4013440a c01884d2 3f1c81c2 3c1bcf6b
6 [4, LeakyReLU] 3f0f5c29 20 40dc87da c0def885 3f1c1b03 3c1a408b
7 [8, 1, 16, Tanh, Sigmoid, Sigmoid] 3f170a3d 16 415c7128 c15c9a3e 3f1b77de 3c18b5a8
report [Tanh, 1] 3f247ae2 3f2872b0 3f251eb8 3f2a3d71 4 | [2, Tanh, ReLU, Tanh, Tanh, 16] 3f228f5c | [LeakyReLU, 8, Sigmoid, 4, 4, LeakyReLU] 3f223d71 | [Tanh, 1] 3f247ae2
# finalists retrained and scored on dev (--folds 1)
0 [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f570a3d 20 415cc0f5 c15f3c04 3f570a3d 3c23d70a
1 [2, Tanh, ReLU, Tanh, Tanh, 16] 3f5c28f6 14 415cf7ed c15d3738 3f570a3d 3c22339c
2 [LeakyReLU, 8, Sigmoid, 4, 4, LeakyReLU] 3f570a3d 19 415cbcc4 c161c899 3f574bc6 3c209460
3 [Tanh, 1] 3f5c28f6 12 40dca44c c0ddae58 3f57487f 3c1ef94b
4 [Tanh, ReLU, ReLU, 4, 2, Sigmoid] 3f547ae1 14 415bebe5 c15d4968 3f5786ec 3c1d6252
5 [] 3f59999a 20 40131d6c c01584f1 3f575fec 3c1bcf6b
6 [4, LeakyReLU] 3f666666 20 40dbc0ec c0e33d1c 3f577c68 3c1a408b
7 [8, 1, Sigmoid, Tanh, Tanh, Tanh] 3f59999a 14 415b1057 c14cb30e 3f583b4e 3c18b5a8
report [4, LeakyReLU] 3f628f5c 3f666666 3f5ae148 3f71eb85 1 | [4, LeakyReLU] 3f628f5c | [2, Tanh, ReLU, Tanh, Tanh, 16] 3f5c28f6 | [Tanh, 1] 3f55c28f
";

#[test]
fn each_mode_and_data_set_is_pinned_with_its_report() {
    let got: String = cases()
        .into_iter()
        .map(|(name, table)| format!("# {name}\n{table}"))
        .collect();
    assert!(got == CASES, "the pinned cases changed; new table:\n{got}");
}
