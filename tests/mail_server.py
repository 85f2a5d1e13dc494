"""A real SMTP server on loopback for the tests that send mail (invitations, password resets, reminders, digests).

The product sends through Django's SMTP backend exactly as in production; the tests read what this server
received. `mail_server` points the in-process settings at it; a test that starts the demo server in another
process passes `mail_server.environment` to it instead.
"""

import email
import email.policy
import logging
import threading
import time
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.live_server import free_port

# aiosmtpd narrates every connection at INFO from its own thread, which may outlive the test's captured
# output ("I/O operation on closed file"); its warnings and errors still show.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class MailServer:
    """Collects every message it receives, parsed, in arrival order."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    @property
    def environment(self) -> dict[str, str]:
        """The settings a server process needs to send here."""
        return {
            "IMPROVENET_EMAIL_HOST": "127.0.0.1",
            "IMPROVENET_EMAIL_PORT": str(self.port),
            "IMPROVENET_EMAIL_SECURITY": "none",
            "IMPROVENET_EMAIL_FROM": "improvenet <noreply@improvenet.test>",
        }

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The first `count` messages, waiting for them to arrive (mail from another process is not instant)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} messages, the SMTP server received {len(self.messages)}")
                self._arrived.wait(left)
            return list(self.messages[:count])

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if address.lower() in str(message["To"]).lower()]

    @staticmethod
    def body(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain", "html")).get_content()


@pytest.fixture
def mail_server(settings):
    """A running SMTP server, with the in-process settings sending to it."""
    server = MailServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield server
    finally:
        server.stop()
