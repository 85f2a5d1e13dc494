"""Driver diagrams as graphs, without Django: rules, cycles, outlines, version diffs and a layout.

A driver diagram hangs from its aim: primary drivers, secondary drivers (which may also hang from
other secondary drivers) and change ideas. A node is known by a `key` that stays the same from
one saved version to the next, so that a changed wording shows as "reworded", not as a removal
and an addition.
"""

import difflib
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

PRIMARY, SECONDARY, CHANGE_IDEA = "primary", "secondary", "change_idea"
KINDS = (PRIMARY, SECONDARY, CHANGE_IDEA)
KIND_LABELS = {PRIMARY: "Primary driver", SECONDARY: "Secondary driver", CHANGE_IDEA: "Change idea"}
# Which kinds of node may hang under which (the aim is the implicit parent of primary drivers).
ALLOWED_CHILDREN = {PRIMARY: {SECONDARY, CHANGE_IDEA}, SECONDARY: {SECONDARY, CHANGE_IDEA}, CHANGE_IDEA: set()}


class GraphError(ValueError):
    """The graph breaks a rule; `problems` lists each one in words a design team understands."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True, order=True)
class Node:
    key: str
    kind: str
    text: str


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...] = ()
    links: frozenset[tuple[str, str]] = frozenset()

    def by_key(self) -> dict[str, Node]:
        return {node.key: node for node in self.nodes}

    def children(self, key: str) -> list[Node]:
        nodes = self.by_key()
        return [nodes[child] for parent, child in self._ordered_links() if parent == key]

    def parents(self, key: str) -> list[Node]:
        nodes = self.by_key()
        return [nodes[parent] for parent, child in self._ordered_links() if child == key]

    def roots(self) -> list[Node]:
        return [node for node in self.nodes if node.kind == PRIMARY]

    def _ordered_links(self) -> list[tuple[str, str]]:
        order = {node.key: index for index, node in enumerate(self.nodes)}
        return sorted(self.links, key=lambda link: (order.get(link[0], -1), order.get(link[1], -1)))


# Rules ------------------------------------------------------------------------------------------


def find_cycle(keys: Iterable[str], links: Iterable[tuple[str, str]]) -> list[str] | None:
    """A cycle as the list of keys along it (first repeated at the end), or None when there is none."""
    children: dict[str, list[str]] = {key: [] for key in keys}
    for parent, child in sorted(links):
        children.setdefault(parent, []).append(child)
        children.setdefault(child, [])
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(children):
        if state.get(start):
            continue
        path: list[str] = []
        stack = [(start, iter(children[start]))]
        state[start], path = 1, [start]
        while stack:
            node, remaining = stack[-1]
            child = next(remaining, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif state.get(child) == 1:
                return path[path.index(child):] + [child]
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(children[child])))
    return None


def problems(graph: Graph) -> list[str]:
    """Every rule the graph breaks, in words; empty when the graph is a valid driver diagram."""
    found: list[str] = []
    nodes: dict[str, Node] = {}
    for node in graph.nodes:
        if node.kind not in KINDS:
            found.append(f"“{node.text}” has an unknown kind “{node.kind}”.")
        if not node.text.strip():
            found.append(f"The {KIND_LABELS.get(node.kind, 'node').lower()} {node.key} has no text.")
        if node.key in nodes:
            found.append(f"Two nodes use the key “{node.key}”.")
        nodes[node.key] = node
    for parent, child in sorted(graph.links):
        if parent not in nodes or child not in nodes:
            missing = parent if parent not in nodes else child
            found.append(f"A link refers to “{missing}”, which is not a node of the diagram.")
            continue
        up, down = nodes[parent], nodes[child]
        if down.kind == PRIMARY:
            found.append(f"The primary driver “{down.text}” hangs from the aim, not from “{up.text}”.")
        elif down.kind not in ALLOWED_CHILDREN.get(up.kind, set()):
            found.append(
                f"A {KIND_LABELS.get(down.kind, down.kind).lower()} (“{down.text}”) cannot hang from "
                f"a {KIND_LABELS.get(up.kind, up.kind).lower()} (“{up.text}”)."
            )
    cycle = find_cycle(nodes, [link for link in graph.links if link[0] in nodes and link[1] in nodes])
    if cycle:
        names = " → ".join(f"“{nodes[key].text}”" for key in cycle)
        found.append(f"The drivers lead back to themselves: {names}. A driver diagram cannot go in a circle.")
    linked = {child for _, child in graph.links}
    for node in graph.nodes:
        if node.kind != PRIMARY and node.key not in linked:
            found.append(f"The {KIND_LABELS.get(node.kind, 'node').lower()} “{node.text}” hangs from no driver.")
    return found


def check(graph: Graph) -> Graph:
    found = problems(graph)
    if found:
        raise GraphError(found)
    return graph


# Outlines: the diagram as indented text ----------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-*•–]|\d+[.)])\s+")
OUTLINE_LEVELS = (PRIMARY, SECONDARY, CHANGE_IDEA)


@dataclass
class _Entry:
    kind: str
    text: str
    parent: int | None
    line: int


def parse_outline(text: str) -> Graph:
    """Read an indented outline: primary drivers at the left, secondary drivers under them, change ideas under those.

    Keys are "n1", "n2", ... in order of first appearance. The same wording at the same level is
    the same node, so a change idea listed under two drivers serves both.
    """
    entries: list[_Entry] = []
    open_levels: list[tuple[int, int]] = []  # (indentation, entry index) of each open level
    found: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        expanded = raw.expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip())
        content = _BULLET.sub("", expanded).strip()
        while open_levels and open_levels[-1][0] >= indent:
            open_levels.pop()
        level = len(open_levels)
        if level >= len(OUTLINE_LEVELS):
            found.append(f"Line {number} (“{content}”) is indented under a change idea; nothing goes under one.")
            continue
        parent = open_levels[-1][1] if open_levels else None
        entries.append(_Entry(OUTLINE_LEVELS[level], content, parent, number))
        open_levels.append((indent, len(entries) - 1))
    if found:
        raise GraphError(found)
    keys: dict[tuple[str, str], str] = {}
    nodes: list[Node] = []
    entry_keys: list[str] = []
    links: set[tuple[str, str]] = set()
    for entry in entries:
        identity = (entry.kind, _normalized(entry.text))
        if identity not in keys:
            keys[identity] = f"n{len(keys) + 1}"
            nodes.append(Node(keys[identity], entry.kind, entry.text))
        entry_keys.append(keys[identity])
        if entry.parent is not None:
            links.add((entry_keys[entry.parent], keys[identity]))
    return Graph(tuple(nodes), frozenset(links))


def to_outline(graph: Graph) -> str:
    """The diagram as an indented outline that `parse_outline` reads back (two spaces a level)."""
    lines: list[str] = []

    def walk(node: Node, depth: int, seen: tuple[str, ...]) -> None:
        lines.append("  " * depth + node.text)
        for child in graph.children(node.key):
            if child.key not in seen and depth + 1 < len(OUTLINE_LEVELS):
                walk(child, depth + 1, seen + (child.key,))

    for root in graph.roots():
        walk(root, 0, (root.key,))
    return "\n".join(lines) + ("\n" if lines else "")


def _normalized(text: str) -> str:
    return " ".join(text.split()).casefold()


# Keeping node identity across versions ----------------------------------------------------------


def carry_keys(previous: Graph, new: Graph, *, similarity: float = 0.6, start: int = 1) -> Graph:
    """Give the new graph's nodes the keys of the previous version's nodes they continue.

    The same kind and wording keeps the key; otherwise the most similar unmatched wording of the
    same kind (at least `similarity` alike) is taken as the same node, reworded. Other nodes get
    fresh keys "n<k>" that the previous version does not use.
    """
    mapping: dict[str, str] = {}
    unmatched_old = {node.key: node for node in previous.nodes}
    by_identity = {(node.kind, _normalized(node.text)): node.key for node in previous.nodes}
    for node in new.nodes:
        old_key = by_identity.get((node.kind, _normalized(node.text)))
        if old_key in unmatched_old:
            mapping[node.key] = old_key
            del unmatched_old[old_key]
    pairs = []
    for node in new.nodes:
        if node.key in mapping:
            continue
        for old in unmatched_old.values():
            if old.kind == node.kind:
                ratio = difflib.SequenceMatcher(None, _normalized(old.text), _normalized(node.text)).ratio()
                if ratio >= similarity:
                    pairs.append((-ratio, node.key, old.key))
    for _, new_key, old_key in sorted(pairs):
        if new_key not in mapping and old_key in unmatched_old:
            mapping[new_key] = old_key
            del unmatched_old[old_key]
    used = {node.key for node in previous.nodes} | set(mapping.values())
    counter = start
    for node in new.nodes:
        if node.key not in mapping:
            while f"n{counter}" in used:
                counter += 1
            mapping[node.key] = f"n{counter}"
            used.add(mapping[node.key])
    return Graph(
        tuple(Node(mapping[n.key], n.kind, n.text) for n in new.nodes),
        frozenset((mapping[p], mapping[c]) for p, c in new.links),
    )


# Comparing versions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Diff:
    added: tuple[Node, ...] = ()
    removed: tuple[Node, ...] = ()
    reworded: tuple[tuple[Node, Node], ...] = ()  # (before, after)
    links_added: tuple[tuple[str, str], ...] = ()
    links_removed: tuple[tuple[str, str], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.reworded or self.links_added or self.links_removed)

    def inverted(self) -> "Diff":
        return Diff(
            added=self.removed,
            removed=self.added,
            reworded=tuple(sorted((after, before) for before, after in self.reworded)),
            links_added=self.links_removed,
            links_removed=self.links_added,
        )


def diff(before: Graph, after: Graph) -> Diff:
    """What changed from one version to another: nodes added, removed, reworded, links added and removed."""
    old, new = before.by_key(), after.by_key()
    return Diff(
        added=tuple(sorted(new[k] for k in new.keys() - old.keys())),
        removed=tuple(sorted(old[k] for k in old.keys() - new.keys())),
        reworded=tuple(sorted(
            (old[k], new[k]) for k in old.keys() & new.keys() if old[k] != new[k]
        )),
        links_added=tuple(sorted(after.links - before.links)),
        links_removed=tuple(sorted(before.links - after.links)),
    )


def apply(graph: Graph, change: Diff) -> Graph:
    """The graph with a diff applied: `apply(a, diff(a, b))` has the nodes and links of `b`."""
    nodes = graph.by_key()
    for node in change.removed:
        nodes.pop(node.key, None)
    for _, after in change.reworded:
        nodes[after.key] = after
    for node in change.added:
        nodes[node.key] = node
    links = (set(graph.links) - set(change.links_removed)) | set(change.links_added)
    return Graph(tuple(sorted(nodes.values())), frozenset(links))


def same(a: Graph, b: Graph) -> bool:
    return set(a.nodes) == set(b.nodes) and a.links == b.links


# Layout for the picture ------------------------------------------------------------------------

COLUMN_TITLES = ("Aim", "Primary drivers", "Secondary drivers", "Change ideas")


@dataclass(frozen=True)
class Box:
    key: str
    column: int
    x: float
    y: float
    width: float
    height: float
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    boxes: tuple[Box, ...]
    connectors: tuple[tuple[float, float, float, float], ...] = field(default=())  # x1, y1, x2, y2
    column_x: tuple[float, ...] = ()


def layout(graph: Graph, aim_text: str, *, column_width: float = 230, gap: float = 60, chars: int = 30,
           line_height: float = 16, padding: float = 8, spacing: float = 12, top: float = 40) -> Layout:
    """Columns Aim → primary → secondary → change ideas; each column's boxes in the order of a walk from the aim.

    Secondary drivers that hang from other secondary drivers stay in the secondary column.
    """
    order: dict[str, int] = {}

    def visit(key: str) -> None:
        if key in order:
            return
        order[key] = len(order)
        for child in graph.children(key):
            visit(child.key)

    for root in graph.roots():
        visit(root.key)
    for node in graph.nodes:
        visit(node.key)
    columns: dict[int, list[Node]] = {1: [], 2: [], 3: []}
    column_of = {PRIMARY: 1, SECONDARY: 2, CHANGE_IDEA: 3}
    for node in sorted(graph.nodes, key=lambda n: order[n.key]):
        columns[column_of.get(node.kind, 3)].append(node)
    column_x = tuple(index * (column_width + gap) + 10 for index in range(4))

    def box_for(key: str, column: int, text: str, y: float) -> Box:
        lines = tuple(textwrap.wrap(text, chars) or [""])
        return Box(key, column, column_x[column], y, column_width, len(lines) * line_height + 2 * padding, lines)

    placed: dict[str, Box] = {}

    def stack(column: int) -> float:
        """Place a column's boxes in order, each as near the middle of its children as there is room for."""
        y = top
        for node in columns[column]:
            box = box_for(node.key, column, node.text, y)
            children = [placed[c.key] for c in graph.children(node.key)
                        if c.key in placed and placed[c.key].column > column]
            if children:
                middle = sum(c.y + c.height / 2 for c in children) / len(children)
                box = replace(box, y=max(y, middle - box.height / 2))
            placed[node.key] = box
            y = box.y + box.height + spacing
        return y

    bottom = max([stack(3), stack(2), stack(1), top + 80])
    primaries = [placed[n.key] for n in columns[1]]
    aim = box_for("aim", 0, aim_text, top)
    middle = sum(p.y + p.height / 2 for p in primaries) / len(primaries) if primaries else top + aim.height / 2
    aim = replace(aim, y=max(top, middle - aim.height / 2))
    bottom = max(bottom, aim.y + aim.height + spacing)
    boxes = [aim] + [placed[n.key] for column in (1, 2, 3) for n in columns[column]]
    placed["aim"] = aim
    tallest = bottom
    connectors = []
    for node in graph.roots():
        connectors.append(_connect(aim, placed[node.key]))
    for parent, child in sorted(graph.links, key=lambda link: (order.get(link[0], 0), order.get(link[1], 0))):
        if parent in placed and child in placed:
            connectors.append(_connect(placed[parent], placed[child]))
    width = column_x[3] + column_width + 10
    return Layout(width, tallest + 10, tuple(boxes), tuple(connectors), column_x)


def _connect(a: Box, b: Box) -> tuple[float, float, float, float]:
    if a.column == b.column:  # a secondary driver under another: along the left edge
        return (a.x + 10, a.y + a.height, b.x + 10, b.y)
    return (a.x + a.width, a.y + a.height / 2, b.x, b.y + b.height / 2)
