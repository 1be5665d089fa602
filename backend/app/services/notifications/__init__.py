"""Notifications: channels, the outbox written with each change, and its delivery."""
