import html

from flask import Flask, Response, make_response, request
from markupsafe import escape

app = Flask(__name__)


@app.route("/hello")
def hello():
    name = html.escape(request.args.get("name", ""))
    # ok: vb-py-xss
    return make_response(f"<h1>Hello {name}</h1>")


@app.route("/search")
def search():
    # ok: vb-py-xss-route-return
    return f"<p>Results for {html.escape(request.args.get('q', ''))}</p>"


@app.route("/greet")
def greet():
    who = request.args.get("who", "")
    # ok: vb-py-xss-route-return
    return "<p>Hi " + escape(who) + "</p>"


@app.route("/item/<int:item_id>")
def item(item_id):
    # ok: vb-py-xss-route-return
    return f"<p>Item {item_id}</p>"


@app.route("/echo")
def echo():
    text = request.args.get("text", "")
    # ok: vb-py-xss
    return Response(f"you sent: {text}", mimetype="text/plain")


@app.route("/status")
def status():
    name = request.args.get("name", "")
    # ok: vb-py-xss-route-return
    return {"greeting": f"hello {name}"}


def comment_page(comments):
    import jinja2
    env = jinja2.Environment(autoescape=True)
    # ok: vb-py-jinja2-autoescape-off
    tpl = env.from_string("<ul>{% for c in comments %}<li>{{ c }}</li>{% endfor %}</ul>")
    # ok: vb-py-jinja2-autoescape-off
    subject = jinja2.Template("Your order {{ number }} has shipped")
    return tpl.render(comments=comments), subject


import html as _html  # noqa: E402
from http.server import BaseHTTPRequestHandler  # noqa: E402
from urllib.parse import parse_qs, urlsplit  # noqa: E402


class GreetHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        who = parse_qs(urlsplit(self.path).query).get("who", ["guest"])[0]
        self.send_response(200)
        self.end_headers()
        # ok: vb-py-xss
        self.wfile.write(("<b>Hi %s</b>" % _html.escape(who)).encode())
