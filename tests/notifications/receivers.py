"""Local receivers the delivery tests talk to: a real SMTP server and a real HTTP server."""

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpInbox:
    """What the SMTP server accepted; `refuse` answers the next N messages with a 451."""

    messages: list = field(default_factory=list)
    refuse: int = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return "451 Try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"


class SmtpServer:
    def __init__(self):
        self.inbox = SmtpInbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


@dataclass
class HttpInbox:
    """Each request the HTTP receiver got; `answers` lists the next statuses ("slow": none)."""

    requests: list = field(default_factory=list)
    answers: list = field(default_factory=list)
    slow_seconds: float = 2.0


class HttpReceiver:
    def __init__(self):
        self.inbox = HttpInbox()
        inbox = self.inbox

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                # Header names are case-insensitive; the message object looks them up so.
                inbox.requests.append({"headers": self.headers, "body": body})
                answer = inbox.answers.pop(0) if inbox.answers else 200
                if answer == "slow":
                    time.sleep(inbox.slow_seconds)
                    answer = 200
                self.send_response(answer)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook/secret-path-1234"

    def json(self, index: int) -> dict:
        return json.loads(self.inbox.requests[index]["body"])

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
