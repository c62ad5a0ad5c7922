from flask import Flask

app = Flask(__name__)
# ruleid: vb-py-debug-enabled
app.run(host="0.0.0.0", debug=True)
