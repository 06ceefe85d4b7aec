//! Properties of the data reader over random tables written every way a user's file may be:
//! with or without a header, LF or CRLF line ends, a UTF-8 byte-order mark, the label in any
//! column (named or numbered), integer or text labels, up to 64 features. What is read back
//! is what was written.

use piconas::data::{LabelColumn, parse_csv};
use proptest::prelude::*;

/// A table: features (rows × d), label indices, class names.
#[derive(Clone, Debug)]
struct Table {
    x: Vec<Vec<f32>>,
    labels: Vec<usize>,
    names: Vec<String>,
}

/// How it is written.
#[derive(Clone, Debug)]
struct Style {
    header: bool,
    crlf: bool,
    bom: bool,
    /// Where the label column goes, 0..=d.
    label_at: usize,
    /// Name the label column by header name (else by 1-based position, or the default last).
    by_name: bool,
}

fn table() -> impl Strategy<Value = Table> {
    (1usize..=64, 2usize..=10, 20usize..=60, any::<bool>()).prop_flat_map(|(d, k, n, text)| {
        let x = prop::collection::vec(prop::collection::vec(-1e6f32..1e6, d), n);
        // Every class appears: the first k rows are 0..k, the rest random.
        let rest = prop::collection::vec(0..k, n - k);
        (x, rest).prop_map(move |(x, rest)| {
            let labels: Vec<usize> = (0..k).chain(rest).collect();
            // Text names sort as text; integer names (multiples of 7) sort as numbers.
            let names = (0..k)
                .map(|c| {
                    if text {
                        format!("class {}", (b'a' + c as u8) as char)
                    } else {
                        (c * 7).to_string()
                    }
                })
                .collect();
            Table { x, labels, names }
        })
    })
}

fn write(t: &Table, s: &Style) -> String {
    let d = t.x[0].len();
    let end = if s.crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    if s.bom {
        out.push('\u{feff}');
    }
    let row = |cells: Vec<String>| {
        let mut cells = cells;
        let label = cells.pop().unwrap();
        cells.insert(s.label_at, label);
        cells.join(",")
    };
    if s.header {
        let mut names: Vec<String> = (0..d).map(|j| format!("f{j}")).collect();
        names.push("kind".into());
        out += &row(names);
        out += end;
    }
    for (x, &l) in t.x.iter().zip(&t.labels) {
        let mut cells: Vec<String> = x.iter().map(|v| v.to_string()).collect();
        cells.push(t.names[l].clone());
        out += &row(cells);
        out += end;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_table_written_any_way_reads_back_as_written(
        t in table(),
        header in any::<bool>(),
        crlf in any::<bool>(),
        bom in any::<bool>(),
        at in any::<prop::sample::Index>(),
        by_name in any::<bool>(),
    ) {
        let d = t.x[0].len();
        let s = Style { header, crlf, bom, label_at: at.index(d + 1), by_name };
        let text = write(&t, &s);
        let label = match (s.header && s.by_name, s.label_at == d) {
            (true, _) => LabelColumn::Named("kind".into()),
            (false, true) => LabelColumn::Last,
            (false, false) => LabelColumn::Named((s.label_at + 1).to_string()),
        };
        let read = parse_csv("t.csv", text.as_bytes(), &label);
        let read = match read {
            Ok(read) => read,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{text}"))),
        };
        prop_assert_eq!(read.shape.inputs(), d);
        prop_assert_eq!(&read.classes, &t.names, "classes in sorted order");
        let want_x: Vec<f32> = t.x.iter().flatten().copied().collect();
        prop_assert_eq!(read.x, want_x);
        let want_labels: Vec<u8> = t.labels.iter().map(|&l| l as u8).collect();
        prop_assert_eq!(read.labels, want_labels);
        if s.header {
            prop_assert_eq!(read.features[0].as_str(), "f0");
        } else {
            prop_assert_eq!(read.features[0].as_str(), "x1");
        }
    }
}

/// The original's own data (tests/data/sklearn-moons.csv, written by
/// tests/data/sklearn_moons.py): scikit-learn's seed-0 moons, read as the original splits them
/// (in order, 700/100/200) and unstandardised, are the file's rows as written.
#[test]
fn the_originals_moons_read_in_order() {
    use piconas::data::{CsvOptions, Dataset, SplitMode};
    let path = format!(
        "{}/tests/data/sklearn-moons.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let options = CsvOptions {
        split: SplitMode::InOrder,
        standardize: false,
        ..CsvOptions::default()
    };
    let data = Dataset::csv(std::path::Path::new(&path), &options).unwrap();
    assert_eq!(data.classes, ["0", "1"]);
    assert_eq!(data.labels.iter().filter(|&&c| c == 1).count(), 500);
    let split = data.split().unwrap();
    let sizes = [split.train.len(), split.dev.len(), split.test.len()];
    assert_eq!(sizes, [700, 100, 200]);
    // make_moons' first point after numpy.random.seed(0), as scikit-learn printed it.
    assert_eq!(split.train.x(0), [2.086_144_f32, 0.574_014]);
    assert_eq!(split.train.label(0), 1);
    let text = std::fs::read_to_string(&path).unwrap();
    let last = text.lines().last().unwrap();
    let f: Vec<f32> = last.split(',').map(|v| v.parse().unwrap()).collect();
    assert_eq!(
        split.test.x(199),
        &f[..2],
        "the last row is the test split's last"
    );
}
