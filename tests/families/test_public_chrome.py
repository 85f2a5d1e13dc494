"""The frame of the public family pages: in the family's language throughout, without staff links or the
developers' footer."""

from django.test import Client

from tests.families.conftest import request_form
from tests.families.test_public import school_url

ENGLISH_FRAME = ("Skip to main content", "Demo data", "open source", "HTTP API", "Sign in", "My work",
                 'class="cluster-menu"')


def test_the_spanish_receipt_is_spanish_throughout(families, settings):
    settings.DEMO_MODE = True
    world = families.world
    text = Client().post(school_url(world, language="es"), request_form(world.middle)).content.decode()
    assert "Gracias: recibimos su solicitud" in text and 'lang="es"' in text
    assert "Saltar al contenido principal" in text and "Datos de demostración" in text
    assert '<a class="brand" href="/es/families/alpha/">El grupo de escuelas Alpha</a>' in text
    assert [words for words in ENGLISH_FRAME if words in text] == []


def test_the_english_family_pages_carry_no_developer_footer(families):
    text = Client().get(school_url(families.world)).content.decode()
    assert '<a class="brand" href="/families/alpha/">The Alpha school cluster</a>' in text
    assert "<footer" not in text and "HTTP API" not in text
