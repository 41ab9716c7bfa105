"""
What the default access log costs: the same light requests against two
Mimics started side by side, one with ``--quiet`` (the baseline) and one
logging a line per request, in alternating rounds so that the machine's
other load falls on both alike. Prints requests per second of each and the
ratio; and, in process, what one line costs to format and write, through
twistd's text observer and through Mimic's (the ``mimic`` command's). Run by hand (it starts and stops its own servers on loopback)::

    .venv/bin/python bench/access_log.py --requests 2000 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._server import start_mimic  # noqa: E402


def rate(client, count: int) -> float:
    """Requests per second of ``count`` GETs of a small control-plane answer."""
    started = time.perf_counter()
    for _ in range(count):
        response = client.get("/mimic/v1.0/presets")
        assert response.status_code == 200
    return count / (time.perf_counter() - started)


def line_cost_microseconds(count: int = 20000, observer: str = "mimic") -> float:
    """
    In process: what writing one access line costs through ``observer``:
    ``mimic`` (the observer the ``mimic`` command logs text with,
    :func:`mimic.access_log.text_lines_observer`) or ``twistd`` (twistd's
    own text observer, which ``twistd -n mimic`` logs with).
    """
    from twisted.logger import LogPublisher, textFileLogObserver

    from mimic import access_log

    make = access_log.text_lines_observer if observer == "mimic" else textFileLogObserver
    publisher = LogPublisher()
    with open(os.devnull, "w", encoding="utf-8") as sink:
        publisher.addObserver(make(sink))
        logger = access_log.access.__class__(namespace="mimic.access", observer=publisher)
        original, access_log.access = access_log.access, logger
        try:
            started = time.perf_counter()
            for _ in range(count):
                access_log.log_access(b"GET", b"/mimic/v1.0/presets", 200, 0.0004, "control")
            return (time.perf_counter() - started) / count * 1e6
        finally:
            access_log.access = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lines", type=int, default=20000,
                        help="access lines written in process per observer (0: none)")
    options = parser.parse_args()
    with start_mimic("--quiet") as quiet, start_mimic() as logging:
        clients = {"--quiet": quiet.client(), "access log": logging.client()}
        rates: dict = {name: [] for name in clients}
        for _ in range(options.rounds):
            for name, client in clients.items():
                rates[name].append(rate(client, options.requests))
        lines = logging.log.count("[mimic.access#info]")
    for name, measured in rates.items():
        print(f"{name:<12} median {statistics.median(measured):8.0f} req/s  "
              f"(rounds: {', '.join(f'{r:.0f}' for r in measured)})")
    ratio = statistics.median(rates["access log"]) / statistics.median(rates["--quiet"])
    print(f"access log / --quiet: {ratio:.3f}  ({lines} access lines written)")
    for observer in ("twistd", "mimic", "twistd", "mimic") if options.lines else ():
        print(f"one access line, in process, {observer}'s text observer: "
              f"{line_cost_microseconds(options.lines, observer):.1f} us")


if __name__ == "__main__":
    main()
