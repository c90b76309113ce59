"""Shared by the open letters tests: a letter in two languages and a real local SMTP server."""

import datetime
import email
import re
import socket
import time
from email import policy

import pytest
from django.utils import timezone

from civwatch.letters.models import Letter, LetterVersion

EN_TEXT = "We, the undersigned organisations,\nask for the repeal of the law on foreign agents."
RU_TEXT = "Мы, нижеподписавшиеся организации,\nпросим отменить закон об иностранных агентах."


def make_letter(slug: str = "repeal", open_it: bool = True) -> Letter:
    today = timezone.localdate()
    letter = Letter.objects.create(
        slug=slug,
        addressees="The President's Office",
        signing_opens=today - datetime.timedelta(days=1),
        signing_closes=today + datetime.timedelta(days=30),
        delivery_date=today + datetime.timedelta(days=31),
    )
    LetterVersion.objects.create(letter=letter, language="en", title="Repeal the law", text=EN_TEXT)
    LetterVersion.objects.create(letter=letter, language="ru", title="Отмените закон", text=RU_TEXT)
    if open_it:
        letter.open_signing()
    return letter


class Collector:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def wait(self, count: int = 1, seconds: float = 10) -> list:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(name="smtp")
def smtp_server(settings):
    """A real SMTP server on a free local port; Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()


LINK = re.compile(r"https?://\S+/letters/confirm/\?t=[\w-]+")


def confirmation_link(message) -> str:
    [link] = LINK.findall(message.get_content())
    return link
