"""In-process cost per request: each contender's work from request bytes to response bytes, no HTTP.

* ``json floor``: ``json.loads`` of the request and ``json.dumps`` of a fixed response, the least
  any JSON webhook does;
* ``hello skill``: the SDK's ``DefaultSerializer`` in and out around a minimal ask-sdk-core skill;
* ``this skill``: the webhook core (``AlexaWebhook.handle``: envelope checks, the fast path,
  the skill, serialization, log fields) with verification off, the same work as the hello skill
  and more;
* ``this skill + verification``: the same with production verification on signed requests.

Every contender gets the same mix; rounds interleave the contenders so drift hits all alike.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.apps import FIXED_RESPONSE, hello_handler, skill_app
from bench.corpus import Request, Signer, Turn, render


@dataclass(frozen=True)
class Timing:
    name: str
    samples_ns: tuple[int, ...]

    def percentile(self, q: float) -> float:
        """The ``q``-th percentile in microseconds (nearest rank)."""
        ordered = sorted(self.samples_ns)
        rank = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
        return ordered[rank] / 1000

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p99(self) -> float:
        return self.percentile(99)

    @property
    def mean(self) -> float:
        return sum(self.samples_ns) / len(self.samples_ns) / 1000


Call = Callable[[Request], None]

FLOOR, HELLO, SKILL, SKILL_VERIFIED = "json floor", "hello skill", "this skill", "this skill + verification"


def contenders(pki_dir: Path) -> dict[str, Call]:
    """Name -> a function that answers one request and checks it succeeded."""
    fixed = FIXED_RESPONSE
    hello = hello_handler()
    plain = skill_app(None).extensions["alexa_webhook"].handle
    verified = skill_app(pki_dir).extensions["alexa_webhook"].handle

    def floor(req: Request) -> None:
        json.loads(req.body)
        json.dumps(fixed).encode("utf-8")

    def hello_call(req: Request) -> None:
        hello(req.body)

    def skill_call(req: Request) -> None:
        status, _, _ = plain(req.body, "application/json", req.headers)
        if status != 200:
            raise RuntimeError(f"{req.name}: HTTP {status}")

    def verified_call(req: Request) -> None:
        status, body, _ = verified(req.body, "application/json", req.headers)
        if status != 200:
            raise RuntimeError(f"{req.name}: HTTP {status} {body[:200]!r}")

    return {FLOOR: floor, HELLO: hello_call, SKILL: skill_call, SKILL_VERIFIED: verified_call}


def measure(turns: list[Turn], signer: Signer, pki_dir: Path, requests: int, rounds: int = 5) -> list[Timing]:
    """About ``requests`` timed calls per contender, over the whole mix, in interleaved rounds."""
    calls = contenders(pki_dir)
    samples: dict[str, list[int]] = {name: [] for name in calls}
    per_round = max(1, requests // rounds // len(turns))
    clock = time.perf_counter_ns
    for _ in range(rounds):
        # Fresh stamps each round: the verifier rejects requests older than 150 s.
        mix = render(turns, signer)
        for name, call in calls.items():
            for req in mix:  # warm: first calls compile plans and fill caches
                call(req)
            gc.collect()
            out = samples[name]
            for _ in range(per_round):
                for req in mix:
                    start = clock()
                    call(req)
                    out.append(clock() - start)
    return [Timing(name, tuple(values)) for name, values in samples.items()]
