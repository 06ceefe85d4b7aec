//! What the firmware binaries share: the configuration, stack measurement, RAM accounting.
#![no_std]

use piconas_core::{Hidden, SearchConfig};

/// The controller's size: 64 units (the original's), or 16 with the `small` feature.
#[cfg(not(feature = "small"))]
pub const HIDDEN: Hidden = Hidden::DEFAULT;
/// The controller's size: 64 units (the original's), or 16 with the `small` feature.
#[cfg(feature = "small")]
pub const HIDDEN: Hidden = Hidden::H16;
/// [`HIDDEN`]'s units: a firmware's search is one static of one type, so the size is chosen
/// at build time rather than through [`Hidden::dispatch`].
pub const H: usize = HIDDEN.units();

/// The search this build runs. `full`: the original's (5000 rollouts of up to 100 epochs).
#[cfg(feature = "full")]
pub const CONFIG: SearchConfig = SearchConfig::DEFAULT;

/// The search this build runs: CI-sized, 12 rollouts of at most 3 epochs (no step floor), 3
/// finalists retrained twice. The host runner reproduces it with
/// `--rollouts 12 --max-epochs 3 --min-steps 0 --finalists 3 --retrains 2`.
#[cfg(not(feature = "full"))]
pub const CONFIG: SearchConfig = ci_sized(base());

/// The settings the CI-sized search starts from: the defaults, or with the `original`
/// feature the original's rules (the host's `--preset original`).
#[cfg(not(feature = "full"))]
const fn base() -> SearchConfig {
    if cfg!(feature = "original") {
        piconas_core::settings::original(SearchConfig::DEFAULT)
    } else {
        SearchConfig::DEFAULT
    }
}

/// `config` cut to CI size, as the host's flags cut it after a preset.
#[cfg(not(feature = "full"))]
const fn ci_sized(mut config: SearchConfig) -> SearchConfig {
    config.rollouts = 12;
    config.child.max_epochs = 3;
    config.child.min_steps = 0;
    config.finalists = 3;
    config.retrains = 2;
    config
}

/// A number in [0, 1] with four decimals (`0.9750`), printed with integer arithmetic: core's
/// float formatting would add about 20 KB of flash.
#[derive(Clone, Copy, Debug)]
pub struct Fixed4(pub f32);

impl core::fmt::Display for Fixed4 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let v = self.0;
        if !(0.0..=1.0).contains(&v) {
            // Not a fraction (NaN, say): show the bits rather than a wrong number.
            return write!(f, "bits:{:08x}", v.to_bits());
        }
        let scaled = (v * 10_000.0 + 0.5) as u32;
        write!(f, "{}.{:04}", scaled / 10_000, scaled % 10_000)
    }
}

/// Ends the program: QEMU exits with status 0 (`success`) or 1, through semihosting.
pub fn exit(success: bool) -> ! {
    let status = if success {
        cortex_m_semihosting::debug::EXIT_SUCCESS
    } else {
        cortex_m_semihosting::debug::EXIT_FAILURE
    };
    cortex_m_semihosting::debug::exit(status);
    // Only reached without a semihosting host (on a real board): sleep.
    loop {
        cortex_m::asm::wfi();
    }
}

/// Prints `who: error: …` over semihosting and exits with status 1.
pub fn fail(who: &str, args: core::fmt::Arguments<'_>) -> ! {
    cortex_m_semihosting::hprintln!("{}: error: {}", who, args);
    exit(false)
}

/// The RAM this configuration may use (the linker's RAM region, set by build.rs).
pub const RAM_BUDGET: usize = parse(env!("PICONAS_RAM_BUDGET"));

const fn parse(s: &str) -> usize {
    let bytes = s.as_bytes();
    let (mut i, mut n) = (0, 0);
    while i < bytes.len() {
        n = n * 10 + (bytes[i] - b'0') as usize;
        i += 1;
    }
    n
}

/// Stack measurement by painting: fill the unused stack with a pattern at start-up, and at
/// the end find how deep the pattern was overwritten.
pub mod stack {
    const PAINT: u32 = 0xa5a5_5a5a;
    /// Bytes below the current stack pointer left unpainted (the painter's own frame).
    const MARGIN: usize = 256;

    unsafe extern "C" {
        // Symbols of cortex-m-rt's link.x: the stack grows down from _stack_start to _stack_end
        // (the end of the statics).
        static _stack_start: u32;
        static _stack_end: u32;
    }

    fn bounds() -> (usize, usize) {
        // Only the addresses of the linker symbols are taken; nothing is read.
        (
            &raw const _stack_end as usize,
            &raw const _stack_start as usize,
        )
    }

    /// Bytes between the statics and the top of RAM.
    pub fn available() -> usize {
        let (end, start) = bounds();
        start - end
    }

    /// Paints the unused stack. Call first thing in `main`.
    #[inline(never)]
    pub fn paint() {
        let (end, _) = bounds();
        let sp = cortex_m::register::msp::read() as usize;
        let mut addr = end;
        while addr + MARGIN < sp {
            // SAFETY: [end, sp - MARGIN) is RAM below every live stack frame and above every
            // static (cortex-m-rt's layout), so no one else uses it.
            unsafe { core::ptr::write_volatile(addr as *mut u32, PAINT) };
            addr += 4;
        }
    }

    /// The deepest the stack has been since [`paint`], in bytes from the top of RAM.
    pub fn peak() -> usize {
        let (end, start) = bounds();
        let mut addr = end;
        // SAFETY: reads words of the stack region, which is RAM.
        while addr < start && unsafe { core::ptr::read_volatile(addr as *const u32) } == PAINT {
            addr += 4;
        }
        start - addr
    }
}
