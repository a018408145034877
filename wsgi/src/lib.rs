//! The gateway layer: between the HTTP server and the application.
//!
//! `wsgi` receives a parsed `HttpRequest` from `httpserver` through its `Gateway` seam,
//! builds the environ (the CGI variables and `wsgi.*` entries of PEP 3333), calls the
//! application with `start_response`, and writes the chunks the application yields back
//! through the request. It mirrors the design notes' heading "WSGIGateway" and the
//! `wsgifunc` / `run` bullets of "application"; the book walks it in the chapter
//! "WSGIGateway".
//!
//! This crate is a placeholder until the wsgi issue fills it: it has no types yet.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
