//! `piconas export`: a run's trained winner (`network.json`, see `piconas::model`) in one of
//! the library's formats (`piconas::deploy::Format::ALL`), made from the run's rows, which
//! are rebuilt from its settings.json when the format needs them.

use std::io::Write as _;
use std::path::Path;

use piconas::deploy::{self, Format, Needs, Output, Rows};
use piconas::model::NetworkFile;
use piconas::run_files::{NETWORK, SETTINGS};
use piconas_core::Arch;

use crate::args::ExportArgs;
use crate::failure::Failure;
use crate::output;

/// Writes `file` as `network.json` into `dir` atomically.
pub fn save(file: &NetworkFile, dir: &Path) -> Result<(), Failure> {
    output::write_atomic(&dir.join(NETWORK), file.to_json().as_bytes())
}

/// Reads and checks `dir/network.json`.
pub fn load(dir: &Path) -> Result<(NetworkFile, Arch), Failure> {
    let (path, text) = output::read_run_file(dir, NETWORK, "finished piconas run")?;
    Ok(NetworkFile::parse(&path.display().to_string(), &text)?)
}

/// The run's splits, rebuilt from its settings.json (generated again, or read from its data
/// file with the same split), for the saved network. A network file without its run's
/// settings carries no rows.
fn run_rows(run: &Path, file: &NetworkFile, arch: Arch) -> Result<Rows, Failure> {
    if !run.join(SETTINGS).exists() {
        return Ok(Rows::default());
    }
    let spec = crate::spec::Spec::load(run, "finished piconas run")?;
    let data = spec.raw_dataset()?;
    let split = data.split()?;
    Ok(Rows::of(file, &file.networks(arch)?, &split))
}

/// The format `--format` and `--int8` name together (`c --int8` is `c-int8`).
fn format_of(args: &ExportArgs) -> Result<Format, Failure> {
    let named = Format::from_name(&args.format)
        .ok_or_else(|| Failure::bug(format!("--format {} passed clap", args.format)))?;
    match (args.int8, named) {
        (false, format) => Ok(format),
        (true, Format::C | Format::CInt8) => Ok(Format::CInt8),
        (true, Format::CTest | Format::CTestInt8) => Ok(Format::CTestInt8),
        (true, _) => Err(Failure::Input(
            "--int8 applies to --format c and c-test (arduino is always int8)".into(),
        )),
    }
}

/// `piconas export`.
pub fn main(args: &ExportArgs) -> Result<(), Failure> {
    let format = format_of(args)?;
    let info = format.info();
    // The output path is checked before anything is computed or printed.
    match &args.out {
        Some(dir) if info.folder => output::check_folder_target(dir)?,
        Some(path) => output::check_file_target(path)?,
        None if info.folder => {
            return Err(Failure::Input(format!(
                "--format {} writes a folder: give --out DIR",
                info.name
            )));
        }
        None => {}
    }
    let (file, arch) = load(&args.run)?;
    let rows = match info.needs {
        Needs::Network => Rows::default(),
        _ => run_rows(&args.run, &file, arch)?,
    };
    if (info.needs.train() || info.needs.test()) && rows.labels.is_empty() {
        // Python's save() writes estimator.json beside the network, and no data file.
        let python = if args.run.join("estimator.json").exists() {
            " (Python's save wrote this directory: PicoNASClassifier.load(dir).to_c_header(int8=True) has its calibration)"
        } else {
            ""
        };
        let why = if info.needs.train() {
            "the int8 scales are calibrated on its train split".to_string()
        } else {
            format!("--format {} writes its test split", info.name)
        };
        return Err(Failure::Input(format!(
            "{}: no {SETTINGS} beside network.json, so the run's data cannot be rebuilt, and {why}{python}",
            args.run.display(),
        )));
    }
    let export = deploy::emit(&file, arch, format, &rows)?;
    if let Some(deploy) = &export.deploy {
        output::to_stderr(&deploy.text())?;
    }
    match (export.output, &args.out) {
        (Output::Folder(files), Some(dir)) => output::write_folder_atomic(dir, &files),
        (Output::Folder(_), None) => Err(Failure::bug("a folder without --out")),
        (Output::File(bytes), Some(path)) => output::write_atomic(path, &bytes),
        // The export is the output: a full or closed stdout is a failure (exit 1), not a panic.
        (Output::File(bytes), None) => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&bytes)
                .and_then(|()| stdout.flush())
                .map_err(output::stdout_failure("the export"))
        }
    }
}
