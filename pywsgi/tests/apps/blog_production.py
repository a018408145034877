"""The blog of session/examples/ports/blog.py, deployed as a web.py application is in
production: web.config.debug off. web.py turns debug on by default, and then every
application it builds runs its reloader, which stats the file of every loaded module on
every request (most of a request's time for this blog). For the load script's blog row;
session/examples/ports must be on sys.path."""
import web

web.config.debug = False

from blog import application  # noqa: E402  (debug must be off before the app is built)
