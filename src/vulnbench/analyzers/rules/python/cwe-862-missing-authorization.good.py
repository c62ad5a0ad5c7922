from flask import Flask, abort, jsonify
from flask_login import current_user, login_required

from myapp.models import Post, User, db

app = Flask(__name__)


# ok: vb-py-unprotected-admin-view
@app.route("/users/<int:user_id>/delete", methods=["POST"])
@login_required
def delete_user(user_id):
    if not current_user.is_admin:
        abort(403)
    db.session.delete(User.query.get_or_404(user_id))
    db.session.commit()
    return jsonify(ok=True)


# ok: vb-py-unprotected-admin-view
@app.route("/posts/<int:post_id>")
def show_post(post_id):
    return jsonify(title=Post.query.get_or_404(post_id).title)
