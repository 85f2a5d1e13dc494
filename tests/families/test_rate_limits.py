"""The public family pages' rate limits: per client address and per cluster, counted in the database."""

import html
from types import SimpleNamespace

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from improvenet import conf
from improvenet.families import services
from improvenet.families.models import FamilyPages, OptOutRequest
from improvenet.ratelimits.models import RequestCount
from tests.families.conftest import request_form

# A fixed moment, in the middle of every window the tests use: a burst never straddles two windows.
NOW = 1_800_000_030.0
ADDRESS, OTHER_ADDRESS = "198.51.100.7", "203.0.113.9"


@pytest.fixture
def limits(families, settings, monkeypatch):
    """Small limits: 3 opt-out requests per address and 5 per cluster in 10 minutes; 4 and 6 page reads a minute."""
    settings.FAMILY_RATE_LIMITS = {"opt-out": ((3, 600), (5, 600)), "pages": ((4, 60), (6, 60))}
    monkeypatch.setattr(services, "time", SimpleNamespace(time=lambda: NOW))
    return families


def from_address(address: str = ADDRESS) -> Client:
    return Client(REMOTE_ADDR=address)


def school_url(world, cluster="alpha", school=None, language=""):
    prefix = f"/{language}" if language else ""
    return f"{prefix}/families/{cluster}/schools/{(school or world.high).pk}/"


def kept() -> int:
    with scopes_disabled():
        return OptOutRequest.objects.count()


def test_a_burst_of_opt_out_requests_is_refused_with_429_and_a_message(limits):
    world = limits.world
    browser = from_address()
    answers = [browser.post(school_url(world), request_form(world.high)) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    text = html.unescape(refused.content.decode())
    assert "We received too many requests from your internet connection in a short time." in text
    assert "Your opt-out request was not sent, and nothing you entered was kept." in text
    assert "Please try again in 10 minutes." in text
    assert refused["Retry-After"] == "570"  # the 10-minute window ends 570 s after NOW
    assert "no-store" in refused["Cache-Control"]
    assert kept() == 3


def test_the_default_limit_refuses_a_burst_like_the_one_that_was_accepted(families, monkeypatch):
    """Issue #13: 30 opt-out requests from one address in 1.3 s were all kept."""
    monkeypatch.setattr(services, "time", SimpleNamespace(time=lambda: NOW))
    world = families.world
    browser = from_address()
    statuses = [browser.post(school_url(world), request_form(world.high)).status_code for _ in range(30)]
    assert statuses == [200] * 20 + [429] * 10
    assert kept() == 20


def test_the_refusal_is_in_the_pages_language(limits):
    world = limits.world
    browser = from_address()
    for _ in range(3):
        browser.post(school_url(world, language="es"), request_form(world.high))
    refused = browser.post(school_url(world, language="es"), request_form(world.high))
    text = html.unescape(refused.content.decode())
    assert refused.status_code == 429
    assert '<html lang="es">' in text
    assert "Recibimos demasiadas solicitudes desde su conexión a internet en poco tiempo." in text
    assert "Su solicitud para salir de la investigación no se envió" in text
    assert "Vuelva a intentarlo en 10 minutos." in text


def test_another_address_is_not_refused(limits):
    world = limits.world
    for _ in range(4):
        from_address().post(school_url(world), request_form(world.high))
    assert from_address(OTHER_ADDRESS).post(school_url(world), request_form(world.high)).status_code == 200
    assert kept() == 4


def test_the_same_address_is_counted_apart_for_each_cluster(limits):
    world = limits.world
    with scopes_disabled():
        FamilyPages.objects.create(cluster=world.beta, published=True, contact_office="the Beta office",
                                   contact_email="office@beta.example.org")
    browser = from_address()
    for _ in range(3):
        browser.post(school_url(world), request_form(world.high))
    assert browser.post(school_url(world), request_form(world.high)).status_code == 429
    answer = browser.post(school_url(world, "beta", world.beta_school), request_form(world.beta_school))
    assert answer.status_code == 200


def test_the_whole_cluster_has_a_limit_of_its_own(limits):
    world = limits.world
    answers = [from_address(f"192.0.2.{number}").post(school_url(world), request_form(world.high))
               for number in range(1, 8)]
    assert [answer.status_code for answer in answers] == [200] * 5 + [429] * 2
    text = html.unescape(answers[-1].content.decode())
    assert "The family pages of this cluster received too many requests in a short time." in text
    assert kept() == 5


def test_a_refused_address_does_not_use_up_the_clusters_requests(limits):
    world = limits.world
    for _ in range(20):
        from_address().post(school_url(world), request_form(world.high))
    assert from_address(OTHER_ADDRESS).post(school_url(world), request_form(world.high)).status_code == 200


def test_page_reads_have_their_own_more_generous_limit(limits):
    world = limits.world
    browser = from_address()
    answers = [browser.get(url) for url in ["/families/alpha/", school_url(world)] * 2 + ["/es/families/alpha/"]]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 429]
    text = html.unescape(answers[-1].content.decode())
    assert "Recibimos demasiadas solicitudes" in text and "Vuelva a intentarlo en un minuto." in text
    assert answers[-1]["Retry-After"] == "30" and "no-store" in answers[-1]["Cache-Control"]
    assert browser.post(school_url(world), request_form(world.high)).status_code == 200, "sending counts apart"


def test_one_ipv6_network_is_one_client(limits):
    world = limits.world
    for host in range(1, 5):
        answer = from_address(f"2001:db8:1:2::{host}").post(school_url(world), request_form(world.high))
    assert answer.status_code == 429
    assert from_address("2001:db8:1:3::1").post(school_url(world), request_form(world.high)).status_code == 200


def test_the_count_is_the_databases_so_it_holds_across_server_processes(limits):
    """Another process's requests are rows of the database: three of them leave this address none."""
    world = limits.world
    window = int(NOW) // 600 * 600
    RequestCount.objects.create(scope="opt-out", subject=str(world.alpha.pk), client=ADDRESS, window_start=window,
                                expires=window + 600, hits=3)
    assert from_address().post(school_url(world), request_form(world.high)).status_code == 429
    assert from_address(OTHER_ADDRESS).post(school_url(world), request_form(world.high)).status_code == 200


def test_counters_of_windows_that_are_over_are_deleted(limits):
    world = limits.world
    old = RequestCount.objects.create(scope="pages", subject=str(world.alpha.pk), client=ADDRESS,
                                      window_start=int(NOW) - 3600, expires=int(NOW) - 3540, hits=9)
    assert from_address().get("/families/alpha/").status_code == 200
    assert not RequestCount.objects.filter(pk=old.pk).exists()
    assert sorted(RequestCount.objects.values_list("client", "hits")) == [("", 1), (ADDRESS, 1)]


def test_unpublished_pages_count_nothing(limits):
    assert from_address().get("/families/beta/").status_code == 404
    assert not RequestCount.objects.exists()


@pytest.mark.parametrize(("text", "expected"), [("20/hour", (20, 3600)), ("10/10min", (10, 600)),
                                                ("5 / 30s", (5, 30)), ("1000/day", (1000, 86400))])
def test_a_rate_is_a_count_per_period(monkeypatch, text, expected):
    monkeypatch.setenv("IMPROVENET_RATE_OPT_OUT", text)
    assert conf.rate("IMPROVENET_RATE_OPT_OUT") == expected


@pytest.mark.parametrize("text", ["20", "0/hour", "20/fortnight", "x/min", "20/0min"])
def test_a_rate_that_is_not_one_is_a_clear_configuration_error(monkeypatch, text):
    monkeypatch.setenv("IMPROVENET_RATE_OPT_OUT", text)
    with pytest.raises(conf.ConfigurationError, match="IMPROVENET_RATE_OPT_OUT is .*for example 20/hour"):
        conf.rate("IMPROVENET_RATE_OPT_OUT")


def test_the_public_api_counts_with_the_pages_and_answers_429_with_a_clear_message(limits):
    """The API's copy of the family pages is limited like them: it is not a way around their limit."""
    world = limits.world
    browser = from_address()
    pages = [browser.get(url).status_code for url in ["/families/alpha/", school_url(world)]]
    answers = [browser.get("/api/families/alpha") for _ in range(3)]
    assert pages + [answer.status_code for answer in answers] == [200, 200, 200, 200, 429]
    refused = answers[-1]
    assert refused.json() == {"detail": "We received too many requests from your internet connection in a short "
                                        "time. Please try again in a minute."}
    assert refused["Retry-After"] == "30" and "no-store" in refused["Cache-Control"]
    assert from_address(OTHER_ADDRESS).get("/api/families/alpha").status_code == 200
    assert browser.get("/families/alpha/").status_code == 429, "the API's reads count against the pages too"
