import io

from fastapi import FastAPI, HTTPException, Query
from flask import Flask, request
from PIL import Image

app = FastAPI()
web = Flask(__name__)
MAX_SIDE = 2000


@app.get("/placeholder/{width}x{height}.png")
def placeholder(width: int, height: int):
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise HTTPException(status_code=400)
    # ok: vb-py-unbounded-size
    img = Image.new("RGB", (width, height), "#cccccc")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


@app.get("/items")
def items(limit: int = Query(10, le=100)):
    # ok: vb-py-unbounded-size
    return list(range(limit))


@web.route("/repeat")
def repeat():
    n = min(int(request.args.get("n", "1")), 100)
    # ok: vb-py-unbounded-size
    return "x" * n


from http.server import BaseHTTPRequestHandler

MAX_BODY = 1 << 20


class Upload(BaseHTTPRequestHandler):
    def do_PUT(self):
        size = int(self.headers.get("Content-Length", 0))
        if size > MAX_BODY:
            self.send_error(413)
            return
        # ok: vb-py-unbounded-size
        data = self.rfile.read(size)
        self.send_response(201 if data else 400)
        self.end_headers()
