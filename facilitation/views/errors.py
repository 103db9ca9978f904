"""Error pages and JSON errors that say what went wrong without revealing internals."""

from __future__ import annotations

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException


def register(app) -> None:
    """Install the error handlers on the app."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        # The exception's own headers (Allow on a 405, Retry-After, WWW-Authenticate) stay with our page.
        headers = [(name, value) for name, value in exc.get_headers() if name.lower() != "content-type"]
        if request.path.startswith("/api/"):
            code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(exc.code, "error")
            return jsonify({"ok": False, "error": {"code": code, "message": exc.description}}), exc.code, headers
        return render_template("errors/error.html", error=exc), exc.code, headers

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        app.logger.exception("request failed")
        if request.path.startswith("/api/"):
            return jsonify({"ok": False, "error": {"code": "server_error", "message": "Something went wrong; nothing was changed."}}), 500
        return render_template("errors/error.html", error=None), 500
