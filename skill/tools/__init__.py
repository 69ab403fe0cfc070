"""Tools for the people who run and review the skill (edge layer): one module per subcommand."""
