"""Print a signed-in session for a user (the cookie value), for scripts that drive the API as that user
without paying the password hasher on every request: `chiso shell < scripts/lib/session.py` with
CHISO_SESSION_USER set."""

import os

from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore

user = get_user_model().objects.get(username=os.environ["CHISO_SESSION_USER"])
store = SessionStore()
store["_auth_user_id"] = str(user.pk)
store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
store["_auth_user_hash"] = user.get_session_auth_hash()
store.create()
print(store.session_key)
