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


from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404

from notes.models import Note


# ok: vb-py-unowned-delete
@login_required
def remove_note(request, note_id):
    note = get_object_or_404(Note, pk=note_id, owner=request.user)
    note.delete()
    return JsonResponse({"deleted": note_id})
