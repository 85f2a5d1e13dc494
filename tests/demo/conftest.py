import pytest
from django_scopes import scopes_disabled

from improvenet.demo import load_demo
from improvenet.demo.network import LAKESIDE, RIVERSIDE
from improvenet.network.models import Cluster


@pytest.fixture(autouse=True)
def all_clusters():
    """The demo tests check both clusters' data side by side, so they read outside any one scope."""
    with scopes_disabled():
        yield


@pytest.fixture
def demo(db):
    return load_demo()


@pytest.fixture
def riverside(demo):
    return Cluster.objects.get(slug=RIVERSIDE)


@pytest.fixture
def lakeside(demo):
    return Cluster.objects.get(slug=LAKESIDE)
