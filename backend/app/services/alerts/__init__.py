"""Alerts: intake from monitoring tools, dedup and grouping into incidents, acknowledgement
and resolution, integration keys and drills."""
