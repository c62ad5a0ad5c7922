import os

from flask import Flask

app = Flask(__name__)
# ok: vb-py-debug-enabled
app.run(debug=os.environ.get("FLASK_DEBUG") == "1")

from fastapi import FastAPI

# ok: vb-py-debug-enabled
api = FastAPI(title="orders", debug=False)
