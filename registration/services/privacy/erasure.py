"""Erasure at the person's request: they ask, the secretariat carries it out."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from delegates.files import files_delete_on_commit
from delegates.models import Delegate, StaffActionLog, User
from delegates.selectors import acting_user
from delegates.services import staff_action_log
from registration.errors import RegistrationError
from registration.models import (
    Badge,
    ColleagueInvitation,
    OutboxEmail,
    PurgeRecord,
    Registration,
    RegistrationLog,
    State,
    VisaLetter,
    new_badge_token,
)
from registration.services.privacy.retention import EMPTY, RETAINED_REGISTRATION_FIELDS_CLEARED
from registration.services.states import registration_free_place


def delegate_request_erasure(*, delegate: Delegate, actor: User) -> Delegate:
    """The person asks to be forgotten; the secretariat carries it out (delegate_erase)."""
    if delegate.user_id != actor.pk:
        raise RegistrationError(
            _("Only the person themselves can ask for their data to be erased.")
        )
    if delegate.erased_at:
        raise RegistrationError(_("This person's data has already been erased."))
    with transaction.atomic():
        Delegate.objects.filter(pk=delegate.pk, erasure_requested_at__isnull=True).update(
            erasure_requested_at=timezone.now()
        )
    delegate.refresh_from_db()
    return delegate


def delegate_erase(*, delegate: Delegate, actor: User | None) -> PurgeRecord:
    """Erase every personal field of a person; their registrations stay counted as "erased".

    Their places in the quota are freed for the waitlist, their badge token stops working,
    their files are deleted, and their login goes.
    """
    with transaction.atomic():
        delegate = Delegate.objects.select_for_update().get(pk=delegate.pk)
        if delegate.erased_at:
            raise RegistrationError(_("This person's data has already been erased."))
        files: list[tuple[Storage, str]] = []
        if delegate.photo:
            files.append((delegate.photo.storage, delegate.photo.name))
        registrations = list(
            Registration.objects.select_for_update(of=("self",))
            .filter(delegate=delegate)
            .select_related("event")
        )
        for registration in registrations:
            registration_free_place(
                registration=registration,
                actor=actor,
                reason=gettext_lazy("Erased at the person's request."),
            )
            for badge in Badge.objects.filter(registration=registration):
                if badge.pdf:
                    files.append((badge.pdf.storage, badge.pdf.name))
                badge.delete()
            for letter in VisaLetter.objects.filter(registration=registration):
                if letter.pdf:
                    files.append((letter.pdf.storage, letter.pdf.name))
                letter.delete()
            Registration.objects.filter(pk=registration.pk).update(
                state=State.ERASED,
                holds_place=False,
                badge_token=new_badge_token(),
                hotel_name="",
                staff_notes="",
                decline_reason="",
                checked_in_desk="",
                **{name: EMPTY.get(name, "") for name in RETAINED_REGISTRATION_FIELDS_CLEARED},
            )
            RegistrationLog.objects.filter(registration=registration).update(reason="", changes={})
            registration.history.all().delete()
        user = delegate.user
        placeholder = f"erased-{delegate.pk}@erased.invalid"
        # Their registrations' emails, and account emails (verification, password) to them.
        OutboxEmail.objects.filter(
            Q(registration__in=registrations) | Q(recipient__iexact=delegate.email)
        ).update(
            recipient="erased@invalid",
            subject="",
            body_text="",
            body_html="",
            withheld="",
            last_error="",
        )
        # A head's invitations to them carry their address.
        ColleagueInvitation.objects.filter(email__iexact=delegate.email).delete()
        Delegate.objects.filter(pk=delegate.pk).update(
            user=None,
            email=placeholder,
            honorific="",
            given_name="",
            family_name="",
            native_name="",
            job_title="",
            organisation="",
            other_city="(erased)" if delegate.city_id is None else "",
            phone="",
            photo="",
            language=delegate.language,
            passport_name="",
            passport_number="",
            passport_nationality="",
            passport_date_of_birth="",
            passport_expiry="",
            diet="",
            dietary_notes="",
            accessibility_needs="",
            search_text="",
            registered_by=None,
            erased_at=timezone.now(),
        )
        delegate.history.all().delete()
        if user is not None and not user.is_staff:
            EmailAddress.objects.filter(user=user).delete()
            user.delete()
        record = PurgeRecord.objects.create(
            event=None,
            delegate_count=1,
            reason="erasure",
            ran_by=acting_user(actor),
            erased={
                "delegate": delegate.pk,
                "registrations": [r.pk for r in registrations],
                "files": len(files),
                "login": user is not None and not user.is_staff,
            },
        )
        staff_action_log(
            actor=actor,
            action=StaffActionLog.Action.ERASED,
            model=Delegate,
            object_ids=[delegate.pk],
            detail=f"personal data purge {record.pk}",
        )
        files_delete_on_commit(files)
        return record
