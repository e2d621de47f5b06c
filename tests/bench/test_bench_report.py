"""The bench's table: each figure beside its goal, marked by what was measured; the load
generator's TOTP codes (the admin's second factor) are RFC 6238's."""

from bench.load import LoadReport, PageLoad, summarise
from bench.loadgen import totp
from bench.measure import PageResult
from bench.report import page_rows, table_markdown


def result(label="Главная", queries=(5, 5), median=10.0, p95=20.0, status=200, audience="person"):
    return PageResult(label, "/", audience, status, queries[1], queries[0], queries[1], median,
                      p95, 30)  # fmt: skip


def test_totp_matches_the_rfc_6238_vector():
    # RFC 6238, appendix B: the SHA-1 key "12345678901234567890" at 59 s gives 94287082.
    assert totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", at=59) == "287082"


def test_a_page_meets_its_goals_only_with_the_same_queries_at_both_sizes():
    rows = page_rows("large", "tiny", [result()], [result()], None)
    assert [r.ok for r in rows] == [True, True]

    rows = page_rows("large", "tiny", [result(queries=(5, 5))], [result(queries=(5, 6))], None)
    assert rows[0].ok is False and rows[0].value == "5 → 5–6"

    too_many = page_rows("large", "tiny", [result(queries=(13, 13))], [result(queries=(13, 13))],
                         None)  # fmt: skip
    assert too_many[0].ok is False


def test_slow_pages_and_errors_under_load_miss_their_goals():
    load = LoadReport(20, 3, 40, 1, 2.0, 20.0, 100.0, 350.0, [
        PageLoad("Главная", "person", 40, 1, 100.0, 350.0)])  # fmt: skip
    rows = page_rows("large", "tiny", None, [result(p95=51.0)], load)

    assert [r.ok for r in rows] == [None, False, False]
    assert "1 errors" in rows[2].value
    # a page's figures are its queries, its time and its time under load: no ratio to its SQL
    assert not any("SQL)" in r.figure or "÷" in r.figure for r in rows)
    assert "| figure | value | goal |" in table_markdown(rows)


def test_the_load_summary_counts_every_request_and_every_error():
    samples = [("A", "person", float(ms), 200) for ms in range(1, 21)]
    samples += [("B", "hr", 5.0, 302), ("B", "hr", 7.0, 0)]

    report = summarise({"wall_seconds": 2.0, "clients": 20, "samples": samples}, workers=3)

    assert report.requests == 22 and report.errors == 2 and report.per_second == 11.0
    by_label = {p.label: p for p in report.pages}
    assert by_label["A"].p95_ms == 19.0 and by_label["A"].errors == 0
    assert by_label["B"].errors == 2
