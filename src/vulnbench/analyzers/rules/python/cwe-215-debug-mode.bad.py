from flask import Flask

app = Flask(__name__)
# ruleid: vb-py-debug-enabled
app.run(host="0.0.0.0", debug=True)

from fastapi import FastAPI

# ruleid: vb-py-debug-enabled
api = FastAPI(title="orders", debug=True)
