"""One account per role of docs/roles.md, made the way the secretariat makes them."""

from __future__ import annotations

from django.contrib.auth.models import Group

from delegates.models import User
from tests.factories import UserFactory


def secretariat_user(email: str = "secretariat@wego.example") -> User:
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


def desk_user(email: str = "desk@wego.example") -> User:
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(Group.objects.get(name="Desk"))
    return user


def administrator(email: str = "root@wego.example") -> User:
    return UserFactory(email=email, is_staff=True, is_superuser=True)
