"""The Secretariat holds the city import jobs' permissions too: 0006's rule, run again for the
models added since."""

import importlib

from django.db import migrations

roles_hold = importlib.import_module("registration.migrations.0006_roles_hold")


class Migration(migrations.Migration):
    dependencies = [("registration", "0008_city_import_jobs")]
    operations = [migrations.RunPython(roles_hold.hold_roles, migrations.RunPython.noop)]
