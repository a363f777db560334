"""Reads about people and their roles."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from delegates.models import User

# The staff group that sees and does everything (created by registration's roles migration).
SECRETARIAT_GROUP = "Secretariat"


def user_is_secretariat(*, user: User) -> bool:
    """The secretariat: superusers and staff in the Secretariat group."""
    if not (user.is_authenticated and user.is_staff):
        return False
    return user.is_superuser or user.groups.filter(name=SECRETARIAT_GROUP).exists()


def acting_user(user: User | AnonymousUser | None) -> User | None:
    """The user to record as having acted: None for the system or an anonymous visitor."""
    return user if user is not None and user.is_authenticated else None
