//! The token decoder and the architecture parser: never a panic, and what decodes round-trips.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    piconas_fuzz_checks::tokens(data);
});

#[path = "../checks.rs"]
mod piconas_fuzz_checks;
