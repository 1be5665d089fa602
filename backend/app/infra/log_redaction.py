"""Bearer tokens never reach the logs.

EventSource cannot send headers, so the live stream takes its token as `?access_token=...`
(routers/stream.py), and uvicorn's access log writes every request line in full: anyone
reading the logs could replay the token until it expires. This filter masks the value of
`access_token` in uvicorn's access log lines (and in any other record handed the same way).
"""

import logging
import re

SECRET_PARAM = re.compile(r"((?:^|[?&])access_token=)[^&\s\"]*", re.IGNORECASE)
MASK = "[redacted]"


def redact(text: str) -> str:
    return SECRET_PARAM.sub(rf"\g<1>{MASK}", text)


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
