from flask import Flask

app = Flask(__name__)
# ok: vb-py-csrf-disabled
app.config["WTF_CSRF_ENABLED"] = True
