//! What careless or hostile surroundings do to the runner: odd output paths, names that
//! are code in another language, data swapped under a run, full streams.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use common::cli::{piconas, quick, stderr, write_csv};

/// One finished moons run (12 rollouts), shared by the tests that only read it.
fn finished_run() -> &'static str {
    static RUN: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = RUN.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let o = quick(&tmp.path().join("run"), &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        tmp
    });
    dir.path().join("run").to_str().unwrap().to_owned().leak()
}

/// The entries of `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every writer's `--out` takes a new path or a regular file; a FIFO, a symbolic link (to a
/// file or a directory) or a directory is refused with exit 2 and one line, and is left as it
/// was, the link's target too.
#[cfg(unix)]
#[test]
fn an_out_that_is_not_a_regular_file_is_refused_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let run = finished_run();
    let data = tmp.path().join("rows.csv");
    std::fs::write(&data, "x1,x2\n0.5,1\n").unwrap();
    let place = tmp.path().join("place");
    std::fs::create_dir(&place).unwrap();
    let target = place.join("target.txt");
    std::fs::write(&target, "the user's file").unwrap();
    let fifo = place.join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let link = place.join("link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let dir_link = place.join("dir-link");
    std::os::unix::fs::symlink(tmp.path().join("empty"), &dir_link).unwrap();
    std::fs::create_dir(tmp.path().join("empty")).unwrap();
    let before = entries(&place);
    for (out, what) in [
        (&fifo, "a FIFO"),
        (&link, "a symbolic link"),
        (&dir_link, "a symbolic link"),
        (&place, "is not a"),
    ] {
        let out = out.to_str().unwrap();
        for args in [
            vec!["export", "--run", run, "--out", out],
            vec!["export", "--run", run, "--format", "c", "--out", out],
            vec!["export", "--run", run, "--format", "arduino", "--out", out],
            vec![
                "predict",
                "--run",
                run,
                "--data",
                data.to_str().unwrap(),
                "--out",
                out,
            ],
        ] {
            let o = piconas(&args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
            assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
            assert!(err.contains(out), "{args:?}: {err}");
            assert!(err.contains(what), "{args:?}: {err}");
        }
    }
    assert_eq!(entries(&place), before);
    assert_eq!(std::fs::read_link(&link).unwrap(), target);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "the user's file");
    assert!(entries(&tmp.path().join("empty")).is_empty());
}

/// Every writer creates the missing directories of its `--out` (as a run's `--out` does),
/// and a path it cannot create is named as the user gave it, never by a temporary.
#[test]
fn every_writer_creates_missing_directories_and_names_the_users_path() {
    let tmp = tempfile::tempdir().unwrap();
    let run = finished_run();
    let data = tmp.path().join("rows.csv");
    std::fs::write(&data, "x1,x2\n0.5,1\n").unwrap();
    let data = data.to_str().unwrap();
    let blocker = tmp.path().join("a-file");
    std::fs::write(&blocker, "").unwrap();
    for (i, args) in [
        vec!["export", "--run", run],
        vec!["export", "--run", run, "--format", "c"],
        vec!["export", "--run", run, "--format", "arduino"],
        vec!["predict", "--run", run, "--data", data],
    ]
    .into_iter()
    .enumerate()
    {
        let fresh = tmp.path().join(format!("new{i}/deeper/out"));
        let mut with = args.clone();
        with.extend(["--out", fresh.to_str().unwrap()]);
        let o = piconas(&with);
        assert!(o.status.success(), "{with:?}: {}", stderr(&o));
        assert!(fresh.exists(), "{with:?}");
        let blocked = blocker.join("out");
        let mut with = args.clone();
        with.extend(["--out", blocked.to_str().unwrap()]);
        let o = piconas(&with);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{with:?}: {err}");
        assert!(err.contains(blocker.to_str().unwrap()), "{with:?}: {err}");
        assert!(!err.contains("piconas-tmp"), "{with:?}: {err}");
    }
}

/// A run killed before its settings were in place leaves only its lock file and a
/// temporary: the same command takes the directory over, and `--resume` says so.
#[test]
fn a_directory_left_by_a_run_killed_at_once_is_taken_over_by_the_same_command() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join(".piconas.lock"), "").unwrap();
    std::fs::write(out.join(".settings.json.4242.piconas-tmp"), "{\"roll").unwrap();
    let o = piconas(&["--resume", out.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("stopped before it began"), "{err}");
    assert!(err.contains("--out"), "{err}");
    let o = quick(&out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("summary.json").exists());
    assert!(!entries(&out).iter().any(|e| e.ends_with("piconas-tmp")));
    // A directory with anything else in it is still refused.
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join(".piconas.lock"), "").unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    let o = quick(&other, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(entries(&other), [".piconas.lock", "notes.txt"]);
}

/// Runs `shell` under bash with `BIN` for `$P`.
#[cfg(unix)]
fn sh(shell: &str) -> std::process::Output {
    std::process::Command::new("bash")
        .args(["-c", shell])
        .env("P", common::cli::BIN)
        .output()
        .unwrap()
}

/// Every command on a full stdout or stderr (`/dev/full`) exits 1 (an input error keeps its
/// 2), never panics (101), and never exits 0 having lost what it was to print.
#[cfg(unix)]
#[test]
fn a_full_stdout_or_stderr_is_exit_1_never_a_panic_or_a_silent_loss() {
    if !Path::new("/dev/full").exists() {
        eprintln!("not run: this system has no /dev/full");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let run = finished_run();
    let data = tmp.path().join("rows.csv");
    std::fs::write(&data, "x1,x2\n0.5,1\n-1,0.25\n").unwrap();
    let (data, t) = (data.to_str().unwrap(), tmp.path().to_str().unwrap());
    let small = "--quiet --rollouts 6 --max-epochs 1 --min-steps 0 --retrains 1";
    for (shell, code, lost) in [
        (
            format!("$P predict --run {run} --data {data} >/dev/full"),
            1,
            "stdout: cannot write the predictions",
        ),
        (
            format!("$P predict --run {run} --data {data} 2>/dev/full >/dev/null"),
            1,
            "",
        ),
        (
            format!("$P predict --run {run} --data {data} --out {t}/p.csv >/dev/full"),
            1,
            "stdout: cannot write the report",
        ),
        (
            format!("$P export --run {run} --format c --int8 2>/dev/full >/dev/null"),
            1,
            "",
        ),
        (
            format!("$P {small} --out {t}/a --print-records >/dev/full"),
            1,
            "stdout: cannot write the records",
        ),
        (
            format!("$P {small} --out {t}/b >/dev/full"),
            1,
            "stdout: cannot write the summary",
        ),
        (
            format!("$P compare {small} --seeds 1 --out {t}/c >/dev/full"),
            1,
            "stdout: cannot write the table",
        ),
        (
            format!(
                "$P compare --rollouts 6 --max-epochs 1 --min-steps 0 --seeds 1 --out {t}/d 2>/dev/full"
            ),
            1,
            "",
        ),
        (
            "$P bench >/dev/full".to_string(),
            1,
            "stdout: cannot write the report",
        ),
        ("$P --help >/dev/full".to_string(), 1, ""),
        ("$P --no-such-flag 2>/dev/full".to_string(), 2, ""),
    ] {
        let o = sh(&shell);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(code), "{shell}: {err}");
        assert!(!err.contains("panicked"), "{shell}: {err}");
        if !lost.is_empty() {
            assert_eq!(err.lines().count(), 1, "{shell}: {err}");
            assert!(err.contains(lost), "{shell}: {err}");
        }
    }
}

/// Class names that are code in C: a comment's end, a trigraph, quotes, line breaks, bytes
/// beyond ASCII.
const NAMES: [&str; 8] = [
    "end*/comment",
    "*/ int injected = 1; /*",
    "tri??/",
    "q\"uote\\back",
    "//line",
    "multi\nline",
    "é ünïcode",
    "??=x\u{1}7",
];

/// A run on data with the hostile [`NAMES`] as classes (and hostile feature names), its
/// float and int8 headers exported: `(the temporary directory, the run's class names in
/// class order, the two headers)`. network.json keeps every name exactly; each header's
/// opening comment ends where piconas ends it, and no trigraph is anywhere.
fn hostile_headers() -> (tempfile::TempDir, Vec<String>, [std::path::PathBuf; 2]) {
    const FEATURES: [&str; 2] = ["f*/1 \"x\"", "??/\nf2"];
    let tmp = tempfile::tempdir().unwrap();
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut csv = format!("{},{},label\n", quote(FEATURES[0]), quote(FEATURES[1]));
    for i in 0..160 {
        let c = i % NAMES.len();
        let x = c as f32 + (i / NAMES.len()) as f32 * 0.01;
        csv += &format!("{x},{},{}\n", (c * c) as f32 * 0.1, quote(NAMES[c]));
    }
    let data = tmp.path().join("hostile.csv");
    std::fs::write(&data, csv).unwrap();
    let run = tmp.path().join("run");
    let o = quick(&run, &["--data", data.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let network: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("network.json")).unwrap()).unwrap();
    let classes: Vec<String> = serde_json::from_value(network["classes"].clone()).unwrap();
    let mut sorted = classes.clone();
    sorted.sort();
    let mut expected: Vec<String> = NAMES.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(sorted, expected);
    assert_eq!(network["features"], serde_json::json!(FEATURES));
    let headers = [false, true].map(|int8| {
        let header = tmp.path().join(format!("int8-{int8}/piconas.h"));
        let mut args = vec!["export", "--run", run.to_str().unwrap(), "--format", "c"];
        args.extend(["--out", header.to_str().unwrap()]);
        if int8 {
            args.push("--int8");
        }
        let o = piconas(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let text = std::fs::read_to_string(&header).unwrap();
        assert!(text.find("*/") > text.find("nothing writable"), "{text}");
        assert!(!text.contains("??"), "{text}");
        header
    });
    (tmp, classes, headers)
}

/// The hostile names survive training, network.json and both C headers' text.
#[test]
fn hostile_class_names_are_kept_exactly_and_escaped_in_every_header() {
    hostile_headers();
}

/// Both headers with the hostile names compile cleanly with gcc and clang as C99 and C++17
/// under `-Wall -Wextra -Werror -pedantic`, and print the names back byte for byte.
#[test]
#[ignore = "needs gcc and clang: .ci/run installs them and runs it (cargo test -- --include-ignored)"]
fn hostile_class_names_compile_with_gcc_and_clang_and_read_back_exactly() {
    let (_tmp, classes, headers) = hostile_headers();
    for header in &headers {
        compile_and_read_names(header, &classes);
    }
}

/// Compiles a program printing `header`'s class names with gcc and clang as C99 and C++17
/// under every warning, runs it, and checks that it prints `classes` byte for byte.
fn compile_and_read_names(header: &Path, classes: &[String]) {
    let dir = header.parent().unwrap();
    let program = dir.join("names.c");
    std::fs::write(
        &program,
        "#include <stdio.h>\n#include \"piconas.h\"\nint main(void) {\n    int c;\n    const char *p;\n    for (c = 0; c < PICONAS_CLASSES; c++) {\n        for (p = piconas_class_name(c); *p; p++) printf(\"%02x\", (unsigned)(unsigned char)*p);\n        printf(\"\\n\");\n    }\n    return 0;\n}\n",
    )
    .unwrap();
    let expected: String = classes
        .iter()
        .map(|c| c.bytes().map(|b| format!("{b:02x}")).collect::<String>() + "\n")
        .collect();
    for (compiler, language, std) in [
        ("gcc", "c", "-std=c99"),
        ("clang", "c", "-std=c99"),
        ("g++", "c++", "-std=c++17"),
        ("clang++", "c++", "-std=c++17"),
    ] {
        let exe = dir.join(format!("names-{compiler}"));
        let o = std::process::Command::new(compiler)
            .args([
                std,
                "-Wall",
                "-Wextra",
                "-Werror",
                "-pedantic",
                "-x",
                language,
            ])
            .arg(&program)
            .arg("-o")
            .arg(&exe)
            .output()
            .unwrap();
        assert!(o.status.success(), "{compiler} {std}: {}", stderr(&o));
        let o = std::process::Command::new(&exe).output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            expected,
            "{compiler} {std}"
        );
    }
}

/// The Rust export says nothing of where its run directory is, so a directory name holding a
/// line break and code cannot become code (and the same network gives the same bytes from
/// any directory).
#[cfg(unix)]
#[test]
fn a_run_directory_name_cannot_inject_into_the_rust_export() {
    let tmp = tempfile::tempdir().unwrap();
    let odd = tmp.path().join("run\npub fn injected() {}");
    std::fs::create_dir(&odd).unwrap();
    for file in ["network.json", "settings.json"] {
        std::fs::copy(Path::new(finished_run()).join(file), odd.join(file)).unwrap();
    }
    let export = |dir: &Path| {
        let o = piconas(&["export", "--run", dir.to_str().unwrap(), "--format", "rust"]);
        assert!(o.status.success(), "{}", stderr(&o));
        String::from_utf8(o.stdout).unwrap()
    };
    let text = export(&odd);
    assert!(!text.contains("injected"), "{text}");
    assert_eq!(text, export(Path::new(finished_run())));
}

/// `rows` rows of `d` features and two classes named `a` and `b`, under a header.
fn table(rows: usize, d: usize, shift: f32) -> String {
    let header: Vec<String> = (0..d)
        .map(|j| format!("f{j}"))
        .chain(["label".into()])
        .collect();
    let mut text = header.join(",") + "\n";
    for i in 0..rows {
        let c = i % 2;
        let x: Vec<String> = (0..d)
            .map(|j| format!("{}", (i * (j + 1) % 17) as f32 * 0.1 + c as f32 + shift))
            .collect();
        text += &format!("{},{}\n", x.join(","), ["a", "b"][c]);
    }
    text
}

/// The exports that rebuild the run's split from its data file (int8 calibration, the test
/// rows of c-test, onnx-test, rust and arduino) refuse data that is not the run's: other
/// values, another shape, or a split seed edited in settings.json, naming both fingerprints;
/// the file as it was exports again.
#[test]
fn exports_refuse_data_that_is_not_the_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d.csv");
    let original = table(120, 3, 0.0);
    std::fs::write(&data, &original).unwrap();
    let run = tmp.path().join("run");
    let o = quick(&run, &["--data", data.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let settings = std::fs::read_to_string(run.join("settings.json")).unwrap();
    let recorded: serde_json::Value = serde_json::from_str(&settings).unwrap();
    let recorded = recorded["data_fingerprint"].as_str().unwrap().to_owned();
    let r = run.to_str().unwrap();
    let lib = tmp.path().join("lib");
    let exports: [Vec<&str>; 6] = [
        vec!["--format", "c", "--int8"],
        vec!["--format", "c-test"],
        vec!["--format", "c-test", "--int8"],
        vec!["--format", "onnx-test"],
        vec!["--format", "rust"],
        vec!["--format", "arduino", "--out", lib.to_str().unwrap()],
    ];
    let export = |format: &[&str]| {
        let mut args = vec!["export", "--run", r];
        args.extend_from_slice(format);
        piconas(&args)
    };
    for (what, edit) in [
        ("other values", (table(120, 3, 0.5), settings.clone())),
        ("64 features", (table(120, 64, 0.0), settings.clone())),
        (
            "another split seed",
            (
                original.clone(),
                settings.replace("\"split_seed\": 0", "\"split_seed\": 7"),
            ),
        ),
    ] {
        std::fs::write(&data, &edit.0).unwrap();
        std::fs::write(run.join("settings.json"), &edit.1).unwrap();
        for format in &exports {
            let o = export(format);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{what}, {format:?}: {err}");
            assert!(o.stdout.is_empty(), "{what}, {format:?}");
            assert_eq!(err.lines().count(), 1, "{what}, {format:?}: {err}");
            assert!(
                err.contains("not the data this run was made on") && err.contains(&recorded),
                "{what}, {format:?}: {err}"
            );
        }
        assert!(!lib.exists());
    }
    std::fs::write(&data, &original).unwrap();
    std::fs::write(run.join("settings.json"), &settings).unwrap();
    for format in &exports {
        let o = export(format);
        assert!(o.status.success(), "{format:?}: {}", stderr(&o));
    }
}

/// A directory holding a network without its run's settings (a network.json alone, as
/// Python's `save` writes) exports what needs only the network, and refuses, saying why,
/// every format that needs the run's data: never an empty test file with exit 0.
#[test]
fn exports_that_need_the_runs_data_refuse_a_network_alone() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(finished_run()).join("network.json"),
        tmp.path().join("network.json"),
    )
    .unwrap();
    let r = tmp.path().to_str().unwrap();
    for format in ["json", "c", "onnx", "rust"] {
        let o = piconas(&["export", "--run", r, "--format", format]);
        assert!(o.status.success(), "{format}: {}", stderr(&o));
    }
    let lib = tmp.path().join("lib");
    for format in [
        vec!["--format", "c", "--int8"],
        vec!["--format", "c-test"],
        vec!["--format", "c-test", "--int8"],
        vec!["--format", "onnx-test"],
        vec!["--format", "arduino", "--out", lib.to_str().unwrap()],
    ] {
        let mut args = vec!["export", "--run", r];
        args.extend_from_slice(&format);
        let o = piconas(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{format:?}: {err}");
        assert!(o.stdout.is_empty(), "{format:?}");
        assert!(
            err.contains("no settings.json beside network.json"),
            "{format:?}: {err}"
        );
    }
}

/// A header of numbers (`1,2,label`) is a header, split stratified or in order: the run
/// knows two classes and features named `1` and `2`, and predict reads the same header back.
#[test]
fn a_header_of_numbers_is_a_header_in_training_and_in_predict() {
    let tmp = tempfile::tempdir().unwrap();
    let rows: String = (0..60)
        .map(|i| format!("{},{},{}\n", i as f32 * 0.1, (i % 7) as f32, i % 2))
        .collect();
    for (i, header) in ["1,2,label", "nan,inf,label"].into_iter().enumerate() {
        let data = tmp.path().join(format!("d{i}.csv"));
        std::fs::write(&data, format!("{header}\n{rows}")).unwrap();
        for split in ["stratified", "in-order"] {
            let run = tmp.path().join(format!("run-{i}-{split}"));
            let o = quick(&run, &["--data", data.to_str().unwrap(), "--split", split]);
            assert!(o.status.success(), "{header} {split}: {}", stderr(&o));
            let network: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(run.join("network.json")).unwrap())
                    .unwrap();
            let names: Vec<&str> = header.split(',').take(2).collect();
            assert_eq!(
                network["classes"],
                serde_json::json!(["0", "1"]),
                "{header}"
            );
            assert_eq!(network["features"], serde_json::json!(names), "{header}");
            let o = piconas(&[
                "predict",
                "--run",
                run.to_str().unwrap(),
                "--data",
                data.to_str().unwrap(),
            ]);
            assert!(o.status.success(), "{header}: {}", stderr(&o));
            assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 61);
        }
    }
}

/// A row whose standardisation overflows `f32` (`(x − mean) / scale` infinite, though the
/// cell is finite) is refused by predict with its line, column and values, as training
/// refuses one; a row in range is predicted.
#[test]
fn predict_refuses_a_row_that_standardises_beyond_f32() {
    let tmp = tempfile::tempdir().unwrap();
    let weights: Vec<String> = (0..12).map(|i| format!("{}", i as f32 * 0.25)).collect();
    let network = format!(
        r#"{{"format":"piconas-network","version":4,"features":["a","b"],"classes":["no","yes"],"standardize":{{"mean":[0,0],"scale":[1,1e-20]}},"arch":"[2, ReLU]","members":[[{}]],"data":null,"dev_accuracy":0.5,"test_accuracy":0.25}}"#,
        weights.join(",")
    );
    std::fs::write(tmp.path().join("network.json"), network).unwrap();
    let run = tmp.path().to_str().unwrap();
    let data = write_csv(tmp.path(), "new.csv", "a,b\n0.5,1e-20\n0.5,1e30\n");
    let o = piconas(&["predict", "--run", run, "--data", data.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.trim_end().ends_with("new.csv:3: b: standardising it overflows f32: (1e30 − mean 0e0) / scale 1e-20 is infinite; the network never saw values this far out"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let data = write_csv(tmp.path(), "new.csv", "a,b\n0.5,1e-20\n-3e38,1e-18\n");
    let o = piconas(&["predict", "--run", run, "--data", data.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 3);
}
