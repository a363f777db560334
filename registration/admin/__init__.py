"""The secretariat's admin: events, the delegate list (registrations), member cities, the email
log, badge sheets, the desk log and privacy records. One module per admin, plus the delegate
list's actions, filters and forms.

State changes go through the services (quota, log and emails stay right); a RegistrationError is
shown as a message for its row, never as an error page. Lists carry their joins
(`selectors/staff.py`: `registrations_for_admin`), so a page costs the same few queries at any size.
"""

from django.contrib import admin

from registration.admin import (  # noqa: F401  (importing a module registers its admin)
    badges,
    cities,
    desk,
    events,
    invitations,
    outbox,
    privacy,
    registrations,
)

# Lists of thousands of delegates need the whole width; the breadcrumbs lead back anyway.
admin.site.enable_nav_sidebar = False
