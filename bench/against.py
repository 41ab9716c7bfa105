"""
This checkout against an older one, bench script by bench script, in one
run: ``python -m bench.against --old PATH`` runs each chosen benchmark once
against a Mimic of each side per repetition (a fresh server every time,
the order of the sides rotating), reads the figures from what the script
prints, and prints one table: each figure's median and range on both
sides, their ratio, and whether this checkout is more than 10 % worse.

    .venv/bin/python -m bench.against --old ../old-checkout
        [--benches nova,identity,...|all] [--repetitions 3]

The old side is the same script (this checkout's, so the client does the
same work) against a Mimic started from PATH: :mod:`bench._server` runs it
with PATH as its working directory and ``PYTHONPATH``. PATH needs only a
``mimic`` package this checkout's virtualenv can import (a ``git worktree``
or a clone of an older commit). Where the old Mimic lacks ``--quiet`` and
``--journal-size`` (before the access log and the request journal
existed), this side runs with ``--quiet --journal-size 0``, so both do the
same work; a bench that needs an option the old side lacks is skipped,
with the reason printed.

Each bench's arguments here keep its run short (about 10-20 s on the
2-core machine), so that ``--benches all --repetitions 3`` takes about ten
minutes on an idle machine. On a loaded machine rates move with the load
(printed at the start and the end); the CPU-per-request and memory figures
move much less, and the ratios of one run much less than the rates.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from typing import Callable, Iterable, Optional, Sequence

import attrs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: How much worse than the old side a figure may be before it is flagged.
TOLERANCE = 0.10

HIGHER = "higher"  #: rates: higher is better
LOWER = "lower"  #: latencies, bytes, CPU per request: lower is better

#: This side's extra options when the old Mimic has neither an access log
#: nor a journal (both came later): the same work on both sides.
LEAN_ARGS = ("--quiet", "--journal-size", "0")


@attrs.frozen
class Figure:
    """One number a bench printed, and which way is better."""

    name: str
    value: float
    better: str


@attrs.frozen
class Row:
    """One figure over the repetitions of both sides."""

    name: str
    better: str
    new: tuple
    old: tuple

    @property
    def ratio(self) -> Optional[float]:
        old = statistics.median(self.old)
        return statistics.median(self.new) / old if old else None

    @property
    def worse(self) -> bool:
        """Whether this side is more than :data:`TOLERANCE` worse than the old."""
        return is_worse(statistics.median(self.new), statistics.median(self.old), self.better)


def is_worse(new: float, old: float, better: str) -> bool:
    """
    Whether ``new`` is more than 10 % worse than ``old``: below 0.9 of it
    when higher is better, above 1.1 of it when lower is better.
    """
    if better == HIGHER:
        return new < old * (1 - TOLERANCE)
    if better == LOWER:
        return new > old * (1 + TOLERANCE)
    raise ValueError(f"unknown direction {better!r}")


def rows(new_runs: Sequence[list], old_runs: Sequence[list]) -> list:
    """
    The rows of figures present in every run of both sides (each run a
    list of :class:`Figure`), in the order of the first run.
    """
    def by_name(runs: Sequence[list]) -> dict:
        values: dict = {}
        for run in runs:
            for figure in run:
                values.setdefault(figure.name, []).append(figure)
        return {name: found for name, found in values.items() if len(found) == len(runs)}

    new, old = by_name(new_runs), by_name(old_runs)
    return [Row(name, figures[0].better, tuple(f.value for f in figures),
                tuple(f.value for f in old[name]))
            for name, figures in new.items() if name in old]


def number(value: float) -> str:
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


def spread(values: Iterable[float]) -> str:
    ordered = sorted(values)
    return (f"{number(statistics.median(ordered))} "
            f"({number(ordered[0])}-{number(ordered[-1])})")


def table(found: Sequence[Row]) -> str:
    """The printed table: figure, both sides' medians (ranges), ratio, verdict."""
    header = ("figure", "new median (range)", "old median (range)", "new/old", "> 10 % worse")
    lines = [header]
    for row in found:
        ratio = row.ratio
        lines.append((
            f"{row.name} ({row.better} is better)", spread(row.new), spread(row.old),
            "--" if ratio is None else f"{ratio:.2f}", "WORSE" if row.worse else "no"))
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
                     for line in lines)


# Reading the figures each script prints.

def matches(pattern: str, output: str, name: str, better: str,
            group: int = 1) -> list:
    """A figure per match of ``pattern`` (``name`` may use the match's groups)."""
    return [Figure(name.format(*(group or "" for group in match.groups())), float(match.group(group).replace(",", "")),
                   better)
            for match in re.finditer(pattern, output, re.MULTILINE)]


def json_output(output: str) -> dict:
    """The JSON document a script printed (the first ``{`` to the end)."""
    return json.loads(output[output.index("{"):])


def nova_list_figures(output: str) -> list:
    return matches(r"^GET (\S+)\s+(\d+) servers:\s+([\d.]+) req/s( after a change each time)?",
                   output, "GET {0}, {1} servers{3} (req/s)", HIGHER, group=3)


def nova_create_figures(output: str) -> list:
    found = matches(r"^created \d+ servers in [\d.]+ s: (\d+) creates/s", output,
                    "creates per second", HIGHER)
    found += matches(r"^create (mean|median) latency: .* ratio ([\d.]+)", output,
                     "create, last 100 / first 100 ({0}s)", LOWER, group=2)
    for what in ("mean", "median"):
        found += matches(rf"^(GET one server at \d+|DELETE one server at \d+): .*{what} "
                         r"([\d.]+) ms", output, "{0}, " + what + " (ms)", LOWER, group=2)
    found += matches(r"^server CPU per GET of one server: ([\d.]+) ms", output,
                     "server CPU per GET of one server (ms)", LOWER)
    found += matches(r"^server CPU per GET .*; per DELETE: ([\d.]+) ms", output,
                     "server CPU per DELETE (ms)", LOWER)
    found += matches(r"^RSS .*: (\d+) bytes per server", output,
                     "RSS per server after the creates (bytes)", LOWER)
    found += matches(r"^RSS after listing .*\((\d+) bytes per server\)", output,
                     "RSS per server after listing all in detail (bytes)", LOWER)
    return found


def load_summaries(output: str) -> list:
    """From a ``bench._load`` JSON: each summary's rate, p50 and server CPU."""
    found = []
    for phase, summary in json_output(output).items():
        if not isinstance(summary, dict) or "per_second" not in summary:
            continue
        found.append(Figure(f"{phase} (req/s)", summary["per_second"], HIGHER))
        found.append(Figure(f"{phase}, p50 (ms)", summary["p50_ms"], LOWER))
        if "server_cpu_ms_per_token" in summary:
            found.append(Figure(f"{phase}, server CPU per token (ms)",
                                summary["server_cpu_ms_per_token"], LOWER))
    return found


def identity_memory_figures(output: str) -> list:
    measured = json_output(output)["this checkout"]
    return [Figure("RSS per 1,000 users (bytes)", measured["rss_per_1000_users_bytes"], LOWER),
            Figure("RSS per 1,000 Host values (bytes)",
                   measured["rss_per_1000_hosts_bytes"], LOWER)]


def clb_figures(output: str) -> list:
    found = matches(r"^(\S.*?)(?: \(\d+ load balancers\))?\s+\d+ requests\s+(\d+) req/s",
                    output, "{0} (req/s)", HIGHER, group=2)
    found += matches(r"\(([\d.]+) KiB per load balancer\)", output,
                     "RSS per load balancer (KiB)", LOWER)
    return found


def fastly_figures(output: str) -> list:
    found = matches(r"^throughput: (\d+) requests/s", output, "throughput (req/s)", HIGHER)
    found += matches(r"^latency: median ([\d.]+) ms, p99 ([\d.]+) ms", output,
                     "latency, median (ms)", LOWER)
    found += matches(r"^list of \d+ services: ([\d.]+) ms; details: ([\d.]+) ms", output,
                     "list of the services (ms)", LOWER)
    return found


def state_file_figures(output: str) -> list:
    found = matches(r"^  (with(?:out)? --state-file):\s+([\d,]+)/s \(", output,
                    "one connection, {0} (creates/s)", HIGHER, group=2)
    found += matches(r"^  (with(?:out)? --state-file): ([\d,.]+)/s, p50", output,
                     "10 clients, {0} (creates/s)", HIGHER, group=2)
    found += matches(r"about ([\d,]+) bytes per entry", output,
                     "journal, bytes per entry", LOWER)
    return found


def access_log_figures(output: str) -> list:
    found = matches(r"^(--quiet|access log)\s+median\s+(\d+) req/s", output,
                    "{0} (req/s)", HIGHER, group=2)
    found += matches(r"^access log / --quiet: ([\d.]+)", output,
                     "access log / --quiet", HIGHER)
    return found


@attrs.frozen
class Bench:
    """A bench script, how this runner calls it, and what it reads from it."""

    name: str
    command: tuple  #: after the interpreter, run from this checkout's top
    figures: Callable[[str], list]
    group: str
    needs: tuple = ()  #: options the old side's Mimic must have
    own_server: bool = True  #: the script starts its Mimic(s) itself
    url_option: str = "--url"
    pid_option: Optional[str] = "--pid"  #: for the server's RSS, if the script reads it


BENCHES = (
    Bench("nova_list", ("bench/nova_list.py", "--requests", "300", "--seconds", "1.5"),
          nova_list_figures, "nova", own_server=False, pid_option=None),
    Bench("nova_create", ("bench/nova_create.py", "--servers", "2000"),
          nova_create_figures, "nova", own_server=False),
    Bench("tokens", ("-m", "bench.tokens", "--seconds", "3"), load_summaries, "identity"),
    Bench("identity_v3_tokens", ("-m", "bench.identity_v3_tokens", "--seconds", "3"),
          load_summaries, "identity"),
    Bench("identity_memory", ("bench/identity_memory.py", "--users", "3000", "--hosts", "300"),
          identity_memory_figures, "identity"),
    Bench("clb_bench", ("bench/clb_bench.py", "--count", "300", "--seconds", "10"),
          clb_figures, "clb", own_server=False, url_option="--base"),
    Bench("fastly_bench", ("bench/fastly_bench.py", "--services", "150", "--seconds", "5"),
          fastly_figures, "fastly", own_server=False, pid_option=None),
    Bench("neutron", ("-m", "bench.neutron", "--ports", "2000", "--rounds", "2",
                      "--seconds", "2"), load_summaries, "neutron"),
    Bench("state_file", ("bench/state_file.py", "--creates", "300", "--seconds", "2",
                         "--journal", "2000"),
          state_file_figures, "state", needs=("--state-file", "--journal-size")),
    Bench("access_log", ("bench/access_log.py", "--requests", "300", "--rounds", "3",
                         "--lines", "0"),
          access_log_figures, "access", needs=("--quiet",)),
)


def chosen(names: str) -> list:
    """The benches named (by name or group, comma-separated; ``all``)."""
    wanted = {name.strip() for name in names.split(",") if name.strip()}
    if "all" in wanted:
        return list(BENCHES)
    picked = [bench for bench in BENCHES if bench.name in wanted or bench.group in wanted]
    unknown = wanted - {b.name for b in picked} - {b.group for b in picked}
    if unknown:
        raise SystemExit(f"unknown bench(es): {', '.join(sorted(unknown))}; known: "
                         f"{', '.join(b.name for b in BENCHES)} (groups: "
                         f"{', '.join(sorted({b.group for b in BENCHES}))}, all)")
    return picked


def mimic_options(checkout: Optional[str]) -> str:
    """The ``--help`` of the Mimic of ``checkout`` (None: this one)."""
    environment = dict(os.environ)
    if checkout:
        environment["PYTHONPATH"] = checkout
    done = subprocess.run([sys.executable, "-m", "mimic", "--help"], capture_output=True,
                          text=True, cwd=checkout or ROOT, env=environment, timeout=120)
    return done.stdout + done.stderr


def run_once(bench: Bench, checkout: Optional[str], extra_args: Sequence[str]) -> tuple:
    """
    One run of ``bench`` against a fresh Mimic of ``checkout`` (None: this
    one): (figures, seconds taken, the error if it failed).
    """
    from bench._server import ARGS, CHECKOUT, start_mimic

    environment = {key: value for key, value in os.environ.items()
                   if key not in (CHECKOUT, ARGS, "PYTHONPATH")}
    if checkout:
        environment[CHECKOUT] = checkout
    if extra_args:
        environment[ARGS] = " ".join(extra_args)
    command = [sys.executable, *bench.command]
    server = None
    started = time.monotonic()
    try:
        if not bench.own_server:
            server = start_mimic(*extra_args, checkout=checkout)
            command += [bench.url_option, server.base_url]
            if bench.pid_option:
                command += [bench.pid_option, str(server.process.pid)]
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                              env=environment, timeout=900)
    finally:
        if server is not None:
            server.stop()
    seconds = time.monotonic() - started
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return [], seconds, lines[-1] if lines else f"exit status {done.returncode}"
    try:
        return bench.figures(done.stdout), seconds, None
    except (ValueError, KeyError) as error:
        return [], seconds, f"unreadable output ({error}): {done.stdout[-300:]!r}"


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", required=True, help="the older checkout to compare with")
    parser.add_argument("--benches", default="all",
                        help="comma-separated bench names or groups "
                             f"({', '.join(sorted({b.group for b in BENCHES}))}), or all")
    parser.add_argument("--repetitions", type=int, default=3)
    options = parser.parse_args(argv)
    old = os.path.abspath(options.old)
    if not os.path.isdir(os.path.join(old, "mimic")):
        raise SystemExit(f"{old} holds no mimic package")
    benches = chosen(options.benches)
    began = time.monotonic()
    print(f"load average at start: {load_average()}")
    old_help = mimic_options(old)
    lean = "--journal-size" not in old_help and "--quiet" not in old_help
    new_args = LEAN_ARGS if lean else ()
    print(f"old: {old}; this side's Mimic options: {' '.join(new_args) or '(defaults)'}"
          + (" (the old Mimic has no access log or journal)" if lean else ""))
    report = []
    for bench in benches:
        missing = [option for option in bench.needs if option not in old_help]
        if missing:
            print(f"skipped {bench.name}: the old Mimic has no {', '.join(missing)}")
            continue
        runs: dict = {"new": [], "old": []}
        failed = None
        for repetition in range(options.repetitions):
            sides = (("new", None, new_args), ("old", old, ()))
            for side, checkout, extra in sides if repetition % 2 == 0 else sides[::-1]:
                figures, seconds, error = run_once(bench, checkout, extra)
                print(f"{bench.name} repetition {repetition + 1} {side}: {seconds:.0f} s"
                      + (f", failed: {error}" if error else f", {len(figures)} figures"),
                      flush=True)
                if error:
                    failed = f"{side} side failed: {error}"
                    break
                runs[side].append(figures)
            if failed:
                break
        if failed:
            print(f"skipped {bench.name}: {failed}")
            continue
        report.append((bench.name, rows(runs["new"], runs["old"])))
    print(f"\nload average at end: {load_average()}; "
          f"{(time.monotonic() - began) / 60:.1f} minutes")
    for name, found in report:
        print(f"\n{name} ({options.repetitions} repetitions, medians; new: this checkout, "
              f"old: {old})")
        print(table(found))
    worse = [f"{name}: {row.name}" for name, found in report for row in found if row.worse]
    print(f"\nmore than 10 % worse: {len(worse)}" + "".join(f"\n  {w}" for w in worse))


if __name__ == "__main__":
    main()
