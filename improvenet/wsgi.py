"""WSGI entry point; refuses to start without a real secret outside demo mode."""

import os

from django.core.wsgi import get_wsgi_application

from improvenet import conf

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improvenet.settings")
conf.ensure_secret_for_serving()
application = get_wsgi_application()
