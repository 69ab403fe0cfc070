"""One way to drive the skill in process (tools layer): a request envelope in, the response JSON and
the access-log fields out, a conversation carried turn to turn, and what a response says as text.

Used by ``nose-twitch chat``, the certification self-check, the blind NLU measure, the test suite
(tests/support) and the bench, so that every one of them sees exactly what goes over the wire: the
envelope goes through the SDK's own deserializer, the skill, the SDK's serializer and JSON.

:class:`Crawler` walks the symptom check's answer tree (every answer at every question, each
state once) for the tests that check every path and for the bench, through any transport.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ask_sdk_model import RequestEnvelope

from skill.alexa.context import InvocationContext
from skill.alexa.invoker import Skill
from skill.tools import envelopes

_TAG = re.compile(r"<[^>]+>")

#: Called with each response of a :class:`Conversation` and its log fields (e.g. a test's check).
ResponseCheck = Callable[[dict[str, Any], Mapping[str, str]], None]


def invoke(skill: Skill, envelope: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The response JSON (round-tripped through JSON: what goes over the wire) and the access-log
    fields for one request envelope."""
    request_envelope = skill.serializer.deserialize(json.dumps(envelope), RequestEnvelope)
    context = InvocationContext()
    response = skill.serializer.serialize(skill.invoke(request_envelope=request_envelope, context=context))
    return json.loads(json.dumps(response)), dict(context.log)


def parse_ssml(ssml: str) -> tuple[str | None, str | None]:
    """(the text inside an SSML document, None) or (None, why it is not well-formed SSML)."""
    try:
        root = ET.fromstring(ssml)
    except ET.ParseError as exc:
        return None, f"SSML is not well-formed ({exc})"
    if root.tag != "speak":
        return None, "SSML is not wrapped in <speak>"
    return " ".join("".join(root.itertext()).split()), None


def spoken_text(ssml: str) -> str:
    """What an SSML string says, as plain text (tags dropped, whitespace folded); a string that is
    not well-formed XML is read with its tags stripped rather than lost."""
    try:
        text = "".join(ET.fromstring(ssml).itertext())
    except ET.ParseError:
        text = html.unescape(_TAG.sub(" ", ssml))
    return " ".join(text.split())


def speech_ssml(response: Mapping[str, Any]) -> str:
    """The outputSpeech SSML of a response JSON ("" when it says nothing)."""
    return ((response.get("response") or {}).get("outputSpeech") or {}).get("ssml", "")


def reprompt_ssml(response: Mapping[str, Any]) -> str:
    """The reprompt SSML of a response JSON ("" when there is none)."""
    return (((response.get("response") or {}).get("reprompt") or {}).get("outputSpeech") or {}).get("ssml", "")


def said(response: Mapping[str, Any]) -> str:
    """What a response JSON says, as plain text ("" when it says nothing)."""
    ssml = speech_ssml(response)
    return spoken_text(ssml) if ssml else ""


def ends_session(response: Mapping[str, Any]) -> bool:
    return (response.get("response") or {}).get("shouldEndSession") is True


class Conversation:
    """A multi-turn session: the session attributes of each response go into the next request.

    ``check`` (optional) is called with every response and its log fields before it is returned.
    """

    def __init__(self, skill: Skill, locale: str = "en-US", interfaces: dict[str, Any] | None = None,
                 check: ResponseCheck | None = None) -> None:
        self.skill, self.locale, self.interfaces, self.check = skill, locale, interfaces, check
        self.attributes: dict[str, Any] = {}
        self.new = True
        self.ended = False
        self.responses: list[dict[str, Any]] = []
        self.log: dict[str, str] = {}

    def next_envelope(self, request: dict[str, Any]) -> dict[str, Any]:
        """The envelope the next turn sends: the request with the session so far."""
        return envelopes.envelope(request, attributes=self.attributes, new=self.new, interfaces=self.interfaces)

    def send(self, request: dict[str, Any]) -> dict[str, Any]:
        return self.send_envelope(self.next_envelope(request))

    def send_envelope(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """One turn; the session attributes of the response are carried into the next."""
        response, self.log = invoke(self.skill, envelope)
        if self.check is not None:
            self.check(response, self.log)
        self.new = False
        self.attributes = response.get("sessionAttributes") or {}
        self.ended = ends_session(response)
        self.responses.append(response)
        return response

    def launch(self) -> dict[str, Any]:
        return self.send(envelopes.launch_request(self.locale))

    def intent(self, name: str, *slots: dict[str, Any]) -> dict[str, Any]:
        return self.send(envelopes.intent_request(name, *slots, locale=self.locale))


#: The answers to a symptom-check question, by the label a crawled path spells them with.
ANSWERS: dict[str, str] = {"yes": "AMAZON.YesIntent", "no": "AMAZON.NoIntent", "not sure": "UnsureIntent"}

#: One request envelope in, the response JSON and its access-log fields out: ``functools.partial(invoke,
#: skill)`` in process, or a transport (e.g. the bench's webhook).
Transport = Callable[[dict[str, Any]], tuple[dict[str, Any], Mapping[str, str]]]


def check_state(response: Mapping[str, Any]) -> str | None:
    """The key of the symptom-check question state a response leaves the session in (the pending
    turn and the answers so far), or None when it is not asking a check question."""
    attributes = response.get("sessionAttributes") or {}
    if attributes.get("pending") != "triage":
        return None
    return json.dumps([attributes.get("pending"), attributes.get("triage")], sort_keys=True)


@dataclass
class Turn:
    """One turn of a crawl: the path to it (the start's label, then one label a turn), what came back,
    the state it answered (``parent``, None at a start) and the question state it leaves (``state``,
    None when the check ended or left its questions). ``fresh``: the crawl explores ``state`` from
    this turn (the first to reach it)."""

    path: tuple[str, ...]
    response: dict[str, Any]
    log: Mapping[str, str]
    parent: str | None = None
    state: str | None = None
    fresh: bool = False

    @property
    def attributes(self) -> dict[str, Any]:
        return self.response.get("sessionAttributes") or {}

    @property
    def disposition(self) -> str | None:
        return self.log.get("disposition")

    @property
    def where(self) -> str:
        return " ".join(self.path)


class Crawler:
    """Walks one locale's symptom check breadth-first: every answer at every question state, each
    state explored once (paths share their tails), at most ``limit`` states (more is a loop in the
    check, and raises).

    ``check`` (optional) is called with every turn the crawler sends, the caller's own turns
    (:meth:`start`, :meth:`send`) included. :attr:`tree` keeps the answer turns of every explored
    state, so measures over whole paths (:meth:`longest`, :meth:`paths`) need no second crawl.
    """

    def __init__(self, transport: Transport, locale: str, *, interfaces: dict[str, Any] | None = None,
                 answers: Mapping[str, str] = ANSWERS, check: Callable[[Turn], None] | None = None,
                 limit: int = 1000) -> None:
        self.transport, self.locale, self.interfaces = transport, locale, interfaces
        self.answers, self.check, self.limit = dict(answers), check, limit
        #: explored state -> the answer turns taken from it
        self.tree: dict[str, list[Turn]] = {}

    def send(self, name: str, *slots: dict[str, Any], after: Turn | None = None, label: str | None = None) -> Turn:
        """One intent request in the session ``after`` left (a new session when None); not explored
        unless walked."""
        request = envelopes.intent_request(name, *slots, locale=self.locale)
        attributes = after.attributes if after is not None else {}
        envelope = envelopes.envelope(request, attributes=attributes, new=after is None, interfaces=self.interfaces)
        response, log = self.transport(envelope)
        path = (after.path if after is not None else ()) + (label or name,)
        turn = Turn(path, response, log, after.state if after is not None else None, check_state(response))
        if self.check is not None:
            self.check(turn)
        return turn

    def start(self, label: str, *slots: dict[str, Any]) -> Turn:
        """The check started in a new session ("check my symptoms", with ``slots`` for a one-shot)."""
        return self.send("SymptomCheckIntent", *slots, label=label)

    def walk(self, *turns: Turn) -> Iterator[Turn]:
        """Yields each of ``turns``, then breadth-first every answer turn below them, down to the
        check's end; a state explored before (in this walk or an earlier one) is not explored again."""
        queue: deque[Turn] = deque()
        for turn in turns:
            self._follow(turn, queue)
            yield turn
        while queue:
            turn = queue.popleft()
            assert turn.state is not None
            answered = self.tree[turn.state]
            for label, intent in self.answers.items():
                child = self.send(intent, after=turn, label=label)
                answered.append(child)
                self._follow(child, queue)
                yield child

    def _follow(self, turn: Turn, queue: deque[Turn]) -> None:
        if turn.state is None or turn.state in self.tree:
            return
        if len(self.tree) >= self.limit:
            raise RuntimeError(f"{self.locale}: the symptom check has more than {self.limit} states "
                               f"(at {turn.where!r}); a loop?")
        self.tree[turn.state] = []
        turn.fresh = True
        queue.append(turn)

    def longest(self, turn: Turn, weight: Callable[[Turn], float], end: Callable[[Turn], bool] = lambda _: True,
                ) -> float | None:
        """The most ``weight`` summed over the answer turns of any path from ``turn`` to a turn that
        ends the questions and satisfies ``end``; None when no such path. ``turn`` must be walked."""
        memo: dict[str, float | None] = {}

        def below(state: str) -> float | None:
            if state not in memo:
                found = [w + weight(child) for child in self.tree[state] if (w := after(child)) is not None]
                memo[state] = max(found, default=None)
            return memo[state]

        def after(child: Turn) -> float | None:
            if child.state is None:
                return 0.0 if end(child) else None
            return below(child.state)

        return after(turn)

    def paths(self, turn: Turn) -> int:
        """How many answer paths lead from ``turn`` to the end of the questions. ``turn`` must be walked."""
        memo: dict[str, int] = {}

        def count(child: Turn) -> int:
            if child.state is None:
                return 1
            if child.state not in memo:
                memo[child.state] = sum(count(grandchild) for grandchild in self.tree[child.state])
            return memo[child.state]

        return count(turn)
