//! `input()`: the query string and the form body as one `Storage` (web.py's `web.input`).

use std::io::Read;

use super::data::{take_body, BodySource};
use super::form::parse_urlencoded;
use super::multipart;
use super::storage::Storage;
use crate::ctx::with_live;
use crate::http_error::{badrequest, unsupportedmediatype};
use crate::HttpError;

// ANCHOR: input
/// The query string and, for POST, PUT and PATCH, the form body, merged: a key the body
/// has takes all its values from the body (web.py's `dictadd(get, post)`).
///
/// Bodies are `application/x-www-form-urlencoded` (also when no `Content-Type` was
/// sent, as Python's `cgi` assumed) or `multipart/form-data`; other types contribute
/// nothing. Text that is not UTF-8 after percent-decoding is a 400, not a 500. The body
/// is parsed as it is read and kept parsed, so a second call costs no second read.
/// Defaults and required keys are calls on the result: see [`Storage`].
pub fn input() -> Result<Storage, HttpError> {
    input_method("both")
}

/// web.py's `web.input(_method=…)`: `"get"` reads the query string only, `"post"` (or
/// `"put"`, `"patch"`) the body only, `"both"` both; any case. Another word reads
/// neither, as in web.py.
pub fn input_method(method: &str) -> Result<Storage, HttpError> {
    let method = method.to_ascii_lowercase();
    let (query, request_method, max_fields) = with_live(|live| {
        let c = &live.ctx;
        let fields = live.settings.max_fields;
        (c.query_string().to_string(), c.method.clone(), fields)
    })?;
    let query = Storage::from_pairs(parse_urlencoded(query.as_bytes(), max_fields)?);
    let with_body = matches!(request_method.as_str(), "POST" | "PUT" | "PATCH");
    let body = match method.as_str() {
        "both" | "post" | "put" | "patch" if with_body => {
            // The query's fields count against the same limit as the body's.
            form(max_fields - query.pairs.len())?
        }
        _ => Storage::default(),
    };
    Ok(match method.as_str() {
        "both" => query.overlaid_by(body),
        "get" => query,
        _ => body,
    })
}
// ANCHOR_END: input

/// The body's form, parsed once and kept in `ctx`.
fn form(max_fields: usize) -> Result<Storage, HttpError> {
    if let Some(kept) = with_live(|live| live.form.clone())? {
        return kept;
    }
    let content_type = with_live(|live| live.ctx.env("CONTENT_TYPE").map(str::to_string))?;
    let parsed = match take_body()? {
        BodySource::Reader(reader) => {
            reader.and_then(|r| parse_body(content_type.as_deref(), r, max_fields))
        }
        BodySource::Raw(raw) => {
            raw.and_then(|b| parse_body(content_type.as_deref(), &b[..], max_fields))
        }
        // `form` was empty a moment ago, and nothing between fills it.
        BodySource::Parsed => Ok(Storage::default()),
    };
    with_live(|live| live.form = Some(parsed.clone()))?;
    parsed
}

/// The form in a body of `content_type`, read from `body`.
fn parse_body(
    content_type: Option<&str>,
    body: impl Read,
    max_fields: usize,
) -> Result<Storage, HttpError> {
    let content_type = content_type.unwrap_or("");
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match mime.as_str() {
        "" | "application/x-www-form-urlencoded" => {
            Ok(Storage::from_pairs(parse_urlencoded(body, max_fields)?))
        }
        "multipart/form-data" => {
            let boundary = multipart::boundary(content_type)
                .ok_or_else(|| badrequest().with_body("multipart body without a boundary"))?;
            multipart::parse(body, &boundary, max_fields)
        }
        m if m.starts_with("multipart/") => Err(unsupportedmediatype()),
        _ => Ok(Storage::default()),
    }
}
