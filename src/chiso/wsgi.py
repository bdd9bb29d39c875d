import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiso.settings")
_full = get_wsgi_application()

from chiso.api.intake_path import route  # noqa: E402  (after Django is set up)

# the public survey intake takes a shorter way through the middleware (chiso.api.intake_path)
application = route(_full)
