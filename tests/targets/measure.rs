//! Measures what a network costs on a part: its int8 header (`export --format c --int8`)
//! compiled with `-Os` into the smallest program that classifies (`minimal.c`: the flash and
//! static RAM the toolchain's `size` reports), and into a timing program (the count of one
//! `piconas_predict` on each of a few rows, the most kept):
//! - ATmega328P: avr-gcc, and `timing.c` under simavr: cycles, by Timer1 at the CPU clock;
//! - Cortex-M0 and Cortex-M4F: arm-none-eabi-gcc (`-mcpu=cortex-m0`, or `cortex-m4` with the
//!   hard-float FPU), with `cortex_m.c` (vectors, no C library), and `timing_cortex_m.c` under
//!   QEMU (mps2-an385, which runs Cortex-M0 code too, and mps2-an386): instructions, by
//!   SysTick on QEMU's instruction-counting clock (`-icount`). QEMU has no cycle counter.
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
use piconas_core::target::{self, Target, Work};

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
    /// The slowest row's count of `piconas_predict`: cycles on the ATmega328P, instructions
    /// on a Cortex-M.
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

/// `size -A`'s sections of `elf` (`avr-size` or `arm-none-eabi-size`): name and bytes.
fn sections(size: &str, elf: &Path) -> Vec<(String, u32)> {
    let out = Command::new(size).arg("-A").arg(elf).output().unwrap();
    assert!(out.status.success(), "{size} failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (name, bytes) = (f.next()?, f.next()?.parse().ok()?);
            name.starts_with('.').then(|| (name.to_string(), bytes))
        })
        .collect()
}

/// The program's flash and static RAM from its sections: flash is what is loaded (the vector
/// table, code, constants, initial data), RAM what is written (initial and zeroed data).
fn sizes(size: &str, elf: &Path) -> (u32, u32) {
    let (mut flash, mut ram) = (0, 0);
    for (name, bytes) in sections(size, elf) {
        match name.as_str() {
            ".vectors" | ".text" | ".rodata" | ".ARM.exidx" => flash += bytes,
            ".data" => (flash, ram) = (flash + bytes, ram + bytes),
            ".bss" => ram += bytes,
            _ => {}
        }
    }
    (flash, ram)
}

/// How a part's programs are built and timed.
struct Toolchain {
    /// The compiler and its flags.
    cc: &'static [&'static str],
    /// Extra sources every program links (the start-up, on a Cortex-M).
    start: Option<(&'static str, &'static str)>,
    /// The flags after the sources.
    link: &'static [&'static str],
    /// The `size` that reads its sections.
    size: &'static str,
    /// The timing program.
    timing: (&'static str, &'static str),
    /// The simulator's command before the program.
    run: &'static [&'static str],
}

/// The ARM flags every Cortex-M program is built with: no C library (`cortex_m.c` starts it),
/// unused functions dropped.
macro_rules! arm {
    ($($cpu:literal),+) => {
        &[
            "arm-none-eabi-gcc", $($cpu,)+ "-mthumb", "-std=c99", "-Os", "-Wall", "-Wextra", "-Werror",
            "-ffp-contract=off", "-fno-tree-loop-distribute-patterns", "-ffunction-sections",
            "-fdata-sections", "-nostdlib", "-nostartfiles",
        ]
    };
}

const ARM_LINK: &[&str] = &[
    "-Wl,--gc-sections",
    "-Wl,-u,piconas_vectors",
    "-Wl,--entry=piconas_reset",
    "-Wl,--section-start=.vectors=0x0",
    "-lgcc",
];

const CORTEX_M: (&str, &str) = ("cortex_m.c", include_str!("cortex_m.c"));
const TIMING_CORTEX_M: (&str, &str) = ("timing_cortex_m.c", include_str!("timing_cortex_m.c"));

/// QEMU with every instruction 64 ns of its virtual clock (see `timing_cortex_m.c`).
macro_rules! qemu {
    ($machine:literal) => {
        &[
            "timeout",
            "120",
            "qemu-system-arm",
            "-machine",
            $machine,
            "-nographic",
            "-monitor",
            "none",
            "-serial",
            "none",
            "-semihosting-config",
            "enable=on,target=native",
            "-icount",
            "shift=6,align=off",
            "-kernel",
        ]
    };
}

fn toolchain(target: Target) -> Toolchain {
    match target {
        Target::CortexM0 => Toolchain {
            cc: arm!("-mcpu=cortex-m0"),
            start: Some(CORTEX_M),
            link: ARM_LINK,
            size: "arm-none-eabi-size",
            timing: TIMING_CORTEX_M,
            run: qemu!("mps2-an385"),
        },
        Target::CortexM4f => Toolchain {
            cc: arm!("-mcpu=cortex-m4", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"),
            start: Some(CORTEX_M),
            link: ARM_LINK,
            size: "arm-none-eabi-size",
            timing: TIMING_CORTEX_M,
            run: qemu!("mps2-an386"),
        },
        Target::Atmega328p | Target::Host => Toolchain {
            cc: &[
                "avr-gcc",
                "-mmcu=atmega328p",
                "-DF_CPU=16000000UL",
                "-std=c99",
                "-Os",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-ffp-contract=off",
            ],
            start: None,
            link: &[],
            size: "avr-size",
            timing: ("timing.c", TIMING),
            run: &[
                "timeout",
                "120",
                "simavr",
                "-m",
                "atmega328p",
                "-f",
                "16000000",
            ],
        },
    }
}

impl Toolchain {
    fn build(&self, dir: &Path, source: &str, elf: &str) {
        let mut cmd = Command::new(self.cc[0]);
        cmd.args(&self.cc[1..]);
        cmd.arg("-I").arg(dir);
        if let Some((name, _)) = self.start {
            cmd.arg(dir.join(name));
        }
        let out = cmd
            .arg(dir.join(source))
            .args(self.link)
            .arg("-o")
            .arg(dir.join(elf))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{} {source}: {}",
            self.cc[0],
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// What a header costs on `target`, built in `dir`: the smallest classifying program's flash
/// and static RAM, and the most of `rows`' (raw features, row after row) counts of
/// `piconas_predict` (cycles on the ATmega328P, instructions on a Cortex-M).
pub fn measure_header(target: Target, header: &str, rows: &[f32], dir: &Path) -> (u32, u32, u32) {
    let tools = toolchain(target);
    std::fs::write(dir.join("piconas.h"), header).unwrap();
    let mut table = String::from("static const float rows[] PROGMEM = {");
    for v in rows {
        let _ = write!(table, "{v:?}f,");
    }
    table.push_str("};\n#define ROWS (int)(sizeof rows / sizeof rows[0] / INPUTS)\n");
    std::fs::write(dir.join("rows.h"), table).unwrap();
    std::fs::write(dir.join("minimal.c"), MINIMAL).unwrap();
    std::fs::write(dir.join(tools.timing.0), tools.timing.1).unwrap();
    std::fs::write(dir.join("predict.h"), PREDICT).unwrap();
    if let Some((name, text)) = tools.start {
        std::fs::write(dir.join(name), text).unwrap();
    }
    tools.build(dir, "minimal.c", "minimal.elf");
    tools.build(dir, tools.timing.0, "timing.elf");
    let (flash, static_ram) = sizes(tools.size, &dir.join("minimal.elf"));
    let out = Command::new(tools.run[0])
        .args(&tools.run[1..])
        .arg(dir.join("timing.elf"))
        .output()
        .unwrap();
    let all =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let count = all
        .split("c=")
        .nth(1)
        .and_then(|t| t.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("{} printed no count: {all}", tools.run[2]));
    (flash, static_ram, count)
}

/// Builds and runs `case` on `target` in `dir` (a fresh directory of its own).
pub fn measure(target: Target, case: &Case, dir: &Path) -> Measured {
    let (header, timed) = header(case);
    let (flash, static_ram, cycles) = measure_header(target, &header, &timed, dir);
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
