from django.conf import settings

from improvenet import __version__


def site(request) -> dict:
    return {"improvenet_version": __version__, "demo_mode": settings.DEMO_MODE}
