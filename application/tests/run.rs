//! `run()`'s address argument, read as web.py read it, with a loopback default.

use application::{parse_address, Error, DEFAULT_ADDRESS};

#[test]
fn the_address_argument_is_port_ip_or_ip_port() {
    let table = [
        (None, "127.0.0.1:8080"),
        (Some("9000"), "127.0.0.1:9000"),
        (Some("0"), "127.0.0.1:0"),
        (Some("0.0.0.0"), "0.0.0.0:8080"),
        (Some("10.1.2.3:81"), "10.1.2.3:81"),
        (Some("::1"), "[::1]:8080"),
        (Some("[::1]"), "[::1]:8080"),
        (Some("[::1]:8000"), "[::1]:8000"),
    ];
    for (arg, want) in table {
        let got = parse_address(arg).map(|a| a.to_string());
        assert_eq!(got.ok().as_deref(), Some(want), "{arg:?}");
    }
}

#[test]
fn the_default_is_loopback_not_every_interface() {
    assert_eq!(DEFAULT_ADDRESS, "127.0.0.1:8080");
}

#[test]
fn a_bad_address_is_an_error_that_names_it() {
    for arg in ["65536", "localhost:x", "1.2.3", "", "http://x"] {
        match parse_address(Some(arg)) {
            Err(Error::BadAddress(a)) => assert_eq!(a, arg),
            other => panic!("{arg:?} gave {other:?}"),
        }
    }
}
