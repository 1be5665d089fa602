"""A local notification sink for the bench: a bare ASGI app that answers every POST with 204
at once and notes when each delivery arrived (`X-Incident-Console-Delivery`, wall clock).

GET /received: {"<delivery id>": [first arrival (Unix seconds), arrivals]}; POST /reset
forgets them; GET /const answers the server's readiness probe. Serve it with uvicorn.
"""

import json
import time
from typing import Any

received: dict[str, list[float]] = {}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    now = time.time()
    more = True
    while more:  # read (and drop) the body
        message = await receive()
        more = message.get("more_body", False)
    path, method = scope["path"], scope["method"]
    body = b""
    status = 204
    if method == "POST" and path == "/reset":
        received.clear()
    elif method == "GET" and path == "/received":
        body, status = json.dumps(received).encode(), 200
    elif method == "GET" and path == "/const":
        body, status = b"{}", 200
    elif method == "POST":
        delivery = dict(scope["headers"]).get(b"x-incident-console-delivery", b"").decode()
        seen = received.get(delivery)
        if seen is None:
            received[delivery] = [now, 1]
        else:
            seen[1] += 1
    else:
        status = 404
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
