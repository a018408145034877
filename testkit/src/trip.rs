//! A request's trip: every layer's `tracing` spans, kept per request as a tree and
//! printed with each step's time.
//!
//! The layers report their steps as `DEBUG` spans (`HttpServer.tick`, `WorkerThread`,
//! `HttpConnection.communicate`, `HttpRequest.parse_request`, `WSGIGateway.respond`,
//! `Application`, `Session.process`…; `PyGateway.respond` and its `PyGateway.call` on
//! `pywsgi`) and events inside them. [`Collector`] is a `tracing_subscriber::Layer` that
//! keeps each span as a [`Step`] in the span's own slot of the registry; when a span
//! closes, its step moves into its parent's, and when the outermost one closes (a
//! worker's `WorkerThread`, the housekeeper's `HttpServer.tick`) the whole tree is a
//! finished trip, handed to [`Trips`]. A request's tree is built on the worker that
//! serves it, so no lock is shared between requests but the registry's.
//!
//! Used by the session crate's demo (`--trace` prints every trip on stderr; every page
//! shows the trip so far in a panel, [`so_far`]) and `one_request` example, and by
//! `pywsgi`'s `one_request` example, which prints the trip of a request to a Python
//! application. It lives here, in the dev-only crate below every layer, rather than in a
//! library: it is a way of looking at the stack, not a part of it, and the libraries
//! depend on `tracing` alone. Each program installs it with [`install`], naming the
//! layers (the `tracing` targets) whose steps it keeps.

use std::fmt::{self, Write as _};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{EnvFilter, Targets};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::{LookupSpan, Registry};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// One step of a trip: a span, its fields, and what happened inside it in order.
#[derive(Clone, Debug)]
pub struct Step {
    /// The span's name: `HttpRequest.parse_request`.
    pub name: &'static str,
    /// Its fields as `name=value`, space-separated.
    pub fields: String,
    /// The crate that reported it (its target's first part): `httpserver`.
    pub layer: &'static str,
    start: Instant,
    /// `None` while the step runs.
    end: Option<Instant>,
    inside: Vec<Inside>,
}

/// What happened inside a step.
#[derive(Clone, Debug)]
enum Inside {
    /// A step of its own (a child span).
    Step(Step),
    /// An event: its message, then its fields.
    Event(Instant, String),
}

impl Inside {
    fn at(&self) -> Instant {
        match self {
            Inside::Step(step) => step.start,
            Inside::Event(at, _) => *at,
        }
    }
}

impl Step {
    /// Whether this step or one inside it is called `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.name == name || self.steps().any(|s| s.contains(name))
    }

    /// Whether this step's fields, or those of one inside it, include `field`, whole
    /// (`peer=127.0.0.1:4000` is not in `peer=127.0.0.1:40001`).
    pub fn mentions(&self, field: &str) -> bool {
        self.fields.split(' ').any(|f| f == field) || self.steps().any(|s| s.mentions(field))
    }

    /// The first step called `name`, depth first: this one or one inside it.
    pub fn find(&self, name: &str) -> Option<&Step> {
        if self.name == name {
            return Some(self);
        }
        self.steps().find_map(|s| s.find(name))
    }

    /// The steps directly inside this one, in the order they closed.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.inside.iter().filter_map(|i| match i {
            Inside::Step(step) => Some(step),
            Inside::Event(..) => None,
        })
    }

    /// When the step began.
    pub fn start(&self) -> Instant {
        self.start
    }

    /// The tree, one line a step (its time, then its name indented by depth) and one
    /// `· message` line an event; a step still running says so, with its time so far.
    pub fn render(&self) -> String {
        self.render_only(&|_| true)
    }

    /// Only the steps whose name `keep` accepts (with their events), a run of others in
    /// between folded into one `…` line; indented by their depth below the shallowest
    /// one shown.
    pub fn render_only(&self, keep: &dyn Fn(&str) -> bool) -> String {
        let mut lines = Lines::default();
        self.render_into(0, keep, &mut lines);
        lines.finish()
    }

    fn render_into(&self, depth: usize, keep: &dyn Fn(&str) -> bool, out: &mut Lines) {
        let kept = keep(self.name);
        if kept {
            out.step(depth, self);
        } else {
            out.elided(depth);
        }
        let mut inside: Vec<&Inside> = self.inside.iter().collect();
        inside.sort_by_key(|i| i.at());
        for item in inside {
            match item {
                Inside::Step(step) => step.render_into(depth + 1, keep, out),
                Inside::Event(_, text) if kept => out.line(None, depth + 1, format!("· {text}")),
                Inside::Event(..) => out.elided(depth + 1),
            }
        }
    }
}

/// The picture of `trips` (one request's: the accept, then the worker's), all on one
/// time axis from the first one's start, with `title` above: an SVG, as text
/// ([`waterfall`](crate::waterfall) draws it).
pub fn waterfall(title: &str, trips: &[Step]) -> String {
    let mut rows = Vec::new();
    if let Some(origin) = trips.iter().map(|t| t.start).min() {
        for trip in trips {
            trip.rows_into(origin, 0, &mut rows);
        }
    }
    crate::waterfall::svg(title, &rows)
}

impl Step {
    /// This step's rows and those inside it, in `render`'s order. A step's label is
    /// its name, and the short name of what it runs when it has a `name` field (the
    /// four `Application.processor` steps differ by it alone); its fields are in the
    /// detail, shown when the pointer rests on the row.
    fn rows_into(&self, origin: Instant, depth: usize, rows: &mut Vec<crate::waterfall::Row>) {
        use crate::waterfall::{micros, Kind, Row};
        let (length, running) = match self.end {
            Some(end) => (end - self.start, false),
            None => (self.start.elapsed(), true),
        };
        let mut label = self.name.to_string();
        if let Some(runs) = self.fields.split(' ').find_map(|f| f.strip_prefix("name=")) {
            label = format!("{label} {}", runs.rsplit("::").next().unwrap_or(runs));
        }
        let state = if running { " (running)" } else { "" };
        rows.push(Row {
            depth,
            detail: format!("{} {}{state}: {}", self.name, self.fields, micros(length)),
            label,
            kind: Kind::Step {
                start: self.start.saturating_duration_since(origin),
                length,
                running,
                layer: self.layer.to_owned(),
            },
        });
        let mut inside: Vec<&Inside> = self.inside.iter().collect();
        inside.sort_by_key(|i| i.at());
        for item in inside {
            match item {
                Inside::Step(step) => step.rows_into(origin, depth + 1, rows),
                Inside::Event(at, text) => rows.push(Row {
                    depth: depth + 1,
                    label: text.clone(),
                    detail: text.clone(),
                    kind: Kind::Event {
                        at: at.saturating_duration_since(origin),
                    },
                }),
            }
        }
    }
}

/// A rendering's lines (time, depth, text), a run of left-out steps folded into one
/// `…`, none before the first line shown or after the last.
#[derive(Default)]
struct Lines {
    lines: Vec<(Option<Duration>, usize, String)>,
    /// Steps were left out at this depth: a `…` if another line follows.
    pending: Option<usize>,
}

impl Lines {
    fn elided(&mut self, depth: usize) {
        if self.pending.is_none() && !self.lines.is_empty() {
            self.pending = Some(depth);
        }
    }

    fn step(&mut self, depth: usize, step: &Step) {
        let mut text = step.name.to_string();
        if !step.fields.is_empty() {
            text = format!("{text} {}", step.fields);
        }
        let time = match step.end {
            Some(end) => end - step.start,
            None => {
                text.push_str(" (running)");
                step.start.elapsed()
            }
        };
        self.line(Some(time), depth, text);
    }

    fn line(&mut self, time: Option<Duration>, depth: usize, text: String) {
        if let Some(at) = self.pending.take() {
            self.lines.push((None, at, "…".to_string()));
        }
        self.lines.push((time, depth, text));
    }

    /// The lines, times in a column at the left (microseconds).
    fn finish(self) -> String {
        let base = self.lines.iter().map(|(_, d, _)| *d).min().unwrap_or(0);
        let mut out = String::new();
        for (time, depth, text) in self.lines {
            let time = time.map_or(String::new(), |t| format!("{} µs", t.as_micros()));
            let indent = "  ".repeat(depth - base);
            let _ = writeln!(out, "{time:>9}  {indent}{text}");
        }
        out
    }
}

/// Fields as `name=value`, the message first (for events).
#[derive(Default)]
struct Fields {
    message: String,
    rest: String,
}

impl Fields {
    fn text(self) -> String {
        match (self.message.is_empty(), self.rest.is_empty()) {
            (_, true) => self.message,
            (true, false) => self.rest,
            (false, false) => format!("{} {}", self.message, self.rest),
        }
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_debug(field, &format_args!("{value}"));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
            return;
        }
        if !self.rest.is_empty() {
            self.rest.push(' ');
        }
        let _ = write!(self.rest, "{}={value:?}", field.name());
    }
}

/// What becomes of a finished trip.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Finished {
    /// Nothing: only the trip in progress is looked at ([`so_far`], the demo's panel).
    #[default]
    Forget,
    /// Printed on stderr (the demo's `--trace`).
    Print,
    /// Kept for [`Trips::take_when`] (the `one_request` example).
    Keep,
}

/// The finished trips, oldest first, for whoever waits for them.
#[derive(Default)]
pub struct Trips {
    done: Mutex<Vec<Step>>,
    arrived: Condvar,
    then: Finished,
}

impl Trips {
    fn lock(&self) -> MutexGuard<'_, Vec<Step>> {
        self.done.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn finished(&self, trip: Step) {
        match self.then {
            Finished::Forget => {}
            Finished::Print => {
                use std::io::Write as _;
                let _ = writeln!(std::io::stderr().lock(), "\n{}", trip.render());
            }
            Finished::Keep => {
                self.lock().push(trip);
                self.arrived.notify_all();
            }
        }
    }

    /// Waits (at most `limit`) until a finished trip satisfies `complete`, then takes
    /// every finished trip that `ours` accepts, in the order they began. `None` when
    /// none completed in time.
    pub fn take_when(
        &self,
        limit: Duration,
        complete: impl Fn(&Step) -> bool,
        ours: impl Fn(&Step) -> bool,
    ) -> Option<Vec<Step>> {
        let deadline = Instant::now() + limit;
        let mut done = self.lock();
        while !done.iter().any(&complete) {
            let left = deadline.checked_duration_since(Instant::now())?;
            done = self
                .arrived
                .wait_timeout(done, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        let (mut taken, kept): (Vec<Step>, Vec<Step>) = done.drain(..).partition(ours);
        *done = kept;
        taken.sort_by_key(Step::start);
        Some(taken)
    }
}

/// The `tracing_subscriber::Layer` that builds the trips.
pub struct Collector {
    trips: Arc<Trips>,
}

impl<S> Layer<S> for Collector
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        let target = attrs.metadata().target();
        span.extensions_mut().insert(Step {
            name: attrs.metadata().name(),
            fields: fields.text(),
            layer: target.split("::").next().unwrap_or(target),
            start: Instant::now(),
            end: None,
            inside: Vec::new(),
        });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut fields = Fields::default();
        values.record(&mut fields);
        let more = fields.text();
        let mut extensions = span.extensions_mut();
        if let Some(step) = extensions.get_mut::<Step>() {
            if !step.fields.is_empty() && !more.is_empty() {
                step.fields.push(' ');
            }
            step.fields.push_str(&more);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.event_span(event) else {
            return;
        };
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut extensions = span.extensions_mut();
        if let Some(step) = extensions.get_mut::<Step>() {
            step.inside
                .push(Inside::Event(Instant::now(), fields.text()));
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let Some(mut step) = span.extensions_mut().remove::<Step>() else {
            return;
        };
        step.end = Some(Instant::now());
        match span.parent() {
            Some(parent) => {
                let mut extensions = parent.extensions_mut();
                if let Some(outer) = extensions.get_mut::<Step>() {
                    outer.inside.push(Inside::Step(step));
                }
            }
            None => self.trips.finished(step),
        }
    }
}

/// Installs the process's subscriber: the log on stderr, filtered by `log` (a program's
/// `RUST_LOG` filter), and the trip collector beside it, which sees the `DEBUG` steps of
/// the `layers` (`tracing` targets: `"httpserver"`, `"pywsgi"`…) whatever `log` says;
/// `then` says what becomes of a finished trip.
///
/// # Errors
/// The process already has a subscriber.
pub fn install(
    then: Finished,
    layers: &[&str],
    log: EnvFilter,
) -> Result<Arc<Trips>, tracing_subscriber::util::TryInitError> {
    let trips = Arc::new(Trips {
        then,
        ..Trips::default()
    });
    let collector = Collector {
        trips: Arc::clone(&trips),
    };
    let steps = Targets::new().with_targets(layers.iter().map(|t| (t.to_string(), Level::DEBUG)));
    let log = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_span_events(FmtSpan::CLOSE)
        .with_filter(log);
    tracing_subscriber::registry()
        .with(log)
        .with(collector.with_filter(steps))
        .try_init()?;
    Ok(trips)
}

/// The trip of the request running on this thread, up to now: every step it finished,
/// and the ones it is inside (timed `so far`). `None` outside a request, or when no
/// collector is installed.
pub fn so_far() -> Option<Step> {
    let id = tracing::Span::current().id()?;
    tracing::dispatcher::get_default(|dispatch| {
        let registry = dispatch.downcast_ref::<Registry>()?;
        let mut open: Option<Step> = None;
        for span in registry.span(&id)?.scope() {
            let Some(mut step) = span.extensions().get::<Step>().cloned() else {
                continue;
            };
            step.inside.extend(open.take().map(Inside::Step));
            open = Some(step);
        }
        open
    })
}
