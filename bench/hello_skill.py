"""The hello skill, as the ASK SDK's samples write a Lambda function: a ``SkillBuilder`` built at
import, one handler per request type, and ``sb.lambda_handler()``.

The one source of the bench's hello skill: :mod:`bench.apps` serves it (``sb.create()``) in process
and behind Flask, and :mod:`bench.lambda_cold` copies this file into its Lambda zip as
``lambda_function.py``. So it imports nothing but ask-sdk-core, and builds at import as the samples
do (the one module-level builder is the sample's shape, the thing measured).
"""
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_request_type


class LaunchHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.speak("Hello! Say hello to me.").ask("Say hello.").response


class IntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.speak("Hello world!").set_should_end_session(True).response


class SessionEndedHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.response


sb = SkillBuilder()
sb.add_request_handler(LaunchHandler())
sb.add_request_handler(IntentHandler())
sb.add_request_handler(SessionEndedHandler())
handler = sb.lambda_handler()
