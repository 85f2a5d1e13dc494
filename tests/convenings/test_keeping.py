"""`improvenet convenings keep`: what each cluster's latest convening saw is kept once, on its day or after."""

import pytest
from django_scopes import scopes_disabled
from typer.testing import CliRunner

from improvenet.cli.main import app
from improvenet.convenings.models import Convening
from improvenet.home.models import EvidenceLevelSeen

runner = CliRunner()


def keep(*args):
    return runner.invoke(app, ["convenings", "keep", *args])


def test_keeps_the_latest_convening_whose_day_has_come_once(convened):
    world = convened.world
    first = keep()
    assert first.exit_code == 0, first.output
    # Only the spring convening, the cluster's latest one; the winter one was not kept and stays so.
    assert f"Alpha: kept what “{convened.spring}” saw: 1 evidence level changed since the levels kept before, " \
           "0 pooled effects." in first.output
    assert "Kept 1 convening; 1 cluster had nothing new to keep." in first.output
    with scopes_disabled():
        assert Convening.objects.get(pk=convened.winter.pk).kept_on is None
        assert Convening.objects.get(pk=convened.spring.pk).kept_on is not None
        assert list(EvidenceLevelSeen.objects.values_list("change_idea_id", "seen_on")) == [
            (convened.pdsa.idea.pk, convened.spring.held_on)]
    again = keep("--cluster", world.alpha.slug)
    assert again.exit_code == 0
    assert "Kept 0 convenings; 1 cluster had nothing new to keep." in again.output


@pytest.mark.django_db
def test_an_unknown_cluster_is_named():
    result = keep("--cluster", "nowhere")
    assert result.exit_code == 1 and "There is no cluster named “nowhere”." in result.output
