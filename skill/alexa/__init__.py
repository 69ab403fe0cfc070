"""Alexa layer: ask-sdk-core glue between request envelopes and the domain."""
