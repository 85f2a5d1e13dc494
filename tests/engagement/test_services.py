"""The community input summarized per school, as pages, decisions and the API show it."""

from improvenet.engagement.models import EngagementEvent
from improvenet.engagement.services import TagCount, community_input, filter_events, tag_counts


def test_each_school_has_its_events_attendance_stances_by_tag_and_objections(heard, alpha_scope):
    summaries = community_input([heard.world.high, heard.world.middle])
    high, middle = summaries[heard.world.high.pk], summaries[heard.world.middle.pk]
    assert [e.title for e in high.events] == ["Family meeting at Alpha High"]
    assert (high.attendance, high.concerns, high.support) == (40, 2, 1)
    assert high.by_tag == [TagCount("student privacy", 2, 0), TagCount("advisory", 0, 1),
                           TagCount("teacher workload", 1, 0)]
    assert high.objections == [] and middle.objections == [heard.objection]
    assert (middle.attendance, middle.concerns, middle.support, middle.open_objections) == (15, 1, 0, 0)
    assert middle.to_dict()["by_tag"] == [{"tag": "teacher workload", "concerns": 1, "support": 0}]


def test_district_wide_events_belong_to_no_school(heard, alpha_scope):
    summaries = community_input([heard.world.high])
    assert heard.forum not in summaries[heard.world.high.pk].events
    all_events = EngagementEvent.objects.all()
    assert list(filter_events(all_events, school="district")) == [heard.forum]
    assert tag_counts(heard.forum.inputs.all()) == [TagCount("advisory", 0, 1)]


def test_events_filter_by_school_kind_and_tag(heard, alpha_scope):
    events = EngagementEvent.objects.all()
    assert set(filter_events(events, school=str(heard.world.high.pk))) == {heard.family}
    assert set(filter_events(events, kind="listening_session")) == {heard.listening}
    assert set(filter_events(events, tag="TEACHER WORKLOAD")) == {heard.family, heard.listening}
    assert list(filter_events(events, tag="teacher workload", kind="forum")) == []
    assert filter_events(events, tag="advisory").count() == 2
