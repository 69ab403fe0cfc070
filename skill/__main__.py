"""``python -m skill``: the same as the ``nose-twitch`` console command."""

from skill.cli import main

raise SystemExit(main())
