from flask import Flask, make_response, request

app = Flask(__name__)


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    # ruleid: vb-py-xss
    return make_response(f"<h1>Hello {name}</h1>")


@app.route("/search")
def search():
    # ruleid: vb-py-xss-route-return
    return f"<p>Results for {request.args.get('q')}</p>"


@app.route("/greet")
def greet():
    who = request.args.get("who", "")
    page = "<p>Hi " + who + "</p>"
    # ruleid: vb-py-xss-route-return
    return page


@app.route("/banner")
def banner():
    title = request.args.get("title", "")
    # ruleid: vb-py-xss-route-return
    return (
        "<header>"
        f"<h2>{title}</h2>"
        "</header>"
    )


def badge(label):
    from django.utils.safestring import mark_safe
    # ruleid: vb-py-xss
    return mark_safe("<b>%s</b>" % label)


def comment_page(comments):
    import jinja2
    # ruleid: vb-py-jinja2-autoescape-off
    tpl = jinja2.Template("<ul>{% for c in comments %}<li>{{ c }}</li>{% endfor %}</ul>")
    return tpl.render(comments=comments)


from http.server import BaseHTTPRequestHandler  # noqa: E402
from urllib.parse import parse_qs, urlsplit  # noqa: E402


class GreetHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        who = parse_qs(urlsplit(self.path).query).get("who", ["guest"])[0]
        self.send_response(200)
        self.end_headers()
        # ruleid: vb-py-xss
        self.wfile.write(("<b>Hi %s</b>" % who).encode())
