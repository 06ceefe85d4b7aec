//! See `piconas_fuzz_checks::network`: never a panic; what reads is consistent.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    piconas_fuzz_checks::network(data);
});

#[path = "../checks.rs"]
mod piconas_fuzz_checks;
