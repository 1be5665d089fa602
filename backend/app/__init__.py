"""Incident Console backend."""
