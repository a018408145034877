"""A raw PEP 3333 hello: the smallest application, for smoke tests and the load script."""


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
    return [b"Hello, world!"]
