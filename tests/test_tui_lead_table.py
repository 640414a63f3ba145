"""The leads table on the event loop: the next page arrives before the cursor reaches the last row, and a
refresh rewrites only the rows that changed instead of rebuilding the table."""

from __future__ import annotations

from rich.console import Console
from rich.style import Style
from rich.text import Text

from slatui.store import Store
from slatui.tui.widgets.lead_table import LeadTable, RowLine


async def open_leads(pilot, settle) -> LeadTable:
    await pilot.press("3")
    await settle(pilot)
    return pilot.app.screen.query_one(LeadTable)


def test_the_next_page_loads_before_the_cursor_reaches_the_last_row(drive, demo_db, settle):
    async def scenario(pilot):
        table = await open_leads(pilot, settle)
        assert table.row_count == LeadTable.PAGE_SIZE
        table.move_cursor(row=LeadTable.PAGE_SIZE - LeadTable.PREFETCH - 1)
        await settle(pilot)
        assert table.row_count == LeadTable.PAGE_SIZE
        await pilot.press("down")
        await settle(pilot)
        assert table.row_count > LeadTable.PAGE_SIZE
        # Paged by key: the pages join up with no lead missing or repeated.
        with Store(demo_db) as store:
            assert list(table.rows_by_id) == [row["id"] for row in store.lead_rows(limit=table.row_count)]
        assert table.row_count == len(set(table.rows_by_id))

    drive(demo_db, scenario)


def test_a_refresh_rewrites_only_what_changed(drive, demo_db, settle):
    with Store(demo_db) as store:
        lead_id = store.lead_rows(limit=5)[2]["id"]

    async def scenario(pilot):
        table = await open_leads(pilot, settle)
        cleared = []
        table.clear = lambda *args, **kwargs: cleared.append(True)  # a rebuild would start here
        table.move_cursor(row=3)
        with Store(demo_db) as store, store.transaction() as conn:
            conn.execute("UPDATE leads SET name = 'Renamed Elsewhere' WHERE id = ?", (lead_id,))
        pilot.app.screen.reload()
        await settle(pilot)
        assert not cleared and table.cursor_row == 3
        line = table.get_cell(str(lead_id), "row").plain
        assert "Renamed Else" in line and "Renamed Elsewhere" not in line  # cut to its column, with an ellipsis

    drive(demo_db, scenario)


def test_columns_fold_away_by_priority_and_the_growing_ones_share_the_rest():
    from slatui.tui.widgets.folding_table import fit

    narrow = fit(LeadTable.COLUMNS, 79, 2)
    assert [column.key for column, _ in narrow] == ["id", "name", "handed_off_at", "response", "attempts", "status"]
    assert sum(width + 2 for _, width in narrow) <= 79
    wide = fit(LeadTable.COLUMNS, 119, 2)
    assert [column for column, _ in wide] == list(LeadTable.COLUMNS)
    assert sum(width + 2 for _, width in wide) == 119  # the spare width went to the names
    assert all(width == column.width for column, width in wide if not column.grow)
def test_a_row_line_lays_out_its_cells_as_columns_would():
    """One cell a row: each text cut with its ellipsis or padded to its column, right-justified where asked,
    two spaces apart, every cell keeping its own style."""
    line = RowLine([Text("42", justify="right"), Text("Ana María García", style="bold", overflow="ellipsis"),
                    Text("open", style="green")], (4, 8, 6))
    assert line.plain == "  42  Ana Mar…  open  "
    segments = line.__rich_console__(Console(), Console().options)
    assert "".join(segment.text for segment in segments) == line.plain == "  42  Ana Mar…  open  "
    assert [segment.style for segment in segments if segment.text.strip() == "Ana Mar…"] == [Style(bold=True)]
    assert line.__rich_measure__(Console(), Console().options).maximum == 4 + 8 + 6 + 2 * 2


def test_a_row_is_drawn_as_datatable_draws_it_and_drawn_again_only_when_it_changes(drive, demo_db, settle):
    """The table's own row drawing (kept across page-downs and new pages) gives DataTable's segments, styles and
    click targets for every kind of row: striped either way, under the cursor, under the mouse."""
    from itertools import chain

    from textual.coordinate import Coordinate
    from textual.strip import Strip
    from textual.widgets import DataTable

    def drawn(table, draw, row_key, cursor, hover):
        _, cells = draw(table, row_key, 0, table.rich_style, Coordinate(cursor, 0), Coordinate(hover, 0))
        return [(segment.text, segment.style) for segment in Strip(list(chain.from_iterable(cells))).simplify()]

    def compare(table):
        for index in (0, 1, 2, 3):
            row_key = table._row_locations.get_key(index)
            for cursor, hover in ((index, -1), (-1, index), (index, index), (5, 6)):
                ours = drawn(table, type(table)._render_line_in_row, row_key, cursor, hover)
                assert ours == drawn(table, DataTable._render_line_in_row, row_key, cursor, hover), (index, cursor)

    async def scenario(pilot):
        table = await open_leads(pilot, settle)
        table._show_hover_cursor = True
        compare(table)
        table.styles.overflow_y = "hidden"  # as with a page of few rows: a blank is left where the scrollbar was
        await settle(pilot)
        assert table.size.width > sum(column.get_render_width(table) for column in table.ordered_columns)
        compare(table)
        table.styles.overflow_y = "auto"
        table.move_cursor(row=3)
        await settle(pilot)
        kept = len(table._drawn_rows)
        await pilot.press("down")  # two rows change their highlight; the others are drawn already
        await settle(pilot)
        assert len(table._drawn_rows) == kept + 2
        pilot.app.screen.set_focus(None)  # the cursor's colours without the focus
        await settle(pilot)
        compare(table)
        pilot.app.theme = "textual-light"  # a new theme draws every row again, in its colours
        await settle(pilot)
        assert table._row_styles and all(style[0] == table._get_row_style(index, table.rich_style)
                                         for (index, *_), style in table._row_styles.items())

    drive(demo_db, scenario)


def test_end_and_home_go_to_the_last_row_loaded_and_back_to_the_first(drive, demo_db, settle):
    """They scrolled sideways (DataTable's), where a row is one cell the table's width: they did nothing."""
    async def scenario(pilot):
        table = await open_leads(pilot, settle)
        loaded = table.row_count
        await pilot.press("end")
        await settle(pilot)
        assert table.cursor_row == loaded - 1 and table.row_count > loaded  # and the next page came
        await pilot.press("home")
        await settle(pilot)
        assert table.cursor_row == 0

    drive(demo_db, scenario)


def test_a_lead_brought_back_below_the_last_row_shown_comes_into_the_table(drive, demo_db, settle):
    """After an undo brought back the last lead, Down on the last row moved nothing, so nothing asked for it: the
    table said '299 of 300 leads shown' until Up then Down."""
    with Store(demo_db) as store:
        oldest = store.lead_rows(limit=1000)[-1]["id"]

    async def scenario(pilot):
        table = await open_leads(pilot, settle)
        await pilot.press("end")  # loads the rest: all 300
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        assert table.row_count == 300 and table._exhausted
        with Store(demo_db) as store:  # from a shell: delete the oldest lead, then undo it
            store.delete_lead(oldest)
        pilot.app.screen.reload()
        await settle(pilot)
        assert table.row_count == 299 and table.cursor_row == 298
        with Store(demo_db) as store:
            store.undo()
        pilot.app.screen.reload()
        await settle(pilot)
        assert table.row_count == 300 and oldest in table.rows_by_id

    drive(demo_db, scenario)
