//! Property: no input makes the request parser panic; valid heads parse back.

use httpserver::{RequestHead, ServerConfig};
use proptest::prelude::*;

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_the_parser(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = RequestHead::parse(&bytes, &ServerConfig::default());
    }

    #[test]
    fn arbitrary_heads_never_panic_the_parser(
        method in "[A-Z]{1,8}",
        target in "[ -~]{0,40}",
        version in "HTTP/[0-9]\\.[0-9]",
        fields in proptest::collection::vec(("[ -~]{0,12}", "[\\x00-\\xff]{0,20}"), 0..6),
    ) {
        let mut head = format!("{method} {target} {version}\r\n").into_bytes();
        for (name, value) in fields {
            head.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        head.extend_from_slice(b"\r\n");
        let _ = RequestHead::parse(&head, &ServerConfig::default());
    }

    #[test]
    fn valid_heads_parse_back(path in "/[a-z0-9/]{0,30}", query in "[a-z0-9=&]{0,20}", n in 0u64..1_000_000) {
        let head = format!("POST {path}?{query} HTTP/1.1\r\nHost: h\r\nContent-Length: {n}\r\n\r\n");
        let (parsed, used) = RequestHead::parse(head.as_bytes(), &ServerConfig::default())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(used, head.len());
        prop_assert_eq!(parsed.raw_path(), path.as_str());
        prop_assert_eq!(parsed.query_string(), query.as_str());
        prop_assert_eq!(parsed.content_length(), Some(n));
    }
}
