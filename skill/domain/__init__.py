"""Domain layer: pure Python (content, topics, triage); imports nothing from ask_sdk or flask."""
