"""The chart data tables: escaped, a dash for a hidden count, numbers right-aligned, cut at the limit."""

from dashboards.templatetags.data_tables import data_table


def test_cells_are_escaped_and_hidden_counts_show_a_dash():
    html = data_table({"columns": ["Area", "<b>Count</b>"], "rows": [["<script>x</script>", None], ["Camden", 12]]})
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert '<th scope="col">&lt;b&gt;Count&lt;/b&gt;</th>' in html
    assert '<td class="num">–</td>' in html and '<td class="num">12</td>' in html
    assert "<td>Camden</td>" in html


def test_the_limit_keeps_the_first_rows():
    table = {"columns": ["n"], "rows": [[i] for i in range(5)]}
    assert data_table(table, 2).count("<tr>") == 3  # the header row and two rows
    assert data_table(table).count("<tr>") == 6


def test_counts_read_as_localize_writes_them_with_or_without_thousands(settings):
    from django.utils.formats import localize

    row = [["Westminster", 1234567, 12.5, True]]
    for grouped in (False, True):
        settings.USE_THOUSAND_SEPARATOR = grouped
        cells = [f'<td class="num">{localize(value)}</td>' for value in row[0][1:]]
        assert "".join(cells) in data_table({"columns": ["Area", "n", "rate", "flag"], "rows": row})
    assert "1,234,567" in data_table({"columns": ["n"], "rows": [["x", 1234567]]})  # the last setting: grouped


def test_every_cell_reads_as_localize_writes_it_in_a_language_with_a_decimal_comma():
    """The direct writing of counts, floats and text is taken only where it is what localize writes."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import translation
    from django.utils.formats import localize
    from django.utils.html import conditional_escape

    values = [0, -3, 1234567, 0.5, -12.25, 1e-07, 3.0e20, float("nan"), Decimal("2.50"), dt.date(2024, 3, 1), "a<b"]
    for language in ("en-gb", "de"):
        with translation.override(language):
            html = data_table({"columns": ["label", *map(str, values)], "rows": [["row", *values]]})
            cells = "".join(f'<td class="num">{conditional_escape(localize(value))}</td>' for value in values)
            assert cells in html, language
    assert '<td class="num">0,5</td>' in html  # the German table wrote a decimal comma
