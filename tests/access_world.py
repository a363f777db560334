"""The accounts and records the access matrix (tests/test_access_matrix.py) asks with: one account
per role of docs/roles.md, and for every id in a URL a record that belongs to someone else."""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.sites import site
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client, TestCase
from PIL import Image

from delegates.models import Delegate, PassportAccessLog, StaffActionLog, User
from delegates.photos import photo_clean
from delegates.second_factor import second_factor_record
from delegates.services import delegate_save, passport_access_log, staff_action_log
from registration.models import (
    BadgeSheetJob,
    CityImportJob,
    DelegationRole,
    DeskLog,
    HeadInvitation,
    OutboxEmail,
    PrivacyNotice,
    PurgeRecord,
    Registration,
    VisaLetter,
)
from registration.services.head_invitations import head_invitation_send
from registration.services.heads import head_claim_grant
from registration.services.registrations import registration_submit
from tests.factories import EventFactory, MemberCityFactory, RegionFactory, UserFactory
from tests.roles import administrator, desk_user, secretariat_user

ROLES = ("anonymous", "delegate", "head", "desk", "secretariat", "administrator")
PDF = b"%PDF-1.4\n%%EOF\n"


def second_factor_verified(client: Client, user: User) -> None:
    """Mark a staff client's session as past the second factor: the matrix is about roles, not
    about signing in (tests/registration/test_second_factor.py is). The sessions are made once for
    the module, outside the per-test fixture that does this for `force_login`."""
    session = client.session
    second_factor_record(session=session, user=user)
    session.save()


@dataclass
class World:
    clients: dict[str, Client]
    users: dict[str, User]
    # The record of each model that a URL's id points to; never the requesting role's own.
    targets: dict[type[models.Model], models.Model]
    other: Registration
    sheet: BadgeSheetJob
    city_import: CityImportJob
    history_ids: dict[type[models.Model], int] = field(default_factory=dict)

    def target(self, model: type[models.Model]) -> models.Model:
        return self.targets[model]


def _registered(
    email: str, *, city, event, role: str = DelegationRole.DELEGATE, with_login: bool = True
) -> Registration:
    user = UserFactory(email=email) if with_login else None
    if user is not None:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    delegate, _changes = delegate_save(
        delegate=None,
        email=email,
        data={"given_name": "Ana", "family_name": email.split("@")[0].title(), "city": city},
        user=user,
    )
    return registration_submit(
        delegate=delegate, event=event, data={"delegation_role": role}, actor=user
    )


def _photo() -> ContentFile:
    buffer = BytesIO()
    Image.new("RGB", (300, 400), "navy").save(buffer, "JPEG")
    return photo_clean(SimpleUploadedFile("me.jpg", buffer.getvalue(), "image/jpeg"))


def build_world() -> World:
    event = EventFactory(name="WeGO EXCOM")
    region = RegionFactory(code="asia-pacific", name="Asia & Pacific")
    home = MemberCityFactory(code="kr-seongnam", name_en="Seongnam", region=region)
    away = MemberCityFactory(
        code="gh-accra",
        name_en="Accra",
        country="GH",
        region=region,
        focal_point_email="focal@accra.example",
    )

    delegate = _registered("delegate@seongnam.example", city=home, event=event)
    head = _registered("head@seongnam.example", city=home, event=event, role=DelegationRole.HEAD)
    head_claim_grant(registration=head, actor=None)
    other = _registered("kwame@accra.example", city=away, event=event)
    # The photo is written when its row commits; the world's transaction never does.
    with TestCase.captureOnCommitCallbacks(execute=True):
        delegate_save(
            delegate=other.delegate,
            email=other.delegate.email,
            data={"passport_number": "G1234567", "passport_name": "MENSAH KWAME"},
            photo=_photo(),
        )
    other.refresh_from_db()
    VisaLetter.objects.create(
        registration=other, reference="WEGO-TEST-VL-1", pdf=ContentFile(PDF, "letter.pdf")
    )
    users = {
        "delegate": delegate.delegate.user,
        "head": head.delegate.user,
        "desk": desk_user(),
        "secretariat": secretariat_user(),
        "administrator": administrator(),
    }
    sheet = BadgeSheetJob.objects.create(
        layout="a6", registration_ids=[other.pk], status=BadgeSheetJob.Status.DONE, total=1
    )
    sheet.pdf.save("sheet.pdf", ContentFile(PDF))
    passport_access_log(
        delegate_ids=[other.delegate_id], viewer=users["secretariat"], place="admin"
    )
    targets: dict[type[models.Model], models.Model] = {
        User: users["administrator"],
        Group: Group.objects.get(name="Secretariat"),
        Site: Site.objects.get(pk=settings.SITE_ID),
        EmailAddress: EmailAddress.objects.get(user=other.delegate.user),
        Delegate: other.delegate,
        type(away): away,
        type(region): region,
        Registration: other,
        type(event): event,
        OutboxEmail: OutboxEmail.objects.filter(recipient=other.delegate.email).first(),
        BadgeSheetJob: sheet,
        DeskLog: DeskLog.objects.create(registration=other, action="checked_in", desk="Desk 1"),
        PrivacyNotice: PrivacyNotice.objects.order_by("version").first(),
        PurgeRecord: PurgeRecord.objects.create(reason="erasure", delegate_count=1),
        PassportAccessLog: PassportAccessLog.objects.get(),
        HeadInvitation: head_invitation_send(city=away, event=event, actor=users["secretariat"]),
        Authenticator: Authenticator.objects.create(
            user=users["administrator"], type=Authenticator.Type.TOTP, data={"secret": "x"}
        ),
        StaffActionLog: staff_action_log(
            actor=users["secretariat"], action="exported", model=Registration, object_ids=[1]
        ),
    }
    missing = set(site._registry) - set(targets)
    assert not missing, f"no record to open in the admin for {missing}"
    history_ids = {
        model: target.history.order_by("-history_id").first().history_id
        for model, target in targets.items()
        if hasattr(target, "history")
    }
    clients = {"anonymous": Client()}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        if user.is_staff:
            second_factor_verified(client, user)
        clients[role] = client
    return World(
        clients=clients,
        users=users,
        targets=targets,
        other=other,
        sheet=sheet,
        city_import=CityImportJob.objects.create(
            file_name="cities.csv", status=CityImportJob.Status.DONE
        ),
        history_ids=history_ids,
    )
