"""Replies (Alexa layer): what the skill says, as structured :class:`~skill.alexa.replies.reply.Reply`
objects built from content keys; :mod:`skill.alexa.speech` turns them into Alexa responses."""
