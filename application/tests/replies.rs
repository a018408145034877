//! Success that looks like success: a redirect or a 2xx returned as a handler's `Ok`
//! value answers exactly as the same value returned as `Err` (web.py's `raise`), and the
//! processors around the handler see it as a success.

use application::{
    accepted, created, nocontent, ok, processor_fn, web, Application, Args, HttpError, Outcome,
    Target,
};

type Make = fn() -> HttpError;

fn app(f: impl Fn() -> Outcome + Send + Sync + 'static) -> Application {
    Application::new([("/page", Target::func(move |_: &Args| f()))]).expect("valid pattern")
}

#[test]
fn a_redirect_or_2xx_returned_as_ok_answers_as_the_same_err_does() {
    let makes: [(&str, Make); 7] = [
        ("seeother", || web::seeother("/")),
        ("found", || web::found("elsewhere")),
        ("redirect", || web::redirect("http://example.com/x")),
        ("created", || {
            created()
                .with_header("Location", "/item/7")
                .expect("a good header")
        }),
        ("accepted", accepted),
        ("ok", || ok().with_body("done")),
        ("nocontent", nocontent),
    ];
    for (name, make) in makes {
        let as_ok = app(move || Ok(make().into())).request("/page").send();
        let as_err = app(move || Err(make())).request("/page").send();
        assert_eq!(as_ok, as_err, "{name}");
        assert_eq!(as_ok.status, make().status(), "{name}");
    }
}

#[test]
fn a_cookie_set_before_an_ok_redirect_goes_out_with_it() {
    let app = app(|| {
        web::SetCookie::new("flash", "saved").set()?;
        Ok(web::seeother("/list").into())
    });
    let r = app.request("/page").method("POST").send();
    assert_eq!(r.code(), 303);
    assert_eq!(r.header("Location"), Some("http://0.0.0.0:8080/list"));
    assert!(
        r.header("Set-Cookie")
            .is_some_and(|c| c.starts_with("flash=saved")),
        "{:?}",
        r.headers
    );
}

#[test]
fn a_204_returned_as_ok_has_no_body_and_no_content_length() {
    let r = app(|| Ok(nocontent().into())).request("/page").send();
    assert_eq!((r.code(), r.data.as_slice()), (204, &b""[..]));
    assert_eq!(r.header("Content-Length"), None);
}

#[test]
fn a_processor_sees_a_reply_given_as_ok_as_a_success_and_one_given_as_err_as_an_error() {
    for (given, seen) in [("ok", "success"), ("err", "error")] {
        let mut app = app(move || match given {
            "ok" => Ok(web::seeother("/").into()),
            _ => Err(web::seeother("/")),
        });
        app.add_processor(processor_fn(|next| {
            let outcome = next.run();
            web::header("X-Seen", if outcome.is_ok() { "success" } else { "error" })?;
            outcome
        }));
        let r = app.request("/page").send();
        assert_eq!((r.code(), r.header("X-Seen")), (303, Some(seen)), "{given}");
    }
}

#[test]
fn a_custom_page_applies_to_a_reply_given_as_ok_as_to_the_same_err() {
    for given in ["ok", "err"] {
        let mut app = app(move || match given {
            "ok" => Ok(created().into()),
            _ => Err(created()),
        });
        app.set_page(201, |e| e.with_body("made"));
        let r = app.request("/page").method("POST").send();
        assert_eq!((r.code(), r.text().as_str()), (201, "made"), "{given}");
    }
}

#[test]
fn a_lock_poisoned_by_an_earlier_panic_is_a_500_through_question_mark() {
    use std::sync::{Arc, Mutex};
    let list = Arc::new(Mutex::new(Vec::<String>::new()));
    let held = Arc::clone(&list);
    let app = app(move || {
        let mut items = held.lock()?;
        items.push("x".to_string());
        if items.len() == 1 {
            panic!("a bug while the lock is held (this message is expected)");
        }
        Ok(format!("{}", items.len()).into())
    });
    assert_eq!(app.request("/page").send().code(), 500, "the panic");
    assert_eq!(app.request("/page").send().code(), 500, "the poisoned lock");
    assert!(list.is_poisoned());
}
