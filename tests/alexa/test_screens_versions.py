"""Screens: the APL document's version is negotiated from the device's ``runtime.maxVersion``.

A device gets the newest document it can run, out of the ones the skill sends, and each document
uses only what its version of APL has.
"""

from __future__ import annotations

import pytest

from skill.alexa import screens
from skill.tools.envelopes import APL

RENDER = "Alexa.Presentation.APL.RenderDocument"

#: maxVersion the device declares -> the document version it gets (None: no screen at all).
NEGOTIATED = [
    ("1.0", None),
    ("1.1", "1.1"),
    ("1.4", "1.1"),
    ("1.9", "1.1"),
    ("2022.1", "1.1"),
    ("2022.2", "2022.2"),
    ("2023.3", "2022.2"),
    ("2024.3.1", "2022.2"),
]

#: Properties each component type has in APL 1.1 (Amazon's APL 1.1 reference: component base
#: properties, Text, Frame, Container, Sequence), independent of the module's own table.
BASE_1_1 = {
    "type", "id", "when", "description", "width", "height", "minWidth", "maxWidth", "minHeight", "maxHeight",
    "paddingLeft", "paddingRight", "paddingTop", "paddingBottom", "opacity", "grow", "shrink", "alignSelf",
    "position", "left", "right", "top", "bottom", "spacing", "style", "inheritParentState", "speech",
    "accessibilityLabel", "checked", "disabled", "bind", "item", "items", "onMount", "display",
}  # fmt: skip
PROPERTIES_1_1 = {
    "Text": {"color", "fontFamily", "fontSize", "fontStyle", "fontWeight", "letterSpacing", "lineHeight",
             "maxLines", "text", "textAlign", "textAlignVertical"},
    "Frame": {"backgroundColor", "borderColor", "borderRadius", "borderWidth"},
    "Container": {"alignItems", "direction", "justifyContent", "numbered"},
    "Sequence": {"data", "scrollDirection", "numbered", "firstItem", "lastItem", "onScroll"},
}  # fmt: skip


def device(max_version: str | None) -> dict:
    runtime = {} if max_version is None else {"runtime": {"maxVersion": max_version}}
    return {"Alexa.Presentation.APL": runtime}


def rendered(response: dict) -> dict | None:
    found = [d for d in response["response"].get("directives") or [] if d.get("type") == RENDER]
    assert len(found) <= 1, f"at most one {RENDER} per response: {found!r}"
    return found[0] if found else None


def components(node, layouts):
    """Every component dict in the document (layout bodies included)."""
    if isinstance(node, dict):
        if "type" in node and (node["type"] in PROPERTIES_1_1 or node["type"] in layouts):
            yield node
        for value in node.values():
            yield from components(value, layouts)
    elif isinstance(node, list):
        for value in node:
            yield from components(value, layouts)


@pytest.mark.parametrize(("max_version", "expected"), NEGOTIATED)
def test_device_gets_the_newest_document_it_can_run(conversation, max_version, expected):
    conv = conversation(interfaces=device(max_version))
    conv.launch()
    response = conv.intent("CausesIntent")
    directive = rendered(response)
    assert response["response"].get("card"), "speech and card stay whatever the screen"
    if expected is None:
        assert directive is None, f"a device running APL {max_version} can run none of our documents"
        return
    assert directive is not None, f"a device running APL {max_version} should get a screen"
    got = directive["document"]["version"]
    assert got == expected, f"a device running APL {max_version} got an APL {got} document, not {expected}"
    assert directive["document"] == screens.document(expected)


def test_a_device_without_a_declared_runtime_gets_the_oldest_document(conversation):
    conv = conversation(interfaces=device(None))
    directive = rendered(conv.intent("CausesIntent"))
    assert directive is not None and directive["document"]["version"] == screens.VERSIONS[0]


def test_the_versions_sent_are_ordered_and_the_newest_is_the_packaged_file():
    keys = [screens.version_key(v) for v in screens.VERSIONS]
    assert keys == sorted(keys) and len(set(keys)) == len(keys), "versions oldest first, no repeats"
    assert screens.document()["version"] == screens.VERSIONS[-1]
    assert screens.version_key("1.10") > screens.version_key("1.9"), "APL versions compare as numbers"
    assert screens.version_key("2022.1") > screens.version_key("1.9")


@pytest.mark.parametrize("version", screens.VERSIONS)
def test_each_document_differs_only_in_version_specific_properties(version):
    newest, this = screens.document(), screens.document(version)
    assert this["version"] == version
    if version == screens.VERSIONS[-1]:
        return
    text = str(this)
    for name in screens.NEWER_PROPERTIES:
        assert f"'{name}':" not in text, f"APL {version} has no {name!r} property"
    assert str(newest).count("'lang':") >= 3, "the newest document sets the text language on every Text"


def test_the_oldest_document_uses_only_apl_1_1_properties():
    doc = screens.document("1.1")
    layouts = doc.get("layouts", {})
    params = {name: {p["name"] for p in layout.get("parameters", [])} for name, layout in layouts.items()}
    found = list(components(doc, layouts))
    assert len(found) >= 8, "the document's components should all be found"
    for component in found:
        kind = component["type"]
        allowed = BASE_1_1 | PROPERTIES_1_1.get(kind, set()) | params.get(kind, set())
        extra = set(component) - allowed
        where = component.get("id") or component.get("description")
        assert not extra, f"APL 1.1 has no {sorted(extra)} on {kind}: {where}"


def test_an_unknown_version_is_refused():
    with pytest.raises(ValueError, match="1.5"):
        screens.document("1.5")


def test_the_screen_carries_the_request_language(conversation):
    conv = conversation(locale="es-ES", interfaces=APL)
    directive = rendered(conv.intent("CausesIntent"))
    assert directive is not None
    assert directive["datasources"][screens.DATASOURCE]["lang"] == "es-ES", "Spanish text is marked Spanish"
