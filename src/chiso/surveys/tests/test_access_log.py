"""The server's access log keeps no network address of a citizen answering a survey (the form says so,
per Nghị định 13/2023/NĐ-CP); other requests are logged as before."""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace

from gunicorn.config import Config

from chiso import gunicorn_conf


def _logged_line(path: str, caplog) -> str:
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = gunicorn_conf.AccessLogger(cfg)
    environ = {
        "REMOTE_ADDR": "203.0.113.7",
        "REQUEST_METHOD": "POST",
        "RAW_URI": path,
        "PATH_INFO": path.split("?")[0],
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_X_FORWARDED_FOR": "198.51.100.9",
    }
    req = SimpleNamespace(headers=[("X-FORWARDED-FOR", "198.51.100.9"), ("X-REAL-IP", "198.51.100.9")])
    resp = SimpleNamespace(status="302 Found", sent=10, headers=[])
    logger.access_log.propagate = True
    with caplog.at_level(logging.INFO, logger="gunicorn.access"):
        logger.access(resp, req, environ, dt.timedelta(milliseconds=5))
    cfg.set("access_log_format", '%(h)s "%(r)s" %({x-forwarded-for}i)s %({x-real-ip}i)s')
    with caplog.at_level(logging.INFO, logger="gunicorn.access"):
        logger.access(resp, req, environ, dt.timedelta(milliseconds=5))
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "gunicorn.access")


def test_the_public_form_and_intake_are_logged_without_the_address(caplog):
    for path in ("/phieu/3/?d=QNG-STP", "/api/public/surveys/3/responses/"):
        caplog.clear()
        line = _logged_line(path, caplog)
        assert path in line
        assert "203.0.113.7" not in line and "198.51.100.9" not in line


def test_other_requests_keep_their_address(caplog):
    line = _logged_line("/khao-sat/3/", caplog)
    assert "203.0.113.7" in line and "198.51.100.9" in line
