//! The deploy path's last step: an exported ensemble (`piconas export --format rust`, compiled
//! in by build.rs) classifies the test split on the chip, from the raw rows the export carries,
//! standardised here with its statistics, by its members' mean logits (the core's
//! `ensemble`): one network in RAM, into which each member's weights (constants in flash) are
//! loaded in turn to add its logits. Prints its accuracy, and exits 0 only if every row's
//! predicted class is the host's and the accuracy equals, bit for bit, the accuracy the host
//! computed for the same ensemble.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use panic_semihosting as _;
use piconas_core::mlp::Workspace;
use piconas_core::{Arch, Network, Shape, ensemble};
use piconas_firmware::Fixed4;

mod exported {
    include!(concat!(env!("OUT_DIR"), "/network.rs"));
}

/// Test rows.
const N: usize = exported::TEST_LABELS.len();
/// The ensemble's members.
const K: usize = exported::MEMBERS.len();

#[entry]
fn main() -> ! {
    // The test rows, standardised here from the raw ones as every consumer of network.json
    // does (the core's one formula), then classified.
    static mut X: [f32; exported::TEST_X.len()] = [0.0; exported::TEST_X.len()];
    static mut WORKSPACE: Workspace = Workspace::new();
    static mut NETWORK: Network = Network::EMPTY;
    static mut SUMS: [f32; N * exported::CLASSES] = [0.0; N * exported::CLASSES];
    static mut CLASSES: [u8; N] = [0; N];

    X.copy_from_slice(&exported::TEST_X);
    piconas_core::standardize::apply(X, &exported::STANDARDIZE_MEAN, &exported::STANDARDIZE_SCALE);
    let arch = match Arch::decode(&exported::TOKENS) {
        Ok(arch) => arch,
        Err(e) => fail(format_args!("tokens: {e}")),
    };
    let shape = match Shape::new(exported::INPUTS, exported::CLASSES) {
        Ok(shape) => shape,
        Err(e) => fail(format_args!("shape: {e}")),
    };
    for (m, weights) in exported::MEMBERS.iter().enumerate() {
        if let Err(e) = NETWORK.load(arch, shape, weights) {
            fail(format_args!("member {m}'s weights: {e}"));
        }
        ensemble::add_logits(NETWORK, WORKSPACE, X, SUMS);
    }
    ensemble::classes_of_sums(SUMS, K, exported::CLASSES, CLASSES);
    if exported::HOST_TEST_PREDICTIONS.len() != N {
        fail(format_args!(
            "{} host predictions for {N} test rows",
            exported::HOST_TEST_PREDICTIONS.len()
        ));
    }
    let mut right = 0usize;
    for (i, (&class, &host)) in CLASSES
        .iter()
        .zip(&exported::HOST_TEST_PREDICTIONS)
        .enumerate()
    {
        if class != host {
            fail(format_args!(
                "test row {i}: the chip predicts class {class}, the host {host}"
            ));
        }
        right += usize::from(class == exported::TEST_LABELS[i]);
    }
    hprintln!("classify: all {} predictions are the host's", N);
    // As the host counts it: right over rows, in f32.
    let accuracy = right as f32 / N as f32;
    let host = f32::from_bits(exported::HOST_TEST_ACCURACY_BITS);
    hprintln!(
        "classify: {} ({} members of {} weights, {} features, {} classes) on {} test rows: accuracy {} (bits {:08x}); host {} (bits {:08x})",
        exported::ARCH,
        K,
        exported::MEMBERS[0].len(),
        exported::INPUTS,
        exported::CLASSES,
        N,
        Fixed4(accuracy),
        accuracy.to_bits(),
        Fixed4(host),
        host.to_bits()
    );
    if accuracy.to_bits() != host.to_bits() {
        fail(format_args!("the chip's accuracy differs from the host's"));
    }
    hprintln!("classify: same as the host, bit for bit");
    piconas_firmware::exit(true)
}

fn fail(args: core::fmt::Arguments<'_>) -> ! {
    piconas_firmware::fail("classify", args)
}
