//! Child training at the widest vector width the CPU has, chosen at run time.
//!
//! The runner is built for baseline x86-64 (SSE2) so that the binary runs on any x86-64 CPU.
//! On a CPU with AVX2, [`fit`] runs the core's `Trainer::fit_avx2` instead (or, asked for,
//! `Trainer::fit_avx512`; see [`kernel`]): the same code, which the core's `multiversion` feature
//! inlines into one function compiled with `#[target_feature(enable = "avx512f")]` (or
//! `"avx2"`). The numbers are the same bits either way — the core fixes every summation order
//! and Rust never fuses a multiply and an add — which `tests/cli.rs` checks; only the speed
//! differs.

use piconas_core::rng::Generator;
use piconas_core::{Arch, ChildConfig, Fold, Outcome, Trainer};

/// An instruction set children can be trained with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kernel {
    /// Baseline x86-64 (SSE2), or whatever the target's baseline is.
    Baseline,
    /// AVX2: 8 lanes.
    Avx2,
    /// AVX-512F: 16 lanes, one 16-unit row per register.
    Avx512,
}

impl Kernel {
    /// Every kernel, narrowest first.
    pub const ALL: [Kernel; 3] = [Kernel::Baseline, Kernel::Avx2, Kernel::Avx512];

    /// Its name in summaries, the bench, and `PICONAS_KERNEL`.
    pub const fn name(self) -> &'static str {
        match self {
            Kernel::Baseline => "baseline",
            Kernel::Avx2 => "AVX2",
            Kernel::Avx512 => "AVX-512",
        }
    }

    /// Whether this CPU can run it.
    fn supported(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            match self {
                Kernel::Baseline => true,
                Kernel::Avx2 => std::is_x86_feature_detected!("avx2"),
                Kernel::Avx512 => std::is_x86_feature_detected!("avx512f"),
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self == Kernel::Baseline
        }
    }
}

/// Trains `arch` on `fold` as [`Trainer::fit`] does, with [`kernel`]'s instruction set.
#[allow(unsafe_code)]
pub fn fit(
    trainer: &mut Trainer,
    arch: &Arch,
    config: &ChildConfig,
    fold: &Fold<'_>,
    rng: &mut Generator,
) -> Outcome {
    #[cfg(target_arch = "x86_64")]
    match kernel() {
        // SAFETY: `fit_avx512` only requires AVX-512F, which `kernel` found on this CPU.
        Kernel::Avx512 => return unsafe { trainer.fit_avx512(arch, config, fold, rng) },
        // SAFETY: `fit_avx2` only requires AVX2, which `kernel` found on this CPU.
        Kernel::Avx2 => return unsafe { trainer.fit_avx2(arch, config, fold, rng) },
        Kernel::Baseline => {}
    }
    trainer.fit(arch, config, fold, rng)
}

/// The instruction set training runs on here: the widest this CPU has up to AVX2, or up to
/// the one `PICONAS_KERNEL` names (`baseline`, `AVX2`, `AVX-512`; any case). AVX-512 is
/// opt-in: on the Xeon it was measured on, its 16-lane loops leave 8- and 4-unit layers to
/// scalar remainders, and the default search ran 12 % slower than on AVX2 (docs/performance.md,
/// Performance), though six 16-unit layers train 3–10 % faster. Since the trainer's arrays sit
/// on cache lines the two are within 1 % there (2026-12-05), so AVX2 stays the default.
pub fn kernel() -> Kernel {
    static KERNEL: std::sync::OnceLock<Kernel> = std::sync::OnceLock::new();
    *KERNEL.get_or_init(|| {
        let cap = std::env::var("PICONAS_KERNEL").ok().and_then(|name| {
            Kernel::ALL
                .into_iter()
                .find(|k| k.name().eq_ignore_ascii_case(&name))
        });
        Kernel::ALL
            .into_iter()
            .filter(|k| k.supported() && *k <= cap.unwrap_or(Kernel::Avx2))
            .max()
            .unwrap_or(Kernel::Baseline)
    })
}

/// This machine's CPU model, as Linux names it (`model name` in /proc/cpuinfo), or "an
/// unnamed CPU" where it cannot be read: speed figures are written beside it.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
                .map(|(_, name)| name.trim().to_string())
        })
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "an unnamed CPU".into())
}
