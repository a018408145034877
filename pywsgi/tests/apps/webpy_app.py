"""A web.py 0.76 application for the differential test: served once by cheroot and once
by pywsgi, it must answer both byte for byte alike (Date and Server aside).

Routes, a sub-application, processors (a load hook, an unload hook, a processor around
the handler), sessions, cookies, forms (urlencoded and multipart), redirects, errors,
streaming.
"""
import web

web.config.debug = False

TRAIL = []


def counter_processor(handler):
    # Around every handler: the header proves it ran, for pages and for errors.
    web.header("X-Processed", "yes")
    return handler()


def loadhook():
    web.ctx.started = "loaded"


def unloadhook():
    TRAIL.append(web.ctx.path)


class Index:
    def GET(self):
        web.header("Content-Type", "text/plain; charset=utf-8")
        return "index %s %s" % (web.ctx.started, web.ctx.method)


class Hello:
    def GET(self, name):
        params = web.input(greeting="hello")
        web.header("Content-Type", "text/plain; charset=utf-8")
        return "%s, %s! (home=%s path=%s query=%s)" % (
            params.greeting,
            name,
            web.ctx.home,
            web.ctx.path,
            web.ctx.query,
        )


class Form:
    def GET(self):
        return '<form method="POST"><input name="title"></form>'

    def POST(self):
        form = web.input(tags=[], upload={})
        upload = form.upload
        size = len(upload.value) if hasattr(upload, "value") else -1
        name = getattr(upload, "filename", None)
        return "title=%s tags=%s upload=%s:%d" % (form.get("title"), ",".join(form.tags), name, size)


class Cookie:
    def GET(self):
        seen = web.cookies(visits="0").visits
        web.setcookie("visits", str(int(seen) + 1), path="/")
        web.setcookie("flavour", "oat meal", httponly=True)
        return "visits=%s" % seen


class Redirects:
    def GET(self, kind):
        if kind == "see":
            raise web.seeother("/hello/world")
        if kind == "found":
            raise web.found("/elsewhere?x=1")
        if kind == "permanent":
            raise web.redirect("/moved")
        raise web.notfound("no such redirect")


class Errors:
    def GET(self, kind):
        if kind == "notfound":
            raise web.notfound()
        if kind == "badrequest":
            raise web.badrequest()
        if kind == "forbidden":
            raise web.forbidden()
        if kind == "nomethod":
            raise web.nomethod()
        if kind == "custom":
            raise web.HTTPError("418 I'm a teapot", {"Content-Type": "text/plain"}, "short and stout")
        return 1 / 0


class Stream:
    def GET(self):
        # No Transfer-Encoding header, as web.py's docs suggest: PEP 3333 forbids an
        # application hop-by-hop headers (cheroot passes it on, twice; pywsgi refuses it).
        web.header("Content-Type", "text/plain")
        for i in range(5):
            yield "part %d\n" % i


class Latin:
    def GET(self):
        web.header("X-Echo", web.ctx.env.get("HTTP_X_NAME", ""))
        return web.ctx.env.get("PATH_INFO", "").encode("latin-1")


class Head:
    def GET(self):
        return "a body"

    def HEAD(self):
        web.header("X-Head", "1")
        return ""


class Counter:
    def GET(self):
        session.count += 1
        return "count=%d" % session.count


class MemoryStore(web.session.Store):
    """Sessions in the process: each server keeps its own, and leaves no files."""

    def __init__(self):
        self.data = {}

    def __contains__(self, key):
        return key in self.data

    def __getitem__(self, key):
        return self.data[key]

    def __setitem__(self, key, value):
        self.data[key] = value

    def __delitem__(self, key):
        self.data.pop(key, None)

    def cleanup(self, timeout):
        pass


class CountingSession(web.session.Session):
    """Session ids 1, 2, 3... in hex, instead of random ones: both servers, sent the
    same requests in the same order, hand out the same ids, so their Set-Cookie lines
    can be compared byte for byte."""

    issued = [0]

    def _generate_session_id(self):
        CountingSession.issued[0] += 1
        return "%040x" % CountingSession.issued[0]


class BlogIndex:
    def GET(self):
        return "blog index at %s (homepath=%r)" % (web.ctx.path, web.ctx.homepath)


class BlogPost:
    def GET(self, slug):
        return "post %s in %s" % (slug, web.ctx.fullpath)


blog = web.application(("/", "BlogIndex", "/(\\w+)", "BlogPost"), globals())

urls = (
    "/", "Index",
    "/hello/(.*)", "Hello",
    "/form", "Form",
    "/cookie", "Cookie",
    "/redirect/(\\w+)", "Redirects",
    "/error/(\\w+)", "Errors",
    "/stream", "Stream",
    "/latin.*", "Latin",
    "/head", "Head",
    "/session", "Counter",
    "/blog", blog,
)

application = web.application(urls, globals())
application.add_processor(web.loadhook(loadhook))
application.add_processor(web.unloadhook(unloadhook))
application.add_processor(counter_processor)
session = CountingSession(application, MemoryStore(), initializer={"count": 0})
app = application.wsgifunc()
