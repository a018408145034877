"""The web.py tutorial's todo list, data in memory: the Python that todo.rs ports."""
import web

urls = (
    "/", "index",
    "/add", "add",
)

todos = []


class index:
    def GET(self):
        web.header("Content-Type", "text/html; charset=utf-8")
        items = "".join("<li>%s</li>" % web.websafe(t) for t in todos)
        form = '<form method="post" action="/add"><input name="title"><button>add</button></form>'
        return "<ul>%s</ul>%s" % (items, form)


class add:
    def POST(self):
        i = web.input("title")
        todos.append(i.title)
        raise web.seeother("/")


app = web.application(urls, globals())

if __name__ == "__main__":
    app.run()
