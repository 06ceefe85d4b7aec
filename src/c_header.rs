//! `export --format c`: a trained network as one self-contained C99 header, usable from C and
//! C++, that classifies with the same bits as the core.
//!
//! The header walks the network's layers ([`Model`], read in the core's `Layout` order): the
//! standardisation, the activations before the first linear layer, then each dense layer
//! and its activations; every linear output is
//! its bias plus the products added in input order (as `weighted_sum` adds them), and the
//! activations are the core's branch-free functions (`math::exp_nonpositive`, `tanh` and
//! `sigmoid` built on it), written out in C from IEEE-754 basic operations and bit
//! operations only, with every constant an exact hex-float literal. Built with
//! `-ffp-contract=off` (no fused multiply-adds) on an IEEE-754 target that evaluates `float`
//! in `float` (FLT_EVAL_METHOD 0: x86-64, Arm), it computes the core's logits bit for bit.
//! The shared pieces of every C header piconas writes (the constant arrays, the macros that
//! keep them in flash on AVR, the preamble with the class names) live here too.

use std::fmt::Write as _;

use piconas_core::arch::{Activation, LEAKY_SLOPE};
use piconas_core::math;

use crate::layers::{Dense, Model};

/// `v` as an exact C99 hex-float literal of type `float` (`v` finite).
pub fn hex(v: f32) -> String {
    let bits = v.to_bits();
    let sign = if bits >> 31 == 1 { "-" } else { "" };
    let exponent = ((bits >> 23) & 0xff) as i32;
    let mantissa = (bits & 0x7f_ffff) << 1; // 24 bits: six hex digits
    match exponent {
        0 if mantissa == 0 => format!("{sign}0x0p+0f"),
        0 => format!("{sign}0x0.{mantissa:06x}p-126f"),
        e => format!("{sign}0x1.{mantissa:06x}p{:+}f", e - 127),
    }
}

/// A C string literal of `s`, valid C99 and C++ in any context and under any flags: `"` and
/// `\\` escaped, `?` escaped (so that no trigraph, `??/` for one, can form under `-std=c99`),
/// `*` and `/` escaped (so that the literal may stand inside a comment: no `*/` ends it and
/// no `/*` or `//` opens one), every other byte outside printable ASCII as a 3-digit octal
/// escape (never absorbing a following digit). The literal holds `s`'s bytes exactly.
pub(crate) fn c_string(s: &str) -> String {
    let mut out = String::from("\"");
    for b in s.bytes() {
        match b {
            b'"' | b'\\' | b'?' => {
                out.push('\\');
                out.push(b as char);
            }
            b'*' | b'/' => {
                let _ = write!(out, "\\{b:03o}");
            }
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out.push('"');
    out
}

/// `static const ctype name[n] PICONAS_ROM = { … };` (in flash on AVR, see [`ROM`]) of
/// `items` (C literals), `per_line` to a line; returns the array's bytes (`size` each). A C
/// array may not be empty: one unused 0 stands for none.
pub(crate) fn array(
    s: &mut String,
    decl: (&str, &str, usize),
    items: &[String],
    per_line: usize,
) -> usize {
    let (ctype, name, size) = decl;
    let zero = ["0".to_string()];
    let items = if items.is_empty() { &zero[..] } else { items };
    let _ = writeln!(
        s,
        "static const {ctype} {name}[{}] PICONAS_ROM = {{",
        items.len()
    );
    for chunk in items.chunks(per_line) {
        let _ = writeln!(s, "    {},", chunk.join(", "));
    }
    let _ = writeln!(s, "}};");
    size * items.len()
}

/// `static const float name[] = { … };` of exact hex floats, four to a line; its bytes.
pub(crate) fn float_array(s: &mut String, name: &str, values: &[f32]) -> usize {
    let items: Vec<String> = values.iter().map(|&v| hex(v)).collect();
    array(s, ("float", name, 4), &items, 4)
}

/// The activations, in C, bit for bit the core's (their constants computed here in `f32`).
fn activations(s: &mut String) {
    let c = |v: f32| hex(v);
    let _ = write!(
        s,
        r#"
static inline float piconas_from_bits(uint32_t b) {{ float f; memcpy(&f, &b, sizeof f); return f; }}
static inline uint32_t piconas_to_bits(float f) {{ uint32_t b; memcpy(&b, &f, sizeof b); return b; }}

/* e^x for x <= 0 (the core's math::exp_nonpositive). */
static inline float piconas_exp_nonpositive(float x) {{
    float t, k, r, p;
    x = x < -87.0f ? -87.0f : x;
    x = x > 0.0f ? 0.0f : x;
    t = x * {log2e} + {round};
    k = t - {round};
    r = (x - k * {ln2_hi}) - k * {ln2_lo};
    p = 1.0f + r * (1.0f + r * ({c2} + r * ({c6} + r * ({c24} + r * ({c120} + r * ({c720} + r * {c5040}))))));
    return p * piconas_from_bits(((piconas_to_bits(t) - {round_bits}u) + 127u) << 23);
}}

static inline float piconas_tanh(float x) {{
    float a = piconas_from_bits(piconas_to_bits(x) & 0x7fffffffu);
    float e = piconas_exp_nonpositive(-2.0f * a);
    float far_ = (1.0f - e) / (1.0f + e);
    float a2 = a * a;
    float near_ = a + a * a2 * ({t3} + a2 * ({t5} + a2 * ({t7} + a2 * ({t9} + a2 * {t11}))));
    float y = a < {tanh_near} ? near_ : far_;
    return piconas_from_bits(piconas_to_bits(y) | (piconas_to_bits(x) & 0x80000000u));
}}

static inline float piconas_sigmoid(float x) {{
    float a = piconas_from_bits(piconas_to_bits(x) & 0x7fffffffu);
    float e = piconas_exp_nonpositive(-a);
    float top = x >= 0.0f ? 1.0f : e;
    return top / (1.0f + e);
}}

static inline float piconas_relu(float x) {{ return x > 0.0f ? x : 0.0f; }}
static inline float piconas_leaky_relu(float x) {{ return x > 0.0f ? x : {leaky} * x; }}
"#,
        log2e = c(core::f32::consts::LOG2_E),
        round = c(math::ROUND),
        round_bits = math::ROUND.to_bits(),
        ln2_hi = c(math::LN2_HI),
        ln2_lo = c(math::LN2_LO),
        c2 = c(math::EXP_TAYLOR[0]),
        c6 = c(math::EXP_TAYLOR[1]),
        c24 = c(math::EXP_TAYLOR[2]),
        c120 = c(math::EXP_TAYLOR[3]),
        c720 = c(math::EXP_TAYLOR[4]),
        c5040 = c(math::EXP_TAYLOR[5]),
        t3 = c(math::TANH_TAYLOR[0]),
        t5 = c(math::TANH_TAYLOR[1]),
        t7 = c(math::TANH_TAYLOR[2]),
        t9 = c(math::TANH_TAYLOR[3]),
        t11 = c(math::TANH_TAYLOR[4]),
        tanh_near = c(math::TANH_NEAR),
        leaky = c(LEAKY_SLOPE),
    );
}

/// The C function applying `activation` (`piconas_tanh`, …).
fn activation_fn(activation: Activation) -> &'static str {
    match activation {
        Activation::Sigmoid => "piconas_sigmoid",
        Activation::Tanh => "piconas_tanh",
        Activation::Relu => "piconas_relu",
        Activation::LeakyRelu => "piconas_leaky_relu",
    }
}

/// The header's own macros, shared by every header piconas writes: constants live in flash
/// on AVR (`PROGMEM`, read with `pgm_read_*`: an Uno has 2 KB of RAM) and are plain `const`
/// arrays everywhere else.
pub(crate) const ROM: &str = r#"
#if defined(__AVR__)
#include <avr/pgmspace.h>
#define PICONAS_ROM PROGMEM
#define PICONAS_RF(p) pgm_read_float(p)
#define PICONAS_R8(p) ((int8_t)pgm_read_byte(p))
#define PICONAS_RU8(p) ((uint8_t)pgm_read_byte(p))
#define PICONAS_RU16(p) ((uint16_t)pgm_read_word(p))
#define PICONAS_R32(p) ((int32_t)pgm_read_dword(p))
#else
#define PICONAS_ROM
#define PICONAS_RF(p) (*(p))
#define PICONAS_R8(p) (*(p))
#define PICONAS_RU8(p) (*(p))
#define PICONAS_RU16(p) (*(p))
#define PICONAS_R32(p) (*(p))
#endif
"#;

/// `piconas_member_logits` (one member's walk over its layers, ping-ponging two buffers, from
/// the standardised inputs with the lead activations applied) and the head of
/// `piconas_logits` (standardise, lead, then the members' mean logits), whose body ends at
/// [`api`].
fn forward(s: &mut String, model: &Model) {
    let d = model.inputs();
    let layers = model.layers();
    let _ = writeln!(
        s,
        "\n/* Member m's class logits of the inputs x0 (standardised, lead activations applied). */\nstatic inline void piconas_member_logits(int m, const float x0[PICONAS_INPUTS], float z[PICONAS_CLASSES]) {{"
    );
    let _ = writeln!(s, "    float a[PICONAS_WIDTH], b[PICONAS_WIDTH];");
    let _ = writeln!(s, "    float *in = a, *out = b, *swap = 0;");
    let _ = writeln!(s, "    int i, j;");
    let _ = writeln!(s, "    for (i = 0; i < {d}; i++) in[i] = x0[i];");
    let n = layers.len();
    for (l, layer) in layers.iter().enumerate() {
        let (fi, fo) = (layer.fan_in, layer.fan_out);
        let last = l + 1 == n;
        let target = if last { "z" } else { "out" };
        let _ = writeln!(s, "    for (j = 0; j < {fo}; j++) {{");
        let _ = writeln!(
            s,
            "        float acc = PICONAS_RF(&piconas_b{l}[m * {fo} + j]);"
        );
        let _ = writeln!(
            s,
            "        for (i = 0; i < {fi}; i++) acc += PICONAS_RF(&piconas_w{l}[m * {} + j * {fi} + i]) * in[i];",
            fi * fo
        );
        let _ = writeln!(s, "        {target}[j] = acc;\n    }}");
        if !last {
            let _ = writeln!(s, "    swap = in; in = out; out = swap;");
        }
        for &act in &layer.then {
            let f = activation_fn(act);
            let _ = writeln!(s, "    for (i = 0; i < {fo}; i++) in[i] = {f}(in[i]);");
        }
    }
    let _ = writeln!(s, "    (void)out; (void)swap;\n}}");
    let _ = writeln!(
        s,
        "\n/* The class logits of the raw features x: the mean of the members' logits. */\nstatic inline void piconas_logits(const float x[PICONAS_INPUTS], float z[PICONAS_CLASSES]) {{"
    );
    let _ = writeln!(s, "    float x0[PICONAS_INPUTS], zm[PICONAS_CLASSES];");
    let _ = writeln!(s, "    int i, c, m;");
    let _ = if model.standardize.is_some() {
        writeln!(
            s,
            "    for (i = 0; i < {d}; i++) x0[i] = (x[i] - PICONAS_RF(&piconas_mean[i])) / PICONAS_RF(&piconas_scale[i]);"
        )
    } else {
        writeln!(s, "    for (i = 0; i < {d}; i++) x0[i] = x[i];")
    };
    for &act in &model.lead {
        let f = activation_fn(act);
        let _ = writeln!(s, "    for (i = 0; i < {d}; i++) x0[i] = {f}(x0[i]);");
    }
    let _ = writeln!(s, "    for (c = 0; c < PICONAS_CLASSES; c++) z[c] = 0.0f;");
    let _ = writeln!(s, "    for (m = 0; m < PICONAS_MEMBERS; m++) {{");
    let _ = writeln!(s, "        piconas_member_logits(m, x0, zm);");
    let _ = writeln!(
        s,
        "        for (c = 0; c < PICONAS_CLASSES; c++) z[c] += zm[c];\n    }}"
    );
    let _ = writeln!(
        s,
        "    for (c = 0; c < PICONAS_CLASSES; c++) z[c] = z[c] / (float)PICONAS_MEMBERS;"
    );
}

/// The float header's public functions after `piconas_logits`' body.
fn api(s: &mut String, k: usize) {
    let _ = write!(
        s,
        r#"}}

/* The class of x: the largest logit, the lowest class on a tie. */
static inline int piconas_predict(const float x[PICONAS_INPUTS]) {{
    float z[PICONAS_CLASSES];
    int c, best = 0;
    piconas_logits(x, z);
    for (c = 1; c < PICONAS_CLASSES; c++) if (z[c] > z[best]) best = c;
    return best;
}}

/* Each class's probability (the softmax of the logits). */
static inline void piconas_predict_proba(const float x[PICONAS_INPUTS], float p[PICONAS_CLASSES]) {{
    float z[PICONAS_CLASSES], top = 0.0f, total = 0.0f;
    int c = 0;
    piconas_logits(x, z);
{proba}}}
"#,
        proba = if k == 2 {
            "    p[0] = piconas_sigmoid(z[0] - z[1]);\n    p[1] = piconas_sigmoid(z[1] - z[0]);\n    (void)top; (void)total; (void)c;\n"
                .to_string()
        } else {
            "    top = z[0];\n    for (c = 1; c < PICONAS_CLASSES; c++) if (z[c] > top) top = z[c];\n    for (c = 0; c < PICONAS_CLASSES; c++) { p[c] = piconas_exp_nonpositive(z[c] - top); total += p[c]; }\n    for (c = 0; c < PICONAS_CLASSES; c++) p[c] /= total;\n"
                .to_string()
        },
    );
}

/// A generated header and what it states about its memory.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// The header's C source.
    pub text: String,
    /// Bytes of constants: weights, tables, standardisation, class names and their pointers.
    pub flash: usize,
    /// Bytes of stack for the activation buffers and the logits.
    pub stack: usize,
}

/// Which header: `c` (float) or `c --int8`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// `float` arithmetic, the host's bits.
    Float,
    /// 8-bit inputs and weights, 32-bit sums: the int8 reference's bits.
    Int8,
}

impl Variant {
    /// Its name in the formats table (`piconas::deploy::Format::ALL`).
    fn format(self) -> &'static str {
        match self {
            Variant::Float => "c",
            Variant::Int8 => "c-int8",
        }
    }
}

/// Assembles a header around `body` (its constant arrays and functions, `body_flash` bytes
/// of arrays): the comment stating the network and its memory, the guards and macros, the
/// class names, `extern "C"`.
pub(crate) fn assemble(
    model: &Model,
    variant: Variant,
    body: (&str, usize),
    stack: usize,
) -> Header {
    let (d, k, width) = (model.inputs(), model.classes(), model.width());
    let flash = body.1 + crate::memory::names(&model.classes);
    let literals = model
        .classes
        .iter()
        .map(|c| c_string(c))
        .collect::<Vec<_>>()
        .join(", ");
    let mut s = String::new();
    let _ = write!(
        s,
        r#"/* Generated by `piconas export --format {format}` (or the page). Do not edit.
 * {arch}{ensemble}: {d} features, {k} classes ({classes}); validation accuracy {val:.1} %,
 * test accuracy {test:.1} % (host, float).
 * Memory: {flash} bytes of constants (in flash on AVR), {stack} bytes of stack.
 * C99 and C++; no allocation, nothing writable. */
#ifndef PICONAS_H
#define PICONAS_H

#include <stdint.h>
#include <string.h>
{rom}
#define PICONAS_INPUTS {d}
#define PICONAS_CLASSES {k}
/* The ensemble's members: its logits are the mean of theirs. */
#define PICONAS_MEMBERS {members}
/* The widest layer: the activation buffers' length. */
#define PICONAS_WIDTH {width}
#define PICONAS_FLASH_BYTES {flash}
#define PICONAS_STACK_BYTES {stack}

#ifdef __cplusplus
extern "C" {{
#endif

static const char *const piconas_class_names[PICONAS_CLASSES] = {{ {names} }};

/* The name of class c (NULL out of range). */
static inline const char *piconas_class_name(int c) {{
    return c >= 0 && c < PICONAS_CLASSES ? piconas_class_names[c] : 0;
}}

{body}
#ifdef __cplusplus
}}
#endif

#endif /* PICONAS_H */
"#,
        format = variant.format(),
        members = model.members.len(),
        ensemble = match model.members.len() {
            1 => String::new(),
            n => format!(", an ensemble of {n}"),
        },
        rom = ROM,
        arch = model.arch,
        // As C string literals in the comment too: a name can neither end it nor span lines.
        classes = literals,
        val = 100.0 * model.dev_accuracy,
        test = 100.0 * model.test_accuracy,
        names = literals,
        body = body.0,
    );
    Header {
        text: s,
        flash,
        stack,
    }
}

/// The standardisation's arrays, if the model standardises; their bytes.
pub(crate) fn standardisation(s: &mut String, model: &Model) -> usize {
    match &model.standardize {
        Some(z) => {
            let _ = writeln!(s, "/* Inputs are standardised: (x - mean) / scale. */");
            float_array(s, "piconas_mean", &z.mean) + float_array(s, "piconas_scale", &z.scale)
        }
        None => 0,
    }
}

/// The float header for `model`. Every weight
/// is an exact hex float, and the forward pass is the core's, bit for bit.
pub fn header(model: &Model) -> Header {
    let mut s = String::new();
    let mut flash = standardisation(&mut s, model);
    let _ = writeln!(
        s,
        "/* Each linear layer's weights [member][out][in] and biases [member][out]. */"
    );
    for l in 0..model.layers().len() {
        let of = |f: fn(&Dense) -> &Vec<f32>| -> Vec<f32> {
            model
                .members
                .iter()
                .flat_map(|m| f(&m[l]).iter().copied())
                .collect()
        };
        flash += float_array(&mut s, &format!("piconas_w{l}"), &of(|d| &d.weights));
        flash += float_array(&mut s, &format!("piconas_b{l}"), &of(|d| &d.bias));
    }
    activations(&mut s);
    forward(&mut s, model);
    api(&mut s, model.classes());
    let stack = crate::memory::float_stack(model.inputs(), model.width(), model.classes());
    assemble(model, Variant::Float, (&s, flash), stack)
}

/// The test split as a C header for a check program (`tests/c/check.c`): the raw rows, their
/// labels, the host's predictions and probabilities, and the host's accuracy bits.
pub fn test_data(rows: &[f32], labels: &[u8], predicted: &[u8], proba: &[f32], acc: f32) -> String {
    let mut s = String::from("/* The test split, for checking an exported header. */\n");
    let _ = writeln!(s, "#define PICONAS_TEST_ROWS {}", labels.len());
    float_array(&mut s, "piconas_test_x", rows);
    float_array(&mut s, "piconas_test_proba", proba);
    bytes(&mut s, "piconas_test_labels", labels);
    bytes(&mut s, "piconas_test_predicted", predicted);
    let _ = writeln!(
        s,
        "#define PICONAS_TEST_ACCURACY_BITS 0x{:08x}u",
        acc.to_bits()
    );
    s
}

/// `static const unsigned char name[] PICONAS_ROM = { … };`, twenty to a line; its bytes.
pub(crate) fn bytes(s: &mut String, name: &str, values: &[u8]) -> usize {
    let items: Vec<String> = values.iter().map(u8::to_string).collect();
    array(s, ("unsigned char", name, 1), &items, 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_floats_are_exact() {
        assert_eq!(hex(1.0), "0x1.000000p+0f");
        assert_eq!(hex(-0.5), "-0x1.000000p-1f");
        assert_eq!(hex(0.0), "0x0p+0f");
        assert_eq!(hex(-0.0), "-0x0p+0f");
        assert_eq!(hex(0.1), "0x1.99999ap-4f");
        assert_eq!(hex(f32::MIN_POSITIVE / 2.0), "0x0.800000p-126f");
        assert_eq!(hex(f32::MAX), "0x1.fffffep+127f");
    }

    #[test]
    fn class_names_are_c_strings_safe_in_code_and_comments() {
        assert_eq!(c_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(c_string("é"), "\"\\303\\251\"");
        // No trigraph, no comment delimiter, no line break survives.
        assert_eq!(c_string("tri??/"), "\"tri\\?\\?\\057\"");
        assert_eq!(
            c_string("end*/x/*y//"),
            "\"end\\052\\057x\\057\\052y\\057\\057\""
        );
        assert_eq!(c_string("a\nb\r\t"), "\"a\\012b\\015\\011\"");
        // A digit after an escape is not absorbed: octal escapes are always three digits.
        assert_eq!(c_string("\u{1}7"), "\"\\0017\"");
        for hostile in ["*/ int x; /*", "??=??/??'", "\\\n", "//"] {
            let literal = c_string(hostile);
            for bad in ["*/", "/*", "//", "??", "\n"] {
                assert!(
                    !literal.contains(bad),
                    "{hostile:?} → {literal} holds {bad:?}"
                );
            }
        }
    }
}
