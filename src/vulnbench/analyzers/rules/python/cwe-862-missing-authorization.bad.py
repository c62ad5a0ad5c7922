from flask import Flask, jsonify

from myapp.models import Post, User, db

app = Flask(__name__)


# ruleid: vb-py-unprotected-admin-view
@app.route("/users/<int:user_id>/delete", methods=["POST"])
def delete_user(user_id):
    db.session.delete(User.query.get_or_404(user_id))
    db.session.commit()
    return jsonify(ok=True)


# ruleid: vb-py-unprotected-admin-view
@app.post("/admin/posts/<int:post_id>/hide")
def hide_post(post_id):
    post = Post.query.get_or_404(post_id)
    post.hidden = True
    db.session.commit()
    return jsonify(ok=True)


# ruleid: vb-py-unprotected-admin-view
@app.get("/admin/audit-log")
def audit_log():
    return [entry.as_dict() for entry in AUDIT.all()]


from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404

from notes.models import Note


# ruleid: vb-py-unowned-delete
@login_required
def remove_note(request, note_id):
    note = get_object_or_404(Note, pk=note_id)
    note.delete()
    return JsonResponse({"deleted": note_id})
