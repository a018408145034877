"""A blog with a mounted admin application, hooks and a session, data in memory:
the Python that blog.rs ports."""
# ANCHOR: data
import web

posts = []  # dicts with id, title, body

NEW_FORM = ('<form method="post"><input name="title"><textarea name="body"></textarea>'
            "<button>publish</button></form>")
LOGIN_FORM = ('<form method="post"><input name="username">'
              '<input name="password" type="password"><button>log in</button></form>')


def page(title, body):
    web.header("Content-Type", "text/html; charset=utf-8")
    return "<!doctype html><title>%s</title><h1>%s</h1>%s" % (
        web.websafe(title), web.websafe(title), body)


def find(id):
    for p in posts:
        if p["id"] == int(id):
            return p
    raise web.notfound()
# ANCHOR_END: data


# ANCHOR: admin
class admin_home:
    def GET(self):
        rows = "".join(
            '<li>%s <form method="post" action="delete/%d"><button>delete</button></form></li>'
            % (web.websafe(p["title"]), p["id"]) for p in posts)
        return page("admin", '<ul>%s</ul><a href="new">new post</a>' % rows)


class admin_new:
    def GET(self):
        return page("new post", NEW_FORM)

    def POST(self):
        i = web.input("title", body="")
        posts.append({"id": len(posts) + 1, "title": i.title, "body": i.body})
        raise web.seeother("/")


class admin_delete:
    def POST(self, id):
        posts.remove(find(id))
        raise web.seeother("/")


def require_login():
    if not session.get("user"):
        raise web.seeother("/login", absolute=True)


admin_urls = (
    "/", "admin_home",
    "/new", "admin_new",
    r"/delete/(\d+)", "admin_delete",
)
admin = web.application(admin_urls, globals())
admin.add_processor(web.loadhook(require_login))
# ANCHOR_END: admin


# ANCHOR: blog
class index:
    def GET(self):
        items = "".join('<li><a href="/post/%d">%s</a></li>' % (p["id"], web.websafe(p["title"]))
                        for p in posts)
        return page("blog", "<ul>%s</ul>" % items)


class view:
    def GET(self, id):
        p = find(id)
        return page(p["title"], "<p>%s</p>" % web.websafe(p["body"]))


class login:
    def GET(self):
        return page("log in", LOGIN_FORM)

    def POST(self):
        i = web.input(username="", password="")
        if (i.username, i.password) != ("admin", "secret"):
            raise web.forbidden()
        session.user = i.username
        raise web.seeother("/admin/")


class logout:
    def POST(self):
        session.kill()
        raise web.seeother("/")


def served_by():
    web.header("X-Served-By", "blog")
# ANCHOR_END: blog


# ANCHOR: app
urls = (
    "/", "index",
    r"/post/(\d+)", "view",
    "/login", "login",
    "/logout", "logout",
    "/admin", admin,
)
app = web.application(urls, globals())
session = web.session.Session(app, web.session.MemoryStore())
app.add_processor(web.unloadhook(served_by))
application = app.wsgifunc()  # the WSGI callable: pywsgi blog:application

if __name__ == "__main__":
    app.run()
# ANCHOR_END: app
