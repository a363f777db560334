"""The staff groups as docs/roles.md writes them down.

0002_roles gave the Secretariat every permission of `delegates`, User's among them: a secretariat
user could make anyone a superuser. Accounts, groups and permissions are the administrators'
(superusers'), and so are the audit trails that record what staff did. The Desk holds the desk
permission and nothing else.

Safe to run again: it sets both groups to exactly these permissions.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SECRETARIAT_APPS = ("delegates", "registration")
# (app label, model) whose permissions no group holds: only superusers reach them.
ADMINISTRATORS_ONLY = (
    ("delegates", "user"),
    ("delegates", "passportaccesslog"),
    ("delegates", "staffactionlog"),
)


def secretariat_permissions(Permission):
    permissions = Permission.objects.filter(content_type__app_label__in=SECRETARIAT_APPS)
    for app_label, model in ADMINISTRATORS_ONLY:
        permissions = permissions.exclude(
            content_type__app_label=app_label, content_type__model=model
        )
    return permissions


def hold_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; the groups need them now.
    for app_label in ("auth", "contenttypes", *SECRETARIAT_APPS):
        app_config = apps.get_app_config(app_label)
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    secretariat, _ = Group.objects.get_or_create(name="Secretariat")
    secretariat.permissions.set(secretariat_permissions(Permission))
    desk, _ = Group.objects.get_or_create(name="Desk")
    desk.permissions.set(
        Permission.objects.filter(content_type__app_label="registration", codename="use_desk")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0005_head_of_delegation_claims"),
        ("delegates", "0004_staff_action_log"),
    ]
    # Going back leaves the groups as they are: the wider Secretariat group was the flaw.
    operations = [migrations.RunPython(hold_roles, migrations.RunPython.noop)]
