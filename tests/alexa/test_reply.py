"""The reply's session form (``last``, what Repeat says again): every set field, in field order, and
back to an equal reply."""

from __future__ import annotations

import json
from dataclasses import asdict, fields

import pytest

from skill.alexa.replies.reply import Reply, Screen

REPLIES = [
    Reply(lines=("One.", "Two.")),
    Reply(lines=("One.",), question="More?", reprompt="Say yes.", card_title="T", card_text="Body"),
    Reply(lines=(), question="Which?", screen=Screen(title="T", points=("a", "b"))),
    Reply(lines=("Call now.",), screen=Screen(title="T", points=(), level="emergency", emphasis="911")),
    Reply(lines=("Bye.",), end_session=False),
    Reply(lines=("Bye.",), end_session=True, question=""),
]


@pytest.mark.parametrize("reply", REPLIES, ids=range(len(REPLIES)))
def test_the_session_form_holds_every_set_field_as_the_dataclass_says(reply: Reply) -> None:
    expected = {k: v for k, v in asdict(reply).items() if v not in (None, (), [])}
    got = reply.to_session()
    assert json.dumps(got) == json.dumps(expected)  # same keys, same order, same values
    if reply.lines:  # a reply with no lines (a bare triage question) is repeated by the check's own handler
        assert Reply.from_session(json.loads(json.dumps(got))) == reply


def test_every_field_of_a_reply_is_kept() -> None:
    full = Reply(lines=("a",), question="q", reprompt="r", card_title="t", card_text="c",
                 screen=Screen(title="s", points=("p",), level="soon", emphasis="e"), end_session=False)
    assert set(full.to_session()) == {f.name for f in fields(Reply)}
