//! The run directory: created only after every input is validated, filled as the run goes
//! (rollouts.csv line by line), finished with files written atomically (temp file + rename).

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use piconas_core::search::Record;
use serde::Serialize;

use crate::failure::Failure;

/// `summary.json`: exactly these keys.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Rollouts the search ran.
    pub rollouts: u32,
    /// The run's seed.
    pub seed: u64,
    /// Wall time of the run.
    pub seconds: f64,
    /// The winning architecture (`[16, Tanh, 8, ReLU]`).
    pub best_arch: String,
    /// Its validation score: with cross-validated finalists, its mean held-out accuracy over
    /// the folds; else its dev accuracy.
    pub best_dev_acc: f32,
    /// The saved network's (with cross-validation, the ensemble of the winner's fold models)
    /// test accuracy: what ships.
    pub test_acc: f32,
    /// Its members: the folds (1 with `--folds 1`).
    pub members: usize,
    /// The winner's fold models (or retrains) one by one on the test split: their mean,
    /// least and greatest accuracy.
    pub test_acc_mean: f32,
    /// The least of those.
    pub test_acc_min: f32,
    /// The greatest of those.
    pub test_acc_max: f32,
    /// The folds each rollout's child was scored over (1: the dev split).
    pub reward_folds: u32,
    /// The Bayes-optimal classifier's accuracy on the test split, where the data's law is
    /// known (generated data; `None` for a file).
    pub bayes_test_acc: Option<f32>,
    /// The mean reward of the first 100 rollouts (fewer if the run had fewer).
    pub mean_reward_first_100: f32,
    /// The mean reward of the last 100 rollouts.
    pub mean_reward_last_100: f32,
    /// Input features of the data.
    pub features: usize,
    /// The classes' names, in class order.
    pub classes: Vec<String>,
    /// The saved network on the test split: `[true class][predicted class]` counts.
    pub confusion_matrix: Vec<Vec<u32>>,
    /// Per class, the share of its test points predicted right (null for a class with none).
    pub per_class_recall: Vec<Option<f32>>,
    /// The mean of the per-class recalls (over the classes the test split holds).
    pub balanced_accuracy: f32,
    /// Whether the features were standardised (network.json holds the statistics).
    pub standardized: bool,
    /// The features constant on the train split, so only shifted (empty if none).
    pub constant_features: Vec<String>,
    /// The saved network as a float and as an int8 C header (`export --format c [--int8]`):
    /// test accuracy, bytes of constants, bytes of stack.
    pub deploy: crate::deploy::Deploy,
}

/// Reads the file `name` of the run directory `dir`; a missing or unreadable file is an input
/// error that says what `dir` should have been (`kind`, e.g. "finished piconas run").
pub fn read_run_file(dir: &Path, name: &str, kind: &str) -> Result<(PathBuf, String), Failure> {
    let path = dir.join(name);
    let text = fs::read_to_string(&path).map_err(|e| {
        Failure::Input(format!(
            "{}: cannot read ({e}); is {} a {kind} directory?",
            path.display(),
            dir.display()
        ))
    })?;
    Ok((path, text))
}

/// Writes `text` (`what`, for the message) to stdout, flushed. A full or closed stdout is an
/// output failure (exit 1), never a panic and never silent: what was to be printed is lost.
pub fn to_stdout(text: &str, what: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(stdout_failure(what))
}

/// The failure of writing `what` to stdout.
pub fn stdout_failure(what: &str) -> impl Fn(std::io::Error) -> Failure + '_ {
    move |e| Failure::Io(format!("stdout: cannot write {what}: {e}"))
}

/// Writes `text` to stderr. A full or closed stderr is an output failure (exit 1), like
/// stdout's, though its message can only be lost too.
pub fn to_stderr(text: &str) -> Result<(), Failure> {
    let mut err = std::io::stderr().lock();
    err.write_all(text.as_bytes())
        .and_then(|()| err.flush())
        .map_err(|e| Failure::Io(format!("stderr: cannot write: {e}")))
}

use crate::run_files::{LOCK, ROLLOUTS, SETTINGS, SUMMARY};

/// A run directory this process owns: an exclusive lock on its [`LOCK`] file, held until the
/// claim is dropped. The operating system releases it when the process dies in any way, so a
/// killed run never leaves a stale lock, and a second process is refused while one is alive.
#[derive(Debug)]
pub struct Claim {
    lock: File,
    path: PathBuf,
}

impl Claim {
    /// Takes `dir`'s lock, or says who has it.
    fn take(dir: &Path) -> Result<Claim, Failure> {
        let path = dir.join(LOCK);
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Failure::io(&path, "cannot create the lock file", e))?;
        match lock.try_lock() {
            Ok(()) => Ok(Claim { lock, path }),
            Err(fs::TryLockError::WouldBlock) => Err(Failure::Input(format!(
                "{}: another piconas process is using this directory",
                dir.display()
            ))),
            Err(fs::TryLockError::Error(e)) => Err(Failure::io(&path, "cannot lock", e)),
        }
    }

    /// Ends the claim of a finished run: the lock file goes, then the lock.
    // On wasm32 (the page links this layer, never claiming a directory) a `File` has no `Drop`.
    #[cfg_attr(target_arch = "wasm32", allow(clippy::drop_non_drop))]
    pub fn release(self) {
        let _ = fs::remove_file(&self.path);
        drop(self.lock);
    }
}

/// Claims `dir` for a new run: creates it (and its parents) or takes an empty one (or one
/// holding only what a run killed in its first moments leaves: the lock file and temporary
/// files, which are removed), and locks it, so that two processes given the same directory
/// cannot both write into it.
/// A directory holding a stopped run is refused with the hint that it can be resumed, and
/// `how_to_resume` (the front end's words for it) when given.
pub fn claim_new(dir: &Path, how_to_resume: Option<&str>) -> Result<Claim, Failure> {
    if !dir.exists() {
        create_dir(dir)?;
    } else if !dir.is_dir() {
        return Err(Failure::Input(format!(
            "{}: cannot use as output directory: not a directory",
            dir.display()
        )));
    }
    let had_lock_file = dir.join(LOCK).exists();
    let claim = Claim::take(dir)?;
    let entries = fs::read_dir(dir).map_err(|e| {
        Failure::Input(format!(
            "{}: cannot use as output directory: {e}",
            dir.display()
        ))
    })?;
    // A run killed before its settings were in place leaves only its lock file and
    // temporaries: nothing of value, so the same command takes the directory over.
    let entries: Vec<_> = entries.flatten().collect();
    if !entries.iter().all(|e| is_leftover(&e.file_name())) {
        // Someone else's directory: leave it as it was found.
        if had_lock_file {
            drop(claim);
        } else {
            claim.release();
        }
        let hint = match (is_stopped_run(dir), how_to_resume) {
            (false, _) => String::new(),
            (true, None) => " (a stopped run, which can be resumed)".into(),
            (true, Some(how)) => format!(" (a stopped run, which can be resumed): {how}"),
        };
        return Err(Failure::Input(format!(
            "{}: output directory is not empty; refusing to overwrite an earlier run{hint}",
            dir.display(),
        )));
    }
    for e in entries.iter().filter(|e| e.file_name() != LOCK) {
        let _ = fs::remove_file(e.path());
    }
    Ok(claim)
}

/// Whether `dir` holds a run that began and did not finish: its settings, and no summary.
fn is_stopped_run(dir: &Path) -> bool {
    dir.join(SETTINGS).exists() && !dir.join(SUMMARY).exists()
}

/// Whether `name` is piconas's own leftover in a run directory: the lock file or a temporary.
fn is_leftover(name: &std::ffi::OsStr) -> bool {
    name == LOCK || name.to_string_lossy().ends_with(TEMP_SUFFIX)
}

/// Whether `dir` holds piconas's own leftovers and nothing else (see [`claim_new`]): what a
/// run killed before its settings were in place leaves. An empty directory does not.
pub fn holds_only_leftovers(dir: &Path) -> bool {
    let names: Vec<_> = fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    !names.is_empty() && names.iter().all(|n| is_leftover(n))
}

/// Claims the existing run directory `dir` (to resume it), and removes what a killed process
/// may have left half-written there (its temporary files).
pub fn claim_existing(dir: &Path) -> Result<Claim, Failure> {
    if !dir.is_dir() {
        return Err(Failure::Input(format!(
            "{}: not a directory; is it a piconas run directory?",
            dir.display()
        )));
    }
    let claim = Claim::take(dir)?;
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().ends_with(TEMP_SUFFIX) {
            let _ = fs::remove_file(entry.path());
        }
    }
    Ok(claim)
}

/// For tests of the runner's kill windows: when `PICONAS_CRASH_AFTER` names the file just
/// written, the process aborts there, as a `kill -9` at that moment would stop it.
pub fn crash_point(path: &Path) {
    if let (Some(name), Some(target)) = (path.file_name(), std::env::var_os("PICONAS_CRASH_AFTER"))
        && name == target
    {
        std::process::abort();
    }
}

/// Creates `dir` and its parents.
fn create_dir(dir: &Path) -> Result<(), Failure> {
    fs::create_dir_all(dir).map_err(|e| {
        // A path through a file, or an invalid name, is the user's to fix; the rest is the
        // system's (permissions, a full disk).
        use std::io::ErrorKind::{AlreadyExists, InvalidFilename, InvalidInput, NotADirectory};
        if matches!(
            e.kind(),
            NotADirectory | AlreadyExists | InvalidInput | InvalidFilename
        ) {
            Failure::Input(format!(
                "{}: cannot create the output directory: {e}",
                dir.display()
            ))
        } else {
            Failure::io(dir, "cannot create output directory", e)
        }
    })
}

/// The temporary file [`write_atomic`] writes `path` through: hidden, beside it, named after
/// the whole file name and this process, so it never collides with a user's file.
pub fn temp_of(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}{TEMP_SUFFIX}", std::process::id()))
}

/// How [`temp_of`]'s names end (a resumed run removes leftovers of a killed one).
pub const TEMP_SUFFIX: &str = ".piconas-tmp";

/// What is at a path, named for a message, unless it is a regular file or a directory.
fn special(meta: &fs::Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_symlink() {
        Some("a symbolic link")
    } else if kind.is_file() || kind.is_dir() {
        None
    } else {
        Some("a device, a FIFO or a socket")
    }
}

/// Checks that a file may be written at `path`: nothing is there, or a regular file (replaced
/// whole). A symbolic link is never followed (replacing it would silently break the link,
/// writing through it would write where the user did not say), a device or a FIFO never
/// replaced, a directory never clobbered: each is an input error naming `path`.
pub fn check_file_target(path: &Path) -> Result<(), Failure> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(());
    };
    let refused = special(&meta).or(meta.is_dir().then_some("a directory"));
    match refused {
        None => Ok(()),
        Some(what) => Err(Failure::Input(format!(
            "{}: is not a regular file (it is {what}); give a new file name or a regular file",
            path.display()
        ))),
    }
}

/// Checks that a folder may be written at `dir`: nothing is there, or an empty directory (not
/// a link to one); otherwise an input error naming `dir`.
pub fn check_folder_target(dir: &Path) -> Result<(), Failure> {
    let Ok(meta) = fs::symlink_metadata(dir) else {
        return Ok(());
    };
    let refused = special(&meta).or(match meta.is_dir() {
        true if is_empty_dir(dir) => None,
        true => Some("a directory with files in it"),
        false => Some("a file"),
    });
    match refused {
        None => Ok(()),
        Some(what) => Err(Failure::Input(format!(
            "{}: is not an empty directory (it is {what}); give a new folder or an empty directory",
            dir.display()
        ))),
    }
}

/// Creates the missing parents of `path` (every writer does, as a run's `--out` does).
fn create_parents(path: &Path) -> Result<(), Failure> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() && !parent.is_dir() => create_dir(parent),
        _ => Ok(()),
    }
}

/// Writes `contents` to `path` atomically: a temporary file beside it, synced, then renamed.
/// Missing parent directories are created. Only a new path or a regular file is written: a
/// directory, a symbolic link, a device or a FIFO at `path` is refused (an input error, and
/// nothing is touched). On any failure the temporary file is removed, and the message names
/// `path`, never the temporary.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Failure> {
    check_file_target(path)?;
    create_parents(path)?;
    let tmp = temp_of(path);
    let written = File::create(&tmp)
        .map_err(|e| Failure::io(path, "cannot create", e))
        .and_then(|mut file| {
            file.write_all(contents)
                .and_then(|()| file.sync_all())
                .map_err(|e| Failure::io(path, "cannot write", e))
        })
        .and_then(|()| {
            fs::rename(&tmp, path).map_err(|e| Failure::io(path, "cannot rename into place", e))
        });
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    } else {
        crash_point(path);
    }
    written
}

/// Writes the folder `dir` with `files` (paths relative to it, `/`-separated) atomically: a
/// hidden temporary folder beside it, filled and synced, then renamed into place. `dir` must
/// not exist or be an empty directory (not a link to one); its missing parents are created.
/// On any failure the temporary folder is removed, `dir` is as it was, and the message names
/// `dir` and the file in it, never the temporary.
pub fn write_folder_atomic(dir: &Path, files: &[(String, String)]) -> Result<(), Failure> {
    check_folder_target(dir)?;
    let empty_dir = dir.is_dir();
    create_parents(dir)?;
    let tmp = temp_of(dir);
    let written = files.iter().try_for_each(|(name, text)| {
        let (path, shown) = (tmp.join(name), dir.join(name));
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Failure::io(&shown, "cannot create", e))?;
        }
        let mut file = File::create(&path).map_err(|e| Failure::io(&shown, "cannot create", e))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| Failure::io(&shown, "cannot write", e))
    });
    let placed = written.and_then(|()| {
        if empty_dir {
            fs::remove_dir(dir)
                .map_err(|e| Failure::io(dir, "cannot replace the empty folder", e))?;
        }
        fs::rename(&tmp, dir).map_err(|e| Failure::io(dir, "cannot rename into place", e))
    });
    if placed.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    placed
}

fn is_empty_dir(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none())
}

/// What a resumed run keeps of each earlier rollout: architecture, reward, accuracy, and
/// the controller's loss.
pub type KeptRow = (piconas_core::Arch, f32, f32, f32);

/// `rollouts.csv`, written one whole line per record.
pub struct RolloutLog {
    file: File,
    path: PathBuf,
}

/// The column names of `rollouts.csv`: the record, then the controller's log-probability of
/// the sampled tokens and its loss on the rollout (`Record::loss`), as the original logs them,
/// then the rungs the child climbed (0 without rungs; see the core's `rungs`).
pub const ROLLOUT_COLUMNS: [&str; 11] = [
    "index", "tokens", "reward", "epochs", "entropy", "baseline", "beta", "accuracy", "log_prob",
    "loss", "rungs",
];

/// One rollout's cells in `rollouts.csv` ([`ROLLOUT_COLUMNS`]). Floats are printed in Rust's
/// shortest exact form, so the file holds every bit of each value.
pub fn rollout_cells(r: &Record, loss: f32) -> [String; 11] {
    [
        r.index.to_string(),
        r.arch.to_string(),
        r.reward.to_string(),
        r.epochs.to_string(),
        r.entropy.to_string(),
        r.baseline.to_string(),
        r.beta.to_string(),
        r.accuracy.to_string(),
        r.log_prob.to_string(),
        loss.to_string(),
        r.rungs.to_string(),
    ]
}

/// `rollouts.csv` held in memory, line by line, as [`RolloutLog`] writes it to a file: for a
/// front end that keeps the log (the Python package's `history_`) and may save it later.
#[derive(Clone, Debug)]
pub struct RolloutText(Vec<u8>);

impl RolloutText {
    /// The header alone.
    pub fn new() -> RolloutText {
        RolloutText(csv_line(&ROLLOUT_COLUMNS).unwrap_or_default())
    }

    /// Appends one rollout.
    pub fn append(&mut self, r: &Record, loss: f32) {
        self.0
            .extend(csv_line(&rollout_cells(r, loss)).unwrap_or_default());
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl Default for RolloutText {
    fn default() -> Self {
        Self::new()
    }
}

/// `cells` as one CSV line (quoted where needed, `\n`-terminated).
fn csv_line<S: AsRef<[u8]>>(cells: &[S]) -> Result<Vec<u8>, csv::Error> {
    let mut line = csv::Writer::from_writer(Vec::new());
    line.write_record(cells)?;
    line.into_inner().map_err(|e| e.into_error().into())
}

impl RolloutLog {
    /// Creates the file in `dir` and writes the header.
    pub fn create(dir: &Path) -> Result<RolloutLog, Failure> {
        let path = dir.join(ROLLOUTS);
        let file = File::create(&path).map_err(|e| Failure::io(&path, "cannot create", e))?;
        let mut log = RolloutLog { file, path };
        log.write_line(&ROLLOUT_COLUMNS.map(String::from))?;
        log.sync()?;
        crash_point(&log.path);
        Ok(log)
    }

    fn write_line(&mut self, cells: &[String]) -> Result<(), Failure> {
        let bytes =
            csv_line(cells).map_err(|e| Failure::bug(format!("{}: {e}", self.path.display())))?;
        self.file
            .write_all(&bytes)
            .map_err(|e| Failure::io(&self.path, "cannot write", e))
    }

    /// Reopens `dir/rollouts.csv` keeping its header and first `keep` rows (a resumed run
    /// drops the rows after its checkpoint, and any torn last line), atomically. The
    /// architecture, reward, accuracy and loss of each kept row go to `check` first, which may
    /// refuse them before anything is changed.
    pub fn reopen(
        dir: &Path,
        keep: usize,
        check: impl FnOnce(&[KeptRow]) -> Result<(), Failure>,
    ) -> Result<RolloutLog, Failure> {
        let path = dir.join(ROLLOUTS);
        let text = match fs::read_to_string(&path) {
            // Stopped before its first row, the run starts its log again.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && keep == 0 => {
                check(&[])?;
                return RolloutLog::create(dir);
            }
            other => other
                .map_err(|e| Failure::Input(format!("{}: cannot read: {e}", path.display())))?,
        };
        let lines: Vec<&str> = text
            .split_inclusive('\n')
            .filter(|l| l.ends_with('\n'))
            .collect();
        if lines.is_empty() && keep == 0 {
            // Stopped while its header was being written: the same.
            check(&[])?;
            return RolloutLog::create(dir);
        }
        if lines.len() < keep + 1 {
            return Err(Failure::Input(format!(
                "{}: {} rollouts, but the checkpoint has {keep}",
                path.display(),
                lines.len().saturating_sub(1)
            )));
        }
        let kept = lines[..keep + 1].concat();
        let mut rewards = Vec::with_capacity(keep);
        let mut reader = csv::Reader::from_reader(kept.as_bytes());
        for row in reader.records() {
            let row = row.map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?;
            let bad = || Failure::Input(format!("{}: a kept row is damaged", path.display()));
            let arch = row.get(1).and_then(|t| t.parse().ok()).ok_or_else(bad)?;
            let reward = row.get(2).and_then(|r| r.parse().ok()).ok_or_else(bad)?;
            let accuracy = row.get(7).and_then(|r| r.parse().ok()).ok_or_else(bad)?;
            let loss = row.get(9).and_then(|r| r.parse().ok()).ok_or_else(bad)?;
            rewards.push((arch, reward, accuracy, loss));
        }
        check(&rewards)?;
        write_atomic(&path, kept.as_bytes())?;
        let file = fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| Failure::io(&path, "cannot open for appending", e))?;
        Ok(RolloutLog { file, path })
    }

    /// Appends one rollout (see [`rollout_cells`]).
    pub fn append(&mut self, r: &Record, loss: f32) -> Result<(), Failure> {
        self.write_line(&rollout_cells(r, loss))
    }

    /// Flushes the file to disk.
    pub fn sync(&mut self) -> Result<(), Failure> {
        self.file
            .sync_all()
            .map_err(|e| Failure::io(&self.path, "cannot sync", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run stopped before its log's first line was whole starts the log again; one with
    /// fewer rows than its checkpoint is refused; the kept rows are its checkpoint's.
    #[test]
    fn a_reopened_log_keeps_the_checkpoints_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(ROLLOUTS);
        let header = csv_line(&ROLLOUT_COLUMNS.map(String::from)).unwrap();
        let header = String::from_utf8(header).unwrap();
        for torn in ["", "index,tokens,rew"] {
            fs::write(&path, torn).unwrap();
            RolloutLog::reopen(dir.path(), 0, |kept| {
                assert!(kept.is_empty());
                Ok(())
            })
            .unwrap();
            assert_eq!(fs::read_to_string(&path).unwrap(), header);
            fs::write(&path, torn).unwrap();
            assert!(RolloutLog::reopen(dir.path(), 1, |_| Ok(())).is_err());
        }
        let row = "0,[4],0.5,3,1,0.5,0.01,0.5,-1,0.25,0\n";
        fs::write(&path, format!("{header}{row}{row}0,[4")).unwrap();
        RolloutLog::reopen(dir.path(), 1, |kept| {
            assert_eq!(kept.len(), 1);
            Ok(())
        })
        .unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), format!("{header}{row}"));
    }
}
