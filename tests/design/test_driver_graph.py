"""The pure driver diagram helpers: rules, cycles, outlines, version diffs and the layout."""

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from improvenet.design import driver_graph as dg
from improvenet.design.driver_graph import CHANGE_IDEA, PRIMARY, SECONDARY, Graph, Node

OUTLINE = """Students believe they can grow
  Ability grows with effort
    - Growth mindset lessons
    - Praise strategies
  Students feel they belong
    - Praise strategies
Students solve problems
\tA shared problem-solving process
\t\tProblem-solving steps in every class
"""


def test_outline_reads_levels_and_shares_a_change_idea_between_drivers():
    graph = dg.parse_outline(OUTLINE)
    kinds = [(n.kind, n.text) for n in graph.nodes]
    assert kinds[:4] == [(PRIMARY, "Students believe they can grow"), (SECONDARY, "Ability grows with effort"),
                         (CHANGE_IDEA, "Growth mindset lessons"), (CHANGE_IDEA, "Praise strategies")]
    praise = next(n for n in graph.nodes if n.text == "Praise strategies")
    assert {p.text for p in graph.parents(praise.key)} == {"Ability grows with effort", "Students feel they belong"}
    assert dg.problems(graph) == []
    assert dg.same(dg.parse_outline(dg.to_outline(graph)), graph)


def test_outline_refuses_a_line_under_a_change_idea():
    with pytest.raises(dg.GraphError) as refused:
        dg.parse_outline("A\n  B\n    C\n      D\n")
    assert "Line 4" in refused.value.problems[0] and "“D”" in refused.value.problems[0]


def test_a_cycle_is_refused_naming_its_drivers():
    graph = Graph(
        (Node("p", PRIMARY, "Belief"), Node("a", SECONDARY, "Effort"), Node("b", SECONDARY, "Help seeking")),
        frozenset({("p", "a"), ("a", "b"), ("b", "a")}),
    )
    found = dg.problems(graph)
    assert len(found) == 1
    assert "“Effort” → “Help seeking” → “Effort”" in found[0] and "circle" in found[0]
    with pytest.raises(dg.GraphError):
        dg.check(graph)


def test_find_cycle():
    assert dg.find_cycle("abc", [("a", "b"), ("b", "c")]) is None
    assert dg.find_cycle("abc", [("a", "b"), ("b", "c"), ("c", "a")]) == ["a", "b", "c", "a"]
    assert dg.find_cycle("a", [("a", "a")]) == ["a", "a"]


def test_kind_rules():
    graph = Graph(
        (Node("p", PRIMARY, "P"), Node("q", PRIMARY, "Q"), Node("c", CHANGE_IDEA, "C"), Node("s", SECONDARY, "S"),
         Node("o", SECONDARY, "Orphan")),
        frozenset({("p", "q"), ("c", "s"), ("p", "c"), ("p", "x")}),
    )
    found = " ".join(dg.problems(graph))
    assert "primary driver “Q” hangs from the aim" in found
    assert "cannot hang from a change idea" in found
    assert "“x”, which is not a node" in found
    assert "“Orphan” hangs from no driver" in found


def test_rewording_is_recognized_across_versions():
    old = dg.parse_outline("Belief\n  Students know where to get help\n    Tutoring\n")
    new = dg.parse_outline("Belief\n  Students know when to get help\n    Tutoring\n    Texts home\n")
    carried = dg.carry_keys(old, new)
    change = dg.diff(old, carried)
    assert [(a.text, b.text) for a, b in change.reworded] == [
        ("Students know where to get help", "Students know when to get help")
    ]
    assert [n.text for n in change.added] == ["Texts home"] and change.removed == ()
    assert len(change.links_added) == 1 and change.links_removed == ()


def test_layout_puts_kinds_in_columns_and_wraps_text():
    graph = dg.parse_outline(OUTLINE)
    placed = dg.layout(graph, "From 62% to 75% of 9th graders on track to graduate by June 2027")
    columns = {box.key: box.column for box in placed.boxes}
    assert columns["aim"] == 0
    kinds = {n.key: n.kind for n in graph.nodes}
    assert all(columns[k] == {PRIMARY: 1, SECONDARY: 2, CHANGE_IDEA: 3}[kind] for k, kind in kinds.items())
    assert all(len(line) <= 30 for box in placed.boxes for line in box.lines)
    assert len(placed.connectors) == len(graph.links) + len(graph.roots())
    assert placed.width > 0 and placed.height > max(box.y + box.height for box in placed.boxes)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 4), st.integers(0, 6), st.integers(0, 12), st.randoms(use_true_random=False))
def test_layout_boxes_of_a_column_never_overlap(primaries, secondaries, ideas, rng):
    lines = []
    for p in range(primaries):
        lines.append(f"Primary {p}")
        for s in range(rng.randint(0, secondaries)):
            lines.append(f"  Secondary {p}.{s} " + "word " * rng.randint(0, 12))
            lines += [f"    Idea {rng.randint(0, ideas)}" for _ in range(rng.randint(0, 3))]
    placed = dg.layout(dg.parse_outline("\n".join(lines)), "Aim")
    for column in range(4):
        boxes = sorted((b for b in placed.boxes if b.column == column), key=lambda b: b.y)
        assert all(a.y + a.height <= b.y for a, b in zip(boxes, boxes[1:], strict=False))
        assert all(b.y + b.height <= placed.height for b in boxes)


def test_the_module_imports_no_django():
    source = Path(sys.modules[dg.__name__].__file__).read_text()
    assert not [line for line in source.splitlines() if line.startswith(("import", "from")) and "django" in line]


# Properties -----------------------------------------------------------------------------------

texts = st.text(alphabet="abcdefgh ", min_size=1, max_size=12).map(str.strip).filter(bool)


@st.composite
def graphs(draw) -> Graph:
    count = draw(st.integers(0, 8))
    keys = [f"k{i}" for i in draw(st.lists(st.integers(0, 12), min_size=count, max_size=count, unique=True))]
    nodes = tuple(Node(key, draw(st.sampled_from(dg.KINDS)), draw(texts)) for key in keys)
    links = draw(st.frozensets(st.tuples(st.sampled_from(keys), st.sampled_from(keys)), max_size=10)) if keys \
        else frozenset()
    return Graph(nodes, links)


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_a_version_compared_with_itself_has_no_changes(graph):
    assert dg.diff(graph, graph).is_empty


@settings(max_examples=200, deadline=None)
@given(graphs(), graphs())
def test_diff_applies_and_inverts(a, b):
    forward = dg.diff(a, b)
    assert dg.same(dg.apply(a, forward), b)
    assert dg.diff(b, a) == forward.inverted()
    assert dg.same(dg.apply(b, forward.inverted()), a)


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_a_reported_cycle_is_a_real_cycle(graph):
    keys = [n.key for n in graph.nodes]
    cycle = dg.find_cycle(keys, graph.links)
    if cycle is not None:
        assert cycle[0] == cycle[-1]
        assert all((a, b) in graph.links for a, b in zip(cycle, cycle[1:], strict=False))
