//! The debug error page: the error and the request, for development only.
//!
//! web.py's `debugerror` showed the traceback, the request and the environ. Rust has no
//! traceback to show without a panic hook of our own, which would change the process's
//! global state; the page shows the panic message instead (the default hook has already
//! printed it, with a backtrace when `RUST_BACKTRACE=1`, on stderr).

use crate::ctx;
use crate::http_error::HttpError;
use crate::web::websafe as escape;

/// The 500 `e` with a body describing it and the current request.
pub(crate) fn page(e: HttpError) -> HttpError {
    let detail = e.detail.clone().unwrap_or_else(|| e.status().to_string());
    let request = ctx::with(|c| {
        // In key order already.
        let rows: String = c
            .environ()
            .map(|(k, v)| format!("<tr><td>{}</td><td>{}</td></tr>\n", escape(k), escape(v)))
            .collect();
        format!(
            "<h2>{} {}</h2>\n<table>\n{rows}</table>\n",
            escape(&c.method),
            escape(&c.fullpath)
        )
    })
    .unwrap_or_default();
    let body = format!(
        "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head><body>\n\
         <h1>Internal Server Error</h1>\n<pre>{}</pre>\n{request}</body></html>\n",
        escape(&detail)
    );
    let mut page = e.with_body(body);
    page.detail = Some(detail);
    page
}
