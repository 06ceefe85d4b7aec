//! The cost model of each part, checked on the part: architectures it was never fitted to
//! (`tests/targets/measure.rs`: avr-gcc and simavr for the ATmega328P, arm-none-eabi-gcc and
//! QEMU for the Cortex-M parts), and a budgeted search whose winner is built and timed as a
//! user would. `#[ignore]`d: they need those tools, which `.ci/run` installs and runs them
//! with.

mod common;
#[path = "targets/measure.rs"]
mod measure;

use common::cli::{piconas, stderr};
use piconas_core::arch::{Arch, Shape};
use piconas_core::memory::Memory;
use piconas_core::target::Target;

/// Checks `target`'s model on 42 architectures drawn from seed 3 (the calibration drew from
/// seeds 1, fitted, and 2, held out): the flash and cycle bounds hold on every one, the RAM is
/// exact, and on average the cycle fit is within `cycle_error` and the flash bound within
/// `flash_over` above the measure (a network the compiler folded to a constant class, its
/// flash below its constants, is bounded but left out of the averages, as `fit.py` does).
fn model_bounds_new_architectures(target: Target, cycle_error: f64, flash_over: f64) {
    let part = target.part().unwrap();
    let cases = measure::cases(3, 42);
    let (mut over, mut error, mut n) = (0.0, 0.0, 0.0);
    for case in &cases {
        let dir = tempfile::tempdir().unwrap();
        let m = measure::measure(target, case, dir.path());
        let cycles = part.cycles_of(m.cycles);
        let members = case.members as u32;
        let cost = part.footprint(&case.arch, case.shape, members);
        let what = format!(
            "{target}: {} on {:?}, {} members",
            case.arch, case.shape, case.members
        );
        assert!(
            cost.flash >= m.flash,
            "{what}: flash {} over the bound {}",
            m.flash,
            cost.flash
        );
        assert!(
            cost.cycles_bound >= cycles,
            "{what}: {cycles} cycles over the bound {}",
            cost.cycles_bound
        );
        // RAM: the program's features (four bytes each) and the stated stack, exactly.
        let memory = Memory::int8(&case.arch, case.shape, case.members);
        assert_eq!(m.static_ram, 4 * case.shape.inputs() as u32, "{what}");
        assert_eq!(cost.ram, m.static_ram + memory.stack as u32, "{what}");
        if m.flash >= memory.constants as u32 {
            over += f64::from(cost.flash) / f64::from(m.flash) - 1.0;
            error += (f64::from(cost.cycles) / f64::from(cycles) - 1.0).abs();
            n += 1.0;
        }
    }
    assert!(n >= 40.0, "{target}: only {n} architectures not folded");
    assert!(
        error / n < cycle_error,
        "{target} cycles: mean error {:.1} %",
        100.0 * error / n
    );
    assert!(
        over / n < flash_over,
        "{target} flash: bound {:.1} % over",
        100.0 * over / n
    );
}

// The limits sit above what the held-out rows measured (tests/targets/README.md): the cycle
// fit within 3.4 % on average on the ATmega328P, 5.8 % on the Cortex-M0, 5.4 % on the M4F;
// the flash bound 11 %, 9 % and 14 % over. Seed 3's 42 on the M0: 8.3 % (2026-12-05).

#[test]
#[ignore = "needs gcc-avr and simavr (.ci/run installs them)"]
fn the_atmega328p_model_bounds_architectures_it_never_saw() {
    model_bounds_new_architectures(Target::Atmega328p, 0.05, 0.15);
}

#[test]
#[ignore = "needs gcc-arm-none-eabi and qemu-system-arm (.ci/run installs them)"]
fn the_cortex_m0_model_bounds_architectures_it_never_saw() {
    model_bounds_new_architectures(Target::CortexM0, 0.1, 0.15);
}

#[test]
#[ignore = "needs gcc-arm-none-eabi and qemu-system-arm (.ci/run installs them)"]
fn the_cortex_m4f_model_bounds_architectures_it_never_saw() {
    model_bounds_new_architectures(Target::CortexM4f, 0.1, 0.2);
}

/// The first `n` rows' features of a CSV file whose last column is the label.
fn features(path: &str, n: usize) -> Vec<f32> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .take(n)
        .flat_map(|l| {
            let fields: Vec<&str> = l.split(',').collect();
            let d = fields.len() - 1;
            fields[..d]
                .iter()
                .map(|v| v.parse::<f32>().unwrap())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A search on wine under `target`'s budget of `max_flash` bytes, `max_ram` bytes and
/// `max_latency_us`: its int8 export, built and timed on the part, is within each.
fn budgeted_search_fits(target: Target, max_flash: u32, max_ram: u32, max_latency_us: u32) {
    let part = target.part().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let wine = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/wine.csv");
    let budget = [
        "--target".to_string(),
        target.to_string(),
        "--max-flash".into(),
        max_flash.to_string(),
        "--max-ram".into(),
        max_ram.to_string(),
        "--max-latency-us".into(),
        max_latency_us.to_string(),
    ];
    let mut args = vec!["--quiet", "--data", wine, "--rollouts", "150", "--out"];
    args.push(run.to_str().unwrap());
    args.extend(budget.iter().map(String::as_str));
    let out = piconas(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let header = dir.path().join("piconas.h");
    let export = piconas(&[
        "export",
        "--run",
        run.to_str().unwrap(),
        "--format",
        "c",
        "--int8",
        "--out",
        header.to_str().unwrap(),
    ]);
    assert!(export.status.success(), "{}", stderr(&export));
    let text = std::fs::read_to_string(&header).unwrap();
    let build = dir.path().join("build");
    std::fs::create_dir(&build).unwrap();
    let (flash, static_ram, count) =
        measure::measure_header(target, &text, &features(wine, 6), &build);
    // The winner, as the run saved it: its stated stack.
    let network = std::fs::read_to_string(run.join("network.json")).unwrap();
    let (file, arch) = piconas::model::NetworkFile::parse("network.json", &network).unwrap();
    let shape = Shape::new(13, 3).unwrap();
    let stack = Memory::int8(&arch, shape, file.members.len()).stack as u32;
    let what = format!("{target}: {arch} ({} members)", file.members.len());
    assert_ne!(arch, Arch::LARGEST);
    assert!(flash <= max_flash, "{what}: {flash} bytes of flash");
    assert!(
        static_ram + stack <= max_ram,
        "{what}: {static_ram} + {stack} bytes of RAM"
    );
    let cycles = u64::from(part.cycles_of(count));
    let allowed = u64::from(max_latency_us) * u64::from(part.clock_hz) / 1_000_000;
    assert!(
        cycles <= allowed,
        "{what}: {cycles} cycles at {} MHz",
        part.clock_hz / 1_000_000
    );
}

#[test]
#[ignore = "needs gcc-avr and simavr (.ci/run installs them)"]
fn a_budgeted_search_on_wine_fits_the_uno_as_built() {
    budgeted_search_fits(Target::Atmega328p, 3200, 400, 3000);
}

/// On the Cortex-M4F the cycles are QEMU's instructions at the part's assumed two cycles each
/// (`piconas_core::target`): what is proven is the instruction count.
#[test]
#[ignore = "needs gcc-arm-none-eabi and qemu-system-arm (.ci/run installs them)"]
fn a_budgeted_search_on_wine_fits_the_cortex_m4f_as_built() {
    budgeted_search_fits(Target::CortexM4f, 2500, 400, 120);
}
