//! `export --format arduino`: an Arduino library folder around the int8 header, for 8-bit
//! boards (an Uno: 2 KB of SRAM, 32 KB of flash; the constants stay in flash):
//! `library.properties`, `src/piconas.h`, and `examples/Classify/Classify.ino`, which
//! classifies some of the run's test points on the board and says whether every class is the
//! one the host's int8 reference computed, and how long the slowest took against what the
//! ATmega328P's cost model bounds it at ([`piconas_core::target`]).

use std::fmt::Write as _;

use piconas_core::arch::{Arch, Shape};
use piconas_core::target::{Footprint, Target};

use crate::c_header::{Header, bytes, float_array};
use crate::int8::Int8Model;
use crate::layers::Model;

/// What `model` costs on an Uno (the ATmega328P), by the part's cost model: the smallest
/// program that classifies, and one classification's cycles (bounds), with those cycles in
/// µs at the Uno's clock.
pub fn on_uno(model: &Model) -> Option<(Footprint, u32)> {
    let arch: Arch = model.arch.parse().ok()?;
    let shape = Shape::new(model.inputs(), model.classes()).ok()?;
    let part = Target::Atmega328p.part()?;
    let members = u32::try_from(model.members.len()).ok()?;
    let cost = part.footprint(&arch, shape, members);
    Some((cost, part.micros(cost.cycles_bound)))
}

/// How many test points the example carries, at most (they live in flash).
pub const EXAMPLE_POINTS: usize = 8;

/// The library's files, paths relative to its folder. `header` is the int8 header of `model`
/// quantised as `q`; `test_x` and `labels` the run's raw test split (the first
/// [`EXAMPLE_POINTS`] go into the example).
pub fn library(
    model: &Model,
    q: &Int8Model,
    header: &Header,
    test_x: &[f32],
    labels: &[u8],
) -> Vec<(String, String)> {
    let uno = on_uno(model).map_or(String::new(), |(c, us)| {
        format!(
            " On an Uno (ATmega328P, 16 MHz), piconas's cost model bounds the smallest sketch \
             that classifies at {} bytes of flash and {} of RAM, and a classification at {} us.",
            c.flash, c.ram, us
        )
    });
    let properties = format!(
        "name=piconas-model\nversion=1.0.0\nauthor=piconas\nmaintainer=piconas\nsentence=A \
         neural network found by piconas: {arch}, {d} features, {k} classes, int8.\nparagraph=\
         piconas_predict(x) classifies {d} raw features; integer-only network, constants in \
         flash ({flash} bytes), {stack} bytes of stack.{uno}\ncategory=Data Processing\n\
         architectures=*\nincludes=piconas.h\n",
        arch = model.arch,
        d = model.inputs(),
        k = model.classes(),
        flash = header.flash,
        stack = header.stack,
    );
    vec![
        ("library.properties".into(), properties),
        ("src/piconas.h".into(), header.text.clone()),
        (
            "examples/Classify/Classify.ino".into(),
            example(model, q, test_x, labels),
        ),
    ]
}

/// The example sketch: the points, their classes and the host's int8 classes, in flash.
fn example(model: &Model, q: &Int8Model, test_x: &[f32], labels: &[u8]) -> String {
    let d = model.inputs();
    let n = labels.len().min(EXAMPLE_POINTS);
    let points = &test_x[..n * d];
    let host: Vec<u8> = points.chunks_exact(d).map(|x| q.predict(x)).collect();
    let mut s = String::from(
        "// Classifies test points of the piconas run on this board with the network in\n\
         // piconas.h, and prints each point's class, true class and inference time over\n\
         // Serial (9600 baud), then whether every class is the one the host computed (the\n\
         // int8 network is integer-only, so it should be on every board).\n#include <piconas.h>\n\n",
    );
    let _ = writeln!(s, "#define POINTS {n}");
    let bound = on_uno(model).map_or(0, |(_, us)| us);
    let _ = writeln!(
        s,
        "// What piconas's cost model bounds one classification at on an Uno (16 MHz), in us."
    );
    let _ = writeln!(s, "#define BOUND_US {bound}");
    let _ = writeln!(
        s,
        "// The points' raw features, row by row, and their true classes."
    );
    float_array(&mut s, "points", points);
    bytes(&mut s, "labels", &labels[..n]);
    let _ = writeln!(s, "// The class piconas's host reference gives each point.");
    bytes(&mut s, "host", &host);
    s.push_str(SKETCH);
    s
}

const SKETCH: &str = r#"
void setup() {
  int r, i, right = 0, same = 0;
  unsigned long slowest = 0;
  Serial.begin(9600);
  for (r = 0; r < POINTS; r++) {
    float x[PICONAS_INPUTS];
    int c, label;
    unsigned long start;
    for (i = 0; i < PICONAS_INPUTS; i++) x[i] = PICONAS_RF(&points[r * PICONAS_INPUTS + i]);
    start = micros();
    c = piconas_predict(x);
    start = micros() - start;
    if (start > slowest) slowest = start;
    label = PICONAS_RU8(&labels[r]);
    right += c == label;
    same += c == PICONAS_RU8(&host[r]);
    Serial.print("point ");
    Serial.print(r);
    Serial.print(": ");
    Serial.print(piconas_class_name(c));
    Serial.print(" (true ");
    Serial.print(piconas_class_name(label));
    Serial.print("), ");
    Serial.print((long)start);
    Serial.println(" us");
  }
  Serial.print(right);
  Serial.print(" of ");
  Serial.print(POINTS);
  Serial.print(" right; ");
  Serial.print(same == POINTS ? "every class as on the host" : "NOT as on the host");
  Serial.print("; slowest piconas_predict ");
  Serial.print((long)slowest);
  Serial.print(" us, bound ");
  Serial.print((long)BOUND_US);
  Serial.println(" us");
}

void loop() {}
"#;
