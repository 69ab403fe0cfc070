"""Request handlers (Alexa layer): thin, one concern each; the domain does the thinking."""
