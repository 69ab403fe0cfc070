"""Nose Twitch Guide: an Alexa skill about nose twitching, with a safe symptom check."""

__version__ = "0.1.0"
