//! A trip as a waterfall picture: one bar per step, to scale in time, as plain SVG text.
//!
//! The trip's text (`Step::render`) says what each layer did and how long it took; the
//! picture shows *when*: every step is a bar on one time axis, so a reader sees at a
//! glance that the handler is a sliver inside the session, which is inside the
//! processors, and where the time between two steps went. The rows are the text's
//! rows, in the same order and at the same depth: a step's row has its name (indented
//! by depth) and its time in the left columns and its bar on the right; an event's row
//! has a marker at the moment it happened, its text right-aligned against the marker,
//! and a tick on the bar of the step it happened in.
//!
//! The input is [`Row`]s, built by [`trip::waterfall`](crate::trip::waterfall) from a trip (or by hand in the
//! tests); nothing here knows `tracing`. The output is one SVG element per line, with
//! presentation attributes rather than a style sheet: the same text is a file the book
//! shows with `<img>` and an element the demo's pages embed inline, where a `<style>`
//! inside the SVG would restyle the whole page. Every number in it is a coordinate or a
//! time, so two runs of the same trip differ only in numbers (tidy compares them so,
//! every number masked: which is why a number never touches a letter, `M 12.5`, not
//! `M12.5`).
use std::fmt::Write as _;
use std::time::Duration;

/// One row of the picture: a step (a bar) or an event (a marker), at a depth.
#[derive(Clone, Debug)]
pub struct Row {
    /// How many steps this row is inside; an event is one deeper than its step.
    pub depth: usize,
    /// What the row says: a step's name, an event's text.
    pub label: String,
    /// Everything known about the row, shown when the pointer rests on it.
    pub detail: String,
    /// A bar or a marker, and when.
    pub kind: Kind,
}

/// What a row draws.
#[derive(Clone, Debug)]
pub enum Kind {
    /// A bar from `start` for `length`; `running` when the step had not ended when the
    /// picture was made (drawn dashed, up to that moment). `layer` picks its colour.
    Step {
        /// From the picture's origin (the first step's start).
        start: Duration,
        /// How long the step took, or has taken so far.
        length: Duration,
        /// Not ended yet.
        running: bool,
        /// The crate that reported it: `httpserver`, `session`…
        layer: String,
    },
    /// A marker at `at`, from the picture's origin.
    Event {
        /// When it happened.
        at: Duration,
    },
}

/// Font size, and the width of one character of the monospace font (0.6 em, the usual
/// advance of a monospace face), from which the columns are sized.
const FONT: f64 = 12.0;
const CHAR_W: f64 = 7.2;
/// A row's height, a bar's height within it, and the indent of one depth.
const ROW_H: f64 = 18.0;
const BAR_H: f64 = 12.0;
const INDENT: f64 = 12.0;
/// The margin, the width of the time axis, and the time column (`12345 µs`).
const PAD: f64 = 8.0;
const AXIS_W: f64 = 560.0;
const TIME_W: f64 = 9.0 * CHAR_W;
/// Above the rows: the title, then the axis labels.
const TOP: f64 = 44.0;
/// The axis is marked at 0, ¼, ½, ¾ and the whole: always five marks, so the
/// picture's elements are the same from run to run and only their numbers change.
const AXIS_MARKS: usize = 4;

/// The colour of each layer's bars (ColorBrewer's Set2, which reads on white and in
/// grey), and of a layer not listed.
const LAYERS: &[(&str, &str)] = &[
    ("threadpool", "#8da0cb"),
    ("httpserver", "#66c2a5"),
    ("wsgi", "#fc8d62"),
    ("application", "#e78ac3"),
    ("session", "#a6d854"),
];
const OTHER: &str = "#cccccc";

fn colour(layer: &str) -> &'static str {
    LAYERS
        .iter()
        .find(|(name, _)| *name == layer)
        .map_or(OTHER, |(_, c)| c)
}

/// `text` safe inside an SVG element or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A time as the trip's text prints it: whole microseconds.
pub fn micros(t: Duration) -> String {
    format!("{} µs", t.as_micros())
}

/// Where things go: computed once from the rows, then used by every element.
struct Layout {
    /// The left edge of the time axis.
    x0: f64,
    /// The time the whole axis stands for (never zero).
    span: Duration,
    width: f64,
    height: f64,
}

impl Layout {
    fn new(rows: &[Row]) -> Layout {
        let end = rows.iter().map(row_end).max().unwrap_or_default();
        let span = end.max(Duration::from_micros(1));
        let text_w = |chars: usize| chars as f64 * CHAR_W;
        // The name column fits the longest indented step name.
        let names = rows
            .iter()
            .filter(|r| matches!(r.kind, Kind::Step { .. }))
            .map(|r| r.depth as f64 * INDENT + text_w(r.label.chars().count()))
            .fold(0.0, f64::max);
        let mut x0 = PAD + names + PAD + TIME_W + PAD;
        // An event's text ends at its marker and reaches left over the empty columns
        // of its row: move the axis right until the longest one fits.
        for row in rows {
            if let Kind::Event { at } = row.kind {
                let reach = PAD + text_w(row.label.chars().count()) + 2.0 * PAD;
                x0 = f64::max(x0, reach - fraction(at, span) * AXIS_W);
            }
        }
        Layout {
            x0,
            span,
            width: x0 + AXIS_W + 3.0 * PAD,
            height: TOP + rows.len().max(1) as f64 * ROW_H + 2.0 * ROW_H,
        }
    }

    /// The x of a moment.
    fn x(&self, t: Duration) -> f64 {
        self.x0 + fraction(t, self.span) * AXIS_W
    }

    /// The top of row `i`.
    fn y(&self, i: usize) -> f64 {
        TOP + i as f64 * ROW_H
    }
}

fn fraction(t: Duration, span: Duration) -> f64 {
    t.as_secs_f64() / span.as_secs_f64()
}

/// When a row's bar ends, or its marker stands.
fn row_end(row: &Row) -> Duration {
    match row.kind {
        Kind::Step { start, length, .. } => start + length,
        Kind::Event { at } => at,
    }
}

/// The picture: `title` above, the time axis, a row per [`Row`], the layers' colours
/// below. An empty `rows` gives an axis with no rows and says so.
pub fn svg(title: &str, rows: &[Row]) -> String {
    let layout = Layout::new(rows);
    let (w, h) = (layout.width, layout.height);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" \
         viewBox=\"0 0 {w:.0} {h:.0}\" font-family=\"ui-monospace, monospace\" \
         font-size=\"{FONT}\" role=\"img\" aria-label=\"{}\" \
         style=\"max-width:100%;height:auto\">",
        escape(title)
    );
    // A white ground, so the picture reads on the book's dark themes too.
    let _ = writeln!(
        out,
        "<rect width=\"{w:.0}\" height=\"{h:.0}\" fill=\"#ffffff\"/>"
    );
    let _ = writeln!(
        out,
        "<text x=\"{PAD}\" y=\"16\" font-weight=\"bold\">{}</text>",
        escape(title)
    );
    axis(&mut out, &layout, rows.len());
    if rows.is_empty() {
        let _ = writeln!(
            out,
            "<text x=\"{PAD}\" y=\"{:.1}\" fill=\"#555555\">(no steps)</text>",
            layout.y(0) + FONT
        );
    }
    // The bar each depth's latest step has, for the ticks of the events inside it.
    let mut bars: Vec<f64> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        match &row.kind {
            Kind::Step {
                start,
                length,
                running,
                layer,
            } => {
                bars.truncate(row.depth);
                bars.resize(row.depth, f64::NAN);
                bars.push(layout.y(i));
                let bar = Bar {
                    start: *start,
                    length: *length,
                    running: *running,
                    layer,
                };
                step(&mut out, &layout, i, row, bar);
            }
            Kind::Event { at } => {
                let owner = row.depth.checked_sub(1).and_then(|d| bars.get(d));
                let owner = owner.copied().filter(|y| !y.is_nan());
                event(&mut out, &layout, i, row, *at, owner);
            }
        }
    }
    legend(&mut out, &layout);
    out.push_str("</svg>\n");
    out
}

/// The time axis: five marks with their times, and a faint line down through the rows.
fn axis(out: &mut String, layout: &Layout, rows: usize) {
    let bottom = layout.y(rows.max(1));
    for mark in 0..=AXIS_MARKS {
        let t = layout.span.mul_f64(mark as f64 / AXIS_MARKS as f64);
        let x = layout.x(t);
        let anchor = match mark {
            0 => "start",
            AXIS_MARKS => "end",
            _ => "middle",
        };
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\" stroke=\"#dddddd\"/>",
            TOP - 4.0
        );
        let _ = writeln!(
            out,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" fill=\"#555555\">{}</text>",
            TOP - 8.0,
            micros(t)
        );
    }
}

/// A step's bar, as [`Kind::Step`] has it.
struct Bar<'a> {
    start: Duration,
    length: Duration,
    running: bool,
    layer: &'a str,
}

/// A step's row: its name, indented; its time, right-aligned; its bar.
fn step(out: &mut String, layout: &Layout, i: usize, row: &Row, bar: Bar<'_>) {
    let Bar {
        start,
        length,
        running,
        layer,
    } = bar;
    let y = layout.y(i);
    let text_y = y + FONT;
    let _ = writeln!(out, "<g><title>{}</title>", escape(&row.detail));
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{text_y:.1}\">{}</text>",
        PAD + row.depth as f64 * INDENT,
        escape(&row.label)
    );
    let _ = writeln!(
        out,
        "<text class=\"wf-time\" x=\"{:.1}\" y=\"{text_y:.1}\" text-anchor=\"end\">{}</text>",
        layout.x0 - PAD,
        micros(length)
    );
    let x = layout.x(start);
    // At least a pixel, so a step of a few microseconds is still seen.
    let width = f64::max(layout.x(start + length) - x, 1.0);
    // A running step is drawn up to the moment of the picture, its outline dashed.
    let outline = if running {
        " stroke=\"#333333\" stroke-dasharray=\"3 2\" fill-opacity=\"0.5\""
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<rect class=\"wf-step\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"{BAR_H}\" \
         fill=\"{}\"{outline}/>",
        y + (ROW_H - BAR_H) / 2.0,
        colour(layer)
    );
    out.push_str("</g>\n");
}

/// An event's row: a marker at its moment with its text to the left, and a tick across
/// the bar of the step it happened in (`owner`, that bar's row top).
fn event(out: &mut String, layout: &Layout, i: usize, row: &Row, at: Duration, owner: Option<f64>) {
    let y = layout.y(i);
    let x = layout.x(at);
    let mid = y + ROW_H / 2.0;
    let _ = writeln!(out, "<g><title>{}</title>", escape(&row.detail));
    if let Some(bar) = owner {
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{mid:.1}\" stroke=\"#333333\" \
             stroke-dasharray=\"1 2\"/>",
            bar + (ROW_H - BAR_H) / 2.0
        );
    }
    let _ = writeln!(
        out,
        "<path class=\"wf-event\" d=\"M {x:.1} {:.1} l 4 4 l -4 4 l -4 -4 z\" fill=\"#333333\"/>",
        mid - 4.0
    );
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555555\">{}</text>",
        x - PAD,
        y + FONT,
        escape(&row.label)
    );
    out.push_str("</g>\n");
}

/// The layers' colours, in a line below the rows.
fn legend(out: &mut String, layout: &Layout) {
    let y = layout.height - ROW_H;
    let mut x = PAD;
    for (layer, fill) in LAYERS {
        let _ = writeln!(
            out,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{BAR_H}\" height=\"{BAR_H}\" fill=\"{fill}\"/>",
            y - BAR_H + 2.0
        );
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{y:.1}\">{layer}</text>",
            x + BAR_H + 4.0
        );
        x += BAR_H + 4.0 + layer.len() as f64 * CHAR_W + 2.0 * PAD;
    }
}
