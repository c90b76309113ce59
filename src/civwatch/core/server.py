"""The production web server behind `civwatch serve`: gunicorn, configured from settings.

gunicorn (threaded workers, `gthread`) rather than granian: the pages are rendered by
synchronous Django code and database queries, which neither server speeds up, and gunicorn
is the pure-Python dependency with the longer record behind Django, graceful shutdown and a
configurable access log (docs/operations.md; the measurement in docs/benchmarks.md).
"""

from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from civwatch.core.clock import UNLOGGED

# No client address, query string, referrer or user agent: a query string may carry a name
# typed into a search, a referrer the previous page's query, and an address identifies the
# visitor; the path, method, status, size and time are enough to operate the server.
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


class AccessLogger(Logger):
    """gunicorn's logger, leaving out the requests a view marked (core.clock.drop_box: an
    anonymous submission, whose time of day must not be kept anywhere)."""

    def access(self, resp: Any, req: Any, environ: dict, request_time: Any) -> None:
        if environ.get(UNLOGGED):
            return
        super().access(resp, req, environ, request_time)


class CivwatchServer(BaseApplication):
    """gunicorn running civwatch's WSGI application with options given as a dict."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from civwatch.wsgi import application

        return application


def server_options(
    bind: str, *, workers: int, threads: int, access_log: str | None, graceful_timeout: int
) -> dict[str, Any]:
    return {
        "bind": [bind],
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        # A worker stuck this long on one request is replaced (PDFs and screening of files
        # run in background jobs, not in requests).
        "timeout": 120,
        # SIGTERM: stop accepting, let requests in flight finish for this long, then exit.
        "graceful_timeout": graceful_timeout,
        "keepalive": 5,
        "accesslog": access_log,
        "access_log_format": ACCESS_LOG_FORMAT,
        "logger_class": AccessLogger,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "civwatch",
        # Request line and header limits (gunicorn's defaults are generous): a longer line
        # is refused with a 4xx before it reaches Django.
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
        "forwarded_allow_ips": "127.0.0.1,::1",
        # gunicorn's control socket lives in the user's home, shared by every server of that
        # user; civwatch is operated by signals (docs/operations.md), so it stays off.
        "control_socket_disable": True,
    }
