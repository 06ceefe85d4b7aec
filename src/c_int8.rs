//! `export --format c --int8`: an [`Int8Model`] as one self-contained C99 header whose network
//! runs on integers only (`int8_t` weights and activations, `int32_t` sums, 256-byte
//! activation tables), for parts without an FPU. It prints the constants [`crate::int8`]
//! computed and does exactly its integer steps, so its logits are the host's bit for bit on
//! any C99 target (int may be 16 bits, as on AVR). Even the raw `float` features become
//! `int8_t` inputs in integers, from their bits (`piconas_quantize`, see [`crate::int8::Front`]):
//! a part without an FPU links no float routine. A caller with `int8_t` inputs calls
//! `piconas_predict_q`.

use std::fmt::Write as _;

use crate::c_header::{Header, Variant, array, assemble, hex};
use crate::int8::{
    FRONT_CLAMP, FRONT_LIMIT, FRONT_SHIFT, HALF_DOWN, Int8Model, Layer, Requantize, SHIFT,
};
use crate::layers::Model;

fn ints<T: ToString>(values: &[T]) -> Vec<String> {
    values.iter().map(T::to_string).collect()
}

/// `int32_t` literals: `INT32_C` keeps them 32-bit where `int` has 16.
fn int32s(values: &[i32]) -> Vec<String> {
    values.iter().map(|v| format!("INT32_C({v})")).collect()
}

/// The constant arrays; their bytes.
fn constants(s: &mut String, q: &Int8Model) -> usize {
    let _ = writeln!(
        s,
        "/* One unit of the int64 logits (of the members' mean logit), for a softmax if wanted. */\n#define PICONAS_LOGIT_SCALE {}",
        hex(q.logit_scale)
    );
    let mut flash = front(s, &q.front);
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
    flash + layers(s, q)
}

/// The front's arrays (see [`crate::int8::Front`]); their bytes.
fn front(s: &mut String, front: &crate::int8::Front) -> usize {
    let _ = writeln!(
        s,
        "/* Per feature, how its raw value becomes an int8 input (the standardisation and the\n * inputs' scale folded in): (x * 2^shift - offset) * multiplier / 2^{FRONT_SHIFT}. */"
    );
    let mut flash = array(
        s,
        ("int8_t", "piconas_front_shift", 1),
        &ints(&front.shift),
        16,
    );
    flash += array(
        s,
        ("int32_t", "piconas_front_offset", 4),
        &int32s(&front.offset),
        4,
    );
    flash += array(
        s,
        ("uint16_t", "piconas_front_multiplier", 2),
        &ints(&front.multiplier),
        8,
    );
    flash
}

/// Each layer's arrays, member after member; their bytes.
fn layers(s: &mut String, q: &Int8Model) -> usize {
    let mut flash = 0;
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

/// The integer helpers, then the front's code ([`reader`]).
fn helpers(s: &mut String, model: &Model) {
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
"#,
        h = SHIFT - 1,
    );
    reader(s, model.inputs());
}

/// The integer front's code: `piconas_fixed`, `piconas_front` and `piconas_quantize` (raw
/// `float` features to int8 inputs, integers only; its constants are [`front`]'s).
fn reader(s: &mut String, d: usize) {
    let _ = write!(
        s,
        r#"
/* x * 2^t truncated toward zero, within +-2^30, from the bits of x (no float arithmetic):
 * zero and subnormal values read as 0, infinities and NaN saturate by their sign bit. */
static inline int32_t piconas_fixed(float x, int8_t t) {{
    uint32_t b, m = 0;
    uint16_t hi;
    uint8_t e;
    int16_t sh;
    memcpy(&b, &x, sizeof b);
    hi = (uint16_t)(b >> 16);
    e = (uint8_t)((uint16_t)(hi << 1) >> 8);
    if (e != 0) {{
        m = (b & UINT32_C(0x7fffff)) | UINT32_C(0x800000);
        sh = (int16_t)(e - 150 + t);
        if (sh >= 7 || e == 255) m = UINT32_C({FRONT_LIMIT});
        else if (sh >= 0) m <<= sh;
        else if (sh < -24) m = 0;
        else {{
#if defined(__AVR__)
            /* Whole bytes first: avr-gcc -Os shifts a 32-bit value one bit a turn. */
            for (sh = (int16_t)-sh; sh >= 8; sh -= 8) m >>= 8;
            m >>= sh;
#else
            m >>= -sh; /* one instruction on a 32-bit part */
#endif
        }}
    }}
    return (hi & 0x8000u) ? -(int32_t)m : (int32_t)m;
}}

/* Raw feature j's int8 input: clamp(x * 2^shift - offset, +-{FRONT_CLAMP}) * multiplier / 2^{FRONT_SHIFT}, rounded
 * half up and saturated. The product fits int32; the half is added after a first shift. */
static inline int8_t piconas_front(float x, int j) {{
    int32_t d = piconas_fixed(x, PICONAS_R8(&piconas_front_shift[j])) - PICONAS_R32(&piconas_front_offset[j]);
    int16_t h;
    if (d > {FRONT_CLAMP}) d = {FRONT_CLAMP};
    if (d < -{FRONT_CLAMP}) d = -{FRONT_CLAMP};
    d = (int32_t)(int16_t)d * (int32_t)PICONAS_RU16(&piconas_front_multiplier[j]);
    /* floor(d / 2^{g}) without shifting a negative number (two shifts: no bit-by-bit loop on AVR). */
    h = (int16_t)((uint16_t)(((uint32_t)d + UINT32_C(0x80000000)) >> 16) >> {g16}) - {g_off};
    h = (int16_t)(((h + {g_off1}) >> 1) - 256);
    return (int8_t)(h > 127 ? 127 : h < -128 ? -128 : h);
}}

/* The int8 inputs of the raw features x: integers only. */
static inline void piconas_quantize(const float x[PICONAS_INPUTS], int8_t q[PICONAS_INPUTS]) {{
    int i;
    for (i = 0; i < {d}; i++) q[i] = piconas_front(x[i], i);
}}
"#,
        g = FRONT_SHIFT - 1,
        g16 = FRONT_SHIFT - 1 - 16,
        g_off = 1 << (31 - (FRONT_SHIFT - 1)),
        g_off1 = (1 << (31 - (FRONT_SHIFT - 1))) + 1,
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

/// `piconas_predict_q`: the arg-max of the weighed `int64` sum, or for one network of its own
/// `int32` logits (the same class: its weight is 2²⁴; no 64-bit routine is linked).
fn predict_q(s: &mut String, members: usize) {
    let (wide, logits) = if members == 1 {
        ("int32_t", "piconas_member_logits_q(0, x, z)")
    } else {
        ("int64_t", "piconas_logits_q(x, z)")
    };
    let _ = write!(
        s,
        r#"
/* The class of the int8 inputs x: the largest logit, the lowest class on a tie. */
static inline int piconas_predict_q(const int8_t x[PICONAS_INPUTS]) {{
    {wide} z[PICONAS_CLASSES];
    int c, best = 0;
    {logits};
    for (c = 1; c < PICONAS_CLASSES; c++) if (z[c] > z[best]) best = c;
    return best;
}}
"#
    );
}

const API: &str = r#"
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
    let flash = constants(&mut s, q);
    helpers(&mut s, model);
    forward(&mut s, q, model.inputs());
    predict_q(&mut s, q.members.len());
    s.push_str(API);
    let stack = crate::memory::int8_stack(model.inputs(), model.width(), model.classes());
    assemble(model, Variant::Int8, (&s, flash), stack)
}

/// Raw values the front must read as the host does, whatever the data: zeros of both signs,
/// subnormals, the smallest normal, infinities, NaNs of both signs, the largest finite values,
/// and ordinary ones.
pub const EDGE_BITS: [u32; 16] = [
    0x0000_0000, // 0
    0x8000_0000, // -0
    0x0000_0001, // the smallest subnormal
    0x807f_ffff, // the largest negative subnormal
    0x0080_0000, // the smallest normal
    0x7f80_0000, // inf
    0xff80_0000, // -inf
    0x7fc0_0000, // NaN
    0xffc0_0001, // a negative NaN
    0x7f7f_ffff, // the largest finite
    0xff7f_ffff, // its negation
    0x3f80_0000, // 1
    0xbf00_0000, // -0.5
    0x4640_e6b7, // 12345.679
    0xc2c8_0000, // -100
    0x3a83_126f, // 0.001
];

/// The test split for `tests/c/check_int8.c`: raw rows, the host's int8 inputs, int32 logits
/// and classes, the labels, and the int8 accuracy's bits; and [`EDGE_BITS`] with each
/// feature's int8 input of each.
pub fn test_data(rows: &[f32], labels: &[u8], q: &Int8Model, d: usize) -> String {
    let mut s = String::from("/* The test split, for checking an exported int8 header. */\n");
    let _ = writeln!(s, "#define PICONAS_TEST_EDGES {}", EDGE_BITS.len());
    let edges: Vec<String> = EDGE_BITS
        .iter()
        .map(|b| format!("UINT32_C(0x{b:08x})"))
        .collect();
    array(&mut s, ("uint32_t", "piconas_test_edge_bits", 4), &edges, 4);
    let edge_q: Vec<i8> = EDGE_BITS
        .iter()
        .flat_map(|&b| (0..d).map(move |j| q.front.input(j, f32::from_bits(b))))
        .collect();
    array(
        &mut s,
        ("int8_t", "piconas_test_edge_q", 1),
        &ints(&edge_q),
        16,
    );
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
