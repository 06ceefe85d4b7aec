//! Writes the linker's memory map with this configuration's budgets, the data set for the
//! `small` and `wine` configurations (generated here by piconas-core, or read by the host's
//! reader; kept in flash), and the exported network for the `classify` binary.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

use piconas_core::{DataConfig, datasets};

/// Flash budget for every configuration.
const FLASH_KIB: u32 = 128;
/// RAM budgets: the 64-unit controller, and the `small` (16-unit) configuration.
const RAM_KIB: u32 = 256;
const RAM_SMALL_KIB: u32 = 64;

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let small = env::var_os("CARGO_FEATURE_SMALL").is_some();

    // mps2-an386 has 4 MB of each; declaring only the budget makes the linker enforce it for
    // code and statics, and leaves the rest of the budget to the stack, whose peak the
    // firmware measures.
    let ram = if small { RAM_SMALL_KIB } else { RAM_KIB };
    let memory = format!(
        "MEMORY\n{{\n  FLASH : ORIGIN = 0x00000000, LENGTH = {FLASH_KIB}K\n  RAM : ORIGIN = 0x20000000, LENGTH = {ram}K\n}}\n"
    );
    fs::write(out.join("memory.x"), memory).expect("write memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-env=PICONAS_RAM_BUDGET={}", ram * 1024);

    // The data set in flash: the wine data read by the host's own reader (stratified split,
    // seed 0; standardised by its train split), or the default moons from the same generator
    // the chip runs. Either way the bits the runner trains on (one libm everywhere), and CI
    // compares the resulting records with the runner's.
    let wine = env::var_os("CARGO_FEATURE_WINE").is_some();
    let (x, labels, inputs, classes, what) = if wine {
        let path = PathBuf::from("../tests/data/wine.csv");
        println!("cargo:rerun-if-changed={}", path.display());
        let options = piconas::data::CsvOptions::default();
        let data = piconas::data::Dataset::csv(&path, &options).expect("tests/data/wine.csv reads");
        let what = "the committed wine data set (tests/data/wine.csv: stratified split seed 0, standardised)";
        (
            data.x,
            data.labels,
            data.shape.inputs(),
            data.shape.classes(),
            what,
        )
    } else {
        let config = DataConfig::DEFAULT;
        let n = config.samples;
        let (mut x, mut labels) = (vec![0.0f32; 2 * n], vec![0u8; n]);
        datasets::generate_config(&config, &mut x, &mut labels)
            .expect("the default data set is valid");
        (
            x,
            labels,
            2,
            2,
            "the default two-moons data set, generated at build time",
        )
    };
    let mut rust = format!(
        "/// {what}: {} rows of {inputs} features, row-major.\npub static FLASH_X: [f32; {}] = [\n",
        labels.len(),
        x.len()
    );
    for row in x.chunks(inputs) {
        let cells: Vec<String> = row
            .iter()
            .map(|v| format!("f32::from_bits(0x{:08x})", v.to_bits()))
            .collect();
        let _ = writeln!(rust, "    {},", cells.join(", "));
    }
    let _ = write!(
        rust,
        "];\n/// Its classes.\npub static FLASH_LABELS: [u8; {}] = {labels:?};\n/// Features per row and classes.\npub const FLASH_SHAPE: (usize, usize) = ({inputs}, {classes});\n",
        labels.len()
    );
    fs::write(out.join("flash_data.rs"), rust).expect("write flash_data.rs");

    // The network `classify` runs: PICONAS_NETWORK (a file from `piconas export --format
    // rust`), or the committed example.
    let network = env::var("PICONAS_NETWORK").unwrap_or_else(|_| "src/network.rs".into());
    fs::copy(&network, out.join("network.rs")).expect("read the exported network");
    println!("cargo:rerun-if-env-changed=PICONAS_NETWORK");
    println!("cargo:rerun-if-changed={network}");
    println!("cargo:rerun-if-changed=build.rs");
}
