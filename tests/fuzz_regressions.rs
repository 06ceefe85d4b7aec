//! Every input a fuzz target ever crashed on (tests/fuzz/regressions/<target>/) goes through
//! that target's checks again: a fixed bug stays fixed.

#[path = "fuzz/checks.rs"]
mod checks;

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz/regressions")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        check(&std::fs::read(&path).unwrap());
        n += 1;
    }
    n
}

#[test]
fn saved_fuzz_inputs_pass_their_checks() {
    replay("tokens", checks::tokens);
    replay("csv", checks::csv);
    replay("checkpoint", checks::checkpoint);
}

#[test]
fn the_checks_accept_ordinary_inputs() {
    // The regression directories may be empty; make sure the checks themselves run.
    checks::tokens(&[4, 6, 3, 7, 9]);
    checks::csv(b"x1,x2,label\n0,0,0\n");
    checks::checkpoint(b"piconas\0");
    checks::checkpoint(&[0xff; 64]);
}
