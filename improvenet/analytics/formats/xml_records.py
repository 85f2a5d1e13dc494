"""Stream the records (children of the root element) of an XML file, each with its line number.

ElementTree's iterparse gives no line numbers, and lxml is not a dependency: expat reports the line of
every start tag, which is what an error message needs. Namespaces are dropped from tag names, so the
Ed-Fi 5.2.0 and 6.1.0 interchanges read alike.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

CHUNK_BYTES = 1 << 16


@dataclass
class Element:
    tag: str
    line: int
    attrib: dict[str, str]
    children: list["Element"] = field(default_factory=list)
    text: str = ""

    def child(self, tag: str) -> "Element | None":
        return next((child for child in self.children if child.tag == tag), None)

    def children_named(self, tag: str) -> list["Element"]:
        return [child for child in self.children if child.tag == tag]

    def descendants(self, tag: str) -> Iterator["Element"]:
        for child in self.children:
            if child.tag == tag:
                yield child
            yield from child.descendants(tag)

    def first(self, tag: str) -> "Element | None":
        return next(self.descendants(tag), None)

    def text_at(self, *path: str) -> str:
        """The text at a path of child tags; the last tag may be anywhere below the one before it."""
        element: Element | None = self
        for tag in path[:-1]:
            element = element.child(tag) if element else None
        found = element.first(path[-1]) if element else None
        return found.text.strip() if found else ""


class XmlFormatError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def root_tag(path: Path) -> str:
    """The root element's local name, reading only as far as its start tag ("" when it has none)."""
    found: list[str] = []
    parser = expat.ParserCreate(namespace_separator=" ")

    def start(name: str, _attributes: dict[str, str]) -> None:
        if not found:
            found.append(_local(name))

    parser.StartElementHandler = start
    with path.open("rb") as handle:
        while not found:
            chunk = handle.read(4096)
            try:
                parser.Parse(chunk, not chunk)
            except expat.ExpatError:
                break  # a malformed file keeps the root it opened with; reading its records reports the error
            if not chunk:
                break
    return found[0] if found else ""


def iter_records(path: Path) -> Iterator[Element]:
    """Yield each child of the root element once it is complete; raise XmlFormatError with its line."""
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[Element] = []
    done: list[Element] = []
    texts: list[list[str]] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        element = Element(_local(name), parser.CurrentLineNumber, {_local(k): v for k, v in attributes.items()})
        if stack:
            stack[-1].children.append(element)
        stack.append(element)
        texts.append([])

    def end(_name: str) -> None:
        element = stack.pop()
        element.text = "".join(texts.pop())
        if len(stack) == 1:
            stack[0].children.clear()
            done.append(element)

    def characters(data: str) -> None:
        texts[-1].append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(CHUNK_BYTES)
            try:
                parser.Parse(chunk, not chunk)
            except expat.ExpatError as error:
                raise XmlFormatError(error.lineno, f"the XML is not well formed ({expat.ErrorString(error.code)})") \
                    from error
            yield from done
            done.clear()
            if not chunk:
                return
