//! `piconas enumerate`: the whole space as a table, the same bits however it is made — on any
//! threads, in shards joined by `--merge`, or killed and resumed — and its refusals.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::cli::{BIN, piconas, stderr};

/// Small tables: short children, sequences of at most `tokens` tokens.
fn table(out: &Path, tokens: &str, extra: &[&str]) -> std::process::Output {
    let out = out.to_str().unwrap();
    let mut args = vec!["enumerate", "--quiet", "--max-tokens", tokens];
    args.extend_from_slice(&["--max-epochs", "4", "--min-steps", "0", "--out", out]);
    args.extend_from_slice(extra);
    piconas(&args)
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap()
}

#[test]
fn a_table_is_the_same_bits_on_any_threads_and_in_shards_joined() {
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one");
    let o = table(&one, "2", &["--threads", "1", "--child-seeds", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("86 architectures"), "{stdout}");
    assert!(stdout.contains("best: ["), "{stdout}");
    let csv = String::from_utf8(read(&one, "space.csv")).unwrap();
    assert_eq!(csv.lines().count(), 87);
    assert!(
        csv.starts_with("number,tokens,sequences,reward_mean,reward_spread,reward_0,reward_1,")
    );
    let two = tmp.path().join("two");
    let o = table(&two, "2", &["--threads", "2", "--child-seeds", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read(&one, "space.bin"), read(&two, "space.bin"));
    // Three shards, made apart, joined: the second with settings that do not reach a row
    // (another strategy, rollouts and cost weight).
    let mut parts = Vec::new();
    for i in 0..3 {
        let part = tmp.path().join(format!("part{i}"));
        let shard = format!("{i}/3");
        let mut extra = vec!["--shard", &shard, "--child-seeds", "2"];
        if i == 1 {
            extra.extend([
                "--strategy",
                "random",
                "--rollouts",
                "7",
                "--cost-weight",
                "0.5",
            ]);
        }
        let o = table(&part, "2", &extra);
        assert!(o.status.success(), "{}", stderr(&o));
        parts.push(part.to_str().unwrap().to_owned());
    }
    let joined = tmp.path().join("joined");
    let mut args = vec![
        "enumerate",
        "--quiet",
        "--out",
        joined.to_str().unwrap(),
        "--merge",
    ];
    args.extend(parts.iter().rev().map(String::as_str));
    let o = piconas(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read(&joined, "space.bin"), read(&one, "space.bin"));
    assert_eq!(read(&joined, "space.csv"), read(&one, "space.csv"));
    // Shards of another table do not join.
    let other = tmp.path().join("other");
    let o = table(
        &other,
        "2",
        &["--shard", "1/3", "--seed", "5", "--child-seeds", "2"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("refused");
    let o = piconas(&[
        "enumerate",
        "--out",
        out.to_str().unwrap(),
        "--merge",
        &parts[0],
        other.to_str().unwrap(),
        &parts[2],
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("made under other settings"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_table_killed_and_resumed_is_the_uninterrupted_one() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    // Three child seeds: long enough (seconds) that rows are flushed before the end.
    let o = table(&whole, "4", &["--threads", "2", "--child-seeds", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Killed once some rows are on disk (they are flushed every 2 s).
    let killed = tmp.path().join("killed");
    let mut child = Command::new(BIN)
        .args([
            "enumerate",
            "--quiet",
            "--max-tokens",
            "4",
            "--max-epochs",
            "4",
        ])
        .args([
            "--min-steps",
            "0",
            "--threads",
            "1",
            "--child-seeds",
            "3",
            "--out",
        ])
        .arg(&killed)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let header = 44;
    while std::fs::metadata(killed.join("space.bin")).map_or(0, |m| m.len()) <= header {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no rows were written"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let rows = read(&killed, "space.bin");
    assert!(
        rows.len() < read(&whole, "space.bin").len(),
        "killed before the end"
    );
    // A row cut short, as a kill in the middle of a write leaves it.
    std::fs::write(killed.join("space.bin"), &rows[..rows.len() - 5]).unwrap();
    let o = piconas(&["enumerate", "--quiet", "--resume", killed.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read(&killed, "space.bin"), read(&whole, "space.bin"));
    assert_eq!(read(&killed, "space.csv"), read(&whole, "space.csv"));
    // Complete: nothing to resume.
    let o = piconas(&["enumerate", "--resume", killed.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the table is complete"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_requests_are_refused_with_exit_code_2() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    let path = dir.to_str().unwrap();
    for (args, wanted) in [
        (
            vec!["enumerate", "--shard", "3/2", "--out", path],
            "is not I/N",
        ),
        (vec!["enumerate", "--max-tokens", "7", "--out", path], "7"),
        (vec!["enumerate", "--child-seeds", "0", "--out", path], "0"),
        (
            vec!["enumerate", "--resume", path, "--seed", "3"],
            "own settings",
        ),
        (vec!["enumerate", "--resume", path], "not a directory"),
    ] {
        let o = piconas(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(wanted), "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    }
    // A damaged table is named.
    let o = table(&dir, "1", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::remove_file(dir.join("space.csv")).unwrap();
    let mut bytes = read(&dir, "space.bin");
    bytes[44] ^= 0xff; // the first row's architecture number
    std::fs::write(dir.join("space.bin"), bytes).unwrap();
    let o = piconas(&["enumerate", "--resume", path]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("space.bin: "), "{}", stderr(&o));
}
