"""The public family pages: shown only when published, in English and Spanish, carrying no personal data."""

import html
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, override_settings
from django.views.debug import SafeExceptionReporterFilter
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from improvenet.families import views
from improvenet.families.forms import STUDENT_ID
from improvenet.families.models import FamilyPages, OptOutRequest
from tests.families.conftest import NO_LIMITS, request_form


def school_url(world, school=None, language=""):
    prefix = f"/{language}" if language else ""
    return f"{prefix}/families/alpha/schools/{(school or world.high).pk}/"


def test_unpublished_pages_are_not_found(families):
    world = families.world
    with scopes_disabled():
        FamilyPages.objects.filter(cluster=world.alpha).update(published=False)
    for url in ("/families/alpha/", school_url(world), "/es/families/alpha/", "/families/beta/", "/families/nope/"):
        assert Client().get(url).status_code == 404, url


def test_another_clusters_school_is_not_found_under_this_cluster(families):
    assert Client().get(f"/families/alpha/schools/{families.world.beta_school.pk}/").status_code == 404


def test_the_cluster_page_explains_the_roles_and_links_each_school(families):
    world = families.world
    answer = Client().get("/families/alpha/")
    text = answer.content.decode()
    assert answer.status_code == 200
    assert '<html lang="en">' in text
    assert "An innovation school is where teachers, families and researchers work together" in text
    assert "A feeder school sends its students on" in text
    assert f'href="/families/alpha/schools/{world.middle.pk}/"' in text
    assert "the Alpha research office" in text and "research@alpha.example.org" in text


def test_the_school_page_carries_no_personal_data(families):
    world = families.world
    text = Client().get(school_url(world)).content.decode()
    assert "Alpha High: information for families" in text
    for personal in ("Rosa", "Diaz", "Rhea", "lead", "researcher@example.org"):
        assert personal not in text
    assert not re.search(r"\b\d+ students\b", text), "no counts of students"


def test_the_spanish_page_is_in_spanish_with_a_switcher_to_english(families):
    world = families.world
    text = Client().get(school_url(world, language="es")).content.decode()
    assert '<html lang="es">' in text
    assert "Alpha High: información para las familias" in text
    assert "Cómo salir de la investigación" in text
    assert "Número de identificación del estudiante en el distrito" in text
    assert f'href="/families/alpha/schools/{world.high.pk}/" hreflang="en"' in text
    assert "information for families" not in text


def _receipt(answer) -> str:
    """The confirmation page with its random parts (reference, CSRF token) blanked out."""
    text = answer.content.decode()
    text = re.sub(r"OPT-[A-Z0-9]{4}-[A-Z0-9]{4}", "OPT-XXXX-XXXX", text)
    text = re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": "token"', text)
    return re.sub(r'value="[^"]{20,}"', 'value="token"', text)


def test_a_request_is_kept_with_the_pages_language_and_answered_with_a_reference(families):
    world = families.world
    answer = Client().post(school_url(world, language="es"), request_form(world.middle))
    text = answer.content.decode()
    assert answer.status_code == 200
    assert "Gracias: recibimos su solicitud" in text
    with scopes_disabled():
        record = OptOutRequest.objects.get()
    assert record.reference in text
    assert (record.school, record.student_id, record.language, record.status) == (world.middle, "S-000123", "es",
                                                                                   "pending")
    assert "S-000123" not in text and "Ana Ruiz" not in text


def test_the_receipt_is_the_same_whatever_was_entered(families, tiny_store):
    world = families.world
    _path, real_student = tiny_store
    answers = [
        Client().post(school_url(world), request_form(world.high, student_id=real_student)),
        Client().post(school_url(world), request_form(world.high, student_id="NO-SUCH-ONE", guardian_name="X Y")),
        Client().post(school_url(world), request_form(world.high, website="http://spam.example")),
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert len({_receipt(answer) for answer in answers}) == 1
    with scopes_disabled():
        assert OptOutRequest.objects.count() == 2, "the robot's request (honeypot filled) is dropped"


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(student_id=st.from_regex(STUDENT_ID, fullmatch=True))
def test_every_well_formed_id_gets_the_same_receipt(families, student_id):
    world = families.world
    # Twenty requests from one address, more than the form accepts (tests/families/test_rate_limits.py).
    with override_settings(FAMILY_RATE_LIMITS=NO_LIMITS):
        first = Client().post(school_url(world), request_form(world.high, student_id="A1"))
        other = Client().post(school_url(world), request_form(world.high, student_id=student_id))
    assert other.status_code == 200
    assert _receipt(first) == _receipt(other)


@pytest.mark.parametrize(("field", "value", "english", "spanish"), [
    ("student_id", "", "Enter the student's district ID number.",
     "Escriba el número de identificación del estudiante en el distrito."),
    ("student_id", "12 34; drop", "only letters, digits and dashes", "solo letras, dígitos y guiones"),
    ("date_of_birth", "2999-01-01", "must be in the past", "debe ser anterior a hoy"),
    ("date_of_birth", "1950-01-01", "at most 26 years old", "como máximo 26 años"),
    ("date_of_birth", "someday", "for example 2012-03-25", "por ejemplo 2012-03-25"),
    ("contact", "ana@", "not complete", "no está completo"),
    ("contact", "12", "at least 7 digits", "al menos 7 dígitos"),
    ("guardian_name", "  ", "Enter your name.", "Escriba su nombre."),
    ("school", "999999", "Choose one of the schools in the list.", "Elija una de las escuelas de la lista."),
    ("school", "9" * 30, "Choose one of the schools in the list.", "Elija una de las escuelas de la lista."),
    ("school", "-1", "Choose one of the schools in the list.", "Elija una de las escuelas de la lista."),
    ("guardian_name", "Ana\x1b[2JRuiz", "without control characters", "sin caracteres de control"),
    ("guardian_name", "Ana \u202eziuR", "without control characters", "sin caracteres de control"),
])
def test_bad_input_is_a_clear_message_in_the_pages_language_and_nothing_is_kept(families, field, value, english,
                                                                                 spanish):
    world = families.world
    for language, message in (("", english), ("es", spanish)):
        answer = Client().post(school_url(world, language=language), request_form(world.high, **{field: value}))
        assert answer.status_code == 422
        assert message in html.unescape(answer.content.decode())
    with scopes_disabled():
        assert not OptOutRequest.objects.exists()


def test_another_clusters_school_cannot_be_chosen(families):
    world = families.world
    answer = Client().post(school_url(world), request_form(world.beta_school))
    assert answer.status_code == 422
    with scopes_disabled():
        assert not OptOutRequest.objects.exists()


def test_the_form_and_the_receipt_are_never_cached(families):
    world = families.world
    for answer in (Client().get(school_url(world)), Client().post(school_url(world), request_form(world.high)),
                   Client().post(school_url(world), request_form(world.high, contact="12"))):
        assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]


def test_an_error_report_of_the_form_leaves_out_what_identifies_the_student(families, rf):
    world = families.world
    request = rf.post(school_url(world), request_form(world.high))
    request.user = AnonymousUser()
    assert views.school_page(request, "alpha", world.high.pk).status_code == 200
    posted = SafeExceptionReporterFilter().get_post_parameters(request)
    assert "S-000123" not in str(posted) and "2012-05-04" not in str(posted) and "Ana Ruiz" not in str(posted)
    assert posted["school"] == str(world.high.pk)


def test_the_form_needs_its_csrf_token(families):
    world = families.world
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(school_url(world), request_form(world.high)).status_code == 403
    page = browser.get(school_url(world)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {**request_form(world.high), "csrfmiddlewaretoken": token}
    assert browser.post(school_url(world), form).status_code == 200
