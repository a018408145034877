"""Small WSGI applications, one per PEP 3333 rule that tests/pep3333.rs checks.

Each one that is a valid application is wrapped in wsgiref.validate.validator, which
checks the server's side too (environ types, wsgi.input's methods, close() called).
"""
import sys
import threading
from io import BytesIO
from wsgiref.validate import validator

TEXT = [("Content-Type", "text/plain")]
CLOSED = {"count": 0}


def _environ(environ, start_response):
    lines = []
    for key in sorted(environ):
        value = environ[key]
        if isinstance(value, str):
            lines.append("%s=%r" % (key, value))
        else:
            lines.append("%s:%s" % (key, type(value).__name__))
    start_response("200 OK", TEXT)
    return ["\n".join(lines).encode("utf-8")]


environ_app = validator(_environ)


def _latin1(environ, start_response):
    # The raw bytes back: PATH_INFO and a header, each encoded as Latin-1 again.
    path = environ["PATH_INFO"].encode("latin-1")
    name = environ.get("HTTP_X_NAME", "").encode("latin-1")
    start_response("200 OK", TEXT + [("X-Echo", environ.get("HTTP_X_NAME", ""))])
    return [path + b"|" + name]


latin1_app = validator(_latin1)


def bad_header_app(environ, start_response):
    kind = environ["QUERY_STRING"]
    if kind == "euro":
        start_response("200 OK", [("X-Price", "5 \u20ac")])
    elif kind == "hop":
        start_response("200 OK", [("Connection", "close")])
    elif kind == "status":
        start_response("200 \u20ac", [])
    return [b"never"]


def _input(environ, start_response):
    stream = environ["wsgi.input"]
    how = environ["QUERY_STRING"]
    parts = []
    if how == "readn":
        while True:
            chunk = stream.read(4)
            if not chunk:
                break
            parts.append(chunk)
    elif how == "readline":
        while True:
            line = stream.readline()
            if not line:
                break
            parts.append(line)
    elif how == "readline2":
        parts.append(stream.readline(2))
        parts.append(stream.readline())
    elif how == "readlines":
        parts.extend(stream.readlines())
    elif how == "iter":
        parts.extend(iter(stream))
    end = stream.read(1)
    start_response("200 OK", TEXT)
    return [b"|".join(parts) + b"#" + repr(end).encode()]


input_app = validator(_input)


def read_all_app(environ, start_response):
    # read() with no argument, which the validator does not allow.
    body = environ["wsgi.input"].read()
    again = environ["wsgi.input"].read()
    start_response("200 OK", TEXT)
    return [body + b"#" + repr(again).encode()]


def _write(environ, start_response):
    write = start_response("200 OK", TEXT)
    write(b"first ")
    return [b"second"]


write_app = validator(_write)


def _lazy(environ, start_response):
    def body():
        start_response("201 Created", TEXT + [("X-Lazy", "yes")])
        yield b""
        yield b"made"

    return body()


lazy_app = validator(_lazy)


def _exc_before(environ, start_response):
    start_response("200 OK", TEXT)
    try:
        raise ValueError("before headers")
    except ValueError:
        start_response("500 Oops", TEXT, sys.exc_info())
    return [b"oops"]


exc_before_app = validator(_exc_before)


class Closing:
    """An iterable whose close() is counted, yielding `chunks` then maybe raising."""

    def __init__(self, chunks, fail=False):
        self.chunks = chunks
        self.fail = fail

    def __iter__(self):
        for chunk in self.chunks:
            yield chunk
        if self.fail:
            raise RuntimeError("after headers")

    def close(self):
        CLOSED["count"] += 1


def exc_after_app(environ, start_response):
    start_response("200 OK", TEXT)

    class Body(Closing):
        def __iter__(self):
            yield b"partial"
            try:
                raise ValueError("late")
            except ValueError:
                start_response("500 Late", TEXT, sys.exc_info())
            yield b"never"

    return Body([])


def twice_app(environ, start_response):
    start_response("200 OK", TEXT)
    start_response("200 OK", TEXT)
    return [b"never"]


def raise_app(environ, start_response):
    if environ["QUERY_STRING"] == "ok":
        start_response("200 OK", TEXT)
        return [b"alive"]
    raise KeyError("the application failed")


def closing_app(environ, start_response):
    how = environ["QUERY_STRING"]
    if how == "count":
        start_response("200 OK", TEXT)
        return [str(CLOSED["count"]).encode()]
    start_response("200 OK", TEXT)
    if how == "fail":
        return Closing([b"a", b"b"], fail=True)
    if how == "endless":
        return Closing(iter(lambda: b"x" * 65536, None))
    return Closing([b"a", b"b"])


def length_app(environ, start_response):
    start_response("200 OK", TEXT + [("Content-Length", "5")])
    return [b"hel", b"lo world", b"never"]


_local = threading.local()


def local_app(environ, start_response):
    _local.count = getattr(_local, "count", 0) + 1
    start_response("200 OK", TEXT)
    return [("%d %d" % (_local.count, threading.get_ident())).encode()]


def _file(environ, start_response):
    start_response("200 OK", TEXT)
    return environ["wsgi.file_wrapper"](BytesIO(b"0123456789" * 1000), 7)


file_app = validator(_file)


def errors_app(environ, start_response):
    environ["wsgi.errors"].write("written to wsgi.errors\n")
    environ["wsgi.errors"].writelines(["and a line list\n"])
    start_response("200 OK", TEXT)
    return [b"logged"]


def text_chunk_app(environ, start_response):
    start_response("200 OK", TEXT)
    return ["a str, not bytes"]


def no_start_app(environ, start_response):
    return [b"a body without a status"]
