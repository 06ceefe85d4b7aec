//! Which network to ship: the candidates a finished search could save, each scored on the test
//! split, so that the choice is measured (docs/search.md, "Choosing the winner").
//!
//! ```sh
//! cargo run --release --example candidates -- FILE|moons:DATA_SEED|sklearn-moons SPLIT_SEED [setting=value …]
//! ```
//!
//! It runs the default search (the settings table's defaults, changed by `name=value` pairs in
//! `settings.json`'s names) on one thread, finishes it as the runner does, and prints one JSON
//! line: the winner, its parameters, the Bayes ceiling of generated data, and the test accuracy
//! of each candidate for the winner:
//! - `best_fold`: its fold model with the best held-out score (what was saved before issue 26);
//! - `fold_mean`: the mean of its fold models' test accuracies (what was reported);
//! - `ensemble`: its fold models' mean logits (what is saved now);
//! - `refit`: one network trained on all of train + dev for the mean best epoch of the folds;
//! - `refit_ensemble`: five such refits with other seeds, by their mean logits;
//! - `repeated_winner`, `repeated_ensemble`: the finalist that the one-standard-error rule
//!   picks when the finalists are compared by *repeated* cross-validation (the K folds over
//!   train + dev as `finish` cuts them, then over `REPEATS - 1` reshufflings of those rows),
//!   and the test accuracy of its K fold models' ensemble (what would ship).
//!
//! `moons:D` is the default generated data with data seed `D`; `sklearn-moons` is
//! `tests/data/sklearn-moons.csv` read as the original reads it (in order, unstandardised).

use piconas::data::{CsvOptions, Dataset, SplitMode};
use piconas_core::config::MAX_ROLLOUTS_PER_UPDATE;
use piconas_core::mlp::Workspace;
use piconas_core::rng::{self, Stream};
use piconas_core::search::{FinalistScore, Spread, choose};
use piconas_core::{Arch, Network, Rows, Search, Setting, Settings, Split, Trainer, ensemble};

/// Cross-validations of the finalists in `repeated_*`: the one `finish` did, and reshuffles.
const REPEATS: u64 = 3;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: candidates FILE|moons:DATA_SEED|sklearn-moons SPLIT_SEED [name=value …]");
        std::process::exit(2);
    }
    let (source, split_seed) = (&args[1], args[2].parse::<u64>().expect("a split seed"));
    let mut settings = Settings::DEFAULT;
    for pair in &args[3..] {
        let (name, value) = pair.split_once('=').expect("name=value");
        let setting = Setting::named(name).unwrap_or_else(|| panic!("no setting {name}"));
        let value = setting
            .parse(value)
            .unwrap_or_else(|e| panic!("{name} {e}"));
        setting
            .set(&mut settings, value)
            .expect("a value of its kind");
    }
    let data = load(source, split_seed, &settings);
    settings.search.shape = data.shape;
    let split = data.split().expect("a split");
    let config = settings.search;
    let mut search: Box<Search<64, MAX_ROLLOUTS_PER_UPDATE>> = Box::new(Search::idle());
    search.start(config).expect("valid settings");
    piconas::parallel::run(&mut search, &split, 1, None, None, |_| Ok(())).expect("the search");
    let report = search.finish(&split);
    let (arch, folds) = (report.winner, report.folds);
    let mut ws = Box::new(Workspace::new());
    let test =
        |members: &[Network], ws: &mut Workspace| ensemble::accuracy(members, ws, &split.test);
    // The fold models, and the epochs their best held-out scores came at.
    let (mut members, mut epochs, mut best) = (Vec::new(), 0u32, (f32::MIN, 0.0));
    for f in 0..folds {
        let outcome = search.cross_validate(&split, &arch, f);
        let mut net = Network::EMPTY;
        search.trainer().copy_network(&mut net);
        let alone = test(core::slice::from_ref(&net), &mut ws);
        if outcome.reward > best.0 {
            best = (outcome.reward, alone);
        }
        epochs += outcome.best_epoch;
        members.push(net);
    }
    // Refits on all of train + dev (no rows held out, so no early stop): the mean best epoch.
    let mut child = config.child;
    child.max_epochs = (epochs as f32 / folds as f32).round().max(1.0) as u32;
    child.min_steps = 0; // the folds' best epochs already count the stretched epochs
    let refit = |index: u64| {
        let mut trainer = Box::new(Trainer::new());
        let mut rng = rng::stream(config.seed, Stream::Retrain, index);
        trainer.fit(&arch, &child, &split.fold(0, 1), &mut rng);
        let mut net = Network::EMPTY;
        trainer.copy_network(&mut net);
        net
    };
    let single = refit(100);
    let refits: Vec<Network> = (200..205).map(refit).collect();
    // Repeated cross-validation of the finalists, and what its choice would ship.
    let repeated = repeated_choice(&mut search, &split, &report.finalists);
    let repeated_members = fold_models(&mut search, &split, &repeated);
    let bayes = data
        .generated
        .map_or(0.0, |g| piconas_core::bayes::accuracy(&g, &split.test));
    println!(
        "{{\"data\": {source:?}, \"split_seed\": {split_seed}, \"winner\": \"{arch}\", \"params\": {}, \"bayes\": {bayes}, \"best_fold\": {}, \"fold_mean\": {}, \"ensemble\": {}, \"refit\": {}, \"refit_ensemble\": {}, \"repeated_winner\": \"{repeated}\", \"repeated_ensemble\": {}}}",
        arch.parameter_count(data.shape),
        best.1,
        report.test_mean,
        test(&members, &mut ws),
        test(core::slice::from_ref(&single), &mut ws),
        test(&refits, &mut ws),
        test(&repeated_members, &mut ws),
    );
}

/// `arch`'s fold models, trained as `finish` trains them (what ships if it wins).
fn fold_models(
    search: &mut Search<64, MAX_ROLLOUTS_PER_UPDATE>,
    split: &Split<'_>,
    arch: &Arch,
) -> Vec<Network> {
    (0..search.config().folds)
        .map(|f| {
            search.cross_validate(split, arch, f);
            let mut net = Network::EMPTY;
            search.trainer().copy_network(&mut net);
            net
        })
        .collect()
}

/// The finalist the one-standard-error rule picks over `REPEATS` cross-validations: the
/// folds of `finish`, then the same fold count over seeded reshuffles of train + dev.
fn repeated_choice(
    search: &mut Search<64, MAX_ROLLOUTS_PER_UPDATE>,
    split: &Split<'_>,
    finalists: &[FinalistScore],
) -> Arch {
    let folds = search.config().folds;
    let learn = split.learn;
    let d = learn.shape().inputs();
    let mut scored: Vec<FinalistScore> = finalists.to_vec();
    let mut spreads: Vec<Spread> = vec![Spread::default(); finalists.len()];
    for r in 0..REPEATS {
        // Repeat 0 is `finish`'s own cut; the others shuffle the rows first (Fisher–Yates).
        let mut order: Vec<usize> = (0..learn.len()).collect();
        if r > 0 {
            let mut rng = rng::stream(search.config().seed, Stream::Data, 1000 + r);
            for i in (1..order.len()).rev() {
                order.swap(i, rng::below(&mut rng, i as u32 + 1) as usize);
            }
        }
        let x: Vec<f32> = order.iter().flat_map(|&i| learn.x(i).to_vec()).collect();
        let y: Vec<u8> = order.iter().map(|&i| learn.label(i)).collect();
        debug_assert_eq!(x.len(), y.len() * d);
        let rows = Rows::new(&x, &y, learn.shape()).expect("the same rows");
        let shuffled = Split {
            learn: rows,
            ..*split
        };
        for (spread, f) in spreads.iter_mut().zip(finalists) {
            for fold in 0..folds {
                spread.add(search.cross_validate(&shuffled, &f.arch, fold).reward);
            }
        }
    }
    for (score, spread) in scored.iter_mut().zip(&spreads) {
        score.dev_mean = spread.mean();
        score.dev_se = spread.standard_error();
    }
    let shape = split.shape();
    let chosen = choose(&scored, search.config().selection, shape, |f| f.dev_mean);
    scored.get(chosen).map_or(Arch::EMPTY, |f| f.arch)
}

/// The data `source` names, split with `split_seed` (files) or generated (`moons:D`).
fn load(source: &str, split_seed: u64, settings: &Settings) -> Dataset {
    if let Some(seed) = source.strip_prefix("moons:") {
        let mut config = settings.data;
        config.seed = seed.parse().expect("a data seed");
        return Dataset::generate(config).expect("generated data");
    }
    let (path, options) = if source == "sklearn-moons" {
        let options = CsvOptions {
            split: SplitMode::from_name("in-order").expect("a split mode"),
            standardize: false,
            ..CsvOptions::default()
        };
        (
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sklearn-moons.csv"),
            options,
        )
    } else {
        let options = CsvOptions {
            split_seed,
            ..CsvOptions::default()
        };
        (source, options)
    };
    Dataset::csv(std::path::Path::new(path), &options).expect("a data file")
}
