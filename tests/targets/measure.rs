//! Measures what a network costs on the ATmega328P: its int8 header (`export --format c
//! --int8`) compiled with avr-gcc -Os into the smallest program that classifies (the flash and
//! static RAM avr-size reports), and into a timing program run under simavr (the cycles of
//! `piconas_predict` on each of a few rows, counted by Timer1 at the CPU clock).
//!
//! Shared by the calibration (`tests/targets/calibrate.rs`, which writes the rows the cost
//! model is fitted to) and the check of the fitted model on architectures it never saw
//! (`tests/targets.rs`).
#![allow(dead_code)] // each user takes its own part

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use piconas::data::Scaling;
use piconas::int8::Int8Model;
use piconas::layers::Model;
use piconas_core::arch::{Arch, MAX_TOKENS, Shape};
use piconas_core::memory::Memory;
use piconas_core::rng::{self, Stream};
use piconas_core::target::{self, Work};

/// Rows each architecture is timed on (the slowest is its latency).
pub const ROWS: usize = 6;

/// One architecture measured on the part.
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    /// The architecture.
    pub arch: Arch,
    /// Features and classes.
    pub shape: Shape,
    /// Whether the inputs are standardised.
    pub standardised: bool,
    /// Ensemble members.
    pub members: usize,
    /// The smallest classifying program's flash (.text + .data).
    pub flash: u32,
    /// Its static RAM (.data + .bss).
    pub static_ram: u32,
    /// The slowest row's cycles of `piconas_predict`.
    pub cycles: u32,
}

/// The CSV header of [`Measured::csv_row`]: the case, what was measured, then what the cost
/// model reads (the int8 constants and stack, and the code and cycle models' features, as
/// `piconas_core::target` computes them), so the fit (`fit.py`) needs no model of its own.
pub fn csv_header() -> String {
    let mut h = String::from(
        "arch,inputs,classes,standardised,members,flash,static_ram,cycles,constants,stack",
    );
    for f in target::CODE_FEATURE_NAMES {
        let _ = write!(h, ",code_{f}");
    }
    for f in Work::FEATURE_NAMES {
        let _ = write!(h, ",work_{f}");
    }
    h
}

impl Measured {
    /// One CSV row (the architecture quoted: it holds commas).
    pub fn csv_row(&self) -> String {
        let memory = Memory::int8(&self.arch, self.shape, self.members);
        let mut row = format!(
            "\"{}\",{},{},{},{},{},{},{},{},{}",
            self.arch,
            self.shape.inputs(),
            self.shape.classes(),
            u8::from(self.standardised),
            self.members,
            self.flash,
            self.static_ram,
            self.cycles,
            memory.constants,
            memory.stack,
        );
        for f in target::code_features(&self.arch, self.shape, self.members as u32) {
            let _ = write!(row, ",{f}");
        }
        let work = Work::of(&self.arch, self.shape, self.members as u32);
        for f in work.features() {
            let _ = write!(row, ",{f}");
        }
        row
    }
}

/// What to measure: an architecture on a shape, standardised or not, with some members.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    pub arch: Arch,
    pub shape: Shape,
    pub standardised: bool,
    pub members: usize,
}

/// The shapes of the data sets piconas is used on: the generators (2×2), iris (4×3), wine
/// (13×3), breast cancer (30×2), digits (64×10), and two between.
const SHAPES: [(usize, usize); 7] = [(2, 2), (4, 3), (13, 3), (30, 2), (64, 10), (8, 4), (20, 6)];

/// `n` cases drawn from `seed`'s stream: every length of architecture alike, the shapes
/// above, 1, 3 or 5 members (a winner is an ensemble of its folds), standardised two times in
/// three.
pub fn cases(seed: u64, n: usize) -> Vec<Case> {
    let mut rng = rng::stream(seed, Stream::Child, 30);
    (0..n)
        .map(|i| {
            let len = i % (MAX_TOKENS + 1);
            let shorter: u32 = (0..len).map(|l| 9u32.pow(l as u32)).sum();
            let arch = Arch::nth(shorter + rng::below(&mut rng, 9u32.pow(len as u32)));
            let (d, k) = SHAPES[rng::below(&mut rng, SHAPES.len() as u32) as usize];
            Case {
                arch,
                shape: Shape::new(d, k).unwrap(),
                standardised: rng::below(&mut rng, 3) != 0,
                members: [1, 3, 5][rng::below(&mut rng, 3) as usize],
            }
        })
        .collect()
}

/// Raw rows of `d` features, varied and reproducible (the quantiser's calibration and the
/// timed inputs).
fn rows(d: usize, n: usize) -> Vec<f32> {
    (0..n * d)
        .map(|i| ((i * 37 + 11) % 29) as f32 / 7.0 - 2.0 + (i % d) as f32 * 0.5)
        .collect()
}

/// The int8 header of `case`'s network (weights of a trained network's size: about
/// ±1/√fan-in), and the raw rows it is timed on.
pub fn header(case: &Case) -> (String, Vec<f32>) {
    let (d, k) = (case.shape.inputs(), case.shape.classes());
    let scaling = case.standardised.then(|| Scaling {
        mean: (0..d).map(|j| j as f32 * 0.5).collect(),
        scale: vec![1.7; d],
    });
    let weight = |m: usize, i: usize| (((i * 7 + 3 * m) * 29 % 23) as f32 - 11.0) / 16.0;
    let (file, arch) =
        piconas::model::synthetic(case.arch, (d, k), scaling, case.members, weight).unwrap();
    let model = Model::new(&file, arch).unwrap();
    let calibration = rows(d, 40);
    let q = Int8Model::quantize(&model, &model.standardised(&calibration)).unwrap();
    let timed = rows(d, ROWS + 40)[40 * d..].to_vec();
    (piconas::c_int8::header(&model, &q).text, timed)
}

/// The smallest program that classifies (`minimal.c`, shared with `benchmark.py`): features
/// read from a volatile array (so nothing is folded away), the class written to a port.
const MINIMAL: &str = include_str!("minimal.c");

/// The timing program (`timing.c`, shared with `benchmark.py`): each row's cycles of
/// `PREDICT` (Timer1 at the CPU clock, extended by its overflows), the slowest printed through
/// the UART, then the sleep that ends simavr.
const TIMING: &str = include_str!("timing.c");

/// What `timing.c` times: the header's `piconas_predict`.
const PREDICT: &str = "#include \"piconas.h\"\n#define INPUTS PICONAS_INPUTS\n#define PREDICT(x) piconas_predict(x)\n";

/// `avr-size -A`'s (flash, static RAM): .text + .data, .data + .bss.
fn sizes(elf: &Path) -> (u32, u32) {
    let out = Command::new("avr-size")
        .arg("-A")
        .arg(elf)
        .output()
        .unwrap();
    assert!(out.status.success(), "avr-size failed");
    let text = String::from_utf8_lossy(&out.stdout);
    let section = |name: &str| -> u32 {
        text.lines()
            .find_map(|l| {
                let mut f = l.split_whitespace();
                (f.next() == Some(name)).then(|| f.next().unwrap().parse().unwrap())
            })
            .unwrap_or(0)
    };
    (
        section(".text") + section(".data"),
        section(".data") + section(".bss"),
    )
}

fn avr_gcc(dir: &Path, source: &str, elf: &str) {
    let out = Command::new("avr-gcc")
        .args([
            "-mmcu=atmega328p",
            "-DF_CPU=16000000UL",
            "-std=c99",
            "-Os",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-ffp-contract=off",
        ])
        .arg("-I")
        .arg(dir)
        .arg(dir.join(source))
        .arg("-o")
        .arg(dir.join(elf))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "avr-gcc {source}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What a header costs on the part, built in `dir`: the smallest classifying program's flash
/// and static RAM, and the slowest of `rows`' (raw features, row after row) cycles of
/// `piconas_predict`.
pub fn measure_header(header: &str, rows: &[f32], dir: &Path) -> (u32, u32, u32) {
    std::fs::write(dir.join("piconas.h"), header).unwrap();
    let mut table = String::from("static const float rows[] PROGMEM = {");
    for v in rows {
        let _ = write!(table, "{v:?}f,");
    }
    table.push_str("};\n#define ROWS (int)(sizeof rows / sizeof rows[0] / INPUTS)\n");
    std::fs::write(dir.join("rows.h"), table).unwrap();
    std::fs::write(dir.join("minimal.c"), MINIMAL).unwrap();
    std::fs::write(dir.join("timing.c"), TIMING).unwrap();
    std::fs::write(dir.join("predict.h"), PREDICT).unwrap();
    avr_gcc(dir, "minimal.c", "minimal.elf");
    avr_gcc(dir, "timing.c", "timing.elf");
    let (flash, static_ram) = sizes(&dir.join("minimal.elf"));
    let out = Command::new("timeout")
        .args(["120", "simavr", "-m", "atmega328p", "-f", "16000000"])
        .arg(dir.join("timing.elf"))
        .output()
        .unwrap();
    let all =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let cycles = all
        .split("c=")
        .nth(1)
        .and_then(|t| t.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("simavr printed no cycle count: {all}"));
    (flash, static_ram, cycles)
}

/// Builds and runs `case` in `dir` (a fresh directory of its own).
pub fn measure(case: &Case, dir: &Path) -> Measured {
    let (header, timed) = header(case);
    let (flash, static_ram, cycles) = measure_header(&header, &timed, dir);
    Measured {
        arch: case.arch,
        shape: case.shape,
        standardised: case.standardised,
        members: case.members,
        flash,
        static_ram,
        cycles,
    }
}
