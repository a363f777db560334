from django.http import HttpRequest

from registration.selectors.delegation import head_registration_of
from registration.selectors.registrations import event_current


def current_event(request: HttpRequest) -> dict:
    # Cached on the request: templates ask for it more than once.
    if not hasattr(request, "_current_event"):
        request._current_event = event_current()
    event = request._current_event
    user = getattr(request, "user", None)
    # A head claim shows the page too: it says that the claim awaits the secretariat.
    has_delegation_page = bool(
        event is not None
        and user is not None
        and user.is_authenticated
        and head_registration_of(user=user, event=event)
    )
    return {"event": event, "has_delegation_page": has_delegation_page}
