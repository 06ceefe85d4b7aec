//! Measures architectures on a part (the ATmega328P: avr-gcc, avr-size, simavr; a Cortex-M:
//! arm-none-eabi-gcc, arm-none-eabi-size, QEMU) and writes one CSV row each: the data the
//! per-target cost model (`piconas_core::target`) is fitted to by `tests/targets/fit.py`.
//!
//!     cargo run --release --example calibrate -- atmega328p SEED COUNT > tests/targets/atmega328p.csv
//!
//! Two architectures are measured at once (each in a directory of its own). When the model's
//! features change, the rows already measured get the new ones without measuring again:
//!
//!     cargo run --release --example calibrate -- features tests/targets/atmega328p.csv
//!
//! rewrites the file's feature columns from its measured ones (the case, flash, RAM, count).

#[path = "measure.rs"]
mod measure;

use std::sync::atomic::{AtomicUsize, Ordering};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [command, path] = args.as_slice()
        && command == "features"
    {
        return refeature(path);
    }
    let target = args
        .first()
        .and_then(|a| piconas_core::target::Target::from_name(a))
        .filter(|t| t.part().is_some());
    let (Some(target), Some(seed), Some(count)) = (
        target,
        args.get(1).and_then(|a| a.parse().ok()),
        args.get(2).and_then(|a| a.parse().ok()),
    ) else {
        eprintln!(
            "usage: calibrate PART SEED COUNT (a part: atmega328p, cortex-m0, cortex-m4f; writes CSV to stdout)"
        );
        std::process::exit(2);
    };
    let cases = measure::cases(seed, count);
    let next = AtomicUsize::new(0);
    let mut rows: Vec<(usize, String)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(case) = cases.get(i) else { break };
                        let dir = tempfile::tempdir().unwrap();
                        let m = measure::measure(target, case, dir.path());
                        eprintln!("{i}: {}", m.csv_row());
                        done.push((i, m.csv_row()));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    rows.sort();
    println!("{}", measure::csv_header());
    for (_, row) in rows {
        println!("{row}");
    }
}

/// Rewrites the CSV file at `path` with the model's features as the core computes them now,
/// from each row's measured columns.
fn refeature(path: &str) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let [
        arch,
        inputs,
        classes,
        standardised,
        members,
        flash,
        static_ram,
        cycles,
    ] = [
        "arch",
        "inputs",
        "classes",
        "standardised",
        "members",
        "flash",
        "static_ram",
        "cycles",
    ]
    .map(column);
    let mut text = measure::csv_header() + "\n";
    for record in reader.records() {
        let r = record.unwrap();
        let number = |i: usize| -> u32 { r[i].parse().unwrap() };
        let row = measure::Measured {
            arch: r[arch].parse().unwrap(),
            shape: piconas_core::arch::Shape::new(
                number(inputs) as usize,
                number(classes) as usize,
            )
            .unwrap(),
            standardised: number(standardised) != 0,
            members: number(members) as usize,
            flash: number(flash),
            static_ram: number(static_ram),
            cycles: number(cycles),
        };
        text += &(row.csv_row() + "\n");
    }
    std::fs::write(path, text).unwrap();
}
