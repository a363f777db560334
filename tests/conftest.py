from __future__ import annotations

import shutil

import pytest
from django.conf import settings
from django.core.cache import caches


@pytest.fixture(autouse=True)
def _fresh_cache_and_files():
    # allauth's rate limits count in the cache: every test starts with none used.
    for cache in caches.all():
        cache.clear()
    yield
    for folder in (settings.MEDIA_ROOT, settings.PRIVATE_ROOT):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(request, monkeypatch):
    """`force_login` skips the password; for staff it skips the second factor too, so that a
    page's tests are about the page. Tests marked `second_factor` (the rule's own) turn it off."""
    if request.node.get_closest_marker("second_factor"):
        return
    from django.test.client import ClientMixin

    from delegates.second_factor import second_factor_record

    plain = ClientMixin.force_login

    def force_login(self, user, backend=None):
        plain(self, user, backend)
        if user.is_staff:
            session = self.session
            second_factor_record(session=session, user=user)
            session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture
def event(db):
    from tests.factories import EventFactory

    return EventFactory()


@pytest.fixture
def city(db):
    from tests.factories import MemberCityFactory

    return MemberCityFactory(name_en="Seongnam", name_local="성남시", code="kr-seongnam")


@pytest.fixture
def submit(event):
    """Register a new delegate of `city` through the service, as the form would."""
    from registration.services.registrations import registration_submit
    from tests.factories import DelegateFactory

    def _submit(city, *, target_event=None, role="delegate", **delegate_fields):
        delegate = DelegateFactory(city=city, **delegate_fields)
        return registration_submit(
            delegate=delegate,
            event=target_event or event,
            data={"delegation_role": role},
            actor=None,
        )

    return _submit
