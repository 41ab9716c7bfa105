"""
Behaviors: misbehaviour registered through a control API.

A control API lets a test say "the next server creates whose name matches
``^fail-`` answer 500" without touching the request that triggers it. Every API
shares this one registry type; what differs per API is the :class:`Event`
(which behaviors exist, which parameters they take, which criteria select the
requests they apply to).

A registration is JSON::

    {"name": "fail",
     "parameters": {"code": 500, "message": "boom"},
     "criteria": [{"server_name": "^fail-"}, {"metadata": {"env": "test"}}]}

All criteria must match (they are ANDed). Regexes must match the whole value
(``re.fullmatch``), so ``"test"`` means exactly ``test`` and ``"test.*"`` means
a prefix; they are matched in linear time (:mod:`mimic.model.patterns`), so a
pattern that needs backtracking or is over budget is refused at registration. The oldest registered behavior whose criteria match wins; with none,
the event's ``default`` behavior applies.

``sequence`` (``{"behaviors": [b1, b2, ...]}``) plays its behaviors in order,
one per matching request, then keeps applying the last one; with
``"repeat": true`` it starts over instead.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

import attrs

from mimic.model.patterns import (
    ClientPattern,
    MatchBudget,
    PatternRefused,
    PatternTooCostly,
    compile_pattern,
)
from mimic.util import IdSource


class InvalidBehavior(ValueError):
    """A registration that cannot be accepted; the message says why."""


def _no_parameters(parameters: Mapping[str, Any]) -> dict:
    return dict(parameters)


@attrs.frozen
class BehaviorKind:
    """
    A named behavior an event supports. ``validate`` checks and normalises
    the ``parameters`` object (raising :class:`InvalidBehavior`) and returns
    what the API will be handed when the behavior applies.
    """

    name: str
    description: str
    validate: Callable[[Mapping[str, Any]], dict] = _no_parameters


@attrs.frozen
class CriterionKind:
    """
    A criterion an event supports: ``regex`` criteria hold one pattern matched
    against a text attribute of the request; ``mapping`` criteria hold
    ``{key: pattern}`` matched against a mapping attribute (such as
    metadata), every key required.
    """

    name: str
    shape: str = "regex"

    def compile(self, value: Any) -> "Criterion":
        if self.shape == "regex":
            return Criterion(self.name, _compile_regex(self.name, value))
        if not isinstance(value, dict) or not value:
            raise InvalidBehavior(
                f"criterion {self.name!r} takes an object of key to regex"
            )
        patterns = {
            key: _compile_regex(f"{self.name}.{key}", pattern)
            for key, pattern in value.items()
        }
        return Criterion(self.name, patterns)


def _compile_regex(where: str, pattern: Any) -> ClientPattern:
    if not isinstance(pattern, str):
        raise InvalidBehavior(f"criterion {where!r} must be a regex string")
    try:
        return compile_pattern(pattern, probe=True)
    except PatternRefused as refused:
        raise InvalidBehavior(
            f"criterion {where!r} is not a valid regex: {pattern[:100]!r} ({refused})"
        ) from None


@attrs.frozen
class Criterion:
    """A compiled criterion of one registration."""

    name: str
    test: Any

    def matches(self, attributes: Mapping[str, Any], budget: MatchBudget) -> bool:
        value = attributes.get(self.name)
        if isinstance(self.test, ClientPattern):
            return value is not None and self.test.fullmatch(str(value), budget)
        if not isinstance(value, Mapping):
            return False
        return all(
            key in value and pattern.fullmatch(str(value[key]), budget)
            for key, pattern in self.test.items()
        )

    def as_json(self) -> dict:
        if isinstance(self.test, ClientPattern):
            return {self.name: self.test.pattern}
        return {self.name: {k: p.pattern for k, p in self.test.items()}}


@attrs.frozen
class Event:
    """
    Something an API does that behaviors can change (``auth``, ``creation``,
    ``deletion``), with the behaviors and criteria it accepts.
    """

    name: str
    behaviors: tuple[BehaviorKind, ...]
    criteria: tuple[CriterionKind, ...]
    default: str = "default"

    def behavior_kind(self, name: Any) -> BehaviorKind:
        for kind in self.behaviors:
            if kind.name == name:
                return kind
        known = ", ".join(sorted([k.name for k in self.behaviors] + ["sequence"]))
        raise InvalidBehavior(
            f"unknown behavior {name!r} for event {self.name!r}; known: {known}"
        )

    def criterion_kind(self, name: str) -> CriterionKind:
        for kind in self.criteria:
            if kind.name == name:
                return kind
        known = ", ".join(sorted(k.name for k in self.criteria)) or "none"
        raise InvalidBehavior(
            f"unknown criterion {name!r} for event {self.name!r}; known: {known}"
        )

    def describe(self) -> dict:
        """What a user may register for this event (for docs and listings)."""
        return {
            "behaviors": {k.name: k.description for k in self.behaviors},
            "criteria": [k.name for k in self.criteria],
        }


@attrs.frozen
class Chosen:
    """The behavior that applies to one request: its name and parameters."""

    name: str
    parameters: dict = attrs.field(factory=dict)


@attrs.define
class RegisteredBehavior:
    """One registration; a ``sequence`` remembers how far it has played."""

    id: str
    name: str
    parameters: dict
    steps: tuple[Chosen, ...]
    criteria: tuple[Criterion, ...]
    repeat: bool = False
    _played: int = 0

    def matches(self, attributes: Mapping[str, Any], budget: MatchBudget) -> bool:
        return all(criterion.matches(attributes, budget) for criterion in self.criteria)

    def next_step(self) -> Chosen:
        if self.repeat:
            step = self.steps[self._played % len(self.steps)]
        else:
            step = self.steps[min(self._played, len(self.steps) - 1)]
        self._played += 1
        return step

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "parameters": self.parameters,
            "criteria": [c.as_json() for c in self.criteria],
        }


@attrs.define
class BehaviorRegistry:
    """
    The behaviors registered for one event, in registration order.
    Registering validates everything first and changes nothing on error.
    """

    event: Event
    ids: IdSource
    _registered: dict[str, RegisteredBehavior] = attrs.field(factory=dict)

    def register(self, body: Any) -> RegisteredBehavior:
        if not isinstance(body, dict):
            raise InvalidBehavior("a behavior must be a JSON object")
        name = body.get("name")
        parameters = body.get("parameters", {})
        raw_criteria = body.get("criteria", [])
        if not isinstance(name, str):
            raise InvalidBehavior("'name' is required and must be a string")
        if not isinstance(parameters, dict):
            raise InvalidBehavior("'parameters' must be an object")
        if not isinstance(raw_criteria, list):
            raise InvalidBehavior("'criteria' must be a list of objects")
        criteria = []
        for item in raw_criteria:
            if not isinstance(item, dict) or len(item) != 1:
                raise InvalidBehavior(
                    "each criterion must be an object with exactly one key"
                )
            ((criterion_name, value),) = item.items()
            criteria.append(self.event.criterion_kind(criterion_name).compile(value))
        repeat = False
        if name == "sequence":
            steps = self._sequence_steps(parameters)
            repeat = parameters.get("repeat", False)
            if not isinstance(repeat, bool):
                raise InvalidBehavior("'repeat' must be true or false")
        else:
            steps = (self._step(name, parameters),)
        registered = RegisteredBehavior(
            id=self.ids.uuid(),
            name=name,
            parameters=parameters,
            steps=steps,
            criteria=tuple(criteria),
            repeat=repeat,
        )
        self._registered[registered.id] = registered
        return registered

    def _step(self, name: Any, parameters: Any) -> Chosen:
        kind = self.event.behavior_kind(name)
        if not isinstance(parameters, dict):
            raise InvalidBehavior(f"parameters of {name!r} must be an object")
        return Chosen(kind.name, kind.validate(parameters))

    def _sequence_steps(self, parameters: dict) -> tuple[Chosen, ...]:
        behaviors = parameters.get("behaviors")
        if not isinstance(behaviors, list) or not behaviors:
            raise InvalidBehavior("'sequence' needs a non-empty list 'behaviors'")
        steps = []
        for index, step in enumerate(behaviors):
            if not isinstance(step, dict) or not isinstance(step.get("name"), str):
                raise InvalidBehavior(
                    f"behaviors[{index}] must be an object with a 'name'"
                )
            if step["name"] == "sequence":
                raise InvalidBehavior("a sequence cannot contain a sequence")
            steps.append(self._step(step["name"], step.get("parameters", {})))
        return tuple(steps)

    def remove(self, behavior_id: str) -> bool:
        """Forget a registration; ``False`` if there was none with that id."""
        return self._registered.pop(behavior_id, None) is not None

    def listing(self) -> list[dict]:
        return [registered.as_json() for registered in self._registered.values()]

    def choose(self, attributes: Mapping[str, Any]) -> Chosen:
        """
        The behavior for a request with these attributes (advancing a
        matching sequence), or the event's default. Matching shares one
        request's :class:`MatchBudget`: the behaviors it had no time left
        for do not apply.
        """
        budget = MatchBudget()
        try:
            for registered in self._registered.values():
                if registered.matches(attributes, budget):
                    return registered.next_step()
        except PatternTooCostly:
            pass
        return Chosen(self.event.default, {})


def integer_parameter(
    parameters: Mapping[str, Any],
    key: str,
    default: Optional[int] = None,
    minimum: Optional[int] = None,
    maximum: Optional[int] = None,
) -> int:
    """Read an integer parameter (numbers and numeric strings accepted)."""
    value = parameters.get(key, default)
    if value is None:
        raise InvalidBehavior(f"parameter {key!r} is required")
    number = coerce_number(value, key)
    if number != int(number):
        raise InvalidBehavior(f"parameter {key!r} must be a whole number")
    number = int(number)
    if minimum is not None and number < minimum:
        raise InvalidBehavior(f"parameter {key!r} must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise InvalidBehavior(f"parameter {key!r} must be at most {maximum}")
    return number


def coerce_number(value: Any, what: str) -> float:
    """
    A number given as JSON number or numeric string (presets arrive as
    metadata strings), rejecting booleans, NaN and infinities.
    """
    if isinstance(value, bool):
        raise InvalidBehavior(f"{what!r} must be a number")
    if not isinstance(value, (int, float, str)):
        raise InvalidBehavior(f"{what!r} must be a number")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except ValueError:
        raise InvalidBehavior(f"{what!r} must be a number, not {value[:40]!r}") from None
    except OverflowError:
        # An integer of more than 308 digits is no float at all.
        raise InvalidBehavior(f"{what!r} must be a finite number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidBehavior(f"{what!r} must be a finite number")
    return number


def failure_kind(default_type: str, default_message: str, description: str) -> BehaviorKind:
    """
    The ``fail`` behavior every API offers: answer with ``code`` (400-599),
    ``message`` and an error ``type`` (the key of the error body, such as
    ``unauthorized`` or ``computeFault``).
    """

    def validate(parameters: Mapping[str, Any]) -> dict:
        code = integer_parameter(parameters, "code", default=500, minimum=400, maximum=599)
        message = parameters.get("message", default_message)
        error_type = parameters.get("type", default_type)
        if not isinstance(message, str) or not isinstance(error_type, str):
            raise InvalidBehavior("'message' and 'type' must be strings")
        return {"code": code, "message": message, "type": error_type}

    return BehaviorKind("fail", description, validate)


def duration_kind(name: str, description: str,
                  default: Optional[float] = None) -> BehaviorKind:
    """
    A behavior that lasts ``duration`` clock seconds (a non-negative number,
    or numeric string), such as "stay in BUILD": required unless a
    ``default`` is given.
    """

    def validate(parameters: Mapping[str, Any]) -> dict:
        value = parameters.get("duration", default)
        if value is None:
            raise InvalidBehavior("parameter 'duration' is required")
        duration = coerce_number(value, "duration")
        if duration < 0:
            raise InvalidBehavior("'duration' must not be negative")
        return {"duration": duration}

    return BehaviorKind(name, description, validate)
