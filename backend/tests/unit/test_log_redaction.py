"""The live stream's ?access_token= never reaches uvicorn's access log."""

import logging

from app.infra.log_redaction import RedactTokens, install, redact


def test_the_token_value_is_masked_and_nothing_else() -> None:
    assert redact("/stream?access_token=eyJ.abc.def") == "/stream?access_token=[redacted]"
    assert redact("/stream?x=1&ACCESS_TOKEN=t0k&y=2") == "/stream?x=1&ACCESS_TOKEN=[redacted]&y=2"
    assert redact("/incidents?q=access_token") == "/incidents?q=access_token"
    assert redact("/incidents?status=New") == "/incidents?status=New"


def test_uvicorn_access_records_are_redacted(caplog: object) -> None:
    install()
    install()
    access = logging.getLogger("uvicorn.access")
    assert sum(isinstance(f, RedactTokens) for f in access.filters) == 1
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/stream?access_token=secret.jwt.value",
                                "1.1", 200), None)
    assert access.filters[0].filter(record)
    assert "secret" not in record.getMessage()
    assert "access_token=[redacted]" in record.getMessage()
