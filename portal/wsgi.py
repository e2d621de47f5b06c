"""WSGI entry point (gunicorn portal.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

application = get_wsgi_application()

# The application's lasting objects out of every full garbage collection (portal.core.startup).
from portal.core.startup import objects_freeze  # noqa: E402  (after Django is set up)

objects_freeze()
