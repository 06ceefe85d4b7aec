//! Child training at the widest vector width the CPU has, chosen at run time.
//!
//! The runner is built for baseline x86-64 (SSE2) so that the binary runs on any x86-64 CPU.
//! On a CPU with AVX2, [`fit`] runs the core's `Trainer::fit_avx2` instead: the same code,
//! which the core's `multiversion` feature inlines into one function compiled with
//! `#[target_feature(enable = "avx2")]`. The numbers are the same bits either way — the core
//! fixes every summation order and Rust never fuses a multiply and an add — which
//! `tests/cli.rs` checks; only the speed differs.

use piconas_core::rng::Generator;
use piconas_core::{Arch, ChildConfig, Fold, Outcome, Trainer};

/// Trains `arch` on `fold` as [`Trainer::fit`] does, on AVX2 when the CPU has it.
pub fn fit(
    trainer: &mut Trainer,
    arch: &Arch,
    config: &ChildConfig,
    fold: &Fold<'_>,
    rng: &mut Generator,
) -> Outcome {
    #[cfg(target_arch = "x86_64")]
    if avx2() {
        // SAFETY: `fit_avx2` only requires AVX2, and the CPU was just found to have it.
        return unsafe { trainer.fit_avx2(arch, config, fold, rng) };
    }
    trainer.fit(arch, config, fold, rng)
}

/// Whether training runs on AVX2 here (for the benchmark's report); `PICONAS_NO_AVX2=1` turns
/// the dispatch off, to compare.
pub fn avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        static AVX2: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *AVX2.get_or_init(|| {
            std::env::var_os("PICONAS_NO_AVX2").is_none() && std::is_x86_feature_detected!("avx2")
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
