"""A local HTTP receiver for notification tests: records every request (path, headers, raw
body) and answers as told: a status (with headers), or hangs, per request."""

import asyncio
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def delivery(self) -> str:
        return self.headers["x-incident-console-delivery"]


HANG = -1
Answer = int | tuple[int, dict[str, str]]


@dataclass
class Sink:
    """`answer(request) -> status | (status, headers) | HANG`; 200 by default."""

    answer: Callable[[Received], Answer] = lambda _r: 200
    delay: float = 0.0  # seconds before each answer
    received: list[Received] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    # The connections being answered: stopping ends them too (closing the server does not),
    # so none is left sleeping on a loop that is about to close.
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def start(self) -> "Sink":
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for handler in self._handlers:
                handler.cancel()
            await asyncio.gather(*self._handlers, return_exceptions=True)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def wait_for(self, count: int, within: float = 15.0,
                       where: Callable[[Received], bool] = lambda _r: True) -> list[Received]:
        """The matching requests once there are `count` of them (AssertionError on timeout)."""
        async def enough() -> None:
            while sum(1 for r in self.received if where(r)) < count:
                self._arrived.clear()
                await self._arrived.wait()
        try:
            await asyncio.wait_for(enough(), within)
        except TimeoutError:
            raise AssertionError(f"wanted {count} requests, got {len(self.received)}") from None
        return [r for r in self.received if where(r)]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handler = asyncio.current_task()
        if handler is not None:
            self._handlers.add(handler)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                _method, path, _version = line.decode().split(" ", 2)
                headers: dict[str, str] = {}
                while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = header.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                request = Received(path, headers, body)
                self.received.append(request)
                self._arrived.set()
                if self.delay:
                    await asyncio.sleep(self.delay)
                answer = self.answer(request)
                if answer == HANG:
                    await asyncio.sleep(3600)
                    return
                status, extra = answer if isinstance(answer, tuple) else (answer, {})
                head = [f"HTTP/1.1 {status} X", "Content-Length: 2",
                        *(f"{k}: {v}" for k, v in extra.items())]
                writer.write(("\r\n".join(head) + "\r\n\r\nok").encode())
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            return
        finally:
            writer.close()
            if handler is not None:
                self._handlers.discard(handler)


class ThreadSink:
    """A Sink on its own event loop in a thread, for tests that drive real server processes."""

    def __init__(self, delay: float = 0.0) -> None:
        import threading
        self.sink = Sink(delay=delay)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.sink.start(), self.loop).result(10)

    @property
    def url(self) -> str:
        return self.sink.url

    def received(self) -> list[Received]:
        return list(self.sink.received)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.sink.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
