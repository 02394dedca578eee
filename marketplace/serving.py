"""The request handler of `marketplace serve` and `marketplace demo` (werkzeug's threaded server).

- The Server header says "Shanqiao" only: no werkzeug or Python version for an attacker to match
  against known flaws (the app's own responses never set one either).
- A request line longer than REQUEST_LINE_LIMIT is answered 414 after reading (and discarding) the rest
  of the line, instead of http.server's 65,536-byte cut-off that closed the socket with data unread, which
  the client saw as a dropped connection. URLs between 8 KB and this limit reach the app, which answers
  its own 414 page (inputs.check_request).
- Access log lines carry no query string: a staff search may carry a household number."""

from http import HTTPStatus

from werkzeug.serving import WSGIRequestHandler, run_simple

SERVER_NAME = "Shanqiao"
REQUEST_LINE_LIMIT = 16 * 1024
_DRAIN_LIMIT = 1024 * 1024  # beyond this the client is not a browser: just close
_TOO_LONG = "网址太长（超过 8 KB），请缩短查询条件后重试。\n".encode()


class RequestHandler(WSGIRequestHandler):
    server_version = SERVER_NAME  # also the WSGI environ's SERVER_SOFTWARE

    def version_string(self) -> str:
        return SERVER_NAME

    def log_request(self, code="-", size="-"):
        path = getattr(self, "path", "").split("?", 1)[0]
        self.log("info", '"%s %s %s" %s %s', self.command, path, self.request_version, code, size)

    def handle_one_request(self):
        """http.server's handle_one_request with a shorter request line limit answered properly."""
        try:
            self.raw_requestline = self.rfile.readline(REQUEST_LINE_LIMIT + 1)
            if len(self.raw_requestline) > REQUEST_LINE_LIMIT:
                self._refuse_long_line()
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            method = getattr(self, "do_" + self.command, None)
            if method is None:
                self.send_error(HTTPStatus.NOT_IMPLEMENTED, f"Unsupported method ({self.command!r})")
                return
            method()
            self.wfile.flush()
        except TimeoutError as error:
            self.log_error("Request timed out: %r", error)
            self.close_connection = True

    def _refuse_long_line(self) -> None:
        line = self.raw_requestline
        self.command, self.path, self.request_version = line.split(b" ", 1)[0].decode("latin-1")[:16], "", "HTTP/1.1"
        self.requestline = ""
        read = len(line)
        while not line.endswith(b"\n") and read < _DRAIN_LIMIT:  # the rest of the line, unread so far
            line = self.rfile.readline(64 * 1024)
            if not line:
                break
            read += len(line)
        self.close_connection = True
        if read >= _DRAIN_LIMIT:
            return
        self.send_response(HTTPStatus.REQUEST_URI_TOO_LONG)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(_TOO_LONG)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(_TOO_LONG)
        self.wfile.flush()


def serve(app, host: str, port: int) -> None:
    run_simple(host, port, app, threaded=True, use_reloader=False, request_handler=RequestHandler)
