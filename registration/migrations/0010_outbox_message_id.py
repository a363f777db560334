from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("registration", "0009_roles_hold_city_imports"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxemail",
            name="message_id",
            field=models.CharField(blank=True, max_length=255, verbose_name="Message-ID"),
        ),
    ]
