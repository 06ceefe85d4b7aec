//! Golden records: the first rollouts of seeded searches and their final reports, pinned bit
//! for bit.
//!
//! Any change to the numbers a seed produces (math, random streams, summation order) shows up
//! here first. The default table is also what the wasm build and the firmware must reproduce.
//! The other cases pin what only they exercise: batched updates, the cost penalty, random
//! search, each data set, and the finalists' retraining that picks the winner. If a change is
//! intended, say so in the commit and paste the new tables printed by the failure.

mod common;

use piconas_core::config::{BestEpoch, Selection};
use piconas_core::search::Report;
use piconas_core::{ControllerConfig, Cost, DataConfig, Dataset, SearchConfig, Strategy};

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
/// then each finalist's `arch dev_mean` (floats as bits), and its standard error (`± bits`)
/// when it has one.
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
        if f.dev_se != 0.0 {
            line += &format!(" ± {:08x}", f.dev_se.to_bits());
        }
    }
    line + "\n"
}

/// Eight rollouts of `config` on `dataset` (at most 20 epochs a child, three finalists
/// compared by 5-fold cross-validation, or retrained twice with one fold): the records, then
/// the report.
fn case(dataset: Dataset, change: impl FnOnce(&mut SearchConfig)) -> String {
    case_on(common::generated(dataset), change)
}

/// [`case`] on `data`.
fn case_on(data: piconas::data::Dataset, change: impl FnOnce(&mut SearchConfig)) -> String {
    let mut config = SearchConfig {
        rollouts: 8,
        seed: 4,
        finalists: 3,
        retrains: 2,
        shape: data.shape,
        ..SearchConfig::default()
    };
    config.child.max_epochs = 20;
    change(&mut config);
    let (records, mut search) = common::run(config, &data);
    let split = data.split().unwrap();
    let report = search.finish(&split);
    records.iter().map(common::record_line).collect::<String>() + &report_line(&report)
}

/// The rules piconas's defaults followed before issue 26 (the best epoch by dev accuracy, no
/// step floor, rewards on the dev split whatever its size, the best cross-validated finalist
/// rather than the smallest of the tied).
fn before_issue_26(c: &mut SearchConfig) {
    c.child.best_epoch = BestEpoch::Accuracy;
    c.child.min_steps = 0;
    c.reward_folds = 1;
    c.selection = Selection::Best;
    c.strategy = Strategy::Reinforce;
}

/// Every case, named: what it pins.
fn cases() -> Vec<(&'static str, String)> {
    vec![
        ("moons", case(Dataset::Moons, |_| {})),
        (
            "moons under the defaults before issue 26: the records and report pinned then",
            case(Dataset::Moons, before_issue_26),
        ),
        (
            "regularized evolution (population 4, tournament 2)",
            case(Dataset::Moons, |c| {
                c.strategy = Strategy::Evolution;
                c.population = 4;
                c.tournament = 2;
            }),
        ),
        (
            "a small data set (200 points): rewards by 3-fold cross-validation, the step floor",
            case_on(
                piconas::data::Dataset::generate(DataConfig {
                    samples: 200,
                    ..DataConfig::default()
                })
                .unwrap(),
                |_| {},
            ),
        ),
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
0 [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f547ae1 60 415cc0f5 c15f3c04 3f547ae1 3c23d70a
1 [2, Tanh, ReLU, Tanh, Tanh, 16] 3f5c28f6 59 415cf7ed c15d3738 3f547ae1 3c22339c
2 [LeakyReLU, 8, Sigmoid, 4, 2, LeakyReLU] 3f59999a 60 415cbfcb c1611ab7 3f54dd2e 3c209460
3 [Tanh, 1] 3f547ae1 40 40dcbd9c c0df2de0 3f5519cd 3c1ef94b
4 [Tanh, ReLU, ReLU, 4, 2, Sigmoid] 3f51eb85 60 415c1d6d c15b383c 3f5511db 3c1d6252
5 [] 3f570a3d 46 40132af5 c01ad908 3f54e98a 3c1bcf6b
6 [4, LeakyReLU] 3f7ae148 60 40dc23bd c0e3c468 3f5504c6 3c1a408b
7 [8, 1, 16, Tanh, Sigmoid, Tanh] 3f5c28f6 60 415bee39 c1580026 3f56e966 3c18b5a8
report [4, LeakyReLU] 3f623d70 3f6b020d 3f651eb8 3f79999a 1 | [4, LeakyReLU] 3f623d70 ± 3cb400b4 | [2, Tanh, ReLU, Tanh, Tanh, 16] 3f600000 ± 3c0186e7 | [8, 1, 16, Tanh, Sigmoid, Tanh] 3f5c7ae2 ± 3c3dec7b
# moons under the defaults before issue 26: the records and report pinned then
0 [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f570a3d 20 415cc0f5 c15f3c04 3f570a3d 3c23d70a
1 [2, Tanh, ReLU, Tanh, Tanh, 16] 3f5c28f6 14 415cf7ed c15d3738 3f570a3d 3c22339c
2 [LeakyReLU, 8, Sigmoid, 4, 4, LeakyReLU] 3f570a3d 19 415cbcc4 c161c899 3f574bc6 3c209460
3 [Tanh, 1] 3f5c28f6 12 40dca44c c0ddae58 3f57487f 3c1ef94b
4 [Tanh, ReLU, ReLU, 4, 2, Sigmoid] 3f547ae1 14 415bebe5 c15d4968 3f5786ec 3c1d6252
5 [] 3f59999a 20 40131d6c c01584f1 3f575fec 3c1bcf6b
6 [4, LeakyReLU] 3f666666 20 40dbc0ec c0e33d1c 3f577c68 3c1a408b
7 [8, 1, Sigmoid, Tanh, Tanh, Tanh] 3f59999a 14 415b1057 c14cb30e 3f583b4e 3c18b5a8
report [4, LeakyReLU] 3f61999a 3f61cac0 3f5d70a4 3f651eb8 1 | [4, LeakyReLU] 3f61999a ± 3c2842a7 | [2, Tanh, ReLU, Tanh, Tanh, 16] 3f60f5c2 ± 3bf775f5 | [Tanh, 1] 3f5b851e ± 3c194221
# regularized evolution (population 4, tournament 2)
0 [16, 16, LeakyReLU, Sigmoid, 8, ReLU] 3f7ae148 60 415cc55d c15b489a 3f7ae148 3c23d70a
1 [Sigmoid, 2, 16, 1, 2, 2] 3f5c28f6 60 415cca8f c158b367 3f7ae148 3c22339c
2 [8, LeakyReLU, Sigmoid, 1, 2, 1] 3f5c28f6 60 415cc475 c159a0a4 3f795810 3c209460
3 [Tanh, ReLU, 1, 16, LeakyReLU, 8] 3f547ae1 60 415cc5c9 c15b357c 3f77e282 3c1ef94b
4 [8, LeakyReLU, Sigmoid, Tanh, 2, 1] 3f75c28f 60 415cc633 c15ad7ca 3f761d54 3c1d6252
5 [Tanh, ReLU, 1, 16, LeakyReLU, 4] 3f547ae1 60 415cc5c9 c15ee9f0 3f7618cb 3c1bcf6b
6 [8, LeakyReLU, Sigmoid, Tanh, 2, Tanh] 3f75c28f 60 415cc633 c15c7192 3f746a80 3c1a408b
7 [8, LeakyReLU, Sigmoid, Tanh, Tanh] 3f547ae1 60 415cc83e c15ddb1d 3f747bb4 3c18b5a8
report [16, 16, LeakyReLU, Sigmoid, 8, ReLU] 3f780000 3f7b645b 3f79999a 3f7c28f6 4 | [16, 16, LeakyReLU, Sigmoid, 8, ReLU] 3f780000 ± 3b018703 | [8, LeakyReLU, Sigmoid, Tanh, 2, 1] 3f6fae15 ± 3c975d74 | [8, LeakyReLU, Sigmoid, Tanh, 2, Tanh] 3f728f5d ± 3c640e47
# a small data set (200 points): rewards by 3-fold cross-validation, the step floor
0 [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f67f7e4 655 415cc0f5 c15f3c04 3f67f7e4 3c23d70a
1 [2, Tanh, ReLU, Tanh, Tanh, 16] 3f67f041 714 415cf7ed c15d3738 3f67f7e4 3c22339c
2 [LeakyReLU, 8, Sigmoid, 4, 4] 3f665bb7 545 415ce72c c159ba82 3f67f782 3c209460
3 [Tanh, 1] 3f67f043 641 40dd0119 c0dbcbaf 3f67e2eb 3c1ef94b
4 [Tanh, ReLU, ReLU, 4, 2, Sigmoid] 3f63235d 686 415ce2f5 c15db672 3f67e395 3c1d6252
5 [] 3f6b289c 705 40134ab8 c015a6cd 3f67a6c5 3c1bcf6b
6 [4, LeakyReLU] 3f64bf89 629 40dc8e79 c0dcf99e 3f67d3a9 3c1a408b
7 [8, 1, 16, Tanh, Sigmoid, Tanh] 3f67f041 675 415c2405 c15819c6 3f67ac41 3c18b5a8
report [] 3f6e6666 3f570a3d 3f533333 3f59999a 3 | [] 3f6e6666 ± 3c7ad3e7 | [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f69999a ± 3ca9cfaa | [Tanh, 1] 3f680000 ± 3ca1e89b
# batched updates (4 per update)
0 [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f547ae1 60 415cc0f5 c15f3c04 3f547ae1 3c23d70a
1 [2, Tanh, Tanh, Tanh, Sigmoid, 16] 3f5c28f6 60 415cce72 c15e994b 3f547ae1 3c22339c
2 [LeakyReLU, 8, Sigmoid, 4, 2, LeakyReLU] 3f59999a 60 415cc3f7 c15ec861 3f547ae1 3c209460
3 [Tanh, 1] 3f547ae1 40 40dcccd1 c0de08d6 3f547ae1 3c1ef94b
4 [Tanh, ReLU, ReLU, 4, 2, Sigmoid] 3f51eb85 60 415c9f16 c15d456e 3f5511db 3c1d6252
5 [] 3f570a3d 46 40132fe8 c01a56eb 3f5511db 3c1bcf6b
6 [4, LeakyReLU] 3f7ae148 60 40dc9d39 c0e6e76c 3f5511db 3c1a408b
7 [8, 1, 16, Tanh, Sigmoid, Sigmoid] 3f59999a 60 415cafc4 c157d5d8 3f5511db 3c18b5a8
report [4, LeakyReLU] 3f623d70 3f6b020d 3f651eb8 3f79999a 1 | [4, LeakyReLU] 3f623d70 ± 3cb400b4 | [2, Tanh, Tanh, Tanh, Sigmoid, 16] 3f5f0a3d ± 3c5aaaa4 | [LeakyReLU, 8, Sigmoid, 4, 2, LeakyReLU] 3f5a3d70 ± 3bb28a5c
# cost weight 0.5 on parameters
0 [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f4b3f95 60 415cc0f5 c15f3c04 3f4b3f95 3c23d70a
1 [2, Tanh, ReLU, Tanh, Tanh, 16] 3f545940 59 415cf7ed c15d3738 3f4b3f95 3c22339c
2 [LeakyReLU, 8, Sigmoid, 4, 2, LeakyReLU] 3f52da94 60 415cbfc6 c1611b76 3f4bb411 3c209460
3 [Tanh, 1] 3f53dbd0 40 40dcc0e8 c0df5208 3f4c0f98 3c1ef94b
4 [Tanh, ReLU, ReLU, 4, 2, Sigmoid] 3f4f6f3f 60 415c44b0 c15c09b0 3f4c7368 3c1d6252
5 [] 3f5681e5 46 40133454 c0194f57 3f4c9999 3c1bcf6b
6 [4, LeakyReLU] 3f78ed5a 60 40dc61a0 c0e2a586 3f4d186a 3c1a408b
7 [8, 1, Sigmoid, Tanh, Sigmoid, Tanh] 3f53c173 60 415c5056 c158dbdc 3f4f4976 3c18b5a8
report [] 3f5d1eb8 3f610625 3f5d70a4 3f628f5c 1 | [4, LeakyReLU] 3f623d70 ± 3cb400b4 | [] 3f5d1eb8 ± 3c357409 | [2, Tanh, ReLU, Tanh, Tanh, 16] 3f600000 ± 3c0186e7
# random search
0 [16, 16, LeakyReLU, Sigmoid, 8, ReLU] 3f7ae148 60 415cc55d c15b489a 3f7ae148 3c23d70a
1 [Sigmoid, 2, 16, 1, 2, 2] 3f5c28f6 60 415cca8f c158b367 3f7ae148 3c22339c
2 [8, LeakyReLU, Sigmoid, 1, 2, 1] 3f5c28f6 60 415cc475 c159a0a4 3f795810 3c209460
3 [Tanh, ReLU, 1, 16, LeakyReLU, 8] 3f547ae1 60 415cc5c9 c15b357c 3f77e282 3c1ef94b
4 [ReLU, 1, Sigmoid, ReLU, 4, Sigmoid] 3f547ae1 60 415cca7e c15cdc48 3f761d54 3c1d6252
5 [1, 2, LeakyReLU, ReLU, LeakyReLU, Sigmoid] 3f5c28f6 60 415cbb86 c160b254 3f746ecf 3c1bcf6b
6 [1, 16, Sigmoid, Sigmoid, 2, 1] 3f5c28f6 60 415cce82 c15abb5f 3f73381e 3c1a408b
7 [Tanh, 4, 2, 8, Sigmoid, Sigmoid] 3f570a3d 60 415cc99c c15caa88 3f7210f6 3c18b5a8
report [16, 16, LeakyReLU, Sigmoid, 8, ReLU] 3f780000 3f7b645b 3f79999a 3f7c28f6 4 | [16, 16, LeakyReLU, Sigmoid, 8, ReLU] 3f780000 ± 3b018703 | [Sigmoid, 2, 16, 1, 2, 2] 3f5d70a3 ± 3c492f1c | [8, LeakyReLU, Sigmoid, 1, 2, 1] 3f76b852 ± 3bf5c280
# circles
0 [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f2b851f 60 415cc0f5 c15f3c04 3f2b851f 3c23d70a
1 [2, Tanh, ReLU, Tanh, Tanh, 16] 3f3ae148 46 415cf7ed c15d3738 3f2b851f 3c22339c
2 [LeakyReLU, 8, Sigmoid, 4, 2, LeakyReLU] 3f2147ae 60 415cbfc0 c1611d2c 3f2c49bb 3c209460
3 [Tanh, 1] 3ec28f5c 55 40dc9300 c0dc4cdd 3f2bbcd4 3c1ef94b
4 [Tanh, ReLU, ReLU, 4, 2, Sigmoid] 3f28f5c3 60 415ba973 c15c51bf 3f2803c5 3c1d6252
5 [] 3ebd70a4 54 401310f6 c01a4201 3f280fde 3c1bcf6b
6 [4, LeakyReLU] 3f59999a 60 40db887a c0edc8fe 3f246517 3c1a408b
7 [8, 1, 16, Tanh, Sigmoid, Tanh] 3f3d70a4 60 415b265f c156baf4 3f270e1e 3c18b5a8
report [4, LeakyReLU] 3f5bd70a 3f618936 3f600000 3f63d70a 0 | [4, LeakyReLU] 3f5bd70a ± 3b50db01 | [8, 1, 16, Tanh, Sigmoid, Tanh] 3f38a3d8 ± 3c19f0df | [2, Tanh, ReLU, Tanh, Tanh, 16] 3f323d71 ± 3cfc2ec6
# xor
0 [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f800000 60 415cc0f5 c15f3c04 3f800000 3c23d70a
1 [2, Tanh, ReLU, Tanh, Tanh, 16] 3f451eb8 60 415cf7ed c15d3738 3f800000 3c22339c
2 [LeakyReLU, 8, Sigmoid, 4, 2] 3ee147ae 49 415cdcf8 c15a9366 3f7d0e56 3c209460
3 [Tanh, 1] 3e6b851f 55 40dce155 c0db51e6 3f760903 3c1ef94b
4 [Tanh, ReLU, ReLU, 4, 2, Sigmoid] 3f7851ec 60 415c81ca c15ceba2 3f6cad6d 3c1d6252
5 [] 3ee147ae 56 40133f8c c0182a5f 3f6d4273 3c1bcf6b
6 [4, LeakyReLU] 3f75c28f 60 40dc7c52 c0e020d4 3f670752 3c1a408b
7 [8, 1, 16, Tanh, Sigmoid, Sigmoid] 3f6e147b 60 415bee5b c15dfad6 3f67c3e2 3c18b5a8
report [4, LeakyReLU] 3f79999a 3f789375 3f747ae1 3f7c28f6 4 | [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f75c290 ± 3cb79b86 | [Tanh, ReLU, ReLU, 4, 2, Sigmoid] 3f6428f6 ± 3d374937 | [4, LeakyReLU] 3f79999a ± 3c0186dd
# spirals
0 [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f2b851f 60 415cc0f5 c15f3c04 3f2b851f 3c23d70a
1 [2, Tanh, ReLU, Tanh, Tanh, 16] 3f170a3d 60 415cf7ed c15d3738 3f2b851f 3c22339c
2 [LeakyReLU, 8, Sigmoid, 4, 2] 3f0ccccd 60 415cdcec c15a959c 3f2a7efa 3c209460
3 [Tanh, 1] 3f1eb852 32 40dcdc08 c0db3d85 3f2902df 3c1ef94b
4 [Tanh, ReLU, ReLU, 4, 2, Sigmoid] 3f1c28f6 60 415c7516 c15da09c 3f287f25 3c1d6252
5 [] 3f11eb85 60 40133fc9 c0157cc9 3f27e13c 3c1bcf6b
6 [4, LeakyReLU] 3f1eb852 60 40dc6efc c0db80a2 3f26c826 3c1a408b
7 [8, 1, 16, Tanh, Sigmoid, Sigmoid] 3f147ae1 55 415bd738 c15e590a 3f2660f5 3c18b5a8
report [Tanh, 1] 3f21eb85 3f2b4396 3f28f5c3 3f2ccccd 4 | [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f1e6666 ± 3b90d0cc | [Tanh, 1] 3f21eb85 ± 3bb02cf2 | [4, LeakyReLU] 3f20f5c3 ± 3c03eee6
# finalists retrained and scored on dev (--folds 1)
0 [LeakyReLU, 4, 2, 16, Tanh, Tanh] 3f547ae1 60 415cc0f5 c15f3c04 3f547ae1 3c23d70a
1 [2, Tanh, ReLU, Tanh, Tanh, 16] 3f5c28f6 59 415cf7ed c15d3738 3f547ae1 3c22339c
2 [LeakyReLU, 8, Sigmoid, 4, 2, LeakyReLU] 3f59999a 60 415cbfcb c1611ab7 3f54dd2e 3c209460
3 [Tanh, 1] 3f547ae1 40 40dcbd9c c0df2de0 3f5519cd 3c1ef94b
4 [Tanh, ReLU, ReLU, 4, 2, Sigmoid] 3f51eb85 60 415c1d6d c15b383c 3f5511db 3c1d6252
5 [] 3f570a3d 46 40132af5 c01ad908 3f54e98a 3c1bcf6b
6 [4, LeakyReLU] 3f7ae148 60 40dc23bd c0e3c468 3f5504c6 3c1a408b
7 [8, 1, 16, Tanh, Sigmoid, Tanh] 3f5c28f6 60 415bee39 c1580026 3f56e966 3c18b5a8
report [4, LeakyReLU] 3f68f5c3 3f6eb852 3f628f5c 3f7ae148 1 | [4, LeakyReLU] 3f68f5c3 ± 3d75c290 | [2, Tanh, ReLU, Tanh, Tanh, 16] 3f5c28f6 ± 3ca3d710 | [8, 1, 16, Tanh, Sigmoid, Tanh] 3f5ae148 ± 3ba3d700
";

#[test]
fn each_mode_and_data_set_is_pinned_with_its_report() {
    let got: String = cases()
        .into_iter()
        .map(|(name, table)| format!("# {name}\n{table}"))
        .collect();
    assert!(got == CASES, "the pinned cases changed; new table:\n{got}");
}
