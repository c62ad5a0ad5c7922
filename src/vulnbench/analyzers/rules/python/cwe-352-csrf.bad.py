from flask import Flask

app = Flask(__name__)
# ruleid: vb-py-csrf-disabled
app.config["WTF_CSRF_ENABLED"] = False
