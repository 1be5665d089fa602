"""Credentials in URLs never reach the logs.

EventSource cannot send headers, so the live stream takes a single-use `?ticket=` (the
console) or the bearer token itself as `?access_token=` (other clients), and uvicorn's access
log writes every request line in full: anyone reading the logs could replay the token until
it expires. This filter masks those parameters' values in uvicorn's access log lines (and in
any other record handed the same way), in every spelling the server would read as the same
name: any letter case, and percent- or plus-encoded (`?access%5Ftoken=`, `?%61ccess_token=`).
"""

import logging
import re
from urllib.parse import unquote_plus

SECRET_NAMES = frozenset({"access_token", "ticket"})
# One `name=value` pair of a query string: after `?` or `&`, up to the next `&`, space or quote.
PARAM = re.compile(r"(?P<lead>[?&])(?P<name>[^=&\s\"?#]*)=(?P<value>[^&\s\"#]*)")
MASK = "[redacted]"


def _plain(name: str) -> str:
    """The name as the server reads it (decoded until it no longer changes), lower case."""
    for _ in range(5):
        decoded = unquote_plus(name)
        if decoded == name:
            break
        name = decoded
    return name.strip().lower()


def _mask(match: re.Match[str]) -> str:
    if _plain(match["name"]) not in SECRET_NAMES:
        return match[0]
    return f"{match['lead']}{match['name']}={MASK}"


def redact(text: str) -> str:
    return PARAM.sub(_mask, text) if "=" in text else text


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install() -> None:
    """On uvicorn's access logger (idempotent: one filter however many apps start)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactTokens) for f in access.filters):
        access.addFilter(RedactTokens())
