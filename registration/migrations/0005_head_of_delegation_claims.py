"""Head of delegation becomes a claim the secretariat grants; invitations into a delegation.

Heads already in the database came through the old rules, which gave the powers at once: they
are migrated as granted, from the time they registered. One granted head per city delegation
replaces one head (claims included).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def grant_existing_heads(apps, schema_editor):
    Registration = apps.get_model("registration", "Registration")
    Registration.objects.filter(delegation_role="head").update(
        head_granted_at=models.F("submitted_at")
    )


def secretariat_sees_invitations(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs them now.
    app_config = apps.get_app_config("registration")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Secretariat"):
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="registration",
                content_type__model__in=["headinvitation", "colleagueinvitation"],
            )
        )


class Migration(migrations.Migration):

    dependencies = [
        ('delegates', '0002_regions'),
        ('registration', '0004_log_action_erased'),
        ('auth', '0012_alter_user_first_name_max_length'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ColleagueInvitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254, verbose_name='email')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='sent')),
            ],
            options={
                'verbose_name': 'invitation to join a delegation',
                'verbose_name_plural': 'invitations to join a delegation',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='HeadInvitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254, verbose_name='sent to')),
                ('name', models.CharField(blank=True, max_length=200, verbose_name='name')),
                ('language', models.CharField(choices=[('en', 'English'), ('ko', '한국어')], max_length=5, verbose_name='language')),
                ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='sent')),
                ('expires_at', models.DateTimeField(verbose_name='expires')),
                ('accepted_at', models.DateTimeField(blank=True, null=True, verbose_name='accepted')),
                ('replaced_at', models.DateTimeField(blank=True, null=True, verbose_name='replaced')),
            ],
            options={
                'verbose_name': 'head of delegation invitation',
                'verbose_name_plural': 'head of delegation invitations',
                'ordering': ['-created_at'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='registration',
            name='one_head_per_city_delegation',
        ),
        migrations.AddField(
            model_name='historicalregistration',
            name='head_granted_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='head of delegation granted'),
        ),
        migrations.AddField(
            model_name='registration',
            name='head_granted_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='head of delegation granted'),
        ),
        migrations.RunPython(grant_existing_heads, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='outboxemail',
            name='kind',
            field=models.CharField(choices=[('account', 'Account (sign-up, password)'), ('received', 'Registration received'), ('confirmed', 'Registration confirmed'), ('waitlisted', 'Waitlisted'), ('promoted', 'Promoted from the waitlist'), ('declined', 'Declined'), ('changed', 'Changed by the secretariat'), ('cancelled', 'Cancellation confirmed'), ('reminder', 'Reminder before the event'), ('head_granted', 'Head of delegation granted'), ('head_refused', 'Head of delegation claim refused'), ('head_invitation', 'Invitation to lead a delegation'), ('colleague_invitation', 'Invitation to join a delegation')], max_length=20, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='registrationlog',
            name='action',
            field=models.CharField(choices=[('submitted', 'Submitted'), ('edited', 'Edited'), ('confirmed', 'Confirmed'), ('waitlisted', 'Waitlisted'), ('promoted', 'Promoted from the waitlist'), ('declined', 'Declined'), ('cancelled', 'Cancelled'), ('erased', 'Personal data erased'), ('head_granted', 'Head of delegation granted'), ('head_refused', 'Head of delegation claim refused')], max_length=20, verbose_name='action'),
        ),
        migrations.AddConstraint(
            model_name='registration',
            constraint=models.UniqueConstraint(condition=models.Q(('delegation_role', 'head'), ('head_granted_at__isnull', False), ('state__in', ['pending', 'confirmed', 'waitlisted'])), fields=('event', 'city'), name='one_head_per_city_delegation'),
        ),
        migrations.AddConstraint(
            model_name='registration',
            constraint=models.CheckConstraint(condition=models.Q(('head_granted_at__isnull', True), ('delegation_role', 'head'), _connector='OR'), name='only_heads_are_granted'),
        ),
        migrations.AddField(
            model_name='colleagueinvitation',
            name='city',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='delegates.membercity'),
        ),
        migrations.AddField(
            model_name='colleagueinvitation',
            name='event',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registration.event'),
        ),
        migrations.AddField(
            model_name='colleagueinvitation',
            name='invited_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='headinvitation',
            name='city',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='head_invitations', to='delegates.membercity', verbose_name='city'),
        ),
        migrations.AddField(
            model_name='headinvitation',
            name='event',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='head_invitations', to='registration.event', verbose_name='event'),
        ),
        migrations.AddField(
            model_name='headinvitation',
            name='invited_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='invited by'),
        ),
        migrations.AddField(
            model_name='headinvitation',
            name='registration',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='registration.registration', verbose_name='registration'),
        ),
        migrations.AddConstraint(
            model_name='colleagueinvitation',
            constraint=models.UniqueConstraint(fields=('event', 'invited_by', 'email'), name='one_colleague_invitation_per_head'),
        ),
        migrations.AddConstraint(
            model_name='headinvitation',
            constraint=models.UniqueConstraint(condition=models.Q(('accepted_at__isnull', True), ('replaced_at__isnull', True)), fields=('event', 'city'), name='one_open_head_invitation_per_city'),
        ),
        migrations.RunPython(secretariat_sees_invitations, migrations.RunPython.noop),
    ]
