"""The bench's scales, chart and document without a database: the plan's arithmetic at every
scale (xlarge included, which no test fills), the chart drawn from fake records, the document's
sections kept apart, and the register import's figures when it loads several files."""

import dataclasses
import datetime
import json

import pytest

from bench import chart, report
from bench.fill import SCALES, Plan
from bench.fill.steps import Generator
from bench.register_import import GOAL_SECONDS, figures

LARGE, XLARGE = SCALES["large"], SCALES["xlarge"]


def test_xlarge_is_ten_times_large_in_what_grows_with_the_insured():
    for field in ("insured", "service_lines", "appointments", "appeals", "claims"):
        assert getattr(XLARGE, field) == 10 * getattr(LARGE, field), field
    assert (XLARGE.insured, XLARGE.service_lines) == (1_000_000, 10_000_000)
    assert Plan(XLARGE).policyholders == 10 * Plan(LARGE).policyholders
    # The network is a national one at both; each person's program covers as many clinics.
    assert XLARGE.clinics == LARGE.clinics
    assert Plan(XLARGE).window == Plan(LARGE).window
    # The HR manager's company is as big at both (the staff pages compare like with like).
    assert XLARGE.insured // Plan(XLARGE).policyholders == 1_000
    # The clinic register import: a million lines at xlarge, a hundred thousand below.
    assert XLARGE.register_lines == 1_000_000
    assert {s.register_lines for s in SCALES.values() if s is not XLARGE} == {100_000}


@pytest.mark.parametrize("scale", list(SCALES.values()), ids=list(SCALES))
def test_the_plans_arithmetic_holds_at_every_scale(scale):
    plan = Plan(scale)

    # A child's parent is an employee, and no employee is the parent of two children.
    assert 3 * plan.children <= plan.employees
    # Bookings take distinct slots, and leave at least half of them free.
    assert scale.appointments <= plan.slots // 2
    assert scale.doctors_per_clinic <= 8  # one doctor per specialty (bench.vocab.SPECIALTIES)
    assert 1 <= plan.window <= scale.clinics
    assert plan.users < plan.operator_id < plan.hr_id
    for q in (0, 1, plan.programs // 2, plan.programs - 1):
        for n in (0, 1, plan.window - 1, plan.window, 10 * plan.window + 3):
            assert 1 <= plan.program_clinic(q, n) <= scale.clinics
    # Every person has service lines (line i is person i % insured's).
    assert scale.service_lines >= scale.insured


@pytest.mark.parametrize("insured", [20, 100, 101, 999, 2_999, 12_345, 100_000])
def test_vzr_policies_are_counted_without_walking_the_employees(insured):
    plan = Plan(dataclasses.replace(SCALES["tiny"], insured=insured))

    walked = sum(1 for e in range(plan.employees) if plan.program_of_employee(e) % 3 == 2)

    assert plan.vzr_policies == walked


def test_the_first_bought_policy_follows_the_dms_and_vzr_policies_at_xlarge():
    generator = Generator(Plan(XLARGE), seed=1)

    assert generator.bought_policy_id(0) == 1_000_000 + Plan(XLARGE).vzr_policies + 1


def fake_results(factor: float) -> list[dict]:
    pages = [
        ("Главная", "/", "person", 4.0),
        ("Мои страховые случаи", "/cases/", "person", 18.0),
        ("HR: застрахованные", "/admin/policies/insuredperson/", "hr", 25.0),
        ("Оператор: обращения", "/admin/feedback/appeal/", "operator", 30.0),  # no goal
    ]
    return [
        {"label": label, "path": path, "audience": audience, "status": 200, "queries": 5,
         "queries_min": 5, "queries_max": 5, "median_ms": ms * factor,
         "p95_ms": ms * factor * 1.2, "requests": 30}
        for label, path, audience, ms in pages
    ]  # fmt: skip


def record(directory, name: str, factor: float):
    scale = SCALES[name]
    return chart.record(
        name,
        fake_results(factor),
        insured=scale.insured,
        service_lines=scale.service_lines,
        at="2026-12-07T10:00:00+00:00",
        machine={"cpu": "test"},
        load_average={"before": "0.10 0.20 0.30", "after": "0.40 0.50 0.60"},
        requests=30,
        directory=directory,
    )


def test_a_record_keeps_the_pages_with_goals_and_the_records_come_in_scale_order(tmp_path):
    for name, factor in (("xlarge", 1.6), ("tiny", 1.0), ("large", 1.3)):
        record(tmp_path, name, factor)

    records = chart.records_load(tmp_path)

    assert [r["scale"] for r in records] == ["tiny", "large", "xlarge"]
    assert [p["audience"] for p in records[0]["pages"]] == ["person", "person", "hr"]
    saved = json.loads((tmp_path / "xlarge.json").read_text())
    assert saved["insured"] == 1_000_000 and saved["pages"][1]["median_ms"] == pytest.approx(28.8)


def test_the_chart_is_drawn_from_whatever_scales_have_a_record(tmp_path):
    pytest.importorskip("matplotlib")
    records_dir = tmp_path / "performance"
    for name, factor in (("tiny", 1.0), ("small", 1.1), ("xlarge", 1.9)):
        record(records_dir, name, factor)

    drawn = chart.redraw(records_dir, tmp_path / "chart.png")

    assert drawn == tmp_path / "chart.png"
    assert drawn.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert drawn.stat().st_size > 10_000


def test_one_scale_is_a_chart_too_and_none_is_no_chart(tmp_path):
    pytest.importorskip("matplotlib")
    assert chart.redraw(tmp_path, tmp_path / "chart.png") is None

    record(tmp_path, "tiny", 1.0)

    assert chart.redraw(tmp_path, tmp_path / "chart.png").exists()


INFO = {"cpu": "Test CPU", "cores": 2, "ram_gb": 4, "os": "Linux", "postgresql": "15",
        "python": "3.11"}  # fmt: skip


def write_section(path, scale: str, value: str, tmp_path):
    rows = [report.Row("Главная `/`: server time, median / p95", value, "p95 ≤ 50 ms", True)]
    return report.document_write(
        rows, scale=scale, info=INFO, load_before="0.1", load_after="0.2", notes=[f"{scale} note"],
        path=path, when=datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.UTC),
        records_dir=tmp_path / "performance", chart=tmp_path / "chart.png",
    )  # fmt: skip


def test_each_documented_scale_writes_its_own_section_and_keeps_the_others(tmp_path):
    document = tmp_path / "PERFORMANCE.md"

    write_section(document, "large", "5.4 / 5.9 ms", tmp_path)
    first = document.read_text()
    write_section(document, "xlarge", "6.1 / 7.0 ms", tmp_path)
    both = document.read_text()
    write_section(document, "large", "5.0 / 5.5 ms", tmp_path)
    again = document.read_text()

    assert "5.4 / 5.9 ms" in first and "Not measured yet: `make bench SCALE=xlarge`" in first
    assert "5.4 / 5.9 ms" in both and "6.1 / 7.0 ms" in both and "Not measured yet" not in both
    assert "5.0 / 5.5 ms" in again and "6.1 / 7.0 ms" in again and "5.4 / 5.9" not in again
    assert again.index("<!-- bench:large -->") < again.index("<!-- bench:xlarge -->")
    assert again.count("<!-- bench:xlarge end -->") == 1
    assert "### Notes on `xlarge`\n\n- xlarge note" in again


def test_the_document_embeds_the_chart_and_lists_when_each_scale_was_measured(tmp_path):
    pytest.importorskip("matplotlib")
    document = tmp_path / "PERFORMANCE.md"
    record(tmp_path / "performance", "tiny", 1.0)
    record(tmp_path / "performance", "xlarge", 1.5)
    chart.redraw(tmp_path / "performance", tmp_path / "chart.png")

    write_section(document, "xlarge", "6.1 / 7.0 ms", tmp_path)
    text = document.read_text()

    assert "![Median server time of each page against scale](chart.png)" in text
    assert "| `xlarge` | 1,000,000 | 10,000,000 | 2026-12-07 10:00 | 30 | 0.10 0.20 0.30 |" in text
    assert text.index("## Median server time") < text.index("<!-- bench:large -->")


def test_a_scale_without_a_section_is_refused():
    with pytest.raises(ValueError, match="not small"):
        report.document_write([], scale="small", info=INFO, load_before="", load_after="",
                              notes=[])  # fmt: skip


def test_a_register_load_in_several_files_is_judged_by_its_total_and_its_slowest_file():
    files = [{"lines": 100_000, "seconds": 4.0 + n, "lines_before": n * 100_000} for n in range(10)]
    result = {
        "rows": 1_000_000,
        "per_file": 100_000,
        "import": {"seconds": sum(f["seconds"] for f in files)},
        "files": files,
        "again": {"seconds": 2.0, "created": 0},
    }

    total, slowest, again = figures(result)

    assert total["value"] == 85.0 and total["goal"] == f"≤ {10 * GOAL_SECONDS:.0f} s"
    assert "10 files" in total["figure"] and total["ok"]
    assert slowest["value"] == 13.0 and "into 900,000" in slowest["figure"] and slowest["ok"]
    assert again["ok"] and again["figure"] == "Register import, the last file again"


def test_a_register_load_in_one_file_keeps_its_figures():
    result = {"rows": 100_000, "import": {"seconds": 25.0}, "again": {"seconds": 2.0, "created": 0}}

    load, again = figures(result)

    assert load["figure"] == "Register import 100,000 lines" and load["ok"] is False
    assert again["figure"] == "Register import, the same file again"
