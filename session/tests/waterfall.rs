//! The trip's waterfall picture (`testkit::waterfall`): bars nested and to scale,
//! events where they happened, text escaped, and an empty trip drawn without a panic.

use std::time::Duration;

use testkit::waterfall::{svg, Kind, Row};

fn micros(n: u64) -> Duration {
    Duration::from_micros(n)
}

fn step(depth: usize, label: &str, start: u64, length: u64) -> Row {
    Row {
        depth,
        label: label.to_owned(),
        detail: format!("{label}: {length} µs"),
        kind: Kind::Step {
            start: micros(start),
            length: micros(length),
            running: false,
            layer: "httpserver".to_owned(),
        },
    }
}

fn event(depth: usize, label: &str, at: u64) -> Row {
    Row {
        depth,
        label: label.to_owned(),
        detail: label.to_owned(),
        kind: Kind::Event { at: micros(at) },
    }
}

/// The value of `name="…"` in an element's line, as a number.
fn attribute(line: &str, name: &str) -> f64 {
    let start = line
        .find(&format!(" {name}=\""))
        .unwrap_or_else(|| panic!("no {name} in {line}"))
        + name.len()
        + 3;
    let value = &line[start..];
    let value = &value[..value.find('"').expect("a closing quote")];
    value
        .parse()
        .unwrap_or_else(|_| panic!("{name}={value} is not a number"))
}

/// Each step's bar, in row order: (x, width).
fn bars(picture: &str) -> Vec<(f64, f64)> {
    picture
        .lines()
        .filter(|l| l.starts_with("<rect class=\"wf-step\""))
        .map(|l| (attribute(l, "x"), attribute(l, "width")))
        .collect()
}

/// Each event marker's x (the first point of its path, `d="M x y …"`).
fn markers(picture: &str) -> Vec<f64> {
    picture
        .lines()
        .filter(|l| l.starts_with("<path class=\"wf-event\""))
        .map(|l| {
            let d = l.split("d=\"M ").nth(1).expect("a path from a point");
            d.split(' ')
                .next()
                .expect("an x")
                .parse()
                .expect("a number")
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    // Coordinates are written to a tenth of a pixel.
    (a - b).abs() <= 0.11
}

#[test]
fn a_step_inside_another_is_drawn_inside_its_bar_and_widths_follow_durations() {
    let rows = [
        step(0, "WorkerThread", 0, 1000),
        step(1, "HttpConnection.communicate", 100, 800),
        step(2, "HttpRequest.parse_request", 150, 200),
        step(2, "HttpRequest.respond", 400, 400),
    ];
    let picture = svg("POST /login", &rows);
    let bars = bars(&picture);
    assert_eq!(bars.len(), 4, "{picture}");
    let (outer_x, outer_w) = bars[0];
    for (i, (x, w)) in bars.iter().enumerate().skip(1) {
        let parent = if i == 1 { bars[0] } else { bars[1] };
        assert!(x + 0.05 >= parent.0, "bar {i} starts before its parent");
        assert!(
            x + w <= parent.0 + parent.1 + 0.05,
            "bar {i} ends after its parent"
        );
    }
    // Widths and starts are fractions of the whole axis: 800 µs of 1000 is 0.8 of the
    // outermost bar, and starting at 100 µs is 0.1 of it to the right.
    let scale = outer_w / 1000.0;
    for ((x, w), row) in bars.iter().zip(&rows) {
        let Kind::Step { start, length, .. } = row.kind else {
            unreachable!("only steps")
        };
        assert!(
            close(*w, length.as_micros() as f64 * scale),
            "{w} for {length:?}"
        );
        assert!(
            close(*x, outer_x + start.as_micros() as f64 * scale),
            "{x} for {start:?}"
        );
    }
    // Twice the time, twice the bar.
    assert!(close(bars[3].1, 2.0 * bars[2].1), "{bars:?}");
}

#[test]
fn an_event_is_marked_at_its_moment_on_the_same_axis() {
    let rows = [
        step(0, "HttpRequest.respond", 0, 400),
        event(1, "response written", 300),
    ];
    let picture = svg("x", &rows);
    let (x, w) = bars(&picture)[0];
    assert_eq!(markers(&picture).len(), 1, "{picture}");
    assert!(close(markers(&picture)[0], x + 0.75 * w), "{picture}");
    assert!(picture.contains(">response written</text>"), "{picture}");
}

#[test]
fn names_and_titles_are_escaped() {
    let rows = [
        step(0, "a<b&c \"d\"", 0, 10),
        event(1, "<script>alert(1)</script>", 5),
    ];
    let picture = svg("GET /?q=<x>&y", &rows);
    assert!(
        picture.contains(">a&lt;b&amp;c &quot;d&quot;</text>"),
        "{picture}"
    );
    assert!(picture.contains("&lt;script&gt;"), "{picture}");
    assert!(picture.contains("GET /?q=&lt;x&gt;&amp;y"), "{picture}");
    for raw in ["a<b", "<script", "<x>", "&y"] {
        assert!(!picture.contains(raw), "{raw} unescaped in {picture}");
    }
}

#[test]
fn an_empty_trip_is_an_empty_picture_not_a_panic() {
    let picture = svg("nothing", &[]);
    assert!(picture.starts_with("<svg "), "{picture}");
    assert!(picture.trim_end().ends_with("</svg>"), "{picture}");
    assert!(picture.contains("(no steps)"), "{picture}");
    assert!(bars(&picture).is_empty());
    // A zero-length trip too: no division by zero in any coordinate.
    let instant = svg("instant", &[step(0, "x", 0, 0)]);
    for picture in [&picture, &instant] {
        assert!(
            !picture.contains("NaN") && !picture.contains("inf"),
            "{picture}"
        );
    }
}
