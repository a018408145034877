//! The ported web.py tutorial (`examples/todo.rs`) answers what its Python
//! (`examples/ports/todo.py`) answered under web.py 0.76, request for request: the
//! transcript below was printed by the Python through `app.request`.

#[allow(dead_code)]
#[path = "../examples/todo.rs"]
mod todo;

/// Status, the Content-Type, Location and Allow headers, and the body, as one line.
fn show(r: &application::Response) -> String {
    let headers: Vec<String> = ["Content-Type", "Location", "Allow"]
        .iter()
        .filter_map(|h| r.header(h).map(|v| format!("{h}: {v}")))
        .collect();
    format!("{} [{}] {}", r.status, headers.join("; "), r.text())
}

#[test]
fn the_todo_port_answers_as_the_web_py_tutorial_did() {
    let app = todo::app().expect("the port's mapping is valid");
    let post = |body: &str| {
        show(
            &app.request("/add")
                .method("POST")
                .data(body.to_string())
                .send(),
        )
    };
    let form =
        r#"<form method="post" action="/add"><input name="title"><button>add</button></form>"#;
    assert_eq!(
        show(&app.request("/").send()),
        format!("200 OK [Content-Type: text/html; charset=utf-8] <ul></ul>{form}")
    );
    let see_other = "303 See Other [Content-Type: text/html; Location: http://0.0.0.0:8080/] ";
    assert_eq!(post("title=milk+%26+eggs"), see_other);
    assert_eq!(post("title=<b>bread</b>"), see_other);
    assert_eq!(
        show(&app.request("/").send()),
        format!(
            "200 OK [Content-Type: text/html; charset=utf-8] \
             <ul><li>milk &amp; eggs</li><li>&lt;b&gt;bread&lt;/b&gt;</li></ul>{form}"
        )
    );
    assert_eq!(
        post(""),
        "400 Bad Request [Content-Type: text/html] bad request"
    );
    assert_eq!(
        show(&app.request("/add").send()),
        "405 Method Not Allowed [Content-Type: text/html; Allow: POST] method not allowed"
    );
    assert_eq!(
        show(&app.request("/nothing").send()),
        "404 Not Found [Content-Type: text/html; charset=utf-8] not found"
    );
}
