"""Use cases, one package per resource (incidents, alerts, sla, metrics, users) and a module
for the small ones (catalog, seed). Each opens one explicit transaction and calls domain/ for
the rules; none imports fastapi or starlette (`make lint` checks it)."""
