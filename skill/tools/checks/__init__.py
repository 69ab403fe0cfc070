"""Checks (tools layer): ``nose-twitch validate`` and ``validate --certification``, for CI and certification."""
