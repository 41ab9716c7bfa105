"""
A closed-loop HTTP/1.1 load generator that costs the server's machine as
little as it can: ``clients`` keep-alive connections on one ``epoll`` loop
in this process, each sending its next request as soon as its previous
answer is complete, for a bounded time, against loopback only.

``bench/_load.py`` runs its clients on Twisted, which costs about as much per
request as a bare Twisted server spends answering one; on a 2-core machine
that made the generator, not the server, the limit of a fast baseline, and a
ratio of two rates each capped by the client says nothing. Here a request
is one ``send`` of pre-encoded bytes and an answer is found by its
``Content-Length`` (or its chunk sizes), a few microseconds each. Every run
reports the generator's own CPU per request beside the server's (read from
``/proc``), so a reader can see which of the two was the limit.

Run the benchmarks by hand (never as tests); see docs/performance.rst.
"""

from __future__ import annotations

import os
import select
import socket
import time
from typing import Callable, Optional, Union

#: ``make_request(client, n)`` gives the bytes of client ``client``'s n-th
#: request; a plain ``bytes`` is sent every time.
Requests = Union[bytes, Callable[[int, int], bytes]]

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def http_request(method: str, path: str, host: str = "127.0.0.1", body: bytes = b"",
                 headers: Optional[dict] = None) -> bytes:
    """The bytes of one HTTP/1.1 request (a JSON body when ``body`` is given)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def cpu_seconds(pid: Optional[int] = None) -> float:
    """User + system CPU of process ``pid`` (this process if None), Linux ``/proc``."""
    if pid is None:
        usage = os.times()
        return usage.user + usage.system
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Answer:
    """
    Reads one answer after another off a connection, without keeping the
    body: only the status line and headers, and chunk-size lines, are
    copied; body bytes are counted (a 1.6 MB listing costs the generator a
    few ``recv`` calls, not copies of the listing).
    """

    __slots__ = ("pending", "state", "remaining", "status")

    HEAD, BODY, CHUNK_SIZE, CHUNK_DATA, LAST_CRLF = range(5)

    def __init__(self) -> None:
        self.pending = b""      # an unfinished head or chunk-size line
        self.state = self.HEAD
        self.remaining = 0
        self.status = 0

    def feed(self, view: memoryview) -> Optional[int]:
        """Add received bytes; the status once an answer is complete, else None."""
        position, size = 0, len(view)
        while position < size or self.state == self.BODY and self.remaining == 0:
            state = self.state
            if state == self.HEAD:
                text = self.pending + bytes(view[position:position + 16384])
                end = text.find(b"\r\n\r\n")
                if end < 0:
                    self.pending = text
                    position = size
                    continue
                used = end + 4 - len(self.pending)
                self.pending = b""
                position += used
                head = text[:end].lower()
                self.status = int(head[9:12])
                found = head.find(b"\r\ncontent-length:")
                if found >= 0:
                    stop = head.find(b"\r\n", found + 2)
                    self.remaining = int(head[found + 17: stop if stop >= 0 else len(head)])
                    self.state = self.BODY
                elif b"\r\ntransfer-encoding: chunked" in head:
                    self.state = self.CHUNK_SIZE
                else:
                    self.remaining, self.state = 0, self.BODY
            elif state == self.BODY or state == self.CHUNK_DATA:
                taken = min(self.remaining, size - position)
                position += taken
                self.remaining -= taken
                if self.remaining == 0:
                    if state == self.BODY:
                        self.state = self.HEAD
                        return self.status
                    self.state = self.CHUNK_SIZE
            elif state == self.CHUNK_SIZE:
                text = self.pending + bytes(view[position:position + 64])
                end = text.find(b"\r\n")
                if end < 0:
                    self.pending = text
                    position = min(size, position + 64)
                    continue
                position += end + 2 - len(self.pending)
                self.pending = b""
                chunk = int(text[:end].split(b";")[0], 16)
                if chunk == 0:
                    self.state, self.remaining = self.LAST_CRLF, 2
                else:
                    self.state, self.remaining = self.CHUNK_DATA, chunk + 2
            else:   # the empty line after the last chunk (no trailers)
                taken = min(self.remaining, size - position)
                position += taken
                self.remaining -= taken
                if self.remaining == 0:
                    self.state = self.HEAD
                    return self.status
        return None


def closed_loop(host: str, port: int, requests: Requests, clients: int = 10,
                seconds: float = 3.0, expect: int = 200, server_pid: Optional[int] = None,
                max_requests: int = 10_000_000) -> dict:
    """
    ``clients`` connections to ``host:port``, each sending a request as soon
    as its last was answered, for ``seconds`` (at most 60) or
    ``max_requests`` in all. Returns the rate, latency percentiles, answers
    that were not ``expect``, and CPU per request of this generator and,
    given its ``server_pid``, of the server.
    """
    if host not in LOOPBACK:
        raise ValueError("the load generator only targets loopback")
    seconds = min(max(seconds, 0.1), 60.0)
    make = (lambda _client, _n: requests) if isinstance(requests, bytes) else requests
    poller = select.epoll()
    connections: dict = {}
    for number in range(clients):
        sock = socket.create_connection((host, port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        connections[sock.fileno()] = [sock, number, 0, _Answer(), 0.0]
        poller.register(sock.fileno(), select.EPOLLIN)
    latencies: list = []
    unexpected = 0
    sent = 0
    server_before = cpu_seconds(server_pid) if server_pid else None
    client_before = cpu_seconds()
    began = time.perf_counter()
    deadline = began + seconds
    for entry in connections.values():
        entry[4] = time.perf_counter()
        entry[0].sendall(make(entry[1], 0))
        entry[2] = 1
        sent += 1
    open_count = len(connections)
    now = began
    received = bytearray(1 << 20)
    into = memoryview(received)
    while open_count:
        for fd, _events in poller.poll(1.0):
            entry = connections[fd]
            sock, number, count, answer, started = entry
            try:
                count_read = sock.recv_into(into)
            except BlockingIOError:
                continue
            if not count_read:
                raise ConnectionError(f"the server closed connection {number}")
            status = answer.feed(into[:count_read])
            if status is None:
                continue
            now = time.perf_counter()
            latencies.append(now - started)
            if status != expect:
                unexpected += 1
            if now >= deadline or sent >= max_requests:
                poller.unregister(fd)
                open_count -= 1
                continue
            entry[2] = count + 1
            entry[4] = now
            sock.sendall(make(number, count))
            sent += 1
        if time.perf_counter() > deadline + 30:
            raise TimeoutError("answers stopped coming")
    elapsed = now - began
    client_cpu = cpu_seconds() - client_before
    server_cpu = cpu_seconds(server_pid) - server_before if server_pid else None
    for sock, *_ in connections.values():
        sock.close()
    poller.close()
    latencies.sort()
    done = len(latencies)

    def percentile(fraction: float) -> float:
        return latencies[min(done - 1, int(done * fraction))] * 1000 if done else float("nan")

    return {
        "requests": done,
        "unexpected": unexpected,
        "seconds": elapsed,
        "per_second": done / elapsed if elapsed > 0 else 0.0,
        "p50_ms": percentile(0.5),
        "p99_ms": percentile(0.99),
        "client_cpu_ms": client_cpu * 1000 / done if done else None,
        "server_cpu_ms": server_cpu * 1000 / done if done and server_cpu is not None else None,
    }
