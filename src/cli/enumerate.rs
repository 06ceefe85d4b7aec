//! `piconas enumerate`: the whole space trained into a table (`piconas::space_table`), in a
//! run directory with the run's rules: its settings written first, the table appended row by
//! row in order (a kill loses at most the rows not yet flushed, and `--resume` continues after
//! the last whole row), the CSV written when the table is complete. `--shard I/N` makes one
//! part; `--merge` joins finished parts into one table.

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use piconas::data::Dataset;
use piconas::failure::Failure;
use piconas::output::{self, Claim};
use piconas::run_files::{SETTINGS, SPACE, SPACE_CSV};
use piconas::space_table::{Header, Row, Shard, Table, settings_fingerprint, train_all};
use piconas::spec::Spec;
use piconas_core::{MAX_TOKENS, Settings, space};

use crate::args::EnumerateArgs;

/// Rows are flushed to disk at least this often, so that a kill loses little.
const FLUSH_EVERY: Duration = Duration::from_secs(2);

/// Makes (or continues, or joins) the table the flags describe.
pub fn main(args: &EnumerateArgs) -> Result<(), Failure> {
    if !args.merge.is_empty() {
        return merge(args);
    }
    let (out, claim, spec, table) = match &args.resume {
        Some(dir) => resume(dir, args)?,
        None => start(args)?,
    };
    let data = spec.dataset()?;
    let split = data.split()?;
    let config = data.configure(spec.settings.search);
    let total = table.header.archs().count();
    let done = table.rows.len();
    let file = out.join(SPACE);
    let mut writer = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .map_err(|e| Failure::io(&file, "cannot append to", e))?;
    let bar = crate::run::progress_bar(total as u64, args.quiet);
    bar.set_position(done as u64);
    let started = Instant::now();
    let mut best = table
        .rows
        .iter()
        .map(|r| (r.mean(), r.number))
        .fold(None, better);
    let (mut pending, mut flushed) = (Vec::new(), Instant::now());
    let threads = args
        .threads
        .map_or_else(piconas::parallel::default_threads, usize::from);
    train_all(&config, &split, &table.header, done, threads, |row: Row| {
        best = better(best, (row.mean(), row.number));
        row.encode(&mut pending);
        bar.inc(1);
        if flushed.elapsed() >= FLUSH_EVERY {
            append(&mut writer, &file, &mut pending)?;
            flushed = Instant::now();
            if let Some((reward, number)) = best {
                let arch = piconas_core::Arch::nth(number);
                bar.set_message(format!("best {arch} {:.2} %", 100.0 * reward));
            }
        }
        Ok(())
    })?;
    append(&mut writer, &file, &mut pending)?;
    writer
        .sync_all()
        .map_err(|e| Failure::io(&file, "cannot write", e))?;
    bar.finish_and_clear();
    finish(&out, claim, &data, (total - done, started.elapsed()))
}

/// The better of `best` and `(reward, number)`: the higher reward, the lower number on a tie.
fn better(best: Option<(f32, u32)>, candidate: (f32, u32)) -> Option<(f32, u32)> {
    match best {
        Some(b) if b.0 >= candidate.0 => Some(b),
        _ => Some(candidate),
    }
}

/// Appends `pending` rows to the table file and empties it.
fn append(writer: &mut std::fs::File, file: &Path, pending: &mut Vec<u8>) -> Result<(), Failure> {
    writer
        .write_all(pending)
        .map_err(|e| Failure::io(file, "cannot write", e))?;
    pending.clear();
    Ok(())
}

/// A new table: the settings written first, then the table's header.
fn start(args: &EnumerateArgs) -> Result<(std::path::PathBuf, Claim, Spec, Table), Failure> {
    let mut spec = args
        .input
        .spec(args.table.apply(Settings::DEFAULT), false)?;
    let data = spec.dataset()?;
    spec.data_fingerprint = Some(data.fingerprint);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| crate::run::default_dir_for("space"));
    let claim = output::claim_new(
        &out,
        Some(&format!("continue it with --resume {}", out.display())),
    )?;
    let header = Header::of(
        &spec.settings,
        &data,
        (
            args.child_seeds,
            args.max_tokens.unwrap_or(MAX_TOKENS as u32),
            args.shard.unwrap_or(Shard::WHOLE),
        ),
    );
    output::write_atomic(&out.join(SETTINGS), spec.to_json().as_bytes())?;
    output::write_atomic(&out.join(SPACE), &header.encode())?;
    let table = Table {
        header,
        rows: Vec::new(),
    };
    Ok((out, claim, spec, table))
}

/// A stopped table: its settings, and its rows up to the last whole one (a partial row, as a
/// kill leaves, is cut off before appending).
fn resume(
    dir: &Path,
    args: &EnumerateArgs,
) -> Result<(std::path::PathBuf, Claim, Spec, Table), Failure> {
    if args.describes_a_table() || args.out.is_some() {
        return Err(Failure::Input(
            "--resume continues a table with its own settings; give only --threads or --quiet with it".into(),
        ));
    }
    let claim = output::claim_existing(dir)?;
    if dir.join(SPACE_CSV).exists() {
        claim.release();
        return Err(Failure::Input(format!(
            "{}: the table is complete; nothing to resume",
            dir.display()
        )));
    }
    let spec = Spec::load(dir, "piconas enumerate directory")?;
    let table = read_table(dir)?;
    if table.header.settings != settings_fingerprint(&spec.settings, &spec.dataset()?) {
        return Err(Failure::Input(format!(
            "{}: its {SPACE} was made under other settings than its {SETTINGS}",
            dir.display()
        )));
    }
    let whole = piconas::space_table::HEADER_BYTES + table.rows.len() * table.header.row_bytes();
    let file = dir.join(SPACE);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .and_then(|f| f.set_len(whole as u64))
        .map_err(|e| Failure::io(&file, "cannot cut the partial row of", e))?;
    Ok((dir.to_path_buf(), claim, spec, table))
}

/// `dir`'s table, read and checked.
pub(crate) fn read_table(dir: &Path) -> Result<Table, Failure> {
    let file = dir.join(SPACE);
    let bytes = std::fs::read(&file).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Failure::Input(format!(
            "{}: no {SPACE}; is it a piconas enumerate directory?",
            dir.display()
        )),
        _ => Failure::io(&file, "cannot read", e),
    })?;
    Table::decode(&bytes).map_err(|e| Failure::Input(format!("{}: {e}", file.display())))
}

/// Joins the finished shards of `--merge` into `--out`.
fn merge(args: &EnumerateArgs) -> Result<(), Failure> {
    if args.describes_a_table() || args.resume.is_some() {
        return Err(Failure::Input(
            "--merge joins finished shards with their own settings; give only --out, --threads or --quiet with it".into(),
        ));
    }
    let first = &args.merge[0];
    let spec = Spec::load(first, "piconas enumerate directory")?;
    let mut parts: Vec<Table> = Vec::new();
    for dir in &args.merge {
        let part = read_table(dir)?;
        if parts
            .first()
            .is_some_and(|p| p.header.settings != part.header.settings)
        {
            return Err(Failure::Input(format!(
                "{}: made under other settings than {}",
                dir.display(),
                first.display()
            )));
        }
        parts.push(part);
    }
    let table = Table::merge(parts).map_err(Failure::Input)?;
    let data = spec.dataset()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| crate::run::default_dir_for("space"));
    let claim = output::claim_new(&out, None)?;
    output::write_atomic(&out.join(SETTINGS), spec.to_json().as_bytes())?;
    output::write_atomic(&out.join(SPACE), &table.encode())?;
    finish(&out, claim, &data, (table.rows.len(), Duration::ZERO))
}

/// The table complete: its CSV written, the claim released, and what it found printed.
fn finish(
    out: &Path,
    claim: Claim,
    data: &Dataset,
    (count, took): (usize, Duration),
) -> Result<(), Failure> {
    let table = read_table(out)?;
    if !table.is_complete() {
        return Err(Failure::bug("the table ended short of its architectures"));
    }
    output::write_atomic(&out.join(SPACE_CSV), table.to_csv(data.shape).as_bytes())?;
    claim.release();
    let best = table
        .rows
        .iter()
        .map(|r| (r.mean(), r.number))
        .fold(None, better);
    let (raw, merged) = space::sizes();
    let h = table.header;
    let part = match h.shard {
        Shard::WHOLE => String::new(),
        s => format!("shard {}/{} of ", s.index, s.count),
    };
    let mut text = format!(
        "table: {part}{} architectures of at most {} tokens, {} child seed{}",
        table.rows.len(),
        h.max_tokens,
        h.seeds,
        if h.seeds == 1 { "" } else { "s" }
    );
    if took > Duration::ZERO {
        text.push_str(&format!(", {count} trained in {:.1} s", took.as_secs_f64()));
    }
    text.push_str(&format!(
        "\nthe space: {raw} sequences, {merged} once merged (core/src/space.rs)"
    ));
    if let Some((reward, number)) = best {
        let arch = piconas_core::Arch::nth(number);
        text.push_str(&format!(
            "\nbest: {arch}, mean reward {:.2} %",
            100.0 * reward
        ));
    }
    text.push_str(&format!("\noutput: {}\n", out.display()));
    output::to_stdout(&text, "the table's summary")?;
    Ok(())
}
