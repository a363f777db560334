from django.db import migrations

REGIONS = [
    ("africa", "Africa", 1),
    ("asia-pacific", "Asia & Pacific", 2),
    ("europe", "Europe", 3),
    ("latin-america", "Latin America & Caribbean", 4),
    ("middle-east-central-asia", "Middle East & Central Asia", 5),
    ("north-america", "North America", 6),
]


def create_regions(apps, schema_editor):
    Region = apps.get_model("delegates", "Region")
    for code, name, order in REGIONS:
        Region.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("delegates", "0001_initial")]
    operations = [migrations.RunPython(create_regions, migrations.RunPython.noop)]
