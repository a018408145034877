//! What the trace says about a parsed head: the request line, how many headers, which
//! body framing was chosen (the `HttpRequest.parse_request` span of the trip).

use tracing::span::EnteredSpan;

use super::{BodyFraming, RequestHead};

/// Records the head's facts on `span`. Called only when the span is enabled, so a
/// server with tracing off never formats them.
pub(super) fn parsed(span: &EnteredSpan, head: &RequestHead) {
    let line = format!("{} {} {}", head.method(), head.uri(), head.version.as_str());
    span.record("line", line.as_str());
    span.record("headers", head.headers().len());
    match head.framing {
        BodyFraming::None => span.record("body", "none"),
        BodyFraming::Length(n) => span.record("body", format!("Content-Length: {n}").as_str()),
        BodyFraming::Chunked => span.record("body", "chunked"),
    };
}
