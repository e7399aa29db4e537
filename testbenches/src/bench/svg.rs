//! Small SVG line charts for the benchmark report: lines of (x, y) points, linear or
//! logarithmic x axis, a legend, labelled axes.

use std::fmt::Write as _;

/// A series of a chart.
pub struct Series<'a> {
    pub name: &'a str,
    pub points: Vec<(f64, f64)>,
}

/// A chart.
pub struct Chart<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub log_x: bool,
    pub series: Vec<Series<'a>>,
}

const COLORS: [&str; 6] = [
    "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
];

impl Chart<'_> {
    /// The chart as an SVG document.
    pub fn render(&self) -> String {
        let (w, h) = (720.0, 420.0);
        let (l, r, t, b) = (80.0, 230.0, 40.0, 60.0);
        let pts = self.series.iter().flat_map(|s| s.points.iter());
        let fx = |x: f64| if self.log_x { x.max(1e-12).log10() } else { x };
        let (mut x0, mut x1, mut y1) = (f64::MAX, f64::MIN, 0.0f64);
        for &(x, y) in pts {
            x0 = x0.min(fx(x));
            x1 = x1.max(fx(x));
            y1 = y1.max(y);
        }
        if x0 >= x1 {
            x1 = x0 + 1.0;
        }
        let y1 = if y1 <= 0.0 { 1.0 } else { y1 * 1.08 };
        let px = |x: f64| l + (fx(x) - x0) / (x1 - x0) * (w - l - r);
        let py = |y: f64| h - b - y / y1 * (h - t - b);
        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">"#
        );
        let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
        let _ = writeln!(
            s,
            r#"<text x="{}" y="22" font-size="15" text-anchor="middle">{}</text>"#,
            (l + w - r) / 2.0,
            esc(self.title)
        );
        // Axes and ticks.
        let _ = writeln!(
            s,
            r#"<path d="M{l},{t} V{} H{}" stroke="black" fill="none"/>"#,
            h - b,
            w - r
        );
        for i in 0..=5 {
            let y = y1 / 1.08 * i as f64 / 5.0;
            let _ = writeln!(
                s,
                r##"<line x1="{l}" x2="{}" y1="{py}" y2="{py}" stroke="#ddd"/><text x="{}" y="{}" text-anchor="end">{}</text>"##,
                w - r,
                l - 6.0,
                py(y) + 4.0,
                num(y),
                py = py(y)
            );
        }
        let ticks: Vec<f64> = if self.log_x {
            let (a, z) = (x0.floor() as i32, x1.ceil() as i32);
            (a..=z)
                .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
                .filter(|&x| fx(x) >= x0 - 1e-9 && fx(x) <= x1 + 1e-9)
                .collect()
        } else {
            (0..=5).map(|i| x0 + (x1 - x0) * i as f64 / 5.0).collect()
        };
        for x in ticks {
            let _ = writeln!(
                s,
                r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
                px(x),
                h - b + 18.0,
                num(x)
            );
        }
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
            (l + w - r) / 2.0,
            h - 18.0,
            esc(self.x_label)
        );
        let _ = writeln!(
            s,
            r#"<text transform="translate(18,{}) rotate(-90)" text-anchor="middle">{}</text>"#,
            (t + h - b) / 2.0,
            esc(self.y_label)
        );
        for (i, se) in self.series.iter().enumerate() {
            let c = COLORS[i % COLORS.len()];
            let d: Vec<String> = se
                .points
                .iter()
                .enumerate()
                .map(|(k, &(x, y))| {
                    format!(
                        "{}{:.1},{:.1}",
                        if k == 0 { "M" } else { "L" },
                        px(x),
                        py(y)
                    )
                })
                .collect();
            let _ = writeln!(
                s,
                r#"<path d="{}" stroke="{c}" stroke-width="2" fill="none"/>"#,
                d.join(" ")
            );
            for &(x, y) in &se.points {
                let _ = writeln!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{c}"/>"#,
                    px(x),
                    py(y)
                );
            }
            let ly = t + 20.0 + 22.0 * i as f64;
            let _ = writeln!(
                s,
                r#"<line x1="{}" x2="{}" y1="{ly}" y2="{ly}" stroke="{c}" stroke-width="3"/><text x="{}" y="{}">{}</text>"#,
                w - r + 10.0,
                w - r + 30.0,
                w - r + 36.0,
                ly + 4.0,
                esc(se.name)
            );
        }
        s.push_str("</svg>\n");
        s
    }
}

fn num(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.3}M", v / 1e6).replace(".000M", "M")
    } else if a >= 1e3 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 10.0 || a == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn esc(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_an_svg_document_with_every_series() {
        let c = Chart {
            title: "t <1>",
            x_label: "x",
            y_label: "y",
            log_x: true,
            series: vec![
                Series {
                    name: "a",
                    points: vec![(10.0, 1.0), (1000.0, 3.0)],
                },
                Series {
                    name: "b",
                    points: vec![(10.0, 2.0), (1000.0, 0.0)],
                },
            ],
        };
        let s = c.render();
        assert!(s.starts_with("<svg") && s.trim_end().ends_with("</svg>"));
        assert_eq!(s.matches("<circle").count(), 4);
        assert!(s.contains("t &lt;1&gt;"));
    }
}
