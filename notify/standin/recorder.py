#!/usr/bin/env python3
"""A recording proxy in front of prism: the GOV.UK Notify stand-in for tests.

    notify/standin/recorder.py --port P --upstream http://127.0.0.1:Q --record FILE \
        --service-id ID --secret SECRET

Prism (serving Notify's own OpenAPI description from notify/standin/spec/) answers
as Notify's documentation says, but it does not check the JWT. This proxy does, the
way Notify's API does it (notifications-api, app/authentication/auth.py), using
`decode_jwt_token` from PyPI's notifications-python-client: the signature with the
secret, `iss` equal to the service id, `iat` within 30 seconds either way. A request
that fails gets Notify's AuthError body (401 with no bearer token, 403 otherwise);
one that passes is forwarded to prism and prism's answer is returned.

Every request (control endpoints aside) is recorded, before it is answered, as one
JSON line appended to FILE (emptied at start):

    {"method": "POST", "path": "/v2/notifications/sms", "query": {"reference": ["..."]},
     "body": <the parsed JSON body, the raw text if it is not JSON, or null>,
     "jwt_valid": true, "status": 201, "notification_id": "<the id answered>"}

Sends get an id of their own (prism's example id is the same for all), and
GET /v2/notifications?reference=R is answered from the record: the messages
accepted with that reference, as Notify would find them.

Control endpoints for tests (no JWT needed, not recorded):

    POST /_standin/faults    {"status": 429, "error": "RateLimitError", "message": "...",
                              "times": 1, "delay_secs": 0}
        The next `times` requests with a valid JWT get this answer (Notify's error
        body) instead of prism's. Every field is optional: "delay_secs" alone makes
        the next requests slow and then forwards them to prism. Faults queue up.
    DELETE /_standin/faults  forgets the queued faults.
    GET /_standin/requests   the recorded lines as one JSON array.

Loopback only: it refuses to listen anywhere but 127.0.0.1. Standard library only,
apart from notifications-python-client (pinned in scripts/setup).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
    from notifications_python_client.errors import (
        TokenAlgorithmError,
        TokenDecodeError,
        TokenError,
        TokenExpiredError,
        TokenIssuerError,
    )
except ImportError:
    sys.exit(
        "recorder.py: PyPI's notifications-python-client is missing "
        "(scripts/setup --test installs it)"
    )

CONTROL_PREFIX = "/_standin/"
SEND_PATHS = ("/v2/notifications/sms", "/v2/notifications/email")
# Headers worth passing to prism: it negotiates on these and checks the bearer scheme.
FORWARDED_HEADERS = ("Authorization", "Content-Type", "Accept")


def auth_error(status: int, message: str) -> tuple[int, dict]:
    """Notify's own AuthError body (app/errors.py, AuthError.to_dict_v2)."""
    return status, {"status_code": status, "errors": [{"error": "AuthError", "message": message}]}


def check_token(authorization: str | None, service_id: str, secret: str) -> tuple[int, dict] | None:
    """None when Notify would accept the header, else the error Notify would answer.

    The messages are Notify's, in the order Notify checks (requires_auth)."""
    if not authorization:
        return auth_error(401, "Unauthorized: authentication token must be provided")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return auth_error(401, "Unauthorized: authentication bearer scheme must be used")
    try:
        issuer = get_token_issuer(token.strip())
    except TokenIssuerError:
        return auth_error(403, "Invalid token: iss field not provided")
    except TokenDecodeError:
        return auth_error(403, "Invalid token: signature, api token is not valid")
    try:
        uuid.UUID(str(issuer))
    except ValueError:
        return auth_error(403, "Invalid token: service id is not the right data type")
    if issuer != service_id:
        return auth_error(403, "Invalid token: service not found")
    try:
        decode_jwt_token(token.strip(), secret)
    except TokenExpiredError:
        return auth_error(403, "Error: Your system clock must be accurate to within 30 seconds")
    except TokenAlgorithmError:
        return auth_error(403, "Invalid token: algorithm used is not HS256")
    except TokenDecodeError:
        # Notify tries each of the service's keys; with one key, none matched.
        return auth_error(403, "Invalid token: API key not found")
    except TokenError:
        return auth_error(403, "Invalid token: signature, api token is not valid")
    return None


class Faults:
    """Answers queued by tests, handed out one request at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[dict] = []

    def add(self, fault: dict) -> None:
        with self._lock:
            self._queue.append(dict(fault, times=int(fault.get("times", 1))))

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def take(self) -> dict | None:
        with self._lock:
            while self._queue and self._queue[0]["times"] <= 0:
                self._queue.pop(0)
            if not self._queue:
                return None
            self._queue[0]["times"] -= 1
            return dict(self._queue[0])


class Recording:
    """The record file and the same lines in memory, for GET /_standin/requests."""

    def __init__(self, path: str) -> None:
        self._lock = threading.Lock()
        self._path = path
        self._lines: list[dict] = []
        open(path, "w", encoding="utf-8").close()

    def append(self, line: dict) -> None:
        with self._lock:
            self._lines.append(line)
            with open(self._path, "a", encoding="utf-8") as record:
                record.write(json.dumps(line) + "\n")

    def all(self) -> list[dict]:
        with self._lock:
            return list(self._lines)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "portico-notify-standin"
    # Set on the class by main().
    upstream = ""
    service_id = ""
    secret = ""
    faults = Faults()
    recording: Recording

    def do_GET(self) -> None:
        self.handle_any()

    def do_POST(self) -> None:
        self.handle_any()

    def do_DELETE(self) -> None:
        self.handle_any()

    def handle_any(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if url.path.startswith(CONTROL_PREFIX):
            self.control(url.path, raw)
            return

        rejected = check_token(self.headers.get("Authorization"), self.service_id, self.secret)
        fault = None if rejected else self.faults.take()
        if rejected:
            status, body = rejected[0], json.dumps(rejected[1]).encode()
            content_type = "application/json"
        elif fault and "status" in fault:
            status = int(fault["status"])
            body = json.dumps(fault_body(fault)).encode()
            content_type = "application/json"
        elif self.command == "GET" and url.path == "/v2/notifications" and "reference" in urllib.parse.parse_qs(url.query):
            status, content_type = 200, "application/json"
            body = json.dumps(self.sent_with(urllib.parse.parse_qs(url.query)["reference"][0])).encode()
        else:
            status, content_type, body = self.forward(raw)
        notification_id = None
        if self.command == "POST" and url.path in SEND_PATHS and status == 201:
            body, notification_id = self.as_accepted(body, parse_body(raw))

        self.recording.append(
            {
                "method": self.command,
                "path": url.path,
                "query": urllib.parse.parse_qs(url.query),
                "body": parse_body(raw),
                "jwt_valid": rejected is None,
                "status": status,
                "notification_id": notification_id,
            }
        )
        if fault and fault.get("delay_secs"):
            time.sleep(float(fault["delay_secs"]))
        self.answer(status, content_type, body)

    @staticmethod
    def as_accepted(answer: bytes, request: object) -> tuple[bytes, str]:
        """Prism answers every send with the same example id; Notify gives each
        message its own and echoes the reference. So does the stand-in, so that
        delivery receipts and lookups by reference can tell messages apart."""
        notification_id = str(uuid.uuid4())
        try:
            value = json.loads(answer)
        except ValueError:
            return answer, notification_id
        if isinstance(value, dict):
            value["id"] = notification_id
            if isinstance(request, dict):
                value["reference"] = request.get("reference")
        return json.dumps(value).encode(), notification_id

    def sent_with(self, reference: str) -> dict:
        """GET /v2/notifications?reference=…, answered from what was accepted
        (prism would answer with its example whatever the reference): a message
        that was accepted is found, one that never got through is not."""
        found = []
        for line in self.recording.all():
            body = line.get("body")
            if line.get("notification_id") and isinstance(body, dict) and body.get("reference") == reference:
                found.append(
                    {
                        "id": line["notification_id"],
                        "reference": reference,
                        "type": "sms" if line["path"].endswith("/sms") else "email",
                        "status": "sending",
                        "created_at": "2026-01-01T00:00:00.000000Z",
                    }
                )
        return {"notifications": found, "links": {"current": "/v2/notifications"}}

    def forward(self, raw: bytes) -> tuple[int, str, bytes]:
        headers = {name: self.headers[name] for name in FORWARDED_HEADERS if self.headers.get(name)}
        request = urllib.request.Request(
            self.upstream + self.path, data=raw or None, headers=headers, method=self.command
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, answer.headers.get("Content-Type", ""), answer.read()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.headers.get("Content-Type", ""), answer.read()
        except OSError as error:
            body = {"errors": [{"error": "StandInError", "message": f"prism did not answer: {error}"}]}
            return 502, "application/json", json.dumps(body).encode()

    def control(self, path: str, raw: bytes) -> None:
        if path == "/_standin/faults" and self.command == "POST":
            try:
                fault = json.loads(raw or b"{}")
                if not isinstance(fault, dict):
                    raise ValueError("a fault is a JSON object")
            except ValueError as error:
                self.answer_json(400, {"error": f"bad fault: {error}"})
                return
            self.faults.add(fault)
            self.answer_json(200, {"queued": fault})
        elif path == "/_standin/faults" and self.command == "DELETE":
            self.faults.clear()
            self.answer_json(200, {"cleared": True})
        elif path == "/_standin/requests" and self.command == "GET":
            self.answer_json(200, self.recording.all())
        else:
            self.answer_json(404, {"error": f"no control endpoint {self.command} {path}"})

    def answer_json(self, status: int, value: object) -> None:
        self.answer(status, "application/json", json.dumps(value).encode())

    def answer(self, status: int, content_type: str, body: bytes) -> None:
        try:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # The client gave up (a timeout test): nothing to answer.

    def log_message(self, format: str, *args: object) -> None:
        # The request line only: bodies hold phone numbers and the header a token.
        sys.stderr.write("notify stand-in: " + (format % args) + "\n")


def fault_body(fault: dict) -> dict:
    """The body Notify sends with an error: its `errors[].error` is what clients branch on."""
    status = int(fault["status"])
    error = fault.get("error") or ("Exception" if status >= 500 else "BadRequestError")
    message = fault.get("message") or f"stand-in fault {status} {error}"
    return {"status_code": status, "errors": [{"error": error, "message": message}]}


def parse_body(raw: bytes) -> object:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def wait_for_upstream(upstream: str, seconds: float) -> None:
    """Prism takes a few seconds to start: listen only once it answers, so that a
    caller waiting for our port (Playwright's webServer) never meets a half-ready stand-in."""
    url = urllib.parse.urlsplit(upstream)
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection((url.hostname, url.port or 80), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(f"recorder.py: nothing answers at {upstream} after {seconds:.0f} s (is prism running?)")
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description="Notify stand-in: checks the JWT, records, forwards to prism")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="prism's address, e.g. http://127.0.0.1:4010")
    parser.add_argument("--record", required=True, help="file to append one JSON line per request to")
    parser.add_argument("--service-id", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--upstream-wait", type=float, default=60, help="seconds to wait for prism")
    args = parser.parse_args()

    Handler.upstream = args.upstream.rstrip("/")
    Handler.service_id = args.service_id
    Handler.secret = args.secret
    Handler.recording = Recording(args.record)
    wait_for_upstream(Handler.upstream, args.upstream_wait)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"notify stand-in: ready on http://127.0.0.1:{args.port} (prism at {Handler.upstream})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
