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
