"""Speech (Alexa layer): a structured :class:`~skill.alexa.replies.reply.Reply` becomes SSML, a card,
a screen and an Alexa response.

Content holds plain text; :func:`~skill.alexa.markup.to_ssml` is the one place that escapes it for
SSML, so a clinician's "&" or "<" can never break a response.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from skill.alexa import screens
from skill.alexa.markup import to_ssml
from skill.alexa.replies.reply import Reply

#: Alexa's limit on outputSpeech.ssml.
MAX_SPEECH_CHARS = 8000
#: Alexa's limit on a whole response envelope, in bytes of JSON.
MAX_RESPONSE_BYTES = 24 * 1024


def build_response(handler_input: HandlerInput, reply: Reply) -> Response:
    """Turn a reply into the SDK's response object."""
    builder = handler_input.response_builder
    builder.speak(to_ssml(reply.text))
    if reply.keeps_session_open:
        builder.ask(to_ssml(reply.reprompt or reply.question or reply.text))
    else:
        builder.set_should_end_session(True)
    if reply.card_title or reply.card_text:
        builder.set_card(SimpleCard(title=reply.card_title or "", content=reply.card_text or reply.text))
    directive = screens.render_directive(handler_input, reply.screen) if reply.screen is not None else None
    if directive is not None:
        builder.add_directive(directive)
    return builder.response
