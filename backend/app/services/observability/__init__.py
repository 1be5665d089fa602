"""Watching the console itself: readiness checks and the values read at scrape time."""
