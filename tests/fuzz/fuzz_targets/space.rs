//! See `piconas_fuzz_checks::space`: never a panic; what reads writes itself back.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    piconas_fuzz_checks::space(data);
});

#[path = "../checks.rs"]
mod piconas_fuzz_checks;
