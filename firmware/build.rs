//! Writes the linker's memory map with this configuration's budgets, the data set for the
//! `small` configuration (generated here by piconas-core, kept in flash), and the exported
//! network for the `classify` binary.

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

    // The data set in flash: the same generator, run here on the host. Its bits are the
    // chip's (one libm everywhere), and CI compares the resulting records with the host's.
    let config = DataConfig::DEFAULT;
    let n = config.samples;
    let (mut x, mut labels) = (vec![0.0f32; 2 * n], vec![0u8; n]);
    datasets::generate_config(&config, &mut x, &mut labels).expect("the default data set is valid");
    let mut rust = format!(
        "/// The default two-moons data set ({n} points, two features each), generated at build time.\npub static FLASH_X: [f32; {}] = [\n",
        2 * n
    );
    for pair in x.chunks_exact(2) {
        let _ = writeln!(
            rust,
            "    f32::from_bits(0x{:08x}), f32::from_bits(0x{:08x}),",
            pair[0].to_bits(),
            pair[1].to_bits()
        );
    }
    let _ = write!(
        rust,
        "];\n/// Its classes.\npub static FLASH_LABELS: [u8; {n}] = {labels:?};\n"
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
