"""
Small helpers shared by every API: timestamps from Mimic's clock, a
seedable source of identifiers, and the name of a store key.

They live in one place so that there is one way to format a time and one way
to make an id (see shared/STYLE.md, "one way to do a thing").
"""

from __future__ import annotations

import random
from datetime import datetime, timezone
from typing import Any

import attrs

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


#: The latest time ``tick`` may move the clock to (9000-01-01T00:00:00Z):
#: what Mimic schedules ahead of now (token expiry, builds) must still be a
#: date Python can write, and year 9999 is where it stops.
MAX_CLOCK_SECONDS = 221845392000.0


def clock_datetime(seconds: float) -> datetime:
    """
    The UTC datetime for ``seconds`` since the epoch, exactly (no float
    rounding through ``fromtimestamp`` of large values).
    """
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def iso_time(seconds: float, microseconds: bool = True) -> str:
    """
    Format a clock reading as ISO 8601 in UTC with a ``Z`` suffix.

    ``microseconds=True`` gives ``1970-01-01T00:00:04.000000Z`` (the tick
    endpoint and Identity's shape); ``False`` gives ``1970-01-01T00:00:04Z``
    (Nova's ``created``/``updated``).
    """
    moment = clock_datetime(seconds)
    # isoformat writes the same digits as strftime for the clock's years
    # (1970-9000, four digits) in about two thirds of the time, which shows
    # in a mesh hop (every node and span has a start).
    if microseconds:
        return moment.isoformat(timespec="microseconds")[:-6] + "Z"
    return moment.isoformat(timespec="seconds")[:-6] + "Z"


#: The bits ``uuid.UUID(version=4)`` sets: the version (4) and RFC 4122's variant.
_UUID4_CLEARED = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


def uuid4_text(bits: int) -> str:
    """
    ``str(uuid.UUID(int=bits, version=4))`` for 128 random ``bits``, written
    without the UUID object (whose checks cost about three times the rest).
    """
    text = "%032x" % (bits & _UUID4_CLEARED | _UUID4_SET)
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


@attrs.define
class IdSource:
    """
    Every identifier Mimic makes comes from here, drawn from one seeded
    random source, so that a run started with the same seed and driven by
    the same requests hands out the same ids.
    """

    seed: int = 0
    _random: random.Random = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def uuid(self) -> str:
        """A random (version 4) UUID in its canonical text form (see :func:`uuid4_text`)."""
        return uuid4_text(self._random.getrandbits(128))

    def hex(self, length: int = 32) -> str:
        """``length`` random lowercase hex digits."""
        return "".join(self._random.choice("0123456789abcdef") for _ in range(length))

    def digits(self, length: int = 6) -> str:
        """A decimal string of ``length`` digits, never starting with 0."""
        first = self._random.choice("123456789")
        return first + "".join(self._random.choice("0123456789") for _ in range(length - 1))

    def integer(self, low: int, high: int) -> int:
        """A random integer in ``[low, high]``."""
        return self._random.randint(low, high)

    def choice(self, options):
        """One of ``options``, drawn from the seeded source."""
        return self._random.choice(options)

    def random(self) -> float:
        """A float in ``[0, 1)`` from the seeded source."""
        return self._random.random()


def key_name(key: Any) -> Any:
    """A store key's name: the key itself, or the first part of a tuple key."""
    return key[0] if isinstance(key, tuple) and key else key
