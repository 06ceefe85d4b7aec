//! `export --format c --int8`: an [`Int8Model`] as one self-contained C99 header whose network
//! runs on integers only (`int8_t` weights and activations, `int32_t` sums, 256-byte
//! activation tables), for parts without an FPU. It prints the constants [`crate::int8`]
//! computed and does exactly its integer steps, so its logits are the host's bit for bit on
//! any C99 target (int may be 16 bits, as on AVR). The one float step, standardising and
//! scaling the raw features (`piconas_quantize`), is a few operations per feature; a caller
//! with `int8_t` inputs calls `piconas_predict_q` and uses no float at all.

use std::fmt::Write as _;

use crate::c_header::{Header, Variant, array, assemble, hex, standardisation};
use crate::int8::{HALF_DOWN, Int8Model, Layer, Requantize, SHIFT};
use crate::layers::Model;

fn ints<T: ToString>(values: &[T]) -> Vec<String> {
    values.iter().map(T::to_string).collect()
}

/// `int32_t` literals: `INT32_C` keeps them 32-bit where `int` has 16.
fn int32s(values: &[i32]) -> Vec<String> {
    values.iter().map(|v| format!("INT32_C({v})")).collect()
}

/// The constant arrays; their bytes.
fn constants(s: &mut String, model: &Model, q: &Int8Model) -> usize {
    let mut flash = standardisation(s, model);
    let _ = writeln!(
        s,
        "/* Inputs are round(standardised x * PICONAS_INPUT_INVERSE), saturated to int8. */\n#define PICONAS_INPUT_INVERSE {}\n/* One unit of the int64 logits (of the members' mean logit), for a softmax if wanted. */\n#define PICONAS_LOGIT_SCALE {}",
        hex(q.input_inverse),
        hex(q.logit_scale)
    );
    if let Some(t) = &q.lead {
        let _ = writeln!(
            s,
            "/* The activations before the first layer: entry q + 128 is q's. */"
        );
        flash += array(s, ("int8_t", "piconas_lead", 1), &ints(t), 16);
    }
    let _ = writeln!(
        s,
        "/* Each member's weight in the sum of the members' logits (int64). */"
    );
    let weights: Vec<i32> = q.members.iter().map(|m| m.weight).collect();
    flash += array(
        s,
        ("int32_t", "piconas_member_weight", 4),
        &int32s(&weights),
        4,
    );
    let _ = writeln!(
        s,
        "/* Per layer, member after member: int8 weights [out][in], int32 biases; for hidden\n * layers the per-row requantisation multipliers (sum * m >> {SHIFT}, rounded) and\n * saturation limits; and the activations' table, one for all members. */"
    );
    let layers = q.members.first().map_or(0, |m| m.layers.len());
    for l in 0..layers {
        let of = |f: &dyn Fn(&Layer) -> Vec<String>| -> Vec<String> {
            q.members.iter().flat_map(|m| f(&m.layers[l])).collect()
        };
        let requant = |f: &dyn Fn(&Requantize) -> Vec<String>| {
            of(&|layer: &Layer| layer.requantize.as_ref().map_or_else(Vec::new, f))
        };
        flash += array(
            s,
            ("int8_t", &format!("piconas_w{l}"), 1),
            &of(&|layer: &Layer| ints(&layer.weights)),
            16,
        );
        flash += array(
            s,
            ("int32_t", &format!("piconas_b{l}"), 4),
            &of(&|layer: &Layer| int32s(&layer.bias)),
            4,
        );
        let hidden = q.members[0].layers[l].requantize.as_ref();
        if let Some(r) = hidden {
            flash += array(
                s,
                ("int32_t", &format!("piconas_m{l}"), 4),
                &requant(&|r: &Requantize| int32s(&r.multiplier)),
                4,
            );
            flash += array(
                s,
                ("int32_t", &format!("piconas_l{l}"), 4),
                &requant(&|r: &Requantize| int32s(&r.limit)),
                4,
            );
            // The members share each layer's table (see `crate::int8`).
            if let Some(t) = &r.table {
                flash += array(s, ("int8_t", &format!("piconas_t{l}"), 1), &ints(t), 16);
            }
        }
    }
    flash
}

/// The integer helpers and `piconas_quantize`.
fn helpers(s: &mut String, model: &Model) {
    let d = model.inputs();
    let standardise = if model.standardize.is_some() {
        "(x[i] - PICONAS_RF(&piconas_mean[i])) / PICONAS_RF(&piconas_scale[i])"
    } else {
        "x[i]"
    };
    let _ = write!(
        s,
        r#"
/* a * b, exactly (|a * b| <= 2^14). On AVR the empty asm keeps the product 16 bits wide:
 * otherwise gcc widens it to 32 bits and calls __mulhisi3 on every weight (twice as slow). */
static inline int16_t piconas_mul8(int8_t a, int8_t b) {{
    int16_t p = (int16_t)((int16_t)a * b);
#if defined(__AVR__)
    __asm__("" : "+r"(p));
#endif
    return p;
}}

/* v saturated to [-128, 127] and rounded half up (NaN gives -128). */
static inline int8_t piconas_to_i8(float v) {{
    v = v >= -128.0f ? v : -128.0f;
    v = v <= 127.0f ? v : 127.0f;
    return (int8_t)((int32_t)(v + 128.5f) - 128);
}}

/* sum * m / 2^{SHIFT} rounded to nearest (a half down), saturated to int8; a sum beyond
 * +-limit saturates (its product would overflow, and it rounds past +-127.5). */
static inline int8_t piconas_requantize(int32_t sum, int32_t m, int32_t limit) {{
    int32_t v;
    if (sum > limit) return 127;
    if (sum < -limit) return -128;
    /* floor((sum * m + 2^{h} - 1) / 2^{SHIFT}) without shifting a negative number. */
    v = (int32_t)((((uint32_t)(sum * m + INT32_C({HALF_DOWN}))) + UINT32_C(0x80000000)) >> {SHIFT}) - 128;
    return (int8_t)v;
}}

/* The int8 inputs of the raw features x: the one float step. */
static inline void piconas_quantize(const float x[PICONAS_INPUTS], int8_t q[PICONAS_INPUTS]) {{
    int i;
    for (i = 0; i < {d}; i++) q[i] = piconas_to_i8(({standardise}) * PICONAS_INPUT_INVERSE);
}}
"#,
        h = SHIFT - 1,
    );
}

/// `piconas_member_logits_q` (one member's layers, on integers) and `piconas_logits_q` (the
/// members' weighed sum).
fn forward(s: &mut String, q: &Int8Model, d: usize) {
    let _ = writeln!(
        s,
        "\n/* Member m's int32 logits of the int8 inputs x (from piconas_quantize): integers only. */\nstatic inline void piconas_member_logits_q(int m, const int8_t x[PICONAS_INPUTS], int32_t z[PICONAS_CLASSES]) {{"
    );
    let _ = writeln!(s, "    int8_t a[PICONAS_WIDTH], b[PICONAS_WIDTH];");
    let _ = writeln!(s, "    int8_t *in = a, *out = b, *swap = 0;");
    let _ = writeln!(s, "    const int8_t *w;");
    let _ = writeln!(s, "    int i, j;");
    let _ = if q.lead.is_some() {
        writeln!(
            s,
            "    for (i = 0; i < {d}; i++) in[i] = PICONAS_R8(&piconas_lead[x[i] + 128]);"
        )
    } else {
        writeln!(s, "    for (i = 0; i < {d}; i++) in[i] = x[i];")
    };
    let layers = q.members.first().map_or(&[][..], |m| m.layers.as_slice());
    for (l, layer) in layers.iter().enumerate() {
        let (fi, fo) = (layer.fan_in, layer.fan_out);
        // The weights are read in order: one pointer walks them (no index arithmetic per MAC).
        let _ = writeln!(s, "    w = piconas_w{l} + m * {};", fi * fo);
        let _ = writeln!(s, "    for (j = 0; j < {fo}; j++) {{");
        let _ = writeln!(
            s,
            "        int32_t acc = PICONAS_R32(&piconas_b{l}[m * {fo} + j]);"
        );
        let _ = writeln!(
            s,
            "        for (i = 0; i < {fi}; i++) acc += piconas_mul8(PICONAS_R8(w++), in[i]);"
        );
        match &layer.requantize {
            None => {
                let _ = writeln!(s, "        z[j] = acc;\n    }}");
            }
            Some(r) => {
                let _ = writeln!(
                    s,
                    "        out[j] = piconas_requantize(acc, PICONAS_R32(&piconas_m{l}[m * {fo} + j]), PICONAS_R32(&piconas_l{l}[m * {fo} + j]));"
                );
                if r.table.is_some() {
                    let _ = writeln!(
                        s,
                        "        out[j] = PICONAS_R8(&piconas_t{l}[out[j] + 128]);"
                    );
                }
                let _ = writeln!(s, "    }}\n    swap = in; in = out; out = swap;");
            }
        }
    }
    let _ = writeln!(s, "    (void)out; (void)swap;\n}}");
    let _ = write!(
        s,
        r#"
/* The int64 logits of the int8 inputs x: each member's int32 logits times its weight, summed
 * member after member (exact: one unit is PICONAS_LOGIT_SCALE). Integers only. */
static inline void piconas_logits_q(const int8_t x[PICONAS_INPUTS], int64_t z[PICONAS_CLASSES]) {{
    int32_t zm[PICONAS_CLASSES];
    int c, m;
    for (c = 0; c < PICONAS_CLASSES; c++) z[c] = 0;
    for (m = 0; m < PICONAS_MEMBERS; m++) {{
        piconas_member_logits_q(m, x, zm);
        for (c = 0; c < PICONAS_CLASSES; c++) z[c] += (int64_t)zm[c] * PICONAS_R32(&piconas_member_weight[m]);
    }}
}}
"#
    );
}

const API: &str = r#"
/* The class of the int8 inputs x: the largest logit, the lowest class on a tie. */
static inline int piconas_predict_q(const int8_t x[PICONAS_INPUTS]) {
    int64_t z[PICONAS_CLASSES];
    int c, best = 0;
    piconas_logits_q(x, z);
    for (c = 1; c < PICONAS_CLASSES; c++) if (z[c] > z[best]) best = c;
    return best;
}

/* The class of the raw features x. */
static inline int piconas_predict(const float x[PICONAS_INPUTS]) {
    int8_t q[PICONAS_INPUTS];
    piconas_quantize(x, q);
    return piconas_predict_q(q);
}
"#;

/// The int8 header for `model` quantised as `q`.
pub fn header(model: &Model, q: &Int8Model) -> Header {
    let mut s = String::new();
    let flash = constants(&mut s, model, q);
    helpers(&mut s, model);
    forward(&mut s, q, model.inputs());
    s.push_str(API);
    let stack = crate::memory::int8_stack(model.inputs(), model.width(), model.classes());
    assemble(model, Variant::Int8, (&s, flash), stack)
}

/// The test split for `tests/c/check_int8.c`: raw rows, the host's int8 inputs, int32 logits
/// and classes, the labels, and the int8 accuracy's bits.
pub fn test_data(rows: &[f32], labels: &[u8], q: &Int8Model, d: usize) -> String {
    let mut s = String::from("/* The test split, for checking an exported int8 header. */\n");
    let _ = writeln!(s, "#define PICONAS_TEST_ROWS {}", labels.len());
    let inputs: Vec<i8> = rows.chunks_exact(d).flat_map(|r| q.input(r)).collect();
    let logits: Vec<i64> = rows
        .chunks_exact(d)
        .flat_map(|r| q.logits(&q.input(r)))
        .collect();
    let predicted: Vec<u8> = rows.chunks_exact(d).map(|r| q.predict(r)).collect();
    let right = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
    let accuracy = right as f32 / labels.len().max(1) as f32;
    crate::c_header::float_array(&mut s, "piconas_test_x", rows);
    array(&mut s, ("int8_t", "piconas_test_q", 1), &ints(&inputs), 16);
    let logits: Vec<String> = logits.iter().map(|v| format!("INT64_C({v})")).collect();
    array(&mut s, ("int64_t", "piconas_test_logits", 8), &logits, 4);
    crate::c_header::bytes(&mut s, "piconas_test_labels", labels);
    crate::c_header::bytes(&mut s, "piconas_test_predicted", &predicted);
    let _ = writeln!(
        s,
        "#define PICONAS_TEST_ACCURACY_BITS 0x{:08x}u",
        accuracy.to_bits()
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 64-feature, 10-class network of `arch` with varied weights, quantised on varied rows.
    fn header_of(arch: &str) -> Header {
        ensemble_header_of(arch, 1)
    }

    /// [`header_of`] for an ensemble of `members` such networks.
    fn ensemble_header_of(arch: &str, members: usize) -> Header {
        let scaling = crate::data::Scaling {
            mean: vec![0.5; 64],
            scale: vec![2.0; 64],
        };
        let weight = |m: usize, i: usize| (((i + 7 * m) * 37 % 23) as f32 - 11.0) / 17.0;
        let arch: piconas_core::Arch = arch.parse().unwrap();
        let (file, arch) =
            crate::model::synthetic(arch, (64, 10), Some(scaling), members, weight).unwrap();
        let model = Model::new(&file, arch).unwrap();
        let rows: Vec<f32> = (0..64 * 50).map(|i| (i * 13 % 29) as f32 / 7.0).collect();
        let q = Int8Model::quantize(&model, &model.standardised(&rows)).unwrap();
        header(&model, &q)
    }

    #[test]
    fn the_largest_networks_fit_an_uno_with_room() {
        // The most weights, and the most activation tables: under 6 KB of the Uno's 32 KB of
        // flash, and 2 × 64 + 64 + 4 × 10 bytes of its 2 KB of SRAM (as docs/deploy.md says).
        for arch in [
            "[16, 16, 16, 16, 16, 16]",
            "[Tanh, 16, Sigmoid, 16, LeakyReLU, 16]",
            "[16, Tanh, 16, Sigmoid, 16, ReLU]",
        ] {
            let h = header_of(arch);
            assert!(h.flash < 6 * 1024, "{arch}: {} bytes", h.flash);
            assert_eq!(h.stack, 312, "{arch}");
            assert!(
                h.text
                    .contains(&format!("#define PICONAS_FLASH_BYTES {}", h.flash))
            );
        }
        // An ensemble of five of the largest: each member's weights and row constants, one
        // set of tables; under 24 KB, so that an Uno keeps room for the code.
        for arch in [
            "[16, 16, 16, 16, 16, 16]",
            "[16, Tanh, 16, Sigmoid, 16, ReLU]",
        ] {
            let one = header_of(arch);
            let five = ensemble_header_of(arch, 5);
            assert!(five.flash < 24 * 1024, "{arch}: {} bytes", five.flash);
            // Only the weights and row constants (and one weight per member) are repeated.
            let tables = 256 * five.text.matches("[256] PICONAS_ROM").count();
            assert!(five.flash - tables < 5 * (one.flash - tables) + 5 * 4);
        }
    }
}
