//! Typed URL arguments: `args.parse::<T>(i)` answers 400 naming the argument on a bad
//! value, `args.str(i)` is the text with `""` for a group that did not take part.

use application::{get, Application, Args, Outcome};

fn next_item(args: &Args) -> Outcome {
    let id: u32 = args.parse(0)?;
    Ok(format!("after {id} comes {}", id + 1).into())
}

fn app() -> Application {
    Application::new([
        (r"/item/([^/]+)", get(next_item)),
        (r"/page(?:/(\d+))?", get(next_item)),
        (
            r"/name(?:/(\w+))?",
            get(|a: &Args| Ok(format!("[{}]", a.str(0)).into())),
        ),
        (
            r"/beyond",
            get(|a: &Args| Ok(a.parse::<u8>(3)?.to_string().into())),
        ),
    ])
    .expect("valid patterns")
}

#[test]
fn a_typed_url_argument_parses() {
    let r = app().request("/item/41").send();
    assert_eq!((r.code(), r.text().as_str()), (200, "after 41 comes 42"));
}

#[test]
fn a_bad_url_argument_is_a_400_that_names_the_argument_and_the_value() {
    for (path, body) in [
        ("/item/abc", r#"URL argument 0 ("abc") is not a valid u32"#),
        ("/item/-1", r#"URL argument 0 ("-1") is not a valid u32"#),
        (
            "/item/4294967296",
            r#"URL argument 0 ("4294967296") is not a valid u32"#,
        ),
        ("/page", "URL argument 0 is missing"),
    ] {
        let r = app().request(path).send();
        assert_eq!((r.code(), r.text().as_str()), (400, body), "{path}");
    }
}

#[test]
fn the_400_for_a_bad_argument_is_plain_text_so_the_value_cannot_be_markup() {
    let r = app().request("/item/%3Cscript%3E").send();
    assert_eq!(r.code(), 400);
    assert_eq!(r.header("Content-Type"), Some("text/plain; charset=utf-8"));
    assert_eq!(
        r.text(),
        r#"URL argument 0 ("<script>") is not a valid u32"#
    );
}

#[test]
fn asking_past_the_patterns_groups_is_the_programs_mistake_a_500() {
    assert_eq!(app().request("/beyond").send().code(), 500);
}

#[test]
fn str_gives_the_text_or_empty_for_a_group_that_did_not_take_part() {
    assert_eq!(app().request("/name/ann").send().text(), "[ann]");
    assert_eq!(app().request("/name").send().text(), "[]");
}
