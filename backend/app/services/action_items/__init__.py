"""Follow-ups (action items): writes (follow_ups) and reads (views)."""
