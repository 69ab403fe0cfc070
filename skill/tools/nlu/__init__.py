"""Hearing (tools layer): typed and held-out words to intents and slots, as Alexa would hear them."""
