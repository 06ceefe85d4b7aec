//! The checkpoint decoder: never a panic, refused bytes change nothing. Besides raw bytes, the
//! fuzz input also replaces the state part of a real checkpoint (checksum fixed up), so the
//! field checks behind the checksum are explored too.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    piconas_fuzz_checks::checkpoint(data);
});

#[path = "../checks.rs"]
mod piconas_fuzz_checks;
