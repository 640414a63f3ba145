"""The file itself: `slatui demo`, `backup`, `restore` and `locate`."""

from __future__ import annotations

import sys

import click

from slatui.cli.base import Context, Whole, cli, echo, pass_ctx
from slatui.errors import SlatuiError


@cli.command("demo")
@click.option("--leads", "lead_count", type=Whole(10, 10_000_000), default=1500, show_default=True,
              help="About how many leads to generate.")
@click.option("--seed", type=Whole(), default=7, show_default=True, help="Random seed (same seed, same data).")
@click.option("--force", is_flag=True, help="Add the demo even if the database already has data.")
@pass_ctx
def demo(ctx: Context, lead_count: int, seed: int, force: bool) -> None:
    """Fill the database with six months of realistic demo data."""
    from slatui.demo import generate_demo

    store = ctx.store
    store.require_writable()
    if not force and not store.is_empty():
        raise SlatuiError(f"{store.path} already has data: use --force to add the demo anyway, or --db another file")
    with click.progressbar(length=lead_count, label="Generating demo leads", file=sys.stderr) as bar:
        summary = generate_demo(store, leads=lead_count, seed=seed, progress=bar.update)
    echo(f"demo ready in {store.path}: {summary['agreements']} agreements, {summary['reps']} reps, "
               f"{summary['leads']} leads, {summary['attempts']} attempts")


@cli.command("backup")
@click.argument("dest", required=False, type=click.Path(dir_okay=False))
@pass_ctx
def backup(ctx: Context, dest: str | None) -> None:
    """Copy the database to DEST (default: a dated file beside it), safely even while the app writes."""
    import time
    from pathlib import Path

    store = ctx.store
    target = Path(dest) if dest else store.path.with_name(f"{store.path.stem}-{time.strftime('%Y%m%d-%H%M%S')}.db")
    if target.exists():
        raise SlatuiError(f"{target} already exists: choose another name or delete it first")
    if not target.parent.is_dir():
        raise SlatuiError(f"folder {target.parent} does not exist: create it first")
    echo(f"backed up {store.path} to {store.backup(target)}")


@cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace the current database (it is backed up first).")
@pass_ctx
def restore(ctx: Context, source: str, force: bool) -> None:
    """Replace the database with the backup SOURCE (refuses without --force)."""
    import time
    from contextlib import closing
    from pathlib import Path

    from slatui.store import Store, default_db_path
    from slatui.store.connection import check_slatui_file, open_read_only

    source_path = Path(source)
    target = Path(ctx.db_path) if ctx.db_path else default_db_path()
    # Only a whole slatui database, read without changing it (not even its journal mode); checked before the
    # live file is touched, so a refusal changes neither.
    check_slatui_file(source_path)
    if target.exists() and target.samefile(source_path):
        raise SlatuiError(f"{source} is the database itself: choose a backup")
    replacing = target.exists() and target.stat().st_size > 0
    if replacing and not force:
        raise SlatuiError(f"{target} exists: add --force to replace it (a copy of it is kept first)")
    with Store(target, create_parent=True) as current, closing(open_read_only(source_path)) as backup_conn:
        current.require_writable()
        if replacing:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            kept = current.backup(target.with_name(f"{target.stem}-before-restore-{stamp}.db"))
            echo(f"kept the replaced database as {kept}")
        # The backup API writes the whole file under SQLite's locks: readers never see half of it.
        backup_conn.backup(current.conn)
    echo(f"restored {target} from {source}")


@cli.command("locate")
@pass_ctx
def locate(ctx: Context) -> None:
    """Print the database path."""
    from slatui.store import default_db_path

    echo(str(ctx.db_path or default_db_path()))
