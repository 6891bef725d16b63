//! Draws the accuracy / proving-time frontier as an SVG: every model of `benches/frontier.sh`'s
//! table for one data set (zero_g's families and EZKL's measured points), proving time on a
//! log scale. Run: `cargo run --release --example frontier_plot -- TABLE.tsv OUT.svg [NAME]`
//! (NAME: the data set, in the caption; default MNIST), where each line of the table is `system<TAB>model<TAB>accuracy %<TAB>prove s` (`#` lines are comments).
use plotters::prelude::*;

struct Point {
    system: String,
    model: String,
    accuracy: f64,
    seconds: f64,
}

fn read(path: &str) -> Result<Vec<Point>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let num = |s: &str| {
            s.trim()
                .parse::<f64>()
                .map_err(|e| format!("{path}:{}: `{s}`: {e}", i + 1))
        };
        if f.len() < 4 {
            return Err(format!("{path}:{}: expected 4 tab-separated fields", i + 1));
        }
        out.push(Point {
            system: f[0].trim().into(),
            model: f[1].trim().into(),
            accuracy: num(f[2])?,
            seconds: num(f[3])?,
        });
    }
    Ok(out)
}

/// A short label for a bundled model's file name (the table keeps the file names).
fn label(model: &str) -> String {
    if let Some(n) = model
        .strip_prefix("lutnet_mnist_ensemble_")
        .or_else(|| model.strip_prefix("lutnet_fashion_ensemble_"))
    {
        return format!("LUT-6 ×{n}, merged networks");
    }
    if let Some(n) = model
        .strip_prefix("lutnet_mnist_")
        .or_else(|| model.strip_prefix("lutnet_fashion_"))
    {
        return format!("LUT-6 ×{n}");
    }
    match model {
        "model_28input_256entry_1hash_1bpi" => "BTHOWeN Tiny".into(),
        "model_28input_1024entry_2hash_2bpi" => "BTHOWeN Small".into(),
        "model_28input_2048entry_2hash_3bpi" => "BTHOWeN Medium".into(),
        "model_49input_8192entry_4hash_6bpi" => "BTHOWeN Large".into(),
        other => other.into(),
    }
}

/// The points no other point of the same system beats in both time and accuracy, by time.
fn pareto(mut pts: Vec<&Point>) -> Vec<&Point> {
    pts.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let mut best = f64::MIN;
    pts.into_iter()
        .filter(|p| {
            let keep = p.accuracy > best;
            best = best.max(p.accuracy);
            keep
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if !(3..=4).contains(&args.len()) {
        return Err("usage: frontier_plot TABLE.tsv OUT.svg [DATA SET NAME]".into());
    }
    let title = format!(
        "{}: test accuracy vs proving time (2-vCPU machine, whole process, median)",
        args.get(3).map_or("MNIST", String::as_str)
    );
    let points = read(&args[1])?;
    let root = SVGBackend::new(&args[2], (960, 720)).into_drawing_area();
    root.fill(&WHITE)?;
    let (lo, hi) = points.iter().fold((f64::MAX, f64::MIN), |(l, h), p| {
        (l.min(p.seconds), h.max(p.seconds))
    });
    let amin = points.iter().map(|p| p.accuracy).fold(f64::MAX, f64::min);
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(
            ((lo * 0.75)..(hi * 2.6)).log_scale().with_key_points(
                [0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 50.0]
                    .into_iter()
                    .filter(|&t| (lo * 0.75..=hi * 2.6).contains(&t))
                    .collect::<Vec<f64>>(),
            ),
            (amin.floor() - 0.5)..99.5,
        )?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .x_label_formatter(&|v| format!("{v}"))
        .y_labels(14)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("proving time, seconds (log scale)")
        .y_desc("test accuracy, %")
        .draw()?;
    let styles = [
        ("zero_g LUT network", BLUE),
        ("zero_g deep LUT network", RGBColor(130, 40, 170)),
        ("zero_g BTHOWeN", RGBColor(20, 140, 60)),
        ("EZKL", RED),
    ];
    for (system, colour) in styles {
        let pts: Vec<&Point> = points.iter().filter(|p| p.system == system).collect();
        if pts.is_empty() {
            continue;
        }
        // the system's frontier: each point that beats every faster one
        chart
            .draw_series(LineSeries::new(
                pareto(pts.clone())
                    .into_iter()
                    .map(|p| (p.seconds, p.accuracy)),
                colour.mix(0.45).stroke_width(2),
            ))?
            .label(system)
            .legend(move |(x, y)| Circle::new((x + 10, y), 5, colour.filled()));
        chart.draw_series(pts.iter().map(|p| {
            let text = format!(
                "{} ({:.2} %, {:.2} s)",
                label(&p.model),
                p.accuracy,
                p.seconds
            );
            // right of the point, or left of it near the right edge (≈ 6.5 px a character)
            let dx = if p.seconds > hi / 2.0 {
                -9 - (text.chars().count() as f64 * 6.5) as i32
            } else {
                9
            };
            EmptyElement::at((p.seconds, p.accuracy))
                + Circle::new((0, 0), 5, colour.filled())
                + Text::new(text, (dx, -6), ("sans-serif", 12))
        }))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    println!("wrote {}", args[2]);
    Ok(())
}
