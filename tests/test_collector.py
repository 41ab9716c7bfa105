"""
The serving Mimic tunes the garbage collector once start-up is done
(:mod:`mimic.collector`): what start-up built is frozen out of full
collections and the young generation is collected less often. Checked by
what it sets, never by timing it; in a subprocess, so that this test
process (whose other tests measure memory) keeps the interpreter's
defaults.
"""

from __future__ import annotations

import json
import subprocess
import sys

from twisted.internet.testing import MemoryReactor

from mimic import serving, tap
from mimic.collector import YOUNG_THRESHOLD


def test_settling_the_heap_freezes_what_start_up_built_and_collects_the_young_less_often():
    script = (
        "import gc, json\n"
        "from mimic.core import MimicCore\n"
        "from mimic.resource import MountedRoot\n"
        "before = gc.get_threshold()\n"
        "root = MountedRoot(MimicCore.from_plugins())\n"
        "from mimic.collector import settle_heap\n"
        "settle_heap()\n"
        "print(json.dumps([before, gc.get_threshold(), gc.get_freeze_count()]))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    before, after, frozen = json.loads(out)
    assert after == [YOUNG_THRESHOLD, before[1], before[2]]
    assert YOUNG_THRESHOLD > before[0]
    # The core, its plugins' models and the root's routes: tens of thousands.
    assert frozen > 10_000


def test_the_listener_mimic_and_twistd_start_settles_the_heap_before_listening(monkeypatch):
    settled: list = []
    # The mimic command's listener, and twistd's service around the same one.
    for start in (lambda reactor: serving.Listener("tcp:0:interface=127.0.0.1", object(),
                                                   reactor).start(),
                  lambda reactor: tap.MimicService("tcp:0:interface=127.0.0.1", object(),
                                                   reactor=reactor).startService()):
        reactor = MemoryReactor()
        monkeypatch.setattr(serving, "settle_heap",
                            lambda reactor=reactor: settled.append(len(reactor.tcpServers)))
        start(reactor)
        assert len(reactor.tcpServers) == 1
    assert settled == [0, 0]
