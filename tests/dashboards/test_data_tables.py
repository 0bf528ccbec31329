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
