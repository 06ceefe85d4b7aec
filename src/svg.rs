//! `rewards.svg`: the reward of every rollout, its moving average, the reference lines, and the
//! controller's loss.
//!
//! Hand-written SVG: one scatter path, one polyline, a few lines and labels. A plotting crate
//! would bring a font stack for text the browser lays out anyway.

use std::fmt::Write;

/// The chart's width, in SVG units (pixels when shown as is).
pub const WIDTH: f32 = 900.0;
/// The chart's height.
pub const HEIGHT: f32 = 420.0;
/// The margin left of the plot (the accuracy axis' labels).
pub const LEFT: f32 = 60.0;
/// The margin right of the plot.
pub const RIGHT: f32 = 20.0;
/// The margin above the plot (the title).
pub const TOP: f32 = 40.0;
/// The margin below the plot (the x axis' labels).
pub const BOTTOM: f32 = 50.0;
/// Accuracies and rewards below this are drawn on the bottom edge.
const FLOOR: f32 = 0.5;

/// The y coordinate of an accuracy or reward `v` (the axis runs from 0.5 to 1).
pub fn y_of(v: f32) -> f32 {
    TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - (v.clamp(FLOOR, 1.0) - FLOOR) / (1.0 - FLOOR))
}

/// An SVG document's opening, white background, title and accuracy axis (0.5 to 1, gridlines
/// every 0.1); the caller adds the x axis and the data, then `</svg>`.
pub fn open(title: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="24" font-size="15">{title}</text>"#
    );
    for k in 0..=5 {
        let v = FLOOR + 0.1 * k as f32;
        let yy = y_of(v);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{v:.1}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6.0,
            yy + 4.0
        );
    }
    s
}

/// A dashed horizontal reference line with its label, right-aligned above it.
pub fn reference_line(s: &mut String, r: &Reference) {
    let yy = y_of(r.value);
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

/// A horizontal reference line.
pub struct Reference {
    /// The accuracy or reward it marks.
    pub value: f32,
    /// Its label.
    pub label: String,
    /// Its colour (an SVG colour).
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

/// A polyline through `points`. A point inside a horizontal run (the same y as printed,
/// before and after it) draws nothing and is left out: a search's incumbent holds for
/// thousands of rollouts, and the file stays small.
fn polyline(svg: &mut String, points: &[(f32, f32)], colour: &str, dashed: bool) {
    let ys: Vec<String> = points.iter().map(|p| format!("{:.1}", p.1)).collect();
    let mut text = String::new();
    for (i, y) in ys.iter().enumerate() {
        let inside = i > 0 && i + 1 < ys.len() && ys[i - 1] == *y && ys[i + 1] == *y;
        if !inside {
            let _ = write!(text, "{:.1},{y} ", points[i].0);
        }
    }
    let (dash, width) = if dashed {
        (r#" stroke-dasharray="7 4""#, 1.2)
    } else {
        ("", 2.0)
    };
    let _ = writeln!(
        svg,
        r#"<polyline points="{text}" stroke="{colour}" stroke-width="{width}"{dash} fill="none"/>"#
    );
}

/// One strategy's regret for [`regret_chart`]: per rollout, the lower quartile, median and
/// upper quartile over its searches, in points.
pub struct RegretCurve<'a> {
    /// The strategy's name.
    pub label: &'a str,
    /// Its colour (an SVG colour).
    pub colour: &'a str,
    /// Lower quartile, median, upper quartile, one value per rollout.
    pub quartiles: [&'a [f32]; 3],
}

/// The regret chart's grid (every `step` points up to `top`), its rollout ticks (powers of
/// ten and the last, `n`) and its axis titles, for the chart's coordinates `x` and `y`.
fn regret_axes(
    svg: &mut String,
    (top, step): (f32, f32),
    n: usize,
    x: &dyn Fn(f32) -> f32,
    y: &dyn Fn(f32) -> f32,
) {
    let (bottom, right) = (HEIGHT - BOTTOM, WIDTH - RIGHT);
    let mut v = 0.0;
    while v <= top + step / 2.0 {
        let yy = y(v);
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" x2="{right:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{v}</text>"##,
            LEFT - 6.0,
            yy + 4.0
        );
        v += step;
    }
    let ticks = [1usize, 10, 100, 1000, 10_000, 100_000]
        .into_iter()
        .filter(|&t| t < n * 9 / 10)
        .chain([n]);
    for t in ticks {
        let xx = x(t as f32);
        let _ = writeln!(
            svg,
            r##"<line x1="{xx:.1}" x2="{xx:.1}" y1="{bottom:.1}" y2="{:.1}" stroke="#999"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle">{t}</text>"##,
            bottom + 5.0,
            bottom + 18.0
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">rollout (logarithmic)</text><text x="14" y="{:.1}" text-anchor="middle" transform="rotate(-90 14 {:.1})">regret (points)</text>"#,
        (LEFT + right) / 2.0,
        HEIGHT - 8.0,
        (TOP + bottom) / 2.0,
        (TOP + bottom) / 2.0
    );
}

/// Regret against rollouts on a logarithmic rollout axis: each strategy's median solid and its
/// quartiles dashed. The regret axis runs from 0 to the largest upper quartile from the tenth
/// rollout on (earlier, larger regrets are drawn on its top edge).
pub fn regret_chart(title: &str, curves: &[RegretCurve<'_>]) -> String {
    let n = curves
        .iter()
        .map(|c| c.quartiles[1].len())
        .max()
        .unwrap_or(0)
        .max(2);
    let highest = curves
        .iter()
        .flat_map(|c| c.quartiles[2].iter().skip(9))
        .fold(0.0f32, |a, &b| a.max(b));
    let step = [0.25f32, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0]
        .into_iter()
        .find(|&s| highest / s <= 6.0)
        .unwrap_or(50.0);
    let top = (highest / step).ceil().max(1.0) * step;
    let (bottom, right) = (HEIGHT - BOTTOM, WIDTH - RIGHT);
    let x = |rollout: f32| LEFT + (right - LEFT) * rollout.ln() / (n as f32).ln();
    let y = |v: f32| TOP + (bottom - TOP) * (1.0 - v.clamp(0.0, top) / top);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{LEFT}" y="24" font-size="15">{title}</text>"#
    );
    regret_axes(&mut svg, (top, step), n, &x, &y);
    for (row, c) in curves.iter().enumerate() {
        for (q, values) in c.quartiles.iter().enumerate() {
            let points: Vec<(f32, f32)> = values
                .iter()
                .enumerate()
                .map(|(i, &v)| (x(i as f32 + 1.0), y(v)))
                .collect();
            polyline(&mut svg, &points, c.colour, q != 1);
        }
        let ly = TOP + 14.0 + 16.0 * row as f32;
        let _ = writeln!(
            svg,
            r#"<line x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="{}" stroke-width="2"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            right - 190.0,
            right - 166.0,
            ly - 4.0,
            ly - 4.0,
            c.colour,
            right - 160.0,
            ly,
            c.label
        );
    }
    let _ = writeln!(
        svg,
        r##"<text x="{:.1}" y="{:.1}" fill="#555">solid: median; dashed: quartiles</text>"##,
        right - 190.0,
        TOP + 14.0 + 16.0 * curves.len() as f32
    );
    svg.push_str("</svg>\n");
    svg
}

/// A chart of values in [0.5, 1] against rollouts `0..n`: axes, grid and ticks drawn.
struct Chart {
    svg: String,
    n: f32,
}

impl Chart {
    fn new(title: &str, n: usize) -> Chart {
        let mut chart = Chart {
            svg: open(title),
            n: n.max(1) as f32,
        };
        let bottom = HEIGHT - BOTTOM;
        let step = nice_step(chart.n, 6.0);
        let mut tick = 0.0;
        while tick <= chart.n {
            let xx = chart.x(tick);
            let _ = writeln!(
                chart.svg,
                r##"<line x1="{xx:.1}" x2="{xx:.1}" y1="{bottom:.1}" y2="{:.1}" stroke="#999"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle">{tick}</text>"##,
                bottom + 5.0,
                bottom + 18.0
            );
            tick += step;
        }
        let _ = writeln!(
            chart.svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">rollout</text>"#,
            LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
            HEIGHT - 8.0
        );
        chart
    }

    fn x(&self, i: f32) -> f32 {
        LEFT + (WIDTH - LEFT - RIGHT) * i / self.n
    }

    fn y(&self, v: f32) -> f32 {
        y_of(v)
    }

    fn dots(&mut self, values: &[f32], colour: &str) {
        let mut d = String::new();
        for (i, &v) in values.iter().enumerate() {
            let _ = write!(d, "M{:.1},{:.1}h0", self.x(i as f32 + 0.5), self.y(v));
        }
        let _ = writeln!(
            self.svg,
            r#"<path d="{d}" stroke="{colour}" stroke-opacity="0.35" stroke-width="2.5" stroke-linecap="round" fill="none"/>"#
        );
    }

    fn line(&mut self, values: &[f32], colour: &str, dashed: bool) {
        let points: Vec<(f32, f32)> = values
            .iter()
            .enumerate()
            .map(|(i, &v)| (self.x(i as f32 + 0.5), self.y(v)))
            .collect();
        polyline(&mut self.svg, &points, colour, dashed);
    }

    fn reference(&mut self, r: &Reference) {
        reference_line(&mut self.svg, r);
    }

    /// A legend entry, `row` lines down from the lower left of the plot (accuracies rarely
    /// fall that low, so the curves stay clear of it).
    fn legend(&mut self, row: usize, label: &str, colour: &str, dashed: bool) {
        let (x, y) = (LEFT + 12.0, self.y(0.68) + 16.0 * row as f32);
        let dash = if dashed {
            r#" stroke-dasharray="7 4""#
        } else {
            ""
        };
        let _ = writeln!(
            self.svg,
            r#"<line x1="{x}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="{colour}" stroke-width="2"{dash}/><text x="{:.1}" y="{y:.1}">{label}</text>"#,
            x + 24.0,
            y - 4.0,
            y - 4.0,
            x + 30.0
        );
    }

    fn finish(mut self) -> String {
        self.svg.push_str("</svg>\n");
        self.svg
    }
}

/// The colour of the controller's loss in the reward chart.
const LOSS_COLOUR: &str = "#8e44ad";

/// The moving average over `window` of the controller's `losses`, on a scale of its own
/// (from its least to its greatest value, labelled at the plot's right edge), with a legend
/// entry; nothing for no losses.
fn loss_line(chart: &mut Chart, losses: &[f32], window: usize) {
    let average = moving_average(losses, window);
    let (lo, hi) = average
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if !(lo.is_finite() && hi.is_finite()) {
        return;
    }
    let span = if hi > lo { hi - lo } else { 1.0 };
    let y = |v: f32| TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - (v - lo) / span);
    let mut points = String::new();
    for (i, &v) in average.iter().enumerate() {
        let _ = write!(points, "{:.1},{:.1} ", chart.x(i as f32 + 0.5), y(v));
    }
    let _ = writeln!(
        chart.svg,
        r#"<polyline data-series="loss" points="{points}" stroke="{LOSS_COLOUR}" stroke-width="1.5" fill="none"/>"#
    );
    for (v, dy) in [(hi, 12.0), (lo, -4.0)] {
        let _ = writeln!(
            chart.svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="{LOSS_COLOUR}">loss {v:.3}</text>"#,
            WIDTH - RIGHT - 4.0,
            y(v) + dy
        );
    }
    chart.legend(
        0,
        &format!("controller loss, moving average of {window} (own scale)"),
        LOSS_COLOUR,
        false,
    );
}

/// The reward chart of a run: every reward, its moving average, reference lines, and the
/// controller's loss (its moving average, on its own scale).
pub fn rewards_chart(
    rewards: &[f32],
    losses: &[f32],
    window: usize,
    references: &[Reference],
    cost_weight: f32,
) -> String {
    let reward = if cost_weight == 0.0 {
        "dev accuracy".to_string()
    } else {
        format!("dev accuracy − {cost_weight}·cost")
    };
    let title = format!("Reward ({reward}) per rollout, moving average of {window}");
    let mut chart = Chart::new(&title, rewards.len());
    chart.dots(rewards, "#4a90d9");
    chart.line(&moving_average(rewards, window), "#d0021b", false);
    loss_line(&mut chart, losses, window);
    for r in references {
        chart.reference(r);
    }
    chart.finish()
}

/// One line of a comparison chart.
pub struct Series<'a> {
    /// Its name in the legend.
    pub label: &'a str,
    /// Its colour (an SVG colour).
    pub colour: &'static str,
    /// Drawn dashed.
    pub dashed: bool,
    /// One value per rollout.
    pub values: &'a [f32],
}

/// Several lines over the same rollouts, with a legend.
pub fn lines_chart(title: &str, series: &[Series<'_>], references: &[Reference]) -> String {
    let n = series.iter().map(|s| s.values.len()).max().unwrap_or(0);
    let mut chart = Chart::new(title, n);
    for (row, s) in series.iter().enumerate() {
        chart.line(s.values, s.colour, s.dashed);
        chart.legend(row, s.label, s.colour, s.dashed);
    }
    for r in references {
        chart.reference(r);
    }
    chart.finish()
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
    fn a_line_leaves_out_only_the_inside_of_its_flat_runs() {
        let flat = [0.9, 0.9, 0.9, 0.9, 0.95, 0.95, 0.8];
        let series = [Series {
            label: "x",
            colour: "red",
            dashed: false,
            values: &flat,
        }];
        let svg = lines_chart("t", &series, &[]);
        let line = svg.lines().find(|l| l.starts_with("<polyline")).unwrap();
        let points = line.split('"').nth(1).unwrap().split_whitespace().count();
        // The first and last of the run of 0.9, both of 0.95, and 0.8.
        assert_eq!(points, 5, "{line}");
        let chart = Chart::new("t", flat.len());
        for (i, x) in [0, 3, 4, 5, 6].into_iter().enumerate() {
            let p = line
                .split('"')
                .nth(1)
                .unwrap()
                .split_whitespace()
                .nth(i)
                .unwrap();
            assert!(
                p.starts_with(&format!("{:.1},", chart.x(x as f32 + 0.5))),
                "{p}"
            );
        }
    }

    #[test]
    fn the_regret_chart_draws_three_lines_a_strategy_on_a_log_axis() {
        let (low, mid, high) = ([9.0, 1.0, 0.5], [9.0, 2.0, 1.0], [9.0, 3.0, 2.5]);
        let high: Vec<f32> = high.iter().copied().cycle().take(300).collect();
        let (low, mid): (Vec<f32>, Vec<f32>) = (
            low.iter().copied().cycle().take(300).collect(),
            mid.iter().copied().cycle().take(300).collect(),
        );
        let curves = [RegretCurve {
            label: "reinforce",
            colour: "red",
            quartiles: [&low, &mid, &high],
        }];
        let svg = regret_chart("t", &curves);
        assert_eq!(svg.matches("<polyline").count(), 3);
        assert_eq!(svg.matches("stroke-dasharray").count(), 2);
        assert!(svg.contains(">reinforce</text>") && svg.ends_with("</svg>\n"));
        // Ticks at 1, 10, 100 and the last rollout; the regret axis every 2 points up to 10,
        // above 9 (the largest upper quartile from the tenth rollout on).
        for t in [
            ">1</text>",
            ">10</text>",
            ">100</text>",
            ">300</text>",
            ">8</text>",
        ] {
            assert!(svg.contains(t), "{t}");
        }
        assert!(!svg.contains(">1000</text>") && !svg.contains(">12</text>"));
        assert!(!svg.contains(">9</text>") && !svg.contains(">7</text>"));
    }

    #[test]
    fn chart_has_one_dot_per_reward_and_the_references() {
        let refs = [Reference {
            value: 0.97,
            label: "Bayes ceiling".into(),
            colour: "green",
        }];
        let svg = rewards_chart(&[0.6, 0.9, 1.0], &[], 100, &refs, 0.0);
        assert_eq!(svg.matches("h0").count(), 3);
        assert!(svg.contains("Bayes ceiling") && svg.ends_with("</svg>\n"));
    }
}
