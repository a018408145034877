//! `input()`: the query string and the form body as one `Storage` (web.py's `web.input`).

use percent_encoding::percent_decode;

use super::{data, multipart};
use crate::http_error::{badrequest, payloadtoolarge, unsupportedmediatype};
use crate::{ctx, HttpError};

/// An uploaded file from a `multipart/form-data` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileUpload {
    /// The file name the client gave, as sent.
    pub filename: String,
    /// The part's `Content-Type`, when it had one.
    pub content_type: Option<String>,
    /// The file's bytes.
    pub data: Vec<u8>,
}

// ANCHOR: storage
/// web.py's `storage` of form values: ordered pairs, the last value of a key wins unless
/// a list is asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Storage {
    pub(crate) pairs: Vec<(String, String)>,
    pub(crate) files: Vec<(String, FileUpload)>,
}

impl Storage {
    /// The last value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The last value of `key`, or `default` (web.py: `web.input(page="1")`).
    pub fn get_or<'a>(&'a self, key: &str, default: &'a str) -> &'a str {
        self.get(key).unwrap_or(default)
    }

    /// The last value of `key`, or a 400 when it is missing (web.py: `web.input("name")`).
    pub fn require(&self, key: &str) -> Result<&str, HttpError> {
        self.get(key)
            .ok_or_else(|| badrequest().with_body(format!("missing {key}")))
    }

    /// Every value of `key` in order (web.py: `web.input(ids=[])`).
    pub fn list(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The uploaded file under `key` (file parts are not text, so `get` does not see them).
    pub fn file(&self, key: &str) -> Option<&FileUpload> {
        self.files
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, f)| f)
    }

    /// All pairs in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
}
// ANCHOR_END: storage

// ANCHOR: input
/// The query string and, for POST, PUT and PATCH, the form body, merged: a key the body
/// has takes all its values from the body (web.py's `dictadd(get, post)`).
///
/// Bodies are `application/x-www-form-urlencoded` (also when no `Content-Type` was
/// sent, as Python's `cgi` assumed) or `multipart/form-data`; other types contribute
/// nothing. Text that is not UTF-8 after percent-decoding is a 400, not a 500.
pub fn input() -> Result<Storage, HttpError> {
    let (query, method, content_type, max_fields) = ctx::with(|c| {
        (
            c.query_string().to_string(),
            c.method.clone(),
            c.env("CONTENT_TYPE").unwrap_or("").to_string(),
            c.limits.max_fields,
        )
    })?;
    let mut storage = Storage {
        pairs: parse_urlencoded(query.as_bytes(), max_fields)?,
        files: Vec::new(),
    };
    if matches!(method.as_str(), "POST" | "PUT" | "PATCH") {
        // The query's fields count against the same limit as the body's.
        let room = max_fields - storage.pairs.len();
        let body = body_storage(&content_type, &data()?, room)?;
        storage
            .pairs
            .retain(|(k, _)| body.get(k).is_none() && body.file(k).is_none());
        storage.pairs.extend(body.pairs);
        storage.files = body.files;
    }
    Ok(storage)
}
// ANCHOR_END: input

fn body_storage(content_type: &str, body: &[u8], max_fields: usize) -> Result<Storage, HttpError> {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match mime.as_str() {
        "" | "application/x-www-form-urlencoded" => Ok(Storage {
            pairs: parse_urlencoded(body, max_fields)?,
            files: Vec::new(),
        }),
        "multipart/form-data" => {
            let boundary = multipart::boundary(content_type)
                .ok_or_else(|| badrequest().with_body("multipart body without a boundary"))?;
            multipart::parse(body, &boundary, max_fields)
        }
        m if m.starts_with("multipart/") => Err(unsupportedmediatype()),
        _ => Ok(Storage::default()),
    }
}

/// `application/x-www-form-urlencoded` with strict UTF-8: `form_urlencoded` would
/// replace bad bytes with U+FFFD silently; web.py then failed later with a 500. More
/// than `max_fields` pairs is a 413, found before the extra pairs are allocated.
pub(crate) fn parse_urlencoded(
    input: &[u8],
    max_fields: usize,
) -> Result<Vec<(String, String)>, HttpError> {
    let decode = |part: &[u8]| -> Result<String, HttpError> {
        let spaced: Vec<u8> = part
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        let bytes: Vec<u8> = percent_decode(&spaced).collect();
        String::from_utf8(bytes).map_err(|_| badrequest().with_body("form data is not UTF-8"))
    };
    let mut pairs = Vec::new();
    for item in input.split(|&b| b == b'&').filter(|s| !s.is_empty()) {
        if pairs.len() == max_fields {
            return Err(too_many_fields(max_fields));
        }
        let (k, v) = match item.iter().position(|&b| b == b'=') {
            Some(i) => (&item[..i], &item[i + 1..]),
            None => (item, &b""[..]),
        };
        pairs.push((decode(k)?, decode(v)?));
    }
    Ok(pairs)
}

/// The answer when a form has more fields than the application's limit.
pub(crate) fn too_many_fields(max_fields: usize) -> HttpError {
    payloadtoolarge().with_body(format!("too many form fields (at most {max_fields})"))
}
