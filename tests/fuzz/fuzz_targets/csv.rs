//! The runner's CSV loader: never a panic; what loads is within the documented limits.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    piconas_fuzz_checks::csv(data);
});

#[path = "../checks.rs"]
mod piconas_fuzz_checks;
