"""django-allauth's adapters and forms: its mail (verification, password reset) goes through the
outbox too, a sign-up sent twice at once makes one account, and security keys carry the
meeting's name.

It lives in `registration` because the outbox does; `delegates` may not import `registration`.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.webauthn.forms import AddWebAuthnForm as AllauthAddWebAuthnForm
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from delegates.services import delegate_link_login
from registration.models import OutboxEmail
from registration.services.outbox import email_queue


class AccountAdapter(DefaultAccountAdapter):
    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            # A colleague registered by their head of delegation finds their registration.
            delegate_link_login(user=email_address.user, email=email_address.email)
        return confirmed

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        full_context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
        }
        full_context.update(context)
        message = self.render_mail(template_prefix, email, full_context)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        language = translation.get_language() or "en"
        with transaction.atomic():
            email_queue(
                kind=OutboxEmail.Kind.ACCOUNT,
                recipient=email,
                language="ko" if language.startswith("ko") else "en",
                subject=message.subject,
                body_text=message.body,
                body_html=html,
                # The password-reset and confirmation key (or a code, if one is ever sent) would
                # let whoever reads the email log act as the person: it is withheld.
                secrets=[str(context[name]) for name in ("key", "code") if context.get(name)],
            )


class SignupForm(AllauthSignupForm):
    """allauth's sign-up, safe against the same address signing up twice at once."""

    def try_save(self, request: HttpRequest) -> tuple[object, HttpResponse | None]:
        try:
            with transaction.atomic():
                return super().try_save(request)
        except IntegrityError:
            # A double-click or a retried request: the other one has just made the account and
            # sent its verification mail. This one answers with the same page, and sends nothing.
            return None, get_adapter().respond_email_verification_sent(request, None)


class MFAAdapter(DefaultMFAAdapter):
    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        # The name a browser shows when it asks for a security key or passkey: the same as the
        # authenticator app's, not the Site's "example.com".
        return {**super().get_public_key_credential_rp_entity(), "name": settings.MFA_TOTP_ISSUER}


class AddWebAuthnForm(AllauthAddWebAuthnForm):
    """allauth's form to add a security key, its one visible field labelled in both languages
    (allauth leaves it to Django's untranslated "Name")."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name of the key")
        self.fields["name"].help_text = _(
            "To tell your keys apart, for example “YubiKey” or “Work laptop”."
        )
