"""The skill's serializer (Alexa layer): request JSON to the SDK's model objects, and back, without
reflection at request time.

It is the only serializer: ``build_skill`` installs it as ``skill.serializer``, so the webhook,
the Lambda entry, chat, the certification self-check and the tests all read requests and write
responses through it. It is an accelerator, proven equal to the SDK's and removable.

The SDK's ``DefaultSerializer`` works out every object of every request from scratch: it resolves
each class from its dotted name, rebuilds each class's attribute map, and parses the timestamp with
dateutil. That is most of what a simple request costs. :class:`Serializer` is a drop-in
``DefaultSerializer`` that compiles, once per model class and only when a request first needs it,
a small decoder (JSON key -> attribute, value decoder) and an encoder for responses.

It builds exactly what the SDK builds, or nothing: any value the compiled plan does not cover
exactly (a value of an unexpected JSON type, an unknown enum value or request type, a timestamp
that is not plain ISO 8601) raises :class:`Defer` inside the fast path, and the whole envelope is
then deserialized by the SDK's own code from the original text. ``tests/alexa/test_serializer.py``
proves the equality on a corpus of envelopes and on mutated ones.

It does not subclass ``DefaultSerializer``: ``ask_sdk_core.serialize`` imports
``ask_sdk_model.services`` (every service client of the SDK, about half of the Lambda function's
cold import; see :mod:`skill.alexa.invoker`). Responses' enums, datetimes, decimals and container
subclasses are written as the SDK's ``serialize`` writes them (its few lines, in its order); the
SDK's code is imported only on the rare paths that defer to it: its deserializer as an instance,
and its ``serialize`` for a model object that overrides its own type or attribute map, called as a
function on this serializer (it reads only ``PRIMITIVE_TYPES`` and ``serialize``, so nested values
come back here, as they did through ``super()``).

The only intended difference: a timestamp's ``tzinfo`` is ``datetime.timezone`` where dateutil
gives ``tzutc()``/``tzlocal()``/``tzoffset()``; the datetimes compare equal and have the same
UTC offset. And a free-form ``dict(str, object)`` field (the session attributes) is a
:class:`JsonDict`, a dict that deep-copies faster, because the SDK deep-copies it on every request.

One value goes the other way: :class:`Encoded`, a constant JSON value encoded once (the APL
document, a few kilobytes that every screen turn would otherwise parse and encode again). Only this
serializer writes it: removing the serializer means :mod:`skill.alexa.screens` passes the plain
document again. The tests compare both against the SDK with the plain document.
"""

from __future__ import annotations

import copy
import importlib
import json
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from ask_sdk_model import RequestEnvelope

__all__ = ["Defer", "Encoded", "JsonDict", "Serializer", "parse_timestamp"]

Decoder = Callable[[Any], Any]

#: The timestamp shapes Alexa sends; anything else goes to the SDK (and dateutil).
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})?\Z", re.ASCII)
_LIST_TYPE = re.compile(r"list\[(.*)\]")
#: The SDK's own pattern for dict types (it returns ``{}`` when it does not match).
_DICT_TYPE = re.compile(r"dict\(([^,]*), (.*)\)")
#: Values an object may share with its class's template without aliasing anything mutable.
_IMMUTABLE = (type(None), str, int, float, bool, Enum)


class Defer(Exception):
    """The fast path cannot build this value exactly as the SDK would: use the SDK's path."""


class Encoded:
    """A constant JSON value (an APL document), encoded once when the skill starts.

    :meth:`Serializer.dumps` writes its text into the response as it is, instead of walking the
    same few kilobytes on every turn; :meth:`Serializer.serialize` (Lambda, tests) gives a fresh copy
    of the value. Either way the output equals what the plain value would give. Only the text is
    kept, so nothing shared can be changed.
    """

    __slots__ = ("text",)

    def __init__(self, value: Any) -> None:
        self.text: str = json.dumps(value, ensure_ascii=False)

    def value(self) -> Any:
        """A fresh copy of the value."""
        return json.loads(self.text)


class JsonDict(dict):
    """A ``dict(str, object)`` field read from request JSON (the session attributes): a plain dict
    that deep-copies as JSON data.

    The SDK deep-copies the session attributes on every request (``AttributesManager``);
    ``copy.deepcopy`` keeps a memo for shared and cyclic objects, which JSON never has. This copies
    dicts and lists directly, and anything else that is not a JSON scalar with ``deepcopy``.
    """

    __slots__ = ()

    def __deepcopy__(self, memo: dict) -> dict:
        return {key: _copy_json(value) for key, value in self.items()}


def _copy_json(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: _copy_json(item) for key, item in value.items()}
    if kind is list:
        return [_copy_json(item) for item in value]
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    return copy.deepcopy(value)


#: What :meth:`Serializer.dumps` writes where an :class:`Encoded` value goes, before splicing its
#: text in: a string no response contains (json escapes NUL as ``\u0000``); if one ever did, dumps
#: encodes the values plainly instead.
_ENCODED_MARK = "\x00encoded\x00"
_ENCODED_MARK_JSON = json.dumps(_ENCODED_MARK)


def parse_timestamp(text: str) -> datetime | None:
    """An ISO 8601 timestamp (``2024-05-01T10:00:00Z``, optional fraction and offset) as a datetime;
    None for any other shape, which the caller leaves to dateutil."""
    if not _TIMESTAMP.match(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _defer(value: object) -> Any:
    raise Defer


def _exactly(kind: type) -> Decoder:
    """A decoder that passes a value of exactly ``kind`` through (not a subclass: a JSON true is no
    int) and defers anything else."""

    def decode(value: object) -> Any:
        if type(value) is kind:
            return value
        raise Defer

    decode.__qualname__ = decode.__name__ = f"_{kind.__name__}"
    return decode


_str, _int, _bool = _exactly(str), _exactly(int), _exactly(bool)


def _float(value: object) -> float:
    # float(int) is what the SDK does with a whole number; it can overflow, which defers.
    if type(value) is float or type(value) is int:
        try:
            return float(value)
        except OverflowError:
            raise Defer from None
    raise Defer


def _object(value: object) -> object:
    return value


def _datetime(value: object) -> datetime:
    if type(value) is str:
        parsed = parse_timestamp(value)
        if parsed is not None:
            return parsed
    raise Defer


_PRIMITIVES: dict[str, Decoder] = {
    "str": _str,
    "int": _int,
    "long": _int,
    "float": _float,
    "bool": _bool,
    "object": _object,
    "datetime": _datetime,
    # No request field is a date; dateutil's reading of one is left to the SDK.
    "date": _defer,
}


def _load_class(name: str) -> type:
    module_name, _, class_name = name.rpartition(".")
    if not module_name:
        raise ImportError(name)
    return getattr(importlib.import_module(module_name), class_name)


def _attribute_map(cls: type) -> dict[str, str] | None:
    """attribute -> JSON key, as the SDK computes it; None if the class breaks the SDK's own rules."""
    types = cls.__dict__.get("deserialized_types", getattr(cls, "deserialized_types", None))
    if not isinstance(types, dict):
        return None
    mapping = dict(getattr(cls, "attribute_map", {}) or {})
    for attr in types:
        mapping.setdefault(attr, attr)
    if set(mapping) - set(types) or len(set(mapping.values())) != len(mapping):
        return None
    return mapping


def _has_data_descriptor(cls: type, name: str) -> bool:
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return hasattr(klass.__dict__[name], "__set__")
    return False


def _sdk_serializer_class() -> type:
    """The SDK's ``DefaultSerializer``, imported only when a value needs it (it loads the services)."""
    from ask_sdk_core.serialize import DefaultSerializer

    return DefaultSerializer


class Serializer:
    """``DefaultSerializer``'s interface with compiled decoders and encoders; the SDK's code is the fallback.

    The compiled plans are cached on the instance: they describe classes, not requests.
    """

    #: The SDK's ``DefaultSerializer.PRIMITIVE_TYPES`` on Python 3 (its ``serialize`` reads them from
    #: the serializer it runs on; a test checks they are the same).
    PRIMITIVE_TYPES: tuple[type, ...] = (float, bool, bytes, str, int)

    def __init__(self) -> None:
        self._decoders: dict[object, Decoder] = {}
        self._builders: dict[type, Decoder] = {}
        self._encoders: dict[type, tuple[tuple[str, str], ...] | None] = {}
        self._sdk: Any = None

    def _sdk_deserialize(self, payload: str, obj_type: Any) -> Any:
        """The SDK's own deserializer (one instance, made on first use)."""
        if self._sdk is None:
            self._sdk = _sdk_serializer_class()()
        return self._sdk.deserialize(payload, obj_type)

    def _sdk_serialize(self, obj: Any) -> Any:
        """The SDK's ``serialize`` run on this serializer: nested values come back to :meth:`serialize`."""
        return _sdk_serializer_class().serialize(self, obj)

    def _serialize_other(self, obj: Any) -> Any:
        """What the SDK's ``serialize`` does, in its order, with a value that is not None and not a
        plain model object (enums, datetimes, decimals, tuples, container subclasses such as
        :class:`JsonDict`); a model object the encoder did not compile goes to the SDK's own code."""
        if isinstance(obj, self.PRIMITIVE_TYPES):
            return obj
        if isinstance(obj, list):
            return [self.serialize(item) for item in obj]
        if isinstance(obj, tuple):
            return tuple(self.serialize(item) for item in obj)
        if isinstance(obj, (datetime, date)):
            return obj.isoformat()
        if isinstance(obj, Enum):
            return obj.value
        if isinstance(obj, Decimal):
            return int(obj) if obj % 1 == 0 else float(obj)
        if isinstance(obj, dict):
            return {key: self.serialize(value) for key, value in obj.items()}
        return self._sdk_serialize(obj)

    # --- requests --------------------------------------------------------------------------

    def deserialize(self, payload: Any, obj_type: Any) -> Any:
        """As the SDK's: JSON text to an object of ``obj_type``."""
        if payload is None:
            return None
        try:
            data = json.loads(payload)
        except Exception:  # noqa: BLE001 - the SDK raises its own error for the same input
            return self._sdk_deserialize(payload, obj_type)
        return self.from_data(data, obj_type, payload)

    def from_data(self, data: Any, obj_type: Any, payload: str | bytes | None = None) -> Any:
        """Build ``obj_type`` from already-parsed JSON ``data``.

        ``payload`` is the text ``data`` was parsed from; when the fast path defers, the SDK
        deserializes it (or, without it, a JSON dump of ``data``).
        """
        try:
            return self.try_from_data(data, obj_type)
        except Defer:
            pass
        if payload is None:
            payload = json.dumps(data)
        elif isinstance(payload, bytes):
            payload = payload.decode("utf-8")
        return self._sdk_deserialize(payload, obj_type)

    def request_envelope(self, data: Any, payload: str | bytes | None = None) -> RequestEnvelope:
        """The SDK's ``RequestEnvelope`` for a parsed request body."""
        return self.from_data(data, RequestEnvelope, payload)

    def try_from_data(self, data: Any, obj_type: Any) -> Any:
        """The fast path alone: the object, or :class:`Defer` when only the SDK can build it."""
        if data is None:
            return None
        try:
            return self._decoder(obj_type)(data)
        except Defer:
            raise
        except Exception as exc:  # noqa: BLE001 - anything unexpected: the SDK decides
            raise Defer from exc

    def _decoder(self, obj_type: object) -> Decoder:
        decoder = self._decoders.get(obj_type)
        if decoder is None:
            try:
                decoder = self._compile(obj_type)
            except Exception:  # noqa: BLE001 - a type the plan cannot describe: always defer
                decoder = _defer
            self._decoders[obj_type] = decoder
        return decoder

    def _compile(self, obj_type: object) -> Decoder:
        if isinstance(obj_type, tuple):
            # ("concrete", dotted name): the subclass a discriminator picked, built as it is.
            return self._builder(_load_class(obj_type[1]))
        if isinstance(obj_type, str):
            if obj_type.startswith("list["):
                match = _LIST_TYPE.match(obj_type)
                if match is None or "," in match.group(1):
                    return _defer
                return self._list_decoder(match.group(1).strip())
            if obj_type.startswith("dict("):
                match = _DICT_TYPE.match(obj_type)
                if match is None:
                    return _defer
                return self._dict_decoder(match.group(2))
            if obj_type in _PRIMITIVES:
                return _PRIMITIVES[obj_type]
            obj_type = _load_class(obj_type)
        if not isinstance(obj_type, type):
            return _defer
        if issubclass(obj_type, Enum):
            return self._enum_decoder(obj_type)
        if not hasattr(obj_type, "deserialized_types"):
            return _defer
        if hasattr(obj_type, "get_real_child_model"):
            return self._polymorphic_decoder(obj_type)
        return self._builder(obj_type)

    def _list_decoder(self, item_type: str) -> Decoder:
        def decode_list(value: object) -> list:
            if type(value) is not list:
                raise Defer
            item = self._decoder(item_type)
            return [None if x is None else item(x) for x in value]

        return decode_list

    def _dict_decoder(self, value_type: str) -> Decoder:
        if value_type == "object":

            def decode_object_dict(value: object) -> dict:
                if type(value) is not dict:
                    raise Defer
                return JsonDict(value)

            return decode_object_dict

        def decode_dict(value: object) -> dict:
            if type(value) is not dict:
                raise Defer
            item = self._decoder(value_type)
            return {k: None if v is None else item(v) for k, v in value.items()}

        return decode_dict

    @staticmethod
    def _enum_decoder(enum_type: type[Enum]) -> Decoder:
        members = dict(enum_type._value2member_map_)

        def decode_enum(value: object) -> Enum:
            if type(value) is str:
                member = members.get(value)
                if member is not None:
                    return member
            raise Defer

        return decode_enum

    def _polymorphic_decoder(self, base: type) -> Decoder:
        """A field typed as an abstract class (``Request``): the discriminator picks the subclass,
        one level deep, as in the SDK."""

        def decode_polymorphic(value: object) -> object:
            if type(value) is not dict:
                raise Defer
            name = base.get_real_child_model(value)  # type: ignore[attr-defined]
            if type(name) is not str:
                raise Defer
            return self._decoder(("concrete", name))(value)

        return decode_polymorphic

    def _builder(self, cls: type) -> Decoder:
        builder = self._builders.get(cls)
        if builder is None:
            builder = self._builders[cls] = self._compile_builder(cls)
        return builder

    def _compile_builder(self, cls: type) -> Decoder:
        mapping = _attribute_map(cls)
        if mapping is None:
            return _defer
        types: dict[str, str] = cls.deserialized_types  # type: ignore[attr-defined]
        fields = {key: (attr, types[attr]) for attr, key in mapping.items()}
        template = dict(cls().__dict__)
        plain = all(isinstance(v, _IMMUTABLE) for v in template.values()) and not any(
            _has_data_descriptor(cls, attr) for attr in mapping
        )
        # JSON key -> (attribute, decoder), filled as keys are first met (decoders compile lazily,
        # so a model's rarely used branches never import their classes).
        resolved: dict[str, tuple[str, Decoder]] = {}

        def resolve(key: str) -> tuple[str, Decoder]:
            attr, type_name = fields[key]
            entry = resolved[key] = (attr, self._decoder(type_name))
            return entry

        def build(value: object) -> object:
            if type(value) is not dict:
                raise Defer
            if plain:
                obj = cls.__new__(cls)
                state = obj.__dict__
                state.update(template)
            else:
                obj = cls()
                state = None
            extras = None
            for key, raw in value.items():
                entry = resolved.get(key)
                if entry is None:
                    if key not in fields:
                        if extras is None:
                            extras = []
                        extras.append(key)
                        continue
                    entry = resolve(key)
                decoded = None if raw is None else entry[1](raw)
                if state is not None:
                    state[entry[0]] = decoded
                else:
                    setattr(obj, entry[0], decoded)
            if extras:
                # Keys the model does not know: the SDK sets them as attributes, after the rest.
                for key in extras:
                    setattr(obj, key, value[key])
            return obj

        return build

    # --- responses -------------------------------------------------------------------------

    def dumps(self, obj: Any) -> str:
        """``json.dumps(self.serialize(obj), ensure_ascii=False)`` in one pass.

        The json module's C encoder walks the plain dicts, lists and strings (an APL document is
        mostly that); only model objects, enums, datetimes and decimals come back to Python,
        through :meth:`_encode_default`, which turns each into exactly what ``serialize`` would.
        """
        texts: list[str] = []

        def default(value: Any) -> Any:
            if type(value) is Encoded:
                texts.append(value.text)
                return _ENCODED_MARK
            return self._encode_default(value)

        out = json.dumps(obj, ensure_ascii=False, default=default)
        if not texts:
            return out
        parts = out.split(_ENCODED_MARK_JSON)
        if len(parts) != len(texts) + 1:  # the mark also came from elsewhere: encode plainly
            return json.dumps(obj, ensure_ascii=False, default=self._encode_plain)
        spliced = [parts[0]]
        for text, part in zip(texts, parts[1:], strict=True):
            spliced += (text, part)
        return "".join(spliced)

    def _encode_plain(self, obj: Any) -> Any:
        return obj.value() if type(obj) is Encoded else self._encode_default(obj)

    def _fields(self, obj: Any) -> tuple[tuple[str, str], ...] | None:
        """(attribute, JSON key) pairs for a plain model object, compiled once per class; None for
        anything else (and for an object that overrides its class's type or attribute map)."""
        kind = type(obj)
        fields = self._encoders.get(kind, False)
        if fields is False:
            fields = self._encoders[kind] = self._compile_encoder(kind)
        if fields is None:
            return None
        state = obj.__dict__
        return None if "deserialized_types" in state or "attribute_map" in state else fields

    def _encode_default(self, obj: Any) -> Any:
        fields = self._fields(obj)
        if fields is not None:
            out = {}
            for attr, key in fields:
                value = getattr(obj, attr)
                if value is not None:
                    out[key] = value
            return out
        if isinstance(obj, (bytes, tuple, list, dict)):
            # The SDK passes bytes through (json then refuses them); containers never get here.
            raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")
        return self._serialize_other(obj)

    def serialize(self, obj: Any) -> Any:
        """As the SDK's: a model object (or list, dict, primitive) as JSON-ready data."""
        kind = type(obj)
        if obj is None or kind is str or kind is int or kind is float or kind is bool:
            return obj
        if kind is list:
            return [self.serialize(item) for item in obj]
        if kind is dict:
            return {key: self.serialize(value) for key, value in obj.items()}
        if kind is Encoded:
            return obj.value()
        fields = self._fields(obj)
        if fields is not None:
            out = {}
            for attr, key in fields:
                value = getattr(obj, attr)
                if value is not None:
                    out[key] = self.serialize(value)
            return out
        return self._serialize_other(obj)

    @staticmethod
    def _compile_encoder(kind: type) -> tuple[tuple[str, str], ...] | None:
        """(attribute, JSON key) pairs in the SDK's order, for plain model classes only."""
        if issubclass(kind, (*Serializer.PRIMITIVE_TYPES, list, tuple, dict, datetime, Enum)):
            return None
        if not isinstance(getattr(kind, "deserialized_types", None), dict):
            return None
        mapping = dict(getattr(kind, "attribute_map", {}) or {})
        return tuple((attr, mapping.get(attr, attr)) for attr in kind.deserialized_types)  # type: ignore[attr-defined]
