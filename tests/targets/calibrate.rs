//! Measures architectures on the ATmega328P (avr-gcc, avr-size, simavr) and writes one CSV row
//! each: the data the per-target cost model (`piconas_core::target`) is fitted to by
//! `tests/targets/fit.py`.
//!
//!     cargo run --release --example calibrate -- SEED COUNT > tests/targets/atmega328p.csv
//!
//! Two architectures are measured at once (each in a directory of its own).

#[path = "measure.rs"]
mod measure;

use std::sync::atomic::{AtomicUsize, Ordering};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(seed), Some(count)) = (
        args.first().and_then(|a| a.parse().ok()),
        args.get(1).and_then(|a| a.parse().ok()),
    ) else {
        eprintln!("usage: calibrate SEED COUNT (writes CSV to stdout)");
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
                        let m = measure::measure(case, dir.path());
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
