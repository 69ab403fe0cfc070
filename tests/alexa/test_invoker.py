"""The skill's own invoker answers exactly as ask-sdk-core's ``CustomSkill`` would, and the
production entry points never load the SDK's service clients (``ask_sdk_model.services``), the
import that made the Lambda function's cold start slower than the SDK's hello skill."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_model import RequestEnvelope

from skill.alexa.builder import request_handlers
from skill.alexa.handlers.errors import ApologyExceptionHandler
from skill.alexa.interceptors import CheckInterceptor, LocaleInterceptor
from skill.alexa.serializer import Serializer
from skill.tools import envelopes
from skill.tools.envelopes import intent_request, launch_request

ROOT = Path(__file__).resolve().parents[2]

#: Turns that go through the launch, a symptom check (session attributes carried turn to turn),
#: help, an unknown intent and the end of the session, in English and Spanish.
TURNS = {
    "en-US": [launch_request("en-US"), intent_request("SymptomCheckIntent", locale="en-US"),
              intent_request("AMAZON.NoIntent", locale="en-US"), intent_request("UnsureIntent", locale="en-US"),
              intent_request("AMAZON.HelpIntent", locale="en-US"), intent_request("CallSomeoneIntent", locale="en-US"),
              intent_request("NoSuchIntent", locale="en-US"), intent_request("AMAZON.YesIntent", locale="en-US"),
              intent_request("AMAZON.StopIntent", locale="en-US")],
    "es-ES": [launch_request("es-ES"), intent_request("AMAZON.HelpIntent", locale="es-ES"),
              intent_request("CausesIntent", locale="es-ES"), intent_request("MoreIntent", locale="es-ES"),
              intent_request("WhenToSeeDoctorIntent", locale="es-ES"), intent_request("AMAZON.RepeatIntent", locale="es-ES"),
              intent_request("AMAZON.StopIntent", locale="es-ES")],
}


def sdk_custom_skill(resources):
    """The same handlers, interceptors and exception handler in ask-sdk-core's own CustomSkill."""
    builder = SkillBuilder()
    for handler in request_handlers():
        builder.add_request_handler(handler)
    builder.add_exception_handler(ApologyExceptionHandler())
    builder.add_global_request_interceptor(LocaleInterceptor(resources))
    builder.add_global_request_interceptor(CheckInterceptor())
    return builder.create()


@pytest.mark.parametrize("locale", sorted(TURNS))
def test_every_turn_answers_byte_for_byte_as_the_sdks_custom_skill(skill, resources, locale):
    sdk = sdk_custom_skill(resources)
    sdk_serializer = DefaultSerializer()
    attributes: dict = {}
    carried = 0
    for number, request in enumerate(TURNS[locale]):
        event = envelopes.envelope(request, attributes=attributes, new=number == 0)
        ours = skill.invoke(request_envelope=skill.serializer.request_envelope(event), context=None)
        theirs = sdk.invoke(request_envelope=sdk_serializer.deserialize(json.dumps(event), RequestEnvelope),
                            context=None)
        expected = json.dumps(sdk_serializer.serialize(theirs), ensure_ascii=False)
        assert skill.serializer.dumps(ours) == expected, (locale, number, request)
        assert json.dumps(skill.serializer.serialize(ours), ensure_ascii=False) == expected
        answer = json.loads(expected)
        assert answer["version"] == "1.0" and answer["userAgent"].startswith("ask-python/")
        attributes = answer.get("sessionAttributes") or {}
        carried += bool(attributes)
    assert carried  # the session attributes path was compared, not only empty sessions


def test_the_serializer_writes_primitives_as_the_sdk_defines_them():
    assert set(Serializer.PRIMITIVE_TYPES) == set(DefaultSerializer.PRIMITIVE_TYPES)
    assert not issubclass(Serializer, DefaultSerializer)


PROBE = """
import json, sys
import skill.lambda_handler as lambda_handler
import skill.web.app, skill.web.wsgi
loaded = {"import": "ask_sdk_model.services" in sys.modules}
from skill.tools.envelopes import envelope, intent_request, launch_request
lambda_handler.handler(envelope(launch_request()), None)
lambda_handler.handler(envelope(intent_request("AMAZON.HelpIntent", locale="es-ES")), None)
app = skill.web.app.create_app(skill.config.SkillConfig(dev=True), verifiers=())
client = app.test_client()
reply = client.post("/alexa", data=json.dumps(envelope(launch_request())), content_type="application/json")
loaded["answers"] = "ask_sdk_model.services" in sys.modules
loaded["status"] = reply.status_code
loaded["sdk"] = sorted(m for m in sys.modules if m in ("ask_sdk_core.skill", "ask_sdk_core.serialize"))
print(json.dumps(loaded))
"""


def test_the_lambda_entry_and_the_web_app_never_import_the_sdk_service_clients(tmp_path):
    """A fresh interpreter: importing the entry points, and answering through both, loads neither
    ``ask_sdk_model.services`` nor the SDK modules that import it eagerly."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("SKILL_ID", None)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=180, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert loaded == {"import": False, "answers": False, "status": 200, "sdk": []}
