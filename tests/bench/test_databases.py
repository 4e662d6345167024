"""`make bench --database both` (bench/catalogue.py, bench/report.py): the same synthetic catalogue
lands in PostgreSQL as in SQLite, and PostgreSQL's rows are judged against SQLite's of the same
run. A benchmark that imported another catalogue into PostgreSQL, or compared a PostgreSQL row
with the wrong SQLite one, would report a ratio that means nothing."""

import sys
from pathlib import Path

import pytest

from tests.bench.test_pages import result

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))
import catalogue  # noqa: E402
import report  # noqa: E402

pytestmark = pytest.mark.skipif(not (Path("/usr/lib/postgresql/15/bin/postgres")).is_file(),
                                reason="PostgreSQL 15 is not installed (make postgresql)")


def test_postgresql_holds_the_same_catalogue_as_sqlite(tmp_path, postgres_server):
    url = postgres_server.url(postgres_server.create_database())
    catalogue.build(tmp_path / "sqlite", 60)
    built = catalogue.build(tmp_path / "postgresql", 60, url)

    listed = catalogue.listed_addons(tmp_path / "sqlite")
    assert catalogue.listed_addons(tmp_path / "postgresql", url) == listed
    ids = [addon_id for addon_id, _ in listed[:10]]
    assert catalogue.addon_names(tmp_path / "postgresql", ids, url) == catalogue.addon_names(tmp_path / "sqlite", ids)
    assert built["addons"] == 60 and built["database_bytes"] == catalogue.database_bytes(tmp_path / "postgresql", url)
    index = catalogue.search_index_bytes(tmp_path / "postgresql", url)
    assert 0 < index < built["database_bytes"]


def both(sqlite: dict, postgresql: dict) -> dict:
    """A run's results: the bare runs, SQLite's rows and PostgreSQL's, named as bench/run.py names them."""
    return {"bare (first)": result(4_000), "bare starlette (first)": result(20_000), **sqlite,
            **{report.labelled(name, "postgresql"): row for name, row in postgresql.items()},
            "bare starlette (last)": result(20_000), "bare (last)": result(4_000)}


def test_postgresql_rows_are_judged_against_sqlites_of_the_same_run():
    results = both({"search": result(3_000, 8.0), "search (uncached)": result(300, 100.0), "listing": result(2_000),
                    "detail": result(2_000)},
                   {"search": result(2_400, 40.0), "search (uncached)": result(150, 240.0), "listing": result(1_000),
                    "detail": result(1_000)})
    probes = [{"endpoint": "search (uncached)", "kind": "typo", "median_ms": 5.0, "max_ms": 6.0, "slowest": "/?q=tabb"},
              {"endpoint": "search (uncached) [PostgreSQL]", "kind": "typo", "median_ms": 10.0, "max_ms": 30.0,
               "slowest": "/?q=tabb"}]
    summary = report.summarise_databases(results, ["sqlite", "postgresql"], probes=probes)
    aims = summary["aims"]

    assert [aims[f"{name} postgresql within 1.5x"]["pass"] for name in ("search", "search (uncached)", "listing")] == [
        True, False, False]
    assert aims["search postgresql p99"]["pass"] and not aims["search (uncached) postgresql p99"]["pass"]
    # Each database's rows keep their own aims, PostgreSQL's labelled with its name.
    assert aims["detail_at_least_half_of_bare"]["pass"] and not aims["detail_at_least_half_of_bare [PostgreSQL]"]["pass"]
    assert aims["single search"]["pass"] and not aims["single search [PostgreSQL]"]["pass"]
    assert results["detail [PostgreSQL]"]["ratio_to_bare"] == 0.25
    assert results["search [PostgreSQL]"]["baseline"] == "bare starlette"

    section = "\n".join(report.comparison_section(summary["databases"]))
    assert "| search | 3,000 | 2,400 | 0.80 | 8.00 | 40.0 | 5.00 | 0.120 | – |" in section
    assert "| search (uncached) | typo | 5.0 | 10.0 | 2.00 |" in section
    assert report.aim_line("x", aims["listing postgresql within 1.5x"]) == (
        "- x within 1.5 × of SQLite's: **FAIL** (SQLite serves 2.00 × as many requests/s)")


def test_a_run_on_one_database_has_no_comparison():
    results = both({}, {"search": result(2_000, 9.0)})
    summary = report.summarise_databases(results, ["postgresql"])
    assert "databases" not in summary
    assert set(summary["aims"]) == {"search p99 [PostgreSQL]", "search throughput [PostgreSQL]"}
