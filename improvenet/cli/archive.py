"""`improvenet export` and `improvenet import`: a cluster's open archive (see docs/archive.md)."""

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from improvenet.cli.django_setup import fail, setup_django


def _require_current_schema() -> None:
    """Both ends of an archive need every table of this version: say so instead of failing on the first one."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        fail("The database is not up to date with this version of improvenet. Run `improvenet migrate` first.")


def _progress(message: str) -> None:
    typer.echo(message, err=True)


def export_cluster(
    cluster: Annotated[str, typer.Option("--cluster", help="The cluster's short name.")],
    out: Annotated[Path, typer.Option("--out", help="The zip file to write (replaced if it exists).",
                                      dir_okay=False, writable=True)],
    quiet: Annotated[bool, typer.Option("--quiet", help="Do not print each table as it is written.")] = False,
) -> None:
    """Write everything the cluster owns to a zip of CSV tables with a JSON Schema and a manifest.

    The file appears only once it is complete: a refused export leaves no file behind. The SHA-256 of
    the whole zip is printed and written to FILE.zip.sha256 (sha256sum format); send it by another way
    than the archive so that the importer can detect deliberate changes. Passwords, API tokens and
    student-level data are never in the archive.
    """
    setup_django()
    _require_current_schema()
    from improvenet.archive.digest import companion_path, companion_text, file_sha256
    from improvenet.archive.export import ExportRefused
    from improvenet.archive.export import export_cluster as write_archive
    from improvenet.network.models import Cluster

    cluster_obj = Cluster.objects.select_related("network").filter(slug=cluster).first()
    if cluster_obj is None:
        fail(f"There is no cluster named “{cluster}”.")
    if not out.parent.is_dir():
        fail(f"The folder {out.parent} does not exist.")
    companion = companion_path(out)
    handle, partial = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            manifest = write_archive(cluster_obj, file, progress=None if quiet else _progress)
        sha256 = file_sha256(partial)
        # The companion is replaced first, so an old one never sits beside a new archive.
        _write_atomically(companion, companion_text(out, sha256))
        os.replace(partial, out)
    except ExportRefused as refusal:
        fail(str(refusal))
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    tables = [entry for entry in manifest["files"] if "table" in entry]
    rows = sum(entry["rows"] for entry in tables)
    external = sum(reference["rows"] for reference in manifest["external_references"])
    typer.echo(f"Wrote {out}: {len(tables)} tables, {rows} rows of {cluster_obj.name}."
               + (f" {external} references to other clusters' records were left out." if external else ""))
    typer.echo(f"SHA-256 of the whole archive: {sha256} (also in {companion.name}). Send it to the importer by "
               "another way than the archive, so that a changed archive is detected.", err=True)


def _write_atomically(path: Path, text: str) -> None:
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="ascii") as file:
            file.write(text)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def import_archive(
    file: Annotated[Path, typer.Argument(help="An archive written by `improvenet export`.",
                                         exists=True, dir_okay=False, readable=True)],
    sha256: Annotated[str | None, typer.Option(
        "--sha256", metavar="HEX",
        help="The SHA-256 of the whole archive, received apart from it (printed by `improvenet export`). "
             "Without it, FILE.zip.sha256 beside the archive is used when present.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="Do not print each table as it is checked and written.")]
    = False,
) -> None:
    """Restore an archive into an empty database, with the same ids: all of it or nothing.

    The whole archive's SHA-256 is checked first (from --sha256, or else FILE.zip.sha256), then every
    file against the manifest and every row against the schema, before anything is written. A database
    that already holds the archive's cluster, network, accounts or ids is refused. The accounts are
    created without a usable password: people set one with a password reset.
    """
    setup_django()
    _require_current_schema()
    from improvenet.archive.restore import ArchiveRefused
    from improvenet.archive.restore import import_archive as restore

    expected = _expected_sha256(file, sha256)
    try:
        summary = restore(file, file.name, progress=None if quiet else _progress, sha256=expected)
    except ArchiveRefused as refusal:
        fail(str(refusal))
    typer.echo(f"Imported {summary.cluster} (network {summary.network}): {summary.total} rows in "
               f"{sum(1 for rows in summary.rows.values() if rows)} tables.")


def _expected_sha256(file: Path, given: str | None) -> str | None:
    """The digest to check the archive against, saying where it comes from, or a warning when there is none."""
    from improvenet.archive.digest import DigestError, companion_path, parse_sha256, read_companion

    companion = companion_path(file)
    try:
        if given is not None:
            expected = parse_sha256(given, "--sha256")
            typer.echo(f"Checking the SHA-256 of {file.name} against the digest given with --sha256.", err=True)
            return expected
        if companion.is_file():
            expected = read_companion(companion)
            typer.echo(f"Checking the SHA-256 of {file.name} against {companion.name} beside it. That file "
                       "travelled with the archive, so this detects deliberate changes only if it came by "
                       "another way; otherwise use --sha256.", err=True)
            return expected
    except DigestError as error:
        fail(str(error))
    typer.echo(f"Warning: no SHA-256 for the whole archive (no --sha256 and no {companion.name}): only accidental "
               "damage can be detected, not deliberate changes. Ask the exporter for the digest and pass it "
               "with --sha256.", err=True)
    return None
