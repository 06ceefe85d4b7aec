//! `frontier.csv` and `frontier.svg`: the accuracy/size frontier of the architectures a search
//! saw, as the core's `frontier::mark` sorted and marked them.

use std::fmt::Write;

use piconas_core::Cost;
use piconas_core::frontier::{Axis, Seen};

use crate::svg::{self, BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH};

/// `frontier.csv`: every architecture seen, in `axis`'s order (cheapest first), with its
/// frontier flag; multiply-adds and parameters on the axis's data, and on a part the deployed
/// network's flash, RAM and latency (µs at the part's clock), by its cost model's bounds.
pub fn csv(points: &[Seen], axis: Axis) -> Result<String, csv::Error> {
    let shape = axis.shape();
    let on_part = matches!(axis, Axis::Flash { .. });
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["tokens", "macs", "params"];
    if on_part {
        header.extend(["flash_bytes", "ram_bytes", "latency_us"]);
    }
    header.extend(["samples", "mean_accuracy", "frontier"]);
    w.write_record(&header)?;
    for p in points {
        let mut row = vec![
            p.arch.to_string(),
            p.cost(Cost::Macs, shape).to_string(),
            p.cost(Cost::Params, shape).to_string(),
        ];
        if let (Axis::Flash { part, .. }, Some(f)) = (axis, axis.footprint(&p.arch)) {
            row.extend([
                f.flash.to_string(),
                f.ram.to_string(),
                part.micros(f.cycles_bound).to_string(),
            ]);
        }
        row.extend([
            p.samples.to_string(),
            format!("{:.6}", p.mean_accuracy()),
            p.frontier.to_string(),
        ]);
        w.write_record(&row)?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The chart's log-scale cost axis: whole decades around the costs seen.
struct LogAxis {
    lo: f64,
    hi: f64,
}

impl LogAxis {
    fn new(costs: impl Iterator<Item = f64> + Clone) -> LogAxis {
        let lo = costs.clone().fold(f64::INFINITY, f64::min).max(1.0);
        let hi = costs.fold(0.0, f64::max).max(lo * 10.0);
        LogAxis {
            lo: lo.log10().floor(),
            hi: hi.log10().ceil(),
        }
    }

    /// The x coordinate of cost `v`.
    fn x(&self, v: f64) -> f64 {
        LEFT as f64
            + f64::from(WIDTH - LEFT - RIGHT) * (v.max(1.0).log10() - self.lo) / (self.hi - self.lo)
    }

    /// A grid line and a label at each decade, and the axis title.
    fn draw(&self, s: &mut String, name: &str) {
        let bottom = f64::from(HEIGHT - BOTTOM);
        let mut decade = self.lo;
        while decade <= self.hi {
            let v = 10f64.powf(decade);
            let xx = self.x(v);
            let _ = writeln!(
                s,
                r##"<line x1="{xx:.1}" x2="{xx:.1}" y1="{:.1}" y2="{bottom:.1}" stroke="#eee"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle">{v}</text>"##,
                TOP,
                bottom + 18.0
            );
            decade += 1.0;
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{name} (log scale)</text>"#,
            LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
            HEIGHT - 8.0
        );
    }
}

/// `frontier.svg`: every architecture as a dot (its cost on `axis`, a log scale; mean dev
/// accuracy), the frontier as a step line, and the Bayes ceiling when known.
pub fn svg(points: &[Seen], axis: Axis, bayes: Option<f32>) -> String {
    let value = |p: &Seen| axis.of(&p.arch) as f64;
    let name = axis.unit();
    let log = LogAxis::new(points.iter().map(value));
    let at = |p: &Seen| {
        (
            log.x(value(p)),
            f64::from(svg::y_of(p.mean_accuracy() as f32)),
        )
    };
    let mut s = svg::open(&format!(
        "Accuracy/size frontier: mean dev accuracy of each architecture seen ({} distinct)",
        points.len()
    ));
    log.draw(&mut s, name);
    if let Some(b) = bayes {
        let label = format!("Bayes ceiling (test split) {:.1} %", f64::from(b) * 100.0);
        svg::reference_line(
            &mut s,
            &svg::Reference {
                value: b,
                label,
                colour: "#2e7d32",
            },
        );
    }
    let mut dots = String::new();
    for p in points.iter().filter(|p| !p.frontier) {
        let (xx, yy) = at(p);
        let _ = write!(dots, "M{xx:.1},{yy:.1}h0");
    }
    let _ = writeln!(
        s,
        r##"<path d="{dots}" stroke="#4a90d9" stroke-opacity="0.35" stroke-width="4" stroke-linecap="round" fill="none"/>"##
    );
    let frontier: Vec<&Seen> = points.iter().filter(|p| p.frontier).collect();
    let mut step = String::new();
    for (i, p) in frontier.iter().enumerate() {
        let (xx, yy) = at(p);
        if i > 0 {
            let _ = write!(step, "{xx:.1},{:.1} ", at(frontier[i - 1]).1);
        }
        let _ = write!(step, "{xx:.1},{yy:.1} ");
    }
    let _ = writeln!(
        s,
        r##"<polyline points="{step}" stroke="#d0021b" stroke-width="2" fill="none"/>"##
    );
    for p in &frontier {
        let (xx, yy) = at(p);
        let _ = writeln!(
            s,
            r##"<circle cx="{xx:.1}" cy="{yy:.1}" r="4" fill="#d0021b"><title>{} — {} {name}, {:.1} % over {} samples</title></circle>"##,
            p.arch,
            value(p),
            p.mean_accuracy() * 100.0,
            p.samples
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use piconas_core::Shape;

    #[test]
    fn csv_and_chart_show_every_point_and_the_frontier() {
        let mut seen: Vec<Seen> = [("[16]", 0.95), ("[]", 0.80), ("[4]", 0.75)]
            .iter()
            .map(|&(arch, accuracy)| {
                let mut s = Seen::new(arch.parse().unwrap());
                s.add(accuracy, accuracy);
                s
            })
            .collect();
        let axis = Axis::Cost(Cost::Macs, Shape::MOONS);
        piconas_core::frontier::mark(&mut seen, axis);
        let text = csv(&seen, axis).unwrap();
        assert_eq!(
            text,
            "tokens,macs,params,samples,mean_accuracy,frontier\n\
             [],4,6,1,0.800000,true\n\
             [4],16,22,1,0.750000,false\n\
             [16],64,82,1,0.950000,true\n"
        );
        let chart = svg(&seen, axis, Some(0.97));
        assert_eq!(chart.matches("<circle").count(), 2);
        assert_eq!(chart.matches("h0").count(), 1);
        assert!(chart.contains("Bayes ceiling") && chart.ends_with("</svg>\n"));
    }

    #[test]
    fn on_a_part_the_csv_and_chart_are_in_its_units() {
        // The Uno, the moons, one network: each row's flash, RAM and µs are the part's bounds.
        let part = piconas_core::target::Target::Atmega328p.part().unwrap();
        let axis = Axis::Flash {
            part,
            shape: Shape::MOONS,
            members: 1,
        };
        let mut seen: Vec<Seen> = [("[16]", 0.95), ("[]", 0.80)]
            .iter()
            .map(|&(arch, accuracy)| {
                let mut s = Seen::new(arch.parse().unwrap());
                s.add(accuracy, accuracy);
                s
            })
            .collect();
        piconas_core::frontier::mark(&mut seen, axis);
        let text = csv(&seen, axis).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some(
                "tokens,macs,params,flash_bytes,ram_bytes,latency_us,samples,mean_accuracy,frontier"
            )
        );
        for (line, p) in lines.zip(&seen) {
            let f = part.footprint(&p.arch, Shape::MOONS, 1);
            let us = part.micros(f.cycles_bound);
            let want = format!(",{},{},{us},1,", f.flash, f.ram);
            assert!(line.contains(&want), "{line} lacks {want}");
        }
        let chart = svg(&seen, axis, None);
        assert!(
            chart.contains("bytes of flash on the part (log scale)"),
            "{chart}"
        );
        assert_eq!(chart.matches("<circle").count(), 2);
    }
}
