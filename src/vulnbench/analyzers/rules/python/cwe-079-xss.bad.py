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
