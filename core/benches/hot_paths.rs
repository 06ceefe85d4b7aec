//! Micro-benchmarks of the hot paths (divan): `cargo bench -p piconas-core`.
//!
//! One training epoch (init, 700 samples in batches of 32, dev accuracy) of the largest
//! networks and of a one-layer network, and one controller rollout with its update. With
//! `--features multiversion` on an x86-64 CPU with AVX2, `child_epoch_avx2` times the same
//! epochs through `Trainer::fit_avx2`, the path the runner takes, and where the CPU has
//! AVX-512F `child_epoch_avx512` through `Trainer::fit_avx512`. `peak_multiply_adds_avx2` and
//! `_avx512` time what the core can do at best with the kernel's arithmetic (a multiply and an
//! add, never fused), the ceiling `piconas bench`'s multiply-adds a second are read against.

use piconas_core::policy::Trajectory;
use piconas_core::rng::{self, Generator, Stream};
use piconas_core::{
    Arch, ChildConfig, ControllerConfig, DataConfig, Policy, Reinforce, Rows, Shape, Split,
    Trainer, datasets,
};

fn main() {
    divan::main();
}

/// The default moons: features (row-major) and labels.
fn data() -> (Vec<f32>, Vec<u8>) {
    let (mut x, mut y) = (vec![0.0; 2000], vec![0; 1000]);
    datasets::generate_config(&DataConfig::default(), &mut x, &mut y).expect("default data");
    (x, y)
}

fn split<'a>(x: &'a [f32], y: &'a [u8]) -> Split<'a> {
    Split::new(Rows::new(x, y, Shape::MOONS).expect("valid data")).expect("enough data")
}

/// One epoch: without `min_steps: 0` the moons' 22 batches would be stretched to the default
/// 1000 steps (46 epochs).
const ONE_EPOCH: ChildConfig = ChildConfig {
    max_epochs: 1,
    patience: 1,
    min_steps: 0,
    ..ChildConfig::DEFAULT
};

/// Times `epoch` (one training epoch of `arch` on the default moons, with a fresh trainer and
/// stream) with `bencher`.
fn bench_epoch(
    bencher: divan::Bencher<'_, '_>,
    arch: &str,
    mut epoch: impl FnMut(&mut Trainer, &Arch, &Split<'_>, &mut Generator),
) {
    let (x, y) = data();
    let split = split(&x, &y);
    let arch: Arch = arch.parse().expect("valid architecture");
    let mut trainer = Box::new(Trainer::new());
    let mut rng = rng::stream(0, Stream::Child, 0);
    bencher.bench_local(|| epoch(&mut trainer, &arch, &split, &mut rng));
}

/// One epoch of each architecture: the largest Tanh network the token space allows, the
/// largest network (six 16-unit layers), and a one-layer network.
#[divan::bench(args = ["[16, Tanh, 16, Tanh, 16, Tanh]", "[16, 16, 16, 16, 16, 16]", "[16, Tanh]"])]
fn child_epoch(bencher: divan::Bencher<'_, '_>, arch: &str) {
    bench_epoch(bencher, arch, |trainer, arch, split, rng| {
        trainer.train(arch, &ONE_EPOCH, split, rng);
    });
}

/// The same epochs on AVX2, as the runner trains them when the CPU has it.
#[cfg(all(feature = "multiversion", target_arch = "x86_64"))]
#[divan::bench(args = ["[16, Tanh, 16, Tanh, 16, Tanh]", "[16, 16, 16, 16, 16, 16]", "[16, Tanh]"])]
fn child_epoch_avx2(bencher: divan::Bencher<'_, '_>, arch: &str) {
    if !std::is_x86_feature_detected!("avx2") {
        return;
    }
    bench_epoch(bencher, arch, |trainer, arch, split, rng| {
        // SAFETY: the CPU has AVX2 (checked above), all `fit_avx2` requires.
        unsafe { trainer.fit_avx2(arch, &ONE_EPOCH, &split.holdout(), rng) };
    });
}

/// The same epochs on AVX-512F (the runner's opt-in `PICONAS_KERNEL=AVX-512`).
#[cfg(all(feature = "multiversion", target_arch = "x86_64"))]
#[divan::bench(args = ["[16, Tanh, 16, Tanh, 16, Tanh]", "[16, 16, 16, 16, 16, 16]", "[16, Tanh]"])]
fn child_epoch_avx512(bencher: divan::Bencher<'_, '_>, arch: &str) {
    if !std::is_x86_feature_detected!("avx512f") {
        return;
    }
    bench_epoch(bencher, arch, |trainer, arch, split, rng| {
        // SAFETY: the CPU has AVX-512F (checked above), all `fit_avx512` requires.
        unsafe { trainer.fit_avx512(arch, &ONE_EPOCH, &split.holdout(), rng) };
    });
}

/// Sampling one architecture from the 64-unit controller and updating it with REINFORCE.
#[divan::bench]
fn controller_rollout_and_update(bencher: divan::Bencher<'_, '_>) {
    let mut rng = rng::stream(0, Stream::Controller, 0);
    let mut policy = Box::new(Policy::<64>::new(&mut rng));
    let mut learner = Box::new(Reinforce::<64>::new(ControllerConfig::default()));
    let mut traj = Box::new(Trajectory::<64>::EMPTY);
    let mut reward = 0.5;
    bencher.bench_local(|| {
        policy.sample(&mut rng, &mut traj);
        reward = 1.5 - reward; // alternate rewards, so the advantage is never zero
        let beta = learner.next_beta();
        learner.update(
            &mut policy,
            core::slice::from_mut(&mut *traj),
            &[reward],
            &[beta],
        )
    });
}

/// Rounds of the peak benchmarks: independent multiply and add chains of one vector type, as
/// many as the registers hold, for the core's best rate of the kernel's arithmetic (a multiply
/// and an add per multiply-add, never fused: fused ones would change the bits).
#[cfg(target_arch = "x86_64")]
const N: usize = 10_000;

/// A peak kernel: `fn $name(x, y)` runs [`N`] rounds of `$chains` multiply and `$chains` add
/// chains of `$lanes`-lane vectors (as many as the instruction set's registers hold), compiled
/// for `$feature` with its intrinsics `$set1`, `$mul`, `$add` and `$store`. The CPU must
/// support `$feature`.
macro_rules! peak_kernel {
    ($name:ident, $feature:literal, $chains:literal, $lanes:literal,
     $set1:ident, $mul:ident, $add:ident, $store:ident) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $feature)]
        fn $name(x: f32, y: f32) -> f32 {
            use std::arch::x86_64::*;
            let (x, y) = ($set1(x), $set1(y));
            let (mut m, mut a) = ([$set1(1.0); $chains], [$set1(0.0); $chains]);
            for _ in 0..N {
                for (m, a) in m.iter_mut().zip(&mut a) {
                    *m = $mul(*m, y);
                    *a = $add(*a, x);
                }
            }
            let sum = m
                .iter()
                .zip(&a)
                .fold($set1(0.0), |s, (m, a)| $add(s, $add(*m, *a)));
            let mut lanes = [0.0f32; $lanes];
            // SAFETY: `lanes` holds one vector's floats.
            unsafe { $store(lanes.as_mut_ptr(), sum) };
            lanes.iter().sum()
        }
    };
}

// 16 AVX2 registers hold 7 + 7 chains; 32 AVX-512 ones 12 + 12.
peak_kernel!(
    chains_avx2,
    "avx2",
    7,
    8,
    _mm256_set1_ps,
    _mm256_mul_ps,
    _mm256_add_ps,
    _mm256_storeu_ps
);
peak_kernel!(
    chains_avx512,
    "avx512f",
    12,
    16,
    _mm512_set1_ps,
    _mm512_mul_ps,
    _mm512_add_ps,
    _mm512_storeu_ps
);

/// Times `chains` (multiply-adds a call: `multiply_adds`) if the CPU `has` its instruction set.
#[cfg(target_arch = "x86_64")]
fn bench_peak(
    bencher: divan::Bencher<'_, '_>,
    has: bool,
    multiply_adds: usize,
    chains: unsafe fn(f32, f32) -> f32,
) {
    if has {
        bencher
            .counter(divan::counter::ItemsCount::new(multiply_adds))
            // SAFETY: the CPU has the instruction set `chains` is compiled for (`has`).
            .bench(|| unsafe { chains(divan::black_box(1e-9), divan::black_box(0.999_999_9)) });
    }
}

/// The core's peak multiply-adds a second in 8 lanes, unfused (the counter's items are
/// multiply-adds).
#[cfg(target_arch = "x86_64")]
#[divan::bench]
fn peak_multiply_adds_avx2(bencher: divan::Bencher<'_, '_>) {
    let has = std::is_x86_feature_detected!("avx2");
    bench_peak(bencher, has, N * 7 * 8, chains_avx2);
}

/// The same in 16 lanes.
#[cfg(target_arch = "x86_64")]
#[divan::bench]
fn peak_multiply_adds_avx512(bencher: divan::Bencher<'_, '_>) {
    let has = std::is_x86_feature_detected!("avx512f");
    bench_peak(bencher, has, N * 12 * 16, chains_avx512);
}
