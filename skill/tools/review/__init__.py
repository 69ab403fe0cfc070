"""Review (tools layer): ``nose-twitch review``, one HTML page of everything the skill says, for clinical sign-off."""
