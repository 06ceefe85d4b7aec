//! End-to-end behaviour of the core's search: determinism, learning, robustness.

mod common;

use common::{moons_data, record_line, run};
use piconas_core::config::AdamConfig;
use piconas_core::policy::ControllerParams;
use piconas_core::rng::{self, Stream};
use piconas_core::search::Record;
use piconas_core::{Policy, SearchConfig, Trainer, Trajectory};

fn bits(records: &[Record]) -> Vec<String> {
    records.iter().map(record_line).collect()
}

#[test]
fn same_seed_gives_bit_identical_records_and_report() {
    let data = moons_data();
    let config = SearchConfig {
        rollouts: 40,
        seed: 11,
        retrains: 2,
        ..SearchConfig::default()
    };
    let (a, mut sa) = run(config, &data);
    let (b, mut sb) = run(config, &data);
    assert_eq!(bits(&a), bits(&b));
    let split = data.split().unwrap();
    assert_eq!(sa.finish(&split), sb.finish(&split));
    let (c, _) = run(SearchConfig { seed: 12, ..config }, &data);
    assert_ne!(
        bits(&a),
        bits(&c),
        "a different seed must give a different search"
    );
}

fn mean(v: impl Iterator<Item = f32>) -> f32 {
    let (sum, n) = v.fold((0.0, 0), |(s, n), x| (s + x, n + 1));
    sum / n as f32
}

#[test]
fn the_controller_learns_to_sample_better_children() {
    let data = moons_data();
    let split = data.split().unwrap();
    let config = SearchConfig {
        rollouts: 500,
        seed: 0,
        retrains: 1,
        ..SearchConfig::default()
    };
    let (records, _) = run(config, &data);
    let early = mean(records[..100].iter().map(|r| r.reward));
    let late = mean(records[400..].iter().map(|r| r.reward));

    // The same budget of 100 children from a uniform-random policy, on the same data.
    let uniform = Policy::<64>::UNIFORM;
    let mut rng = rng::stream(0, Stream::Controller, 99);
    let mut traj = Trajectory::EMPTY;
    let mut trainer = Trainer::new();
    let random = mean((0..100).map(|i| {
        uniform.sample(&mut rng, &mut traj);
        let mut child_rng = rng::stream(0, Stream::Child, 10_000 + i);
        trainer
            .train(&traj.arch(), &config.child, &split, &mut child_rng)
            .reward
    }));
    println!(
        "mean reward: rollouts 1-100 {early:.4}, 401-500 {late:.4}, uniform policy {random:.4}"
    );
    assert!(late > early + 0.03, "late {late} vs early {early}");
    assert!(
        late > random + 0.03,
        "late {late} vs uniform-random {random}"
    );
}

#[test]
fn diverging_children_cannot_poison_the_controller() {
    let data = moons_data();
    let mut config = SearchConfig {
        rollouts: 30,
        retrains: 1,
        ..SearchConfig::default()
    };
    config.child.adam = AdamConfig {
        learning_rate: 1e30,
        ..AdamConfig::default()
    };
    config.child.max_epochs = 3;
    let (records, search) = run(config, &data);
    let diverged = records.iter().filter(|r| r.diverged).count();
    assert!(
        diverged > 0,
        "the absurd learning rate must make some children diverge"
    );
    assert!(
        records
            .iter()
            .filter(|r| r.diverged)
            .all(|r| r.reward == 0.0)
    );
    assert!(
        records
            .iter()
            .all(|r| r.reward.is_finite() && r.baseline.is_finite() && r.log_prob.is_finite())
    );
    let mut params: ControllerParams<64> = search.policy().params.clone();
    assert!(params.is_finite());
}
