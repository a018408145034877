//! `web.input()`: the query and the form body, web.py's `storify` rules, limits.

use application::web;
use application::{Application, Args, Outcome, Target};

fn app(f: impl Fn() -> Outcome + Send + Sync + 'static) -> Application {
    Application::new([("/.*", Target::func(move |_: &Args| f()))]).unwrap()
}

const FORM: &str = "application/x-www-form-urlencoded";

#[test]
fn input_merges_query_and_body_and_the_body_wins_per_key() {
    let app = app(|| {
        let i = web::input()?;
        Ok(format!(
            "a={:?} b={:?} list={:?}",
            i.get("a"),
            i.get("b"),
            i.list("a")
        )
        .into())
    });
    let r = app
        .request("/?a=q1&b=q2&a=q3")
        .method("POST")
        .header("Content-Type", FORM)
        .data("a=b1&a=b2")
        .send();
    assert_eq!(r.text(), r#"a=Some("b2") b=Some("q2") list=["b1", "b2"]"#);
}

#[test]
fn input_takes_the_last_value_unless_a_list_is_asked_for() {
    let app = app(|| {
        let i = web::input()?;
        Ok(format!("{:?} {:?}", i.get("x"), i.list("x")).into())
    });
    assert_eq!(
        app.request("/?x=1&x=2&x=3").send().text(),
        r#"Some("3") ["1", "2", "3"]"#
    );
}

#[test]
fn input_decodes_plus_and_percent_and_keeps_blank_values() {
    let app = app(|| {
        let i = web::input()?;
        Ok(format!("{:?}", i.pairs().collect::<Vec<_>>()).into())
    });
    assert_eq!(
        app.request("/?q=a+b%26c&empty=&flag").send().text(),
        r#"[("q", "a b&c"), ("empty", ""), ("flag", "")]"#
    );
}

#[test]
fn input_with_a_required_name_missing_is_web_pys_plain_badrequest() {
    // web.input("name") raised `badrequest()`: `400 Bad Request`, `Content-Type:
    // text/html`, body `bad request` (checked against web.py 0.76).
    let app = app(|| {
        let i = web::input()?.required(["name"])?;
        let one = i.require("name")?;
        Ok(one.to_string().into())
    });
    assert_eq!(app.request("/?name=ann").send().text(), "ann");
    assert_eq!(
        app.request("/?name=").send().text(),
        "",
        "present but empty is present"
    );
    let r = app.request("/").send();
    assert_eq!(r.status, "400 Bad Request");
    assert_eq!(r.header("Content-Type"), Some("text/html"));
    assert_eq!(r.text(), "bad request");
}

#[test]
fn input_defaults_and_list_defaults_fill_what_the_request_did_not_send() {
    // web.input(name="anon", tags=[]) on `?page=2` gave {'page': '2', 'name': 'anon',
    // 'tags': []}; on `?name=a&tags=1&tags=2`, name a and tags ['1', '2'].
    let app = app(|| {
        let i = web::input()?
            .with_default("name", "anon")
            .with_default_list("tags", []);
        Ok(format!("{:?} {:?} {:?}", i.get("name"), i.list("tags"), i.to_map()).into())
    });
    assert_eq!(
        app.request("/?page=2").send().text(),
        r#"Some("anon") [] {"name": ["anon"], "page": ["2"], "tags": []}"#
    );
    assert_eq!(
        app.request("/?name=a&tags=1&tags=2").send().text(),
        r#"Some("a") ["1", "2"] {"name": ["a"], "tags": ["1", "2"]}"#
    );
}

#[test]
fn input_method_reads_the_query_the_body_or_both_as_web_pys_method_argument() {
    // web.input(_method="get") and (_method="post") on POST /?a=q with body b=1 gave
    // {'a': 'q'} and {'b': '1'}.
    let app = app(|| {
        let part = |m: &str| -> Result<String, application::HttpError> {
            Ok(format!("{:?}", web::input_method(m)?.to_map()))
        };
        Ok(format!(
            "{} {} {} {}",
            part("get")?,
            part("POST")?,
            part("both")?,
            part("neither")?
        )
        .into())
    });
    let r = app
        .request("/?a=q")
        .method("POST")
        .header("Content-Type", FORM)
        .data("b=1")
        .send();
    assert_eq!(
        r.text(),
        r#"{"a": ["q"]} {"b": ["1"]} {"a": ["q"], "b": ["1"]} {}"#
    );
}

#[test]
fn input_twice_gives_the_same_form_and_data_after_input_says_to_call_it_first() {
    let app = app(|| {
        let first = web::input()?.get("k").map(str::to_string);
        let second = web::input()?.get("k").map(str::to_string);
        let data = web::data().map_err(|e| e.code());
        Ok(format!("{first:?} {second:?} {data:?}").into())
    });
    let r = app.request("/").method("POST").data("k=v").send();
    assert_eq!(r.text(), r#"Some("v") Some("v") Err(500)"#);
}

#[test]
fn input_that_is_not_utf8_is_400_not_500() {
    let app = app(|| Ok(format!("{:?}", web::input()?.pairs().count()).into()));
    assert_eq!(app.request("/?x=%FF").send().code(), 400);
    let r = app
        .request("/")
        .method("POST")
        .header("Content-Type", FORM)
        .data(&b"x=\xff"[..])
        .send();
    assert_eq!(r.code(), 400);
}

#[test]
fn input_reads_the_body_only_for_post_put_and_patch() {
    let app = app(|| Ok(format!("{:?}", web::input()?.get("k")).into()));
    for m in ["POST", "PUT", "PATCH"] {
        assert_eq!(
            app.request("/").method(m).data("k=v").send().text(),
            r#"Some("v")"#,
            "{m}"
        );
    }
    assert_eq!(
        app.request("/").method("DELETE").data("k=v").send().text(),
        "None"
    );
}

#[test]
fn input_parses_multipart_fields_and_files() {
    let app = app(|| {
        let i = web::input()?;
        let f = i.file("upload").ok_or_else(application::badrequest)?;
        Ok(format!(
            "{:?} {} {:?} {:?}",
            i.get("title"),
            f.filename,
            f.content_type,
            f.bytes()?
        )
        .into())
    });
    let body = "--XyZ\r\n\
        Content-Disposition: form-data; name=\"title\"\r\n\r\n\
        h\u{e9}llo\r\n\
        --XyZ\r\n\
        Content-Disposition: form-data; name=\"upload\"; filename=\"a.bin\"\r\n\
        Content-Type: application/octet-stream\r\n\r\n\
        \x00\x01\r\n--\r\n\
        --XyZ--\r\n";
    let r = app
        .request("/")
        .method("POST")
        .header("Content-Type", "multipart/form-data; boundary=XyZ")
        .data(body)
        .send();
    assert_eq!(
        r.text(),
        r#"Some("héllo") a.bin Some("application/octet-stream") [0, 1, 13, 10, 45, 45]"#
    );
}

#[test]
fn a_malformed_multipart_body_is_400() {
    let app = app(|| Ok(format!("{:?}", web::input()?.pairs().count()).into()));
    let r = app
        .request("/")
        .method("POST")
        .header("Content-Type", "multipart/form-data; boundary=b")
        .data("junk")
        .send();
    assert_eq!(r.code(), 400);
}

#[test]
fn data_and_input_can_both_be_called() {
    let app = app(|| {
        let raw = web::data()?;
        let k = web::input()?.get("k").map(str::to_string);
        Ok(format!("{} {k:?}", raw.len()).into())
    });
    assert_eq!(
        app.request("/").method("POST").data("k=v").send().text(),
        r#"3 Some("v")"#
    );
}

#[test]
fn form_fields_at_the_limit_are_read_and_one_past_it_is_413() {
    // A 10 MiB body of `a&a&a…` is five million pairs, hundreds of MiB once parsed: the
    // number of fields is bounded as well as the bytes.
    let mut app = app(|| Ok(web::input()?.pairs().count().to_string().into()));
    app.set_max_fields(4);
    let post = |query: &str, body: &str| {
        app.request(query)
            .method("POST")
            .header("Content-Type", FORM)
            .data(body.to_string())
            .send()
    };
    assert_eq!(post("/?q=1", "a=1&b&c=").text(), "4");
    assert_eq!(post("/?q=1", "a=1&b&c=&d").status, "413 Payload Too Large");
    assert_eq!(post("/?q=1&r&s&t&u", "").status, "413 Payload Too Large");
    let multipart = |parts: usize| {
        let mut body = String::new();
        for i in 0..parts {
            body.push_str(&format!(
                "--B\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n"
            ));
        }
        body.push_str("--B--\r\n");
        app.request("/")
            .method("POST")
            .header("Content-Type", "multipart/form-data; boundary=B")
            .data(body)
            .send()
    };
    assert_eq!(multipart(4).text(), "4");
    assert_eq!(multipart(5).status, "413 Payload Too Large");
}

#[test]
fn to_dict_is_web_pys_dict_of_input_lists_only_for_list_defaults() {
    let app = app(|| {
        let form = web::input()?
            .with_default_list("tags", [])
            .with_default_list("ids", ["0"])
            .with_default("page", "1")
            .to_dict();
        Ok(format!("{form:?}").into())
    });
    let r = app.request("/?title=a&title=b&tags=x&tags=y").send();
    assert_eq!(
        r.text(),
        r#"{"ids": List(["0"]), "page": One("1"), "tags": List(["x", "y"]), "title": One("b")}"#
    );
    let r = app.request("/").send();
    assert_eq!(
        r.text(),
        r#"{"ids": List(["0"]), "page": One("1"), "tags": List([])}"#
    );
}
