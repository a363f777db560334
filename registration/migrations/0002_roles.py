"""The two staff roles: the Secretariat (everything) and the Desk (check-in only)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SECRETARIAT_APPS = ("delegates", "registration")


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; the roles need them now.
    for app_label in ("auth", "contenttypes", *SECRETARIAT_APPS):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    secretariat, _ = Group.objects.get_or_create(name="Secretariat")
    secretariat.permissions.set(
        Permission.objects.filter(content_type__app_label__in=SECRETARIAT_APPS)
    )
    desk, _ = Group.objects.get_or_create(name="Desk")
    desk.permissions.set(
        Permission.objects.filter(content_type__app_label="registration", codename="use_desk")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0001_initial"),
        ("delegates", "0002_regions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
