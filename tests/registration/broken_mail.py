"""Mail backends for tests that need a mail server which fails."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """Like a mail server that is down: the connection is refused."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class RejectingBackend(BaseEmailBackend):
    """A mail server that refuses the recipient for good."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused(
            {m.to[0]: (550, b"5.1.1 No such user") for m in email_messages}
        )
