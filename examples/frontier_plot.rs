//! Draws the accuracy / proving-time frontier as an SVG: every model of `benches/frontier.sh`'s
//! table (zero_g's two families and EZKL's measured points), proving time on a log scale.
//! Run: `cargo run --release --example frontier_plot -- TABLE.tsv OUT.svg`, where each line
//! of the table is `system<TAB>model<TAB>accuracy %<TAB>prove s` (`#` lines are comments).
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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        return Err("usage: frontier_plot TABLE.tsv OUT.svg".into());
    }
    let points = read(&args[1])?;
    let root = SVGBackend::new(&args[2], (900, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let (lo, hi) = points.iter().fold((f64::MAX, f64::MIN), |(l, h), p| {
        (l.min(p.seconds), h.max(p.seconds))
    });
    let amin = points.iter().map(|p| p.accuracy).fold(f64::MAX, f64::min);
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "MNIST: accuracy vs proving time (2-vCPU machine, median of 5)",
            ("sans-serif", 20),
        )
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(
            ((lo * 0.7)..(hi * 1.5)).log_scale(),
            (amin.floor() - 0.5)..100.0,
        )?;
    chart
        .configure_mesh()
        .x_desc("proving time, seconds (log scale)")
        .y_desc("test accuracy, %")
        .draw()?;
    let styles = [
        ("zero_g LUT network", BLUE),
        ("zero_g BTHOWeN", GREEN),
        ("EZKL", RED),
    ];
    for (system, colour) in styles {
        let mut pts: Vec<&Point> = points.iter().filter(|p| p.system == system).collect();
        pts.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
        if pts.is_empty() {
            continue;
        }
        chart
            .draw_series(LineSeries::new(
                pts.iter().map(|p| (p.seconds, p.accuracy)),
                colour.mix(0.5),
            ))?
            .label(system)
            .legend(move |(x, y)| Circle::new((x + 10, y), 5, colour.filled()));
        chart.draw_series(pts.iter().map(|p| {
            EmptyElement::at((p.seconds, p.accuracy))
                + Circle::new((0, 0), 5, colour.filled())
                + Text::new(p.model.clone(), (7, -14), ("sans-serif", 12))
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
