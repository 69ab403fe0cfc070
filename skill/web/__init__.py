"""Web transport: the Flask webhook and request verification."""
