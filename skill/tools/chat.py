"""``nose-twitch chat`` (tools layer): a text conversation with the real skill, no server and no Alexa.

Each typed line is matched to an intent and slots from the locale's interaction model
(:mod:`skill.tools.nlu.matcher`), sent through the same ``build_skill`` every transport uses as an Alexa
request envelope (:mod:`skill.tools.envelopes`), with the session attributes of the previous
response carried forward. The answer is printed as plain text with its card, and read aloud with
espeak-ng on ``--speak``. It starts with a LaunchRequest and ends when the skill ends the session,
on "quit" or "exit", or at the end of input; it reads standard input, so a conversation can be
piped in.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from skill.alexa.builder import build_skill
from skill.alexa.invoker import Skill
from skill.config import SkillConfig
from skill.tools import envelopes
from skill.tools.session import Conversation, spoken_text
from skill.tools.nlu.matcher import Interpretation, Matcher

#: How chat hears typed words: ``samples`` matches the model's samples (exact, then by similarity);
#: ``classifier`` takes an exact sample first, else the statistical classifier trained on the model
#: (:mod:`skill.tools.nlu.classifier`, a stand-in for Alexa's learned NLU, which generalises from the
#: samples the way a device does); ``auto`` is the classifier when scikit-learn is installed.
NLU_CHOICES = ("auto", "classifier", "samples")

#: Typed words that end the chat (as "Alexa, exit" would: the skill gets a SessionEndedRequest).
QUIT_WORDS = frozenset({"quit", "exit", "/quit", "/exit"})
PROMPT = "you> "
ESPEAK = "espeak-ng"
#: espeak-ng voices per locale; other locales use their language code.
VOICES = {
    "en-US": "en-us",
    "en-CA": "en-us",
    "en-GB": "en-gb",
    "en-AU": "en-gb",
    "en-IN": "en-gb",
    "es-ES": "es",
    "es-MX": "es-419",
    "es-US": "es-419",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "chat",
        help="talk to the skill in the terminal (typed words -> intents from the interaction model)",
        description=(
            "A text conversation with the skill, no server and no Alexa: each line you type is "
            "matched to an intent and slots using the interaction model's sample utterances and slot "
            "values, and sent through the real skill. Starts with a launch; 'quit', 'exit' or "
            "Ctrl-D ends it. Reads standard input, so a conversation can be piped in."
        ),
    )
    parser.add_argument("--locale", default="en-US", help="the locale to talk in (default en-US)")
    parser.add_argument("--json", action="store_true", help="also print each request and response as JSON")
    parser.add_argument("--speak", action="store_true", help="read each answer aloud with espeak-ng (if installed)")
    parser.add_argument("--content-dir", type=Path, help="content folder (default: content/)")
    parser.add_argument(
        "--model-dir", type=Path, help="interaction model folder (default: interaction_model/)"
    )
    parser.add_argument(
        "--nlu", choices=NLU_CHOICES, default="auto",
        help="how typed words are heard: the model's samples, or a classifier trained on them that "
             "generalises as Alexa does (default auto: the classifier when scikit-learn is installed)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, config: SkillConfig) -> int:
    config = config.with_overrides(content_dir=args.content_dir, model_dir=args.model_dir)
    model_path = config.model_dir / f"{args.locale}.json"
    if not model_path.is_file():
        have = ", ".join(sorted(p.stem for p in config.model_dir.glob("*.json"))) or "none"
        print(f"nose-twitch chat: no interaction model for {args.locale} ({model_path}); have: {have}", file=sys.stderr)
        return 2
    try:
        matcher = load_matcher(model_path, args.locale, args.nlu)
    except RuntimeError as exc:  # --nlu classifier without scikit-learn
        print(f"nose-twitch chat: {exc}", file=sys.stderr)
        return 2
    skill = build_skill(config)
    speaker = Speaker.for_locale(args.locale, err=sys.stderr) if args.speak else None
    session = ChatSession(skill, matcher, args.locale, out=sys.stdout, show_json=args.json, speaker=speaker)
    return session.run(sys.stdin)


class LearnedMatcher:
    """An exact sample match first (what virtual-alexa hears), else the classifier's reading."""

    def __init__(self, samples: Matcher, classifier: Any) -> None:
        self.samples, self.classifier = samples, classifier

    def match(self, text: str) -> Interpretation:
        exact = self.samples.exact(text)
        return exact if exact is not None else self.classifier.predict(text)


def load_matcher(model_path: Path, locale: str, nlu: str = "auto") -> Matcher | LearnedMatcher:
    """Chat's hearing for one locale's model (see :data:`NLU_CHOICES`)."""
    samples = Matcher.load(model_path, locale)
    if nlu == "samples":
        return samples
    from skill.tools.nlu.classifier import ClassifierUnavailable, IntentClassifier

    try:
        return LearnedMatcher(samples, IntentClassifier.load(model_path, locale))
    except ClassifierUnavailable:
        if nlu == "classifier":
            raise
        return samples


def _speech(output: dict[str, Any] | None) -> str:
    if not output:
        return ""
    if output.get("type") == "PlainText":
        return " ".join(str(output.get("text", "")).split())
    return spoken_text(str(output.get("ssml", "")))


class Speaker:
    """Reads answers aloud with espeak-ng; says once, clearly, when it cannot."""

    def __init__(self, binary: str | None, voice: str, err: TextIO) -> None:
        self.binary, self.voice, self.err = binary, voice, err

    @classmethod
    def for_locale(cls, locale: str, err: TextIO) -> Speaker:
        voice = VOICES.get(locale, locale.split("-")[0].lower())
        binary = shutil.which(ESPEAK)
        if binary is None:
            print(
                f"--speak: {ESPEAK} is not installed, so answers are printed only "
                f"(install it, e.g. 'sudo apt-get install {ESPEAK}', to hear them).",
                file=err,
            )
        return cls(binary, voice, err)

    @property
    def enabled(self) -> bool:
        return self.binary is not None

    def say(self, text: str) -> None:
        if self.binary is None or not text:
            return
        try:
            result = subprocess.run(
                [self.binary, "-v", self.voice, "--stdin"], input=text, text=True, capture_output=True, check=False
            )
        except OSError as exc:
            result = None
            problem = str(exc)
        else:
            problem = (result.stderr or "").strip() or f"exit status {result.returncode}"
        if result is None or result.returncode != 0:
            print(f"--speak: {ESPEAK} failed ({problem}); carrying on without sound.", file=self.err)
            self.binary = None


class ChatSession(Conversation):
    """One conversation (:class:`skill.tools.session.Conversation`): requests built by the one envelope
    builder, session attributes carried forward, printed as text (and as JSON with ``--json``)."""

    def __init__(
        self,
        skill: Skill,
        matcher: Matcher | LearnedMatcher,
        locale: str,
        *,
        out: TextIO,
        show_json: bool = False,
        speaker: Speaker | None = None,
    ) -> None:
        super().__init__(skill, locale)
        self.matcher = matcher
        self.out, self.show_json, self.speaker = out, show_json, speaker
        self.last: dict[str, Any] | None = None

    def _print(self, *parts: str) -> None:
        print(*parts, file=self.out, flush=True)

    def _dump(self, label: str, data: dict[str, Any]) -> None:
        self._print(label)
        self._print(json.dumps(data, indent=2, ensure_ascii=False))

    def send(self, request: dict[str, Any]) -> dict[str, Any]:
        """One turn: the request in an envelope with the session so far, through the skill."""
        envelope = self.next_envelope(request)
        if self.show_json:
            self._dump(">>> request", envelope)
        response = self.send_envelope(envelope)
        if self.show_json:
            self._dump("<<< response", response)
        self.last = response
        return response

    def show(self, response: dict[str, Any]) -> None:
        """The speech as plain text, then the card; spoken aloud with --speak."""
        body = response.get("response", {})
        said = _speech(body.get("outputSpeech"))
        if said:
            self._print(f"Alexa: {said}")
        card = body.get("card") or {}
        if card:
            text = " ".join(str(card.get("content") or card.get("text") or "").split())
            self._print(f"  [card] {card.get('title', '')}: {text}")
        if self.speaker is not None:
            self.speaker.say(said)

    def reprompt(self) -> None:
        """Silence: what Alexa says when the user says nothing."""
        body = (self.last or {}).get("response", {})
        said = _speech((body.get("reprompt") or {}).get("outputSpeech"))
        if said:
            self._print(f"Alexa (reprompt): {said}")
            if self.speaker is not None:
                self.speaker.say(said)

    def end(self, reason: str = "USER_INITIATED") -> None:
        """Close an open session the way Alexa does: a SessionEndedRequest (it has no reply to show)."""
        if not self.ended:
            self.send(envelopes.session_ended_request(reason, locale=self.locale))
            self.ended = True

    def run(self, stdin: TextIO) -> int:
        read = _reader(stdin, self.out)
        self._print(f'Nose Twitch Guide chat ({self.locale}). Say something; "quit" or Ctrl-D ends.')
        self.show(self.send(envelopes.launch_request(self.locale)))
        while not self.ended:
            line = read()
            if line is None:
                self.end()
                break
            text = line.strip()
            if not text:
                self.reprompt()
                continue
            if text.lower() in QUIT_WORDS:
                self.end()
                break
            heard = self.matcher.match(text)
            self._print(f"  (heard: {heard.describe()})")
            self.show(self.send(heard.request(self.locale)))
        self._print("(session ended)")
        return 0


def _reader(stdin: TextIO, out: TextIO) -> Callable[[], str | None]:
    """A line reader: ``input()`` with line editing on a terminal; on a pipe, the line is echoed."""
    interactive = stdin.isatty() and stdin is sys.stdin
    if interactive:
        try:
            import readline  # noqa: F401 - gives input() line editing and history
        except ImportError:
            pass

    def read() -> str | None:
        if interactive:
            try:
                return input(PROMPT)
            except EOFError:
                print(file=out)
                return None
        line = stdin.readline()
        if not line:
            return None
        print(f"{PROMPT}{line.rstrip()}", file=out, flush=True)
        return line

    return read
