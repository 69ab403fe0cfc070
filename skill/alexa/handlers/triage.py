"""Triage handlers (Alexa layer): placeholder until the triage conversation lands."""


def handlers() -> list:
    return []
