"""
The judgement of ``python -m bench.against`` (the runner that compares this
checkout's benchmark figures with an older checkout's): which way is better
for each kind of figure, where "more than 10 % worse" starts, and how the
figures a bench prints become rows. Pure logic: no server is started.
"""

from __future__ import annotations

import pytest

from bench.against import (
    BENCHES,
    HIGHER,
    LOWER,
    Figure,
    Row,
    chosen,
    is_worse,
    nova_create_figures,
    nova_list_figures,
    rows,
    table,
)


@pytest.mark.parametrize("new, old, worse", [
    (91.0, 100.0, False),   # 9 % fewer requests per second: within 10 %
    (90.0, 100.0, False),   # exactly 10 %: not more than 10 %
    (89.0, 100.0, True),    # 11 % fewer: worse
    (150.0, 100.0, False),  # faster is never worse
])
def test_a_rate_is_worse_only_when_more_than_ten_percent_lower(new, old, worse):
    assert is_worse(new, old, HIGHER) is worse


@pytest.mark.parametrize("new, old, worse", [
    (1.09, 1.0, False),   # 9 % slower: within 10 %
    (1.10, 1.0, False),   # exactly 10 %
    (1.11, 1.0, True),    # 11 % slower (or 11 % more bytes): worse
    (0.5, 1.0, False),    # smaller is never worse
])
def test_a_latency_or_size_is_worse_only_when_more_than_ten_percent_higher(new, old, worse):
    assert is_worse(new, old, LOWER) is worse


def test_a_direction_the_runner_does_not_know_is_refused():
    with pytest.raises(ValueError):
        is_worse(1.0, 1.0, "sideways")


def test_a_row_judges_the_medians_of_the_repetitions():
    # One slow outlier on the new side does not move its median.
    row = Row("GET (ms)", LOWER, new=(1.0, 1.05, 9.0), old=(1.0, 1.0, 1.0))
    assert row.ratio == pytest.approx(1.05)
    assert not row.worse
    slower = Row("GET (ms)", LOWER, new=(1.2, 1.3, 1.25), old=(1.0, 1.1, 1.0))
    assert slower.worse


def test_rows_pair_the_figures_both_sides_printed_in_every_run():
    new_runs = [[Figure("rate", 10, HIGHER), Figure("only new", 1, LOWER)],
                [Figure("rate", 12, HIGHER), Figure("only new", 1, LOWER)]]
    old_runs = [[Figure("rate", 20, HIGHER)], [Figure("rate", 22, HIGHER)]]
    (row,) = rows(new_runs, old_runs)
    assert (row.name, row.new, row.old, row.better) == ("rate", (10, 12), (20, 22), HIGHER)
    assert row.worse


def test_the_table_shows_medians_ranges_ratio_and_the_verdict():
    printed = table([Row("creates per second", HIGHER, new=(100, 120, 110),
                         old=(100, 101, 99)),
                     Row("RSS per server (bytes)", LOWER, new=(900, 910, 905),
                         old=(800, 800, 800))])
    header, rate, rss = printed.splitlines()
    assert "new median (range)" in header and "new/old" in header
    assert "110 (100-120)" in rate and "100 (99-101)" in rate and "1.10" in rate
    assert rate.endswith("no")
    assert "905 (900-910)" in rss and "1.13" in rss and rss.endswith("WORSE")


def test_nova_list_rates_are_read_with_their_case_in_the_name():
    output = ("GET servers             0 servers:    812.5 req/s (15 bytes)\n"
              "GET servers/detail   1000 servers:    250.0 req/s after a change each time\n")
    assert nova_list_figures(output) == [
        Figure("GET servers, 0 servers (req/s)", 812.5, HIGHER),
        Figure("GET servers/detail, 1000 servers after a change each time (req/s)",
               250.0, HIGHER),
    ]


def test_nova_create_latencies_and_memory_are_lower_is_better():
    output = ("created 2000 servers in 4.0 s: 500 creates/s\n"
              "GET one server at 2001: mean 0.800 ms, median 0.700 ms\n"
              "RSS 70.0 MiB -> 71.5 MiB: 790 bytes per server (journal full before: "
              "Nova's own)\n"
              "RSS after listing every server in detail: 74.0 MiB (2100 bytes per server)\n"
              "server CPU per GET of one server: 0.410 ms; per DELETE: 0.520 ms "
              "(1000 GETs, 1000 DELETEs)\n")
    found = {figure.name: figure for figure in nova_create_figures(output)}
    assert found["creates per second"] == Figure("creates per second", 500, HIGHER)
    assert found["GET one server at 2001, mean (ms)"].value == 0.8
    assert found["GET one server at 2001, median (ms)"].value == 0.7
    assert found["RSS per server after the creates (bytes)"].value == 790
    assert found["RSS per server after listing all in detail (bytes)"].value == 2100
    assert found["server CPU per GET of one server (ms)"].value == 0.41
    assert found["server CPU per DELETE (ms)"].value == 0.52
    assert {f.better for name, f in found.items() if name != "creates per second"} == {LOWER}


def test_benches_are_chosen_by_name_or_group_and_unknown_names_are_refused():
    assert [b.name for b in chosen("nova")] == ["nova_list", "nova_create"]
    assert [b.name for b in chosen("tokens,fastly_bench")] == ["tokens", "fastly_bench"]
    assert chosen("all") == list(BENCHES)
    with pytest.raises(SystemExit, match="unknown bench"):
        chosen("nova,warp-drive")
