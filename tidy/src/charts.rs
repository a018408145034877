//! The benchmarks appendix's charts, drawn from the run's own load samples: the three
//! engine designs' throughput and 99th percentile against connections, and each layer's
//! CPU time per request.
//!
//! Why: a table of eighteen rows hides the shape a reader is looking for (which design
//! falls off at 32 connections, which layer adds the microseconds); a picture drawn by
//! hand drifts from the run. So `bench-report` draws them with `plotters` from the same
//! `load-*.txt` files the appendix includes, as SVG beside them in
//! `book/src/generated/`, and a chapter shows them with an image link.

use std::fs;
use std::path::Path;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One row of a `load.sh` table: a mode (`keep-alive` or `close`) at a number of
/// connections.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadRow {
    /// `keep-alive` or `close`.
    pub mode: String,
    /// wrk's connections.
    pub conns: u32,
    /// Requests per second.
    pub rps: f64,
    /// wrk's 99th percentile, in milliseconds.
    pub p99_ms: f64,
    /// The server's CPU time per request, in microseconds (`None` when the script
    /// printed `n/a`).
    pub cpu_us: Option<f64>,
}

/// A chart drawn from one run: its file under `book/src/generated/`, and the load samples
/// it reads, each with the name its series carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chart {
    /// The SVG's file name.
    pub file: &'static str,
    /// `(series name, load sample name)`, in the legend's order.
    pub series: &'static [(&'static str, &'static str)],
}

/// The three designs of the HttpConnection chapter, each its own `load.sh` sample.
pub const DESIGNS_CHART: Chart = Chart {
    file: "chart-designs.svg",
    series: &[
        ("1: a worker per connection", "load-design-pinned_worker"),
        ("2: park and dispatch", "load-design-park_and_dispatch"),
        ("3: the engine", "load-design-engine_hello"),
    ],
};

/// Each layer's server under the same load.
pub const LAYERS_CHART: Chart = Chart {
    file: "chart-layers-cpu.svg",
    series: &[
        ("httpserver", "load-httpserver"),
        ("+ wsgi", "load-wsgi"),
        ("+ application", "load-application"),
    ],
};

/// A wrk latency (`576.00us`, `1.63ms`, `1.02s`) in milliseconds.
pub fn latency_ms(text: &str) -> Option<f64> {
    let (number, scale) = if let Some(n) = text.strip_suffix("us") {
        (n, 1e-3)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1e3)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * scale)
}

/// The table rows of a `load.sh` sample (`mode conns req/s p99 cpu_us/req
/// fresh_conn_wait`); an error names the first row that does not read.
pub fn load_rows(text: &str) -> Result<Vec<LoadRow>, String> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if !matches!(words.first(), Some(&"keep-alive") | Some(&"close")) {
            continue;
        }
        let bad = || format!("line {}: `{line}` is not a load.sh row", n + 1);
        if words.len() < 5 {
            return Err(bad());
        }
        rows.push(LoadRow {
            mode: words[0].to_owned(),
            conns: words[1].parse().map_err(|_| bad())?,
            rps: words[2].parse().map_err(|_| bad())?,
            p99_ms: latency_ms(words[3]).ok_or_else(bad)?,
            cpu_us: words[4].parse().ok(),
        });
    }
    if rows.is_empty() {
        return Err("no `keep-alive` or `close` rows".to_owned());
    }
    Ok(rows)
}

/// A chart's series: a name and its rows.
pub type Series<'a> = (&'a str, &'a [LoadRow]);

const COLOURS: [RGBColor; 4] = [
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0x2c, 0xa0, 0x2c),
];

fn failed<E: std::fmt::Display>(e: E) -> String {
    format!("drawing the chart: {e}")
}

/// One panel of the designs' chart: what its axis shows, read from a row.
struct Panel {
    what: &'static str,
    value: fn(&LoadRow) -> f64,
    label: fn(f64) -> String,
    logarithmic: bool,
}

/// The label of `10^v` milliseconds at a whole `v` (`0.01`, `1`, `100`, `1000`); none
/// between.
fn decade_ms(v: f64) -> String {
    let whole = v.round();
    if (v - whole).abs() > 1e-6 {
        return String::new();
    }
    let ms = 10f64.powf(whole);
    if ms >= 1.0 {
        format!("{ms:.0}")
    } else {
        format!("{ms}")
    }
}

/// The label of the category at `x` (the axis puts category `i` at `i`); none between.
fn label<T>(categories: &[T], x: f64, name: impl Fn(&T) -> String) -> String {
    let i = x.round();
    if (x - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    categories.get(i as usize).map(name).unwrap_or_default()
}

/// The highest value of `values` with a fifth of headroom, never zero.
fn top(values: impl Iterator<Item = f64>) -> f64 {
    let max = values.fold(0.0, f64::max);
    if max > 0.0 {
        max * 1.2
    } else {
        1.0
    }
}

/// The note a provisional run's chart carries in its caption.
fn caption(title: &str, provisional: bool) -> String {
    if provisional {
        format!("{title} (provisional)")
    } else {
        title.to_owned()
    }
}

/// A drawing area of an SVG chart.
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// A chart with two linear axes, as every chart here draws its values.
type Plot<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The designs' chart: requests per second (left) and wrk's 99th percentile (right)
/// against kept-alive connections, a line per design.
pub fn designs_svg(designs: &[Series], provisional: bool) -> Result<String, String> {
    let mut conns: Vec<u32> = designs
        .iter()
        .flat_map(|(_, rows)| rows.iter().filter(|r| r.mode == "keep-alive"))
        .map(|r| r.conns)
        .collect();
    conns.sort_unstable();
    conns.dedup();
    if conns.is_empty() {
        return Err("no keep-alive rows to draw".to_owned());
    }
    // Throughput on a linear axis; the tail on a logarithmic one (its values span
    // microseconds to seconds), drawn as log10 of milliseconds on a linear axis whose
    // labels say the milliseconds.
    let panels = [
        Panel {
            what: "requests per second",
            value: |r| r.rps,
            label: |v| format!("{v:.0}"),
            logarithmic: false,
        },
        Panel {
            what: "99th percentile (ms, log scale)",
            value: |r| r.p99_ms.max(1e-3).log10(),
            label: decade_ms,
            logarithmic: true,
        },
    ];
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let title = "The three designs, pinned to one core, hello over keep-alive";
        let root = root
            .titled(&caption(title, provisional), ("sans-serif", 18))
            .map_err(failed)?;
        let (left, right) = root.split_horizontally(450);
        // One legend, on the left, where the lines climb away from its corner: the
        // colours are the same in both panels.
        for (area, panel) in [&left, &right].into_iter().zip(&panels) {
            design_panel(area, panel, designs, &conns, !panel.logarithmic)?;
        }
        root.present().map_err(failed)?;
    }
    Ok(svg)
}

/// One panel of the designs' chart: its axes, a line per design, and the legend if asked.
fn design_panel(
    area: &Area,
    panel: &Panel,
    designs: &[Series],
    conns: &[u32],
    with_legend: bool,
) -> Result<(), String> {
    let value = panel.value;
    let values = || designs.iter().flat_map(|(_, rows)| rows.iter().map(value));
    let y_range = if panel.logarithmic {
        let low = values().fold(f64::INFINITY, f64::min).floor();
        let high = values().fold(f64::NEG_INFINITY, f64::max).ceil();
        low..high.max(low + 1.0)
    } else {
        0.0..top(values())
    };
    let decades = (y_range.end - y_range.start) as usize + 1;
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.3..conns.len() as f64 - 0.7, y_range)
        .map_err(failed)?;
    chart
        .configure_mesh()
        .x_desc("connections (kept alive)")
        .y_desc(panel.what)
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15))
        .x_labels(conns.len())
        .x_label_formatter(&|x| label(conns, *x, u32::to_string))
        .y_label_formatter(&|v| (panel.label)(*v))
        .y_labels(if panel.logarithmic { decades } else { 10 })
        .draw()
        .map_err(failed)?;
    for (i, (name, rows)) in designs.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let points: Vec<(f64, f64)> = rows
            .iter()
            .filter(|r| r.mode == "keep-alive")
            .filter_map(|r| Some((conns.iter().position(|c| *c == r.conns)? as f64, value(r))))
            .collect();
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
            .map_err(failed)?
            .label(*name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
            });
        chart
            .draw_series(points.iter().map(|p| Circle::new(*p, 4, colour.filled())))
            .map_err(failed)?;
    }
    if with_legend {
        legend(&mut chart)?;
    }
    Ok(())
}

/// The series' names, in a box at the top left.
fn legend<'a, 'b: 'a>(chart: &mut Plot<'a, 'b>) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(failed)
}

/// The layers' chart: the server's CPU time per request at every point of the run, a bar
/// per layer, grouped by point.
pub fn layers_svg(layers: &[Series], provisional: bool) -> Result<String, String> {
    let mut points: Vec<(String, u32)> = Vec::new();
    for row in layers.iter().flat_map(|(_, rows)| rows.iter()) {
        if !points
            .iter()
            .any(|(m, c)| *m == row.mode && *c == row.conns)
        {
            points.push((row.mode.clone(), row.conns));
        }
    }
    if points.is_empty() {
        return Err("no rows to draw".to_owned());
    }
    // Headroom above the tallest bar for the legend.
    let cpus = || {
        layers
            .iter()
            .flat_map(|(_, rows)| rows.iter().filter_map(|r| r.cpu_us))
    };
    let y_top = 1.25 * top(cpus());
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let title = "The server's CPU time per request, layer by layer";
        let mut chart = ChartBuilder::on(&root)
            .caption(caption(title, provisional), ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5..points.len() as f64 - 0.5, 0.0..y_top)
            .map_err(failed)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("mode, connections")
            .y_desc("CPU µs per request")
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_labels(points.len())
            .x_label_formatter(&|x| label(&points, *x, |(mode, conns)| format!("{mode} {conns}")))
            .draw()
            .map_err(failed)?;
        for (i, layer) in layers.iter().enumerate() {
            layer_bars(&mut chart, i, layers.len(), layer, &points)?;
        }
        legend(&mut chart)?;
        root.present().map_err(failed)?;
    }
    Ok(svg)
}

/// The bars of the `i`th of `count` layers, a bar per point it has a CPU time for, each
/// with its value above it (so a reader need not measure against the axis).
fn layer_bars(
    chart: &mut Plot,
    i: usize,
    count: usize,
    (name, rows): &Series,
    points: &[(String, u32)],
) -> Result<(), String> {
    let colour = COLOURS[(i + 1) % COLOURS.len()];
    let width = 0.8 / count as f64;
    let bars: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .filter_map(|(g, (mode, conns))| {
            let row = rows.iter().find(|r| r.mode == *mode && r.conns == *conns)?;
            Some((g as f64 - 0.4 + i as f64 * width, row.cpu_us?))
        })
        .collect();
    chart
        .draw_series(bars.iter().map(|(left, value)| {
            Rectangle::new(
                [(*left, 0.0), (left + width * 0.9, *value)],
                colour.filled(),
            )
        }))
        .map_err(failed)?
        .label(*name)
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
    let style = TextStyle::from(("sans-serif", 11)).pos(Pos::new(HPos::Center, VPos::Bottom));
    chart
        .draw_series(bars.iter().map(|(left, value)| {
            Text::new(
                format!("{value:.1}"),
                (left + width * 0.45, *value),
                style.clone(),
            )
        }))
        .map_err(failed)?;
    Ok(())
}

/// The charts, and the function that draws each.
pub const CHARTS: [(Chart, Draw); 2] = [(DESIGNS_CHART, designs_svg), (LAYERS_CHART, layers_svg)];

/// A chart's drawing function: its series, and whether the run was a quick one.
pub type Draw = fn(&[Series], bool) -> Result<String, String>;

/// Every chart of [`CHARTS`] drawn from the load samples in the run folder `run`
/// (`NAME.txt`, as `report.sh` writes them): `(file name, SVG)` pairs. An error names
/// the missing or unreadable sample.
pub fn run_charts(run: &Path, provisional: bool) -> Result<Vec<(String, String)>, String> {
    let mut drawn = Vec::new();
    for (chart, draw) in CHARTS {
        let mut rows: Vec<(&str, Vec<LoadRow>)> = Vec::new();
        for (series, sample) in chart.series {
            let path = run.join(format!("{sample}.txt"));
            let text = fs::read_to_string(&path)
                .map_err(|e| format!("{}: its load sample {}: {e}", chart.file, path.display()))?;
            let read = load_rows(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            rows.push((series, read));
        }
        let series: Vec<Series> = rows.iter().map(|(n, r)| (*n, r.as_slice())).collect();
        let svg = draw(&series, provisional).map_err(|e| format!("{}: {e}", chart.file))?;
        drawn.push((chart.file.to_owned(), svg));
    }
    Ok(drawn)
}
