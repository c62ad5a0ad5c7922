import io

from fastapi import FastAPI
from flask import Flask, request
from PIL import Image

app = FastAPI()
web = Flask(__name__)


@app.get("/placeholder/{width}x{height}.png")
def placeholder(width: int, height: int):
    # ruleid: vb-py-unbounded-size
    img = Image.new("RGB", (width, height), "#cccccc")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


@web.route("/repeat")
def repeat():
    n = int(request.args.get("n", "1"))
    # ruleid: vb-py-unbounded-size
    return "x" * n


from http.server import BaseHTTPRequestHandler


class Upload(BaseHTTPRequestHandler):
    def do_PUT(self):
        size = int(self.headers.get("Content-Length", 0))
        # ruleid: vb-py-unbounded-size
        data = self.rfile.read(size)
        self.send_response(201 if data else 400)
        self.end_headers()
