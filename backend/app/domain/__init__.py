"""Pure incident-response rules: no database, no web framework, no clock reads."""
