"""Every example of docs/spc.md and of `improvenet spc --help` runs, and prints what they say."""

import doctest
import re
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from improvenet.cli import spc

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "spc.md"
EXAMPLES = ROOT / "docs" / "examples" / "spc"

app = typer.Typer()
app.command()(spc.spc)


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example files as the working directory (examples write pictures)."""
    for source in EXAMPLES.glob("*.csv"):
        shutil.copy(source, tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(command: str):
    args = shlex.split(command)
    assert args[:2] == ["improvenet", "spc"], command
    return CliRunner().invoke(app, args[2:])


def console_examples() -> list[tuple[str, str]]:
    """(command, printed output) of each `$ improvenet spc ...` line of the console blocks."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", DOC.read_text(), flags=re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            examples.append((command, output))
    return examples


def test_the_python_examples_print_what_the_page_says(examples: Path) -> None:
    failed, attempted = doctest.testfile(str(DOC), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted >= 8 and failed == 0


@pytest.mark.parametrize("command, output", console_examples(), ids=lambda value: value[:60])
def test_each_command_line_example_prints_what_the_page_says(examples: Path, command: str, output: str) -> None:
    result = run(command)
    assert result.exit_code == 0, result.output
    assert result.stdout == output
    if "--out" in command:
        written = examples / shlex.split(command)[shlex.split(command).index("--out") + 1]
        assert written.stat().st_size > 1000


def test_the_page_has_command_line_examples() -> None:
    assert len(console_examples()) >= 5


def test_the_help_examples_run_and_find_the_episodes_they_name(examples: Path) -> None:
    text = spc.spc.__doc__.replace("\\\n", " ")
    commands = [" ".join(line.split()) for line in text.splitlines() if line.strip().startswith("improvenet spc")]
    promised = re.findall(r"# episode: (\S+) (\w+) (\w+), (\S+) to (\S+)", text)
    assert len(commands) == 2 and promised == [("Lincoln", "longest_run", "above", "2025-01-13", "2025-04-07")]
    for command in commands:
        result = run(command)
        assert result.exit_code == 0, result.output
    episodes = pd.read_csv(pd.io.common.StringIO(run(commands[0]).stdout), keep_default_na=False)
    found = set(map(tuple, episodes[["school", "rule", "direction", "first_x", "last_x"]].astype(str).values))
    assert set(promised) <= found
    assert (examples / "attendance.svg").read_text().lstrip().startswith("<svg")
