import html

from flask import Flask, make_response, request

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
