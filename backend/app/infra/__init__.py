"""Plumbing the use cases stand on: HTTP guards and error answers, idempotency, the live
stream's LISTEN/NOTIFY, the per-replica caller cache and the raw read executor. Nothing here
knows an incident rule; services may use it, it never imports a service."""
