from django.http import HttpRequest

from registration.selectors import delegation_head_of, event_current


def current_event(request: HttpRequest) -> dict:
    # Cached on the request: templates ask for it more than once.
    if not hasattr(request, "_current_event"):
        request._current_event = event_current()
    event = request._current_event
    user = getattr(request, "user", None)
    is_head = bool(
        event is not None
        and user is not None
        and user.is_authenticated
        and delegation_head_of(user=user, event=event)
    )
    return {"event": event, "is_head_of_delegation": is_head}
