"""People: sign-in, tokens, roles and the login throttle."""
