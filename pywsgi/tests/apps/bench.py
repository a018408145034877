"""The load script's applications besides the hello: a 10 KB answer, an echo of the
upload, and a handler that waits 10 ms (with the GIL released, as I/O would)."""
import time

BIG = b"x" * 10240


def big(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "10240")])
    return [BIG]


def echo(environ, start_response):
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(body)))])
    return [body]


def sleep(environ, start_response):
    time.sleep(0.01)
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"slept"]
