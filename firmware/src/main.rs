//! The whole piconas search on a Cortex-M4F: data, controller, REINFORCE and every child's
//! training in statics, no heap, no allocator. Prints each rollout and a summary over
//! semihosting, then exits 0 (or 1 if the stack outgrew the RAM budget).
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use panic_semihosting as _;
use piconas_core::{Rows, Search, Shape, Split};
use piconas_firmware::{CONFIG, Fixed4, H, HIDDEN, RAM_BUDGET, stack};

/// The data set lives in flash (`small`, `wine`), or is generated on the chip, in RAM.
const IN_FLASH: bool = cfg!(any(feature = "small", feature = "wine"));

#[cfg(any(feature = "small", feature = "wine"))]
include!(concat!(env!("OUT_DIR"), "/flash_data.rs"));

#[cfg(not(any(feature = "small", feature = "wine")))]
const SAMPLES: usize = piconas_core::DataConfig::DEFAULT.samples;

#[entry]
fn main() -> ! {
    // cortex-m-rt turns these into `&'static mut`: the search is built in place, never on the
    // stack. All-zero initialisers put them in .bss (zeroed at reset) instead of .data, which
    // would need a 240 KB initial image in flash; `Search::start` then sets the search up.
    // SAFETY: the initialiser is const-evaluated, and const evaluation rejects a static whose
    // bytes are not a valid value of its type, so all-zero bytes are proven a valid `Search`
    // (numbers, bools, enums whose first variant is 0, `None`s, empty `heapless::Vec`s).
    static mut SEARCH: Search<H> = unsafe { core::mem::MaybeUninit::zeroed().assume_init() };
    #[cfg(not(any(feature = "small", feature = "wine")))]
    static mut X: [f32; 2 * SAMPLES] = [0.0; 2 * SAMPLES];
    #[cfg(not(any(feature = "small", feature = "wine")))]
    static mut LABELS: [u8; SAMPLES] = [0; SAMPLES];

    stack::paint();

    #[cfg(not(any(feature = "small", feature = "wine")))]
    let (data, where_) = {
        // The same generator the host runs, here on the chip.
        let config = piconas_core::DataConfig::DEFAULT;
        let filled = piconas_core::datasets::generate_config(&config, X, LABELS);
        (
            filled.unwrap_or(Rows::empty(Shape::MOONS)),
            "generated on the chip, in RAM",
        )
    };
    #[cfg(any(feature = "small", feature = "wine"))]
    let (data, where_) = {
        let shape = match Shape::new(FLASH_SHAPE.0, FLASH_SHAPE.1) {
            Ok(shape) => shape,
            Err(e) => fail(format_args!("data: {e}")),
        };
        let rows = match Rows::new(&FLASH_X, &FLASH_LABELS, shape) {
            Ok(rows) => rows,
            Err(e) => fail(format_args!("data: {e}")),
        };
        (rows, "prepared at build time, in flash")
    };

    search(SEARCH, data, where_);
    report_ram(if IN_FLASH {
        0
    } else {
        core::mem::size_of_val(data.features()) + data.len()
    });
    piconas_firmware::exit(true)
}

/// Starts `search` on `data` (`where_` it lives), runs it to the end printing every record,
/// then the winner.
fn search(search: &mut Search<H>, data: Rows<'_>, where_: &str) {
    let split = match Split::new(data) {
        Ok(split) => split,
        Err(e) => fail(format_args!("data: {e}")),
    };
    // Costs are measured on the data's shape.
    let config = piconas_core::SearchConfig {
        shape: split.shape(),
        ..CONFIG
    };
    if let Err(e) = search.start(config) {
        fail(format_args!("config: {e}"));
    }
    hprintln!(
        "piconas-firmware: {} rollouts, controller {} units, {} rows of {} features, {} classes ({})",
        CONFIG.rollouts,
        HIDDEN,
        data.len(),
        data.shape().inputs(),
        data.shape().classes(),
        where_
    );
    while let Some(record) = search.step(&split) {
        hprintln!("{} # reward {}", record.bits(), Fixed4(record.reward));
    }
    let report = search.finish(&split);
    hprintln!(
        "winner {} dev {} test {} (min {}, max {}, {} {})",
        report.winner,
        Fixed4(report.dev_mean),
        Fixed4(report.test_mean),
        Fixed4(report.test_min),
        Fixed4(report.test_max),
        report.retrains,
        if report.folds >= 2 {
            "folds"
        } else {
            "retrains"
        }
    );
}

/// Prints the RAM used (statics, stack peak, and what the search's parts take), and fails if
/// the stack came within 256 B of the statics.
fn report_ram(data_bytes: usize) {
    let peak = stack::peak();
    let statics = RAM_BUDGET - stack::available();
    hprintln!(
        "ram: statics {} B (search {} B, data {} B), stack peak {} B, total {} B of {} B",
        statics,
        core::mem::size_of::<Search<H>>(),
        data_bytes,
        peak,
        statics + peak,
        RAM_BUDGET
    );
    {
        use core::mem::size_of;
        use piconas_core::mlp::Workspace;
        use piconas_core::policy::{ControllerParams, Trajectory};
        use piconas_core::{Reinforce, Trainer};
        hprintln!(
            "ram breakdown: controller weights {} B, REINFORCE (Adam moments) {} B, trajectory {} B, child trainer {} B (batch workspace {} B)",
            size_of::<ControllerParams<H>>(),
            size_of::<Reinforce<H>>(),
            size_of::<Trajectory<H>>(),
            size_of::<Trainer>(),
            size_of::<Workspace>()
        );
    }
    // The stack must have stayed clear of the statics, with room to spare.
    if peak + 256 > stack::available() {
        fail(format_args!(
            "stack peak {peak} B leaves under 256 B of the {} B available",
            stack::available()
        ));
    }
}

fn fail(args: core::fmt::Arguments<'_>) -> ! {
    piconas_firmware::fail("piconas-firmware", args)
}
