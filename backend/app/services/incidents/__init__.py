"""Incidents: opening them (manually or from alerts), triage, lifecycle moves, the
timeline, the RCA, and the one read model every incident answer is built from."""
