"""Shipping (tools layer): ``nose-twitch package``: the ASK CLI project, the Lambda code and the store icons."""
