//! Kill and resume with real SIGKILLs: a resumed run ends with the same records, summary (but
//! its wall time) and network as an uninterrupted one; a bad checkpoint changes nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_piconas");
/// A search long enough to be killed part-way (about a second), checkpointed often; its
/// children train at most 10 epochs, even on small data (no step floor).
const FLAGS: [&str; 11] = [
    "--quiet",
    "--rollouts",
    "600",
    "--max-epochs",
    "10",
    "--min-steps",
    "0",
    "--retrains",
    "1",
    "--checkpoint-every",
    "25",
];

fn rows(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("rollouts.csv"))
        .map(|t| t.lines().count().saturating_sub(1))
        .unwrap_or(0)
}

fn run(dir: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(FLAGS)
        .args(extra)
        .arg("--out")
        .arg(dir)
        .output()
        .unwrap()
}

fn resume(dir: &Path) -> std::process::Output {
    Command::new(BIN)
        .args(["--quiet", "--resume"])
        .arg(dir)
        .output()
        .unwrap()
}

/// Starts the search in `dir`, its stdout dropped.
fn start(dir: &Path) -> std::process::Child {
    Command::new(BIN)
        .args(FLAGS)
        .arg("--out")
        .arg(dir)
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

/// Starts the search in `dir` (with `extra` flags) and SIGKILLs it once `rows` rollouts are on
/// disk.
fn kill_after(dir: &Path, rows_wanted: usize, extra: &[&str]) -> usize {
    let mut child = Command::new(BIN)
        .args(FLAGS)
        .args(extra)
        .arg("--out")
        .arg(dir)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while rows(dir) < rows_wanted {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before {rows_wanted} rows: the test needs a longer run"
        );
        assert!(Instant::now() < deadline, "no progress");
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "still running when killed"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    rows(dir)
}

/// The summary's list of top architectures, as printed.
fn top_list(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .skip_while(|l| !l.starts_with("top architectures"))
        .take_while(|l| !l.starts_with("saved network"))
        .map(String::from)
        .collect()
}

/// What a finished run wrote that must not depend on whether it was interrupted.
fn outputs(dir: &Path) -> (String, serde_json::Value, String, String) {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    (
        read("rollouts.csv"),
        summary_without_time(dir),
        read("network.json"),
        read("frontier.csv"),
    )
}

fn summary_without_time(dir: &Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("seconds");
    v
}

#[test]
fn killed_runs_resume_to_the_uninterrupted_result() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    let uninterrupted = run(&whole, &[]);
    assert!(uninterrupted.status.success());
    let top = top_list(&uninterrupted.stdout);
    assert!(top.len() > 1, "the summary lists top architectures");
    let expected = outputs(&whole);
    // Before the first checkpoint, between checkpoints, late.
    for at in [3, 60, 410] {
        let dir = tmp.path().join(format!("killed-{at}"));
        let killed_at = kill_after(&dir, at, &[]);
        assert!(killed_at < 600, "killed at {killed_at}");
        assert!(!dir.join("summary.json").exists());
        let o = resume(&dir);
        assert!(
            o.status.success(),
            "resume after {killed_at}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let got = outputs(&dir);
        assert!(
            got == expected,
            "resumed after {killed_at} rows: outputs differ from the uninterrupted run"
        );
        assert_eq!(
            top_list(&o.stdout),
            top,
            "resumed after {killed_at} rows: the printed top list differs"
        );
        assert!(
            !dir.join("checkpoint.bin").exists(),
            "a finished run drops its checkpoint"
        );
    }
}

/// Runs the search of `extra` whole in `tmp/whole`, and again in `tmp/killed`, SIGKILLed after
/// 150 rollouts and resumed: the two end with the same outputs. Returns both directories.
fn killed_once_resumes_to_the_whole(tmp: &Path, extra: &[&str]) -> (PathBuf, PathBuf) {
    let whole = tmp.join("whole");
    assert!(run(&whole, extra).status.success());
    let dir = tmp.join("killed");
    let killed_at = kill_after(&dir, 150, extra);
    assert!(killed_at < 600, "killed at {killed_at}");
    let o = resume(&dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        outputs(&dir) == outputs(&whole),
        "outputs differ after the resume"
    );
    (dir, whole)
}

#[test]
fn a_random_search_with_a_cost_weight_on_xor_resumes_too() {
    let tmp = tempfile::tempdir().unwrap();
    let extra = [
        "--dataset",
        "xor",
        "--strategy",
        "random",
        "--cost-weight",
        "0.2",
        "--cost",
        "params",
    ];
    killed_once_resumes_to_the_whole(tmp.path(), &extra);
}

#[test]
fn an_evolution_search_resumes_too() {
    // A population of 16 is full after 16 rollouts: the checkpoints carry a ring that has
    // wrapped many times.
    let tmp = tempfile::tempdir().unwrap();
    let extra = [
        "--strategy",
        "evolution",
        "--population",
        "16",
        "--tournament",
        "4",
    ];
    killed_once_resumes_to_the_whole(tmp.path(), &extra);
}

#[test]
fn a_real_data_run_with_reward_folds_resumes_too() {
    // Wine: 13 standardised features, 3 text classes, a stratified split, children scored by
    // 3-fold cross-validation, the cost in parameters of a 13-input, 3-output network.
    let tmp = tempfile::tempdir().unwrap();
    let wine = format!("{}/tests/data/wine.csv", env!("CARGO_MANIFEST_DIR"));
    let extra = [
        "--data",
        &wine,
        "--split-seed",
        "2",
        "--reward-folds",
        "3",
        "--cost-weight",
        "0.1",
        "--cost",
        "params",
    ];
    let (dir, whole) = killed_once_resumes_to_the_whole(tmp.path(), &extra);
    let split = |d: &Path| std::fs::read_to_string(d.join("split.csv")).unwrap();
    assert_eq!(split(&dir), split(&whole));
}

#[test]
fn a_bad_checkpoint_is_named_and_nothing_is_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    kill_after(&dir, 120, &[]);
    let good = std::fs::read(dir.join("checkpoint.bin")).unwrap();
    let rollouts = std::fs::read(dir.join("rollouts.csv")).unwrap();
    let settings = std::fs::read_to_string(dir.join("settings.json")).unwrap();

    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0x40;
    // A checkpoint of the format before this one (version 5, before the child's step floor,
    // weight decay and best epoch, evolution and the selection rule).
    let mut version = good.clone();
    version[8] = 5;
    let cases: [(Vec<u8>, &str); 4] = [
        (flipped, "checksum mismatch"),
        (good[..good.len() - 100].to_vec(), "truncated"),
        (
            version,
            "checkpoint format version 5, this build reads version 9",
        ),
        (b"garbage".to_vec(), "not a piconas checkpoint"),
    ];
    for (bytes, message) in cases {
        std::fs::write(dir.join("checkpoint.bin"), &bytes).unwrap();
        let o = resume(&dir);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{message}: {err}");
        assert!(
            err.contains(message) && err.contains("checkpoint.bin"),
            "wanted {message:?}: {err}"
        );
        assert_eq!(
            std::fs::read(dir.join("rollouts.csv")).unwrap(),
            rollouts,
            "{message}: rollouts.csv untouched"
        );
        assert_eq!(
            std::fs::read(dir.join("checkpoint.bin")).unwrap(),
            bytes,
            "{message}: checkpoint untouched"
        );
    }
    // A checkpoint of another search (its settings say another seed).
    std::fs::write(dir.join("checkpoint.bin"), &good).unwrap();
    std::fs::write(
        dir.join("settings.json"),
        settings.replace("\"seed\": 0,", "\"seed\": 9,"),
    )
    .unwrap();
    let o = resume(&dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("another configuration"));
    assert_eq!(std::fs::read(dir.join("rollouts.csv")).unwrap(), rollouts);
    // Flags that would change the search, or where it goes, are refused with --resume.
    std::fs::write(dir.join("settings.json"), &settings).unwrap();
    for flags in [["--seed", "1"], ["--out", "elsewhere"]] {
        let o = Command::new(BIN)
            .args(["--resume"])
            .arg(&dir)
            .args(flags)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{flags:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr)
                .contains("--resume continues a run with its own settings"),
            "{flags:?}"
        );
    }
    // And with everything restored, the resume works.
    assert!(resume(&dir).status.success());
}

#[test]
fn resume_of_something_else_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let o = resume(tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("settings.json: cannot read"));
}

#[test]
fn the_saved_history_and_the_rows_give_the_same_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    assert!(run(&whole, &[]).status.success());
    let with_history = tmp.path().join("with-history");
    kill_after(&with_history, 200, &[]);
    // The history saved with the checkpoint counts what the rows on disk hold, up to it.
    let bytes = std::fs::read(with_history.join("history.bin")).unwrap();
    let history = piconas::history::History::decode(&bytes).unwrap();
    assert!(
        history.len() >= 25 && history.len().is_multiple_of(25),
        "{}",
        history.len()
    );
    let rows: Vec<f32> = csv::Reader::from_path(with_history.join("rollouts.csv"))
        .unwrap()
        .records()
        .take(history.len())
        .map(|r| r.unwrap()[2].parse().unwrap())
        .collect();
    assert_eq!(history.rewards(), rows);
    // Without history.bin (a run checkpointed by an earlier version), the rows serve.
    let without = tmp.path().join("without-history");
    std::fs::create_dir(&without).unwrap();
    for entry in std::fs::read_dir(&with_history).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "history.bin" {
            std::fs::copy(entry.path(), without.join(entry.file_name())).unwrap();
        }
    }
    for dir in [&with_history, &without] {
        let o = resume(dir);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(outputs(dir) == outputs(&whole), "{}", dir.display());
        assert!(!dir.join("history.bin").exists(), "a finished run drops it");
    }
}

/// A run stopped right after it wrote each of its files (the kill windows between files):
/// `--resume` completes it to the uninterrupted result, or, once summary.json (the last file)
/// is written, says it is finished and removes what the stopped process left.
#[test]
fn a_run_stopped_after_any_file_resumes_or_is_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    assert!(run(&whole, &[]).status.success());
    let files = [
        "settings.json",
        "rollouts.csv",
        "history.bin",
        "checkpoint.bin",
        "network.json",
        "rewards.svg",
        "frontier.csv",
        "frontier.svg",
        "summary.json",
    ];
    for file in files {
        let dir = tmp.path().join(format!("crash-{file}"));
        let o = Command::new(BIN)
            .args(FLAGS)
            .arg("--out")
            .arg(&dir)
            .env("PICONAS_CRASH_AFTER", file)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{file}: the run should have stopped");
        assert!(dir.join(file).exists(), "{file}: written before the stop");
        let o = resume(&dir);
        let err = String::from_utf8_lossy(&o.stderr);
        if file == "summary.json" {
            assert_eq!(o.status.code(), Some(2), "{err}");
            assert!(
                err.contains(
                    "the run is finished; nothing to resume (its leftover checkpoint was removed)"
                ),
                "{err}"
            );
        } else {
            assert!(o.status.success(), "{file}: {err}");
        }
        assert!(outputs(&dir) == outputs(&whole), "{file}: outputs differ");
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "frontier.csv",
                "frontier.svg",
                "network.json",
                "rewards.svg",
                "rollouts.csv",
                "settings.json",
                "summary.json"
            ],
            "{file}: exactly a finished run's files"
        );
    }
}

#[test]
fn one_directory_serves_one_process_at_a_time() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let mut first = start(&dir);
    let deadline = Instant::now() + Duration::from_secs(60);
    while rows(&dir) < 30 {
        assert!(Instant::now() < deadline, "no progress");
        std::thread::sleep(Duration::from_millis(2));
    }
    // A second run into it, and a resume of it, while the first is alive.
    let second = run(&dir, &[]);
    let resumed = resume(&dir);
    first.kill().unwrap();
    first.wait().unwrap();
    for o in [second, resumed] {
        assert_eq!(o.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&o.stderr)
                .contains("another piconas process is using this directory"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // Once it is gone (killed: the system dropped its lock), the resume goes ahead.
    assert!(resume(&dir).status.success());
    // Two runs started together on one new directory: one runs, the other is refused.
    let race = tmp.path().join("race");
    let spawn = || {
        Command::new(BIN)
            .args([
                "--quiet",
                "--rollouts",
                "20",
                "--max-epochs",
                "2",
                "--retrains",
                "1",
            ])
            .arg("--out")
            .arg(&race)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let mut codes = [a, b].map(|c| c.wait_with_output().unwrap().status.code());
    codes.sort();
    assert_eq!(codes, [Some(0), Some(2)]);
    assert_eq!(rows(&race), 20, "one run's rows, not two mixed");
}

#[test]
fn an_empty_checkpoint_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    kill_after(&dir, 60, &[]);
    std::fs::write(dir.join("checkpoint.bin"), b"").unwrap();
    let o = resume(&dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("checkpoint.bin: empty (damaged); nothing was changed")
    );
}

/// A checkpoint continues only the search it came from, on the data it came from, after the
/// rows it counts: other data (a swapped checkpoint, edited data settings, a changed CSV) and
/// edited rows are refused, naming the problem, and nothing is changed.
#[test]
fn a_checkpoint_is_refused_on_other_data_or_edited_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let refused = |dir: &Path, message: &str| {
        let before = std::fs::read(dir.join("rollouts.csv")).unwrap();
        let o = resume(dir);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{message}: {err}");
        assert!(err.contains(message), "wanted {message:?}: {err}");
        assert_eq!(
            std::fs::read(dir.join("rollouts.csv")).unwrap(),
            before,
            "{message}"
        );
    };
    // A checkpoint of the same search on data of another seed, swapped in.
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    kill_after(&a, 60, &[]);
    kill_after(&b, 60, &["--data-seed", "5"]);
    let good = std::fs::read(a.join("checkpoint.bin")).unwrap();
    std::fs::copy(b.join("checkpoint.bin"), a.join("checkpoint.bin")).unwrap();
    refused(&a, "checkpoint of a search on other data");
    std::fs::write(a.join("checkpoint.bin"), &good).unwrap();
    // settings.json's data fields edited.
    let settings = std::fs::read_to_string(a.join("settings.json")).unwrap();
    std::fs::write(
        a.join("settings.json"),
        settings.replace("\"noise\": 0.2", "\"noise\": 0.25"),
    )
    .unwrap();
    refused(&a, "not the data this run was made on");
    std::fs::write(a.join("settings.json"), &settings).unwrap();
    // A kept row edited: its reward changed.
    let rows = std::fs::read_to_string(a.join("rollouts.csv")).unwrap();
    let mut edited = csv::Writer::from_path(a.join("rollouts.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(rows.as_bytes());
    edited.write_record(reader.headers().unwrap()).unwrap();
    for (i, row) in reader.records().enumerate() {
        let mut cells: Vec<String> = row.unwrap().iter().map(String::from).collect();
        if i == 2 {
            cells[2] = "0.99".into();
        }
        edited.write_record(&cells).unwrap();
    }
    edited.flush().unwrap();
    drop(edited);
    refused(
        &a,
        "rows differ from the history saved with the checkpoint (history.bin)",
    );
    std::fs::write(a.join("rollouts.csv"), &rows).unwrap();
    assert!(resume(&a).status.success(), "restored, it resumes");
    // A CSV changed between the stop and the resume.
    let csv = tmp.path().join("d.csv");
    let write = |label_of_first: u8| {
        let rows = hundred_rows(|i| {
            if i == 0 {
                label_of_first
            } else {
                (i % 2) as u8
            }
        });
        std::fs::write(&csv, rows).unwrap();
    };
    write(0);
    let c = tmp.path().join("c");
    kill_after(&c, 60, &["--data", csv.to_str().unwrap()]);
    write(1);
    refused(&c, "not the data this run was made on");
}

/// A hundred rows of two features, each row's label `label(i)`.
fn hundred_rows<L: std::fmt::Display>(label: impl Fn(usize) -> L) -> String {
    (0..100)
        .map(|i| format!("{},{},{}\n", i as f32 / 50.0, (i % 7) as f32, label(i)))
        .collect()
}

/// The data's names are part of it: a feature renamed, the classes relabelled or the header
/// dropped between the stop and the resume is other data, refused with both fingerprints;
/// the file as it was resumes.
#[test]
fn a_resume_refuses_renamed_columns_or_classes() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("d.csv");
    let text = |header: Option<&str>, classes: [&str; 2]| {
        let rows = hundred_rows(|i| classes[i % 2]);
        header.map_or(String::new(), |h| format!("{h}\n")) + &rows
    };
    let original = text(Some("width,height,kind"), ["cat", "dog"]);
    std::fs::write(&csv, &original).unwrap();
    let dir = tmp.path().join("run");
    let o = Command::new(BIN)
        .args(FLAGS)
        .args(["--data", csv.to_str().unwrap(), "--out"])
        .arg(&dir)
        .env("PICONAS_CRASH_AFTER", "checkpoint.bin")
        .output()
        .unwrap();
    assert!(!o.status.success(), "stopped after its first checkpoint");
    let settings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("settings.json")).unwrap()).unwrap();
    let recorded = settings["data_fingerprint"].as_str().unwrap().to_owned();
    for changed in [
        text(Some("width,depth,kind"), ["cat", "dog"]),
        text(Some("width,height,kind"), ["cat", "wolf"]),
        text(None, ["cat", "dog"]),
    ] {
        std::fs::write(&csv, &changed).unwrap();
        let o = resume(&dir);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("not the data this run was made on"), "{err}");
        assert!(err.contains(&recorded), "{err}");
    }
    std::fs::write(&csv, &original).unwrap();
    let o = resume(&dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// SIGKILLed in its first milliseconds, at every moment from before the directory exists to
/// after its first rows: the same command again takes the directory over, or, once the
/// settings are in place, says to resume, and `--resume` then finishes the run. Never a
/// stranded directory.
#[test]
fn a_run_killed_in_its_first_milliseconds_is_never_stranded() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    assert!(run(&whole, &[]).status.success());
    let (records, ..) = outputs(&whole);
    for (i, delay) in [0u64, 1, 2, 4, 8, 16, 32, 64].into_iter().enumerate() {
        let dir = tmp.path().join(format!("killed-{i}"));
        let mut child = start(&dir);
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        child.wait().unwrap();
        let again = run(&dir, &[]);
        let err = String::from_utf8_lossy(&again.stderr).into_owned();
        if !again.status.success() {
            assert_eq!(again.status.code(), Some(2), "{delay} ms: {err}");
            assert!(
                err.contains("which can be resumed): continue it with --resume"),
                "{delay} ms: {err}"
            );
            let o = resume(&dir);
            assert!(
                o.status.success(),
                "{delay} ms: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        assert_eq!(outputs(&dir).0, records, "{delay} ms");
    }
}

#[test]
fn a_search_with_rungs_resumes_and_is_the_same_on_one_thread() {
    // 3000 moons points (2100 train rows): three rungs of 233, 700 and 2100 rows. The bars
    // read rollouts 17 back and travel with each proposal: a SIGKILLed and resumed run (two
    // threads speculating), and a run on one thread, end as the whole one does.
    let tmp = tempfile::tempdir().unwrap();
    let extra = ["--samples", "3000", "--rungs", "3", "--reward-folds", "1"];
    let (_, whole) = killed_once_resumes_to_the_whole(tmp.path(), &extra);
    let one = tmp.path().join("one");
    let with_one: Vec<&str> = extra.iter().copied().chain(["--threads", "1"]).collect();
    assert!(run(&one, &with_one).status.success());
    assert!(outputs(&one) == outputs(&whole), "one thread differs");
    // The bars stopped children on every rung below the top, and some climbed to it.
    let log = std::fs::read_to_string(whole.join("rollouts.csv")).unwrap();
    let climbed: Vec<&str> = log
        .lines()
        .skip(1)
        .filter_map(|l| l.rsplit(',').next())
        .collect();
    for rungs in ["1", "2", "3"] {
        assert!(climbed.contains(&rungs), "no child stopped at rung {rungs}");
    }
}
