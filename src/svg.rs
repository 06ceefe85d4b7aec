//! `rewards.svg`: the reward of every rollout, its moving average, and the reference lines.
//!
//! Hand-written SVG: one scatter path, one polyline, a few lines and labels. A plotting crate
//! would bring a font stack for text the browser lays out anyway.

use std::fmt::Write;

const WIDTH: f32 = 900.0;
const HEIGHT: f32 = 420.0;
const LEFT: f32 = 60.0;
const RIGHT: f32 = 20.0;
const TOP: f32 = 40.0;
const BOTTOM: f32 = 50.0;
/// Rewards below this are drawn on the bottom edge.
const FLOOR: f32 = 0.5;

/// A horizontal reference line.
pub struct Reference {
    pub value: f32,
    pub label: String,
    pub colour: &'static str,
}

/// Trailing mean over `window` (shorter at the start).
pub fn moving_average(values: &[f32], window: usize) -> Vec<f32> {
    let window = window.max(1);
    let mut sum = 0.0f64;
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            sum += f64::from(v);
            if i >= window {
                sum -= f64::from(values[i - window]);
            }
            (sum / (i + 1).min(window) as f64) as f32
        })
        .collect()
}

fn nice_step(span: f32, ticks: f32) -> f32 {
    let raw = (span / ticks).max(1.0);
    let magnitude = 10f32.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * magnitude)
}

/// The chart as an SVG document.
pub fn rewards_chart(rewards: &[f32], window: usize, references: &[Reference]) -> String {
    let n = rewards.len().max(1) as f32;
    let (plot_w, plot_h) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let x = |i: f32| LEFT + plot_w * i / n;
    let y = |v: f32| TOP + plot_h * (1.0 - (v.clamp(FLOOR, 1.0) - FLOOR) / (1.0 - FLOOR));
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="24" font-size="15">Reward (dev accuracy) per rollout, moving average of {window}</text>"#
    );
    for k in 0..=5 {
        let v = FLOOR + 0.1 * k as f32;
        let yy = y(v);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{v:.1}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6.0,
            yy + 4.0
        );
    }
    let step = nice_step(n, 6.0);
    let mut tick = 0.0;
    while tick <= n {
        let xx = x(tick);
        let _ = writeln!(
            s,
            r##"<line x1="{xx:.1}" x2="{xx:.1}" y1="{:.1}" y2="{:.1}" stroke="#999"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle">{tick}</text>"##,
            TOP + plot_h,
            TOP + plot_h + 5.0,
            TOP + plot_h + 18.0
        );
        tick += step;
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">rollout</text>"#,
        LEFT + plot_w / 2.0,
        HEIGHT - 8.0
    );
    let mut dots = String::new();
    for (i, &r) in rewards.iter().enumerate() {
        let _ = write!(dots, "M{:.1},{:.1}h0", x(i as f32 + 0.5), y(r));
    }
    let _ = writeln!(
        s,
        r##"<path d="{dots}" stroke="#4a90d9" stroke-opacity="0.35" stroke-width="2.5" stroke-linecap="round" fill="none"/>"##
    );
    let mut line = String::new();
    for (i, &m) in moving_average(rewards, window).iter().enumerate() {
        let _ = write!(line, "{:.1},{:.1} ", x(i as f32 + 0.5), y(m));
    }
    let _ = writeln!(
        s,
        r##"<polyline points="{line}" stroke="#d0021b" stroke-width="2" fill="none"/>"##
    );
    for r in references {
        let yy = y(r.value);
        let _ = writeln!(
            s,
            r#"<line x1="{LEFT}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="{}" stroke-width="1.5" stroke-dasharray="6 4"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="{}">{}</text>"#,
            WIDTH - RIGHT,
            r.colour,
            WIDTH - RIGHT - 4.0,
            yy - 5.0,
            r.colour,
            r.label
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_average_is_trailing() {
        assert_eq!(
            moving_average(&[1.0, 3.0, 5.0, 7.0], 2),
            [1.0, 2.0, 4.0, 6.0]
        );
    }

    #[test]
    fn chart_has_one_dot_per_reward_and_the_references() {
        let refs = [Reference {
            value: 0.97,
            label: "Bayes ceiling".into(),
            colour: "green",
        }];
        let svg = rewards_chart(&[0.6, 0.9, 1.0], 100, &refs);
        assert_eq!(svg.matches("h0").count(), 3);
        assert!(svg.contains("Bayes ceiling") && svg.ends_with("</svg>\n"));
    }
}
