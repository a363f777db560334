"""The admin app with the project's own site (delegates/admin_site.py) as `admin.site`.

Its own module: the settings name it before any model can be imported.
"""

from django.contrib.admin.apps import AdminConfig


class ExcomAdminConfig(AdminConfig):
    default_site = "delegates.admin_site.ExcomAdminSite"
