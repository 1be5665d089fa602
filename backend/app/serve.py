"""`make run`: serve the console and the API, say where only once it listens, stop quietly.

Uvicorn migrates and seeds in the app's startup before it binds the port; the URL is printed
after both (`Server.started`), so it is never shown for a server that is not answering yet.
Ctrl-C (or SIGTERM) shuts down gracefully and exits 0 without a traceback; a server that could
not start (the port is taken, the database refuses) exits 1. With SSL_CERTFILE and SSL_KEYFILE
(PEM files; SSL_KEYFILE_PASSWORD if the key is encrypted) it serves HTTPS, and says so.

WEB_CONCURRENCY=N runs N worker processes on the one port, their Prometheus counts shared
through a fresh PROMETHEUS_MULTIPROC_DIR (set here, before any worker imports the client).
WORKER_MODE=worker says where its health and metrics are instead of the console's URL.
"""

import asyncio
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import uvicorn
from uvicorn.supervisors import Multiprocess

DEMO_USER = "jordan / demo123"


def banner(host: str, port: int, scheme: str = "http") -> str:
    base = f"{scheme}://{host}:{port}"
    if os.environ.get("WORKER_MODE", "").strip().lower() == "worker":
        return (f"\n  Incident Console worker (SLA sweeps, escalation, notifications)\n"
                f"  Health: {base}/healthz  Readiness: {base}/-/readiness  "
                f"Metrics: {base}/-/metrics\n  Press Ctrl-C to stop.\n")
    return (f"\n  Incident Console: {base}/ui/   (sign in as {DEMO_USER})\n"
            f"  API docs (Swagger UI): {base}/docs\n"
            f"  Press Ctrl-C to stop.\n")


async def _announce(server: uvicorn.Server, host: str, port: int) -> None:
    # Uvicorn offers no event for "listening", only this flag, set after startup and bind.
    while not server.started:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    print(banner(host, port, "https" if server.config.is_ssl else "http"), flush=True)


class TlsMisconfigured(ValueError):
    """One of SSL_CERTFILE / SSL_KEYFILE without the other."""


def tls_options(env: Mapping[str, str]) -> dict[str, str]:
    """Uvicorn's TLS arguments from SSL_CERTFILE, SSL_KEYFILE (and SSL_KEYFILE_PASSWORD)."""
    certfile, keyfile = env.get("SSL_CERTFILE", "").strip(), env.get("SSL_KEYFILE", "").strip()
    if not certfile and not keyfile:
        return {}
    if not (certfile and keyfile):
        raise TlsMisconfigured("HTTPS needs both SSL_CERTFILE and SSL_KEYFILE")
    options = {"ssl_certfile": certfile, "ssl_keyfile": keyfile}
    if env.get("SSL_KEYFILE_PASSWORD"):
        options["ssl_keyfile_password"] = env["SSL_KEYFILE_PASSWORD"]
    return options


async def _serve_and_announce(server: uvicorn.Server, host: str, port: int) -> None:
    announcer = asyncio.ensure_future(_announce(server, host, port))
    try:
        await server.serve()
    except (KeyboardInterrupt, SystemExit):
        # Uvicorn re-raises the Ctrl-C it shut down for, and exits on a failed start after
        # logging why; either way it has said what happened.
        pass
    finally:
        announcer.cancel()


def metrics_dir() -> Path:
    """The workers' shared Prometheus directory: PROMETHEUS_MULTIPROC_DIR emptied of a
    previous run's counts, or a new temporary one."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
        return path
    path = Path(tempfile.mkdtemp(prefix="incident-console-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path


def serve_workers(host: str, port: int, workers: int, tls: Mapping[str, str]) -> int:
    given = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
    shared = metrics_dir()
    config = uvicorn.Config("app.main:app", host=host, port=port, workers=workers,
                            **tls)  # type: ignore[arg-type]
    try:
        sock = config.bind_socket()
    except SystemExit:
        return 1
    print(banner(host, port, "https" if config.is_ssl else "http"), flush=True)
    try:
        Multiprocess(config, sockets=[sock]).run()
    except KeyboardInterrupt:
        pass
    finally:
        if not given:
            shutil.rmtree(shared, ignore_errors=True)
    print("  Incident Console stopped.", flush=True)
    return 0


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    try:
        tls = tls_options(os.environ)
    except TlsMisconfigured as exc:
        print(f"  {exc}", file=sys.stderr, flush=True)
        return 1
    workers = int(os.environ.get("WEB_CONCURRENCY", "1") or "1")
    if workers > 1:
        return serve_workers(host, port, workers, tls)
    config = uvicorn.Config("app.main:app", host=host, port=port, **tls)  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    try:
        with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
            runner.run(_serve_and_announce(server, host, port))
    except KeyboardInterrupt:
        pass  # the Ctrl-C uvicorn re-raised, seen by asyncio's own handler: already shut down
    if not server.started:
        return 1
    print("  Incident Console stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
