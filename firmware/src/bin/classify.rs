//! The deploy path's last step: an exported network (`piconas export --format rust`, compiled
//! in by build.rs) classifies the test split on the chip. Prints its accuracy, and exits 0 only
//! if every point's predicted class is the host's and the accuracy equals, bit for bit, the
//! accuracy the host computed for the same network.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use panic_semihosting as _;
use piconas_core::mlp::Workspace;
use piconas_core::{Arch, Network, Shape, Split};
use piconas_firmware::Fixed4;

mod exported {
    include!(concat!(env!("OUT_DIR"), "/network.rs"));
}

/// Points of the data set the network was trained on (0 if it was a CSV file).
const SAMPLES: usize = match exported::DATA {
    Some(m) => m.samples,
    None => 0,
};

#[entry]
fn main() -> ! {
    static mut X: [f32; 2 * SAMPLES] = [0.0; 2 * SAMPLES];
    static mut LABELS: [u8; SAMPLES] = [0; SAMPLES];
    static mut WORKSPACE: Workspace = Workspace::new();

    let Some(config) = exported::DATA else {
        fail(format_args!(
            "the network was trained on a CSV file: no test split to rebuild"
        ));
    };
    let data = match piconas_core::datasets::generate_config(&config, X, LABELS) {
        Ok(data) => data,
        Err(e) => fail(format_args!("data: {e}")),
    };
    let split = match Split::new(data) {
        Ok(split) => split,
        Err(e) => fail(format_args!("data: {e}")),
    };
    let arch = match Arch::decode(&exported::TOKENS) {
        Ok(arch) => arch,
        Err(e) => fail(format_args!("tokens: {e}")),
    };
    let shape = match Shape::new(exported::INPUTS, exported::CLASSES) {
        Ok(shape) => shape,
        Err(e) => fail(format_args!("shape: {e}")),
    };
    let network = match Network::new(arch, shape, &exported::WEIGHTS) {
        Ok(network) => network,
        Err(e) => fail(format_args!("weights: {e}")),
    };
    if exported::HOST_TEST_PREDICTIONS.len() != split.test.len() {
        fail(format_args!(
            "{} host predictions for {} test points",
            exported::HOST_TEST_PREDICTIONS.len(),
            split.test.len()
        ));
    }
    for (i, &host) in exported::HOST_TEST_PREDICTIONS.iter().enumerate() {
        let mut class = [0u8];
        network.classify(WORKSPACE, split.test.x(i), &mut class);
        if class[0] != host {
            fail(format_args!(
                "test point {i}: the chip predicts class {}, the host {host}",
                class[0]
            ));
        }
    }
    hprintln!(
        "classify: all {} predictions are the host's",
        split.test.len()
    );
    let accuracy = network.accuracy(WORKSPACE, &split.test);
    let host = f32::from_bits(exported::HOST_TEST_ACCURACY_BITS);
    hprintln!(
        "classify: {} ({} weights) on {} test points: accuracy {} (bits {:08x}); host {} (bits {:08x})",
        exported::ARCH,
        exported::WEIGHTS.len(),
        split.test.len(),
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
