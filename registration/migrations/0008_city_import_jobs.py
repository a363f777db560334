"""City import jobs: a member-city file read, checked and applied by the worker."""

import django.db.models.deletion
import django.utils.timezone
import registration.models.storage
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registration', '0007_outbox_withheld_keys'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CityImportJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(blank=True, storage=registration.models.storage.private_storage, upload_to='city-imports/', verbose_name='file')),
                ('file_name', models.CharField(max_length=255, verbose_name='file name')),
                ('language', models.CharField(default='en', max_length=10, verbose_name='language')),
                ('status', models.CharField(choices=[('queued', 'Waiting to be read'), ('checking', 'Reading and checking the rows'), ('ready', 'Checked: waiting for your confirmation'), ('rejected', 'Rejected: nothing was imported'), ('confirmed', 'Confirmed: waiting to be imported'), ('applying', 'Importing'), ('done', 'Imported'), ('failed', 'Failed: nothing was imported')], default='queued', max_length=10, verbose_name='status')),
                ('rows', models.PositiveIntegerField(default=0, verbose_name='rows')),
                ('report', models.JSONField(blank=True, default=dict, verbose_name='report')),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='uploaded')),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='status changed')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                ('confirmed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'city import',
                'verbose_name_plural': 'city imports',
                'ordering': ['-created_at'],
                'indexes': [models.Index(fields=['status', 'changed_at'], name='registratio_status_5a70c7_idx')],
            },
        ),
    ]
