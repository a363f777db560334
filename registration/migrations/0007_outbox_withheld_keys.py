"""Account mails keep no key in the email log: a column holds the key, encrypted, until the mail
is sent, and the account mails already stored lose the keys in their links. One still waiting to
be sent keeps its key in the new column, so that it goes out as written."""

import json
import re

import delegates.fields
from django.db import migrations

# The key in allauth's confirmation and password-reset links (allauth/account/urls.py).
KEYS_IN_LINKS = (
    re.compile(r"(confirm-email/)([-:\w]+)/"),
    re.compile(r"(password/reset/key/[0-9A-Za-z]+-)([^/\s\"'<>]+)/"),
)


def withhold(texts):
    """The texts with each key replaced by a placeholder (as registration/services/outbox.py
    writes them), and placeholder -> key."""
    kept = {}

    def placeholder(key):
        for name, value in kept.items():
            if value == key:
                return name
        name = "[key withheld]" if not kept else f"[key withheld {len(kept) + 1}]"
        kept[name] = key
        return name

    for pattern in KEYS_IN_LINKS:
        texts = {
            field: pattern.sub(lambda m: f"{m.group(1)}{placeholder(m.group(2))}/", text)
            for field, text in texts.items()
        }
    return texts, kept


def withhold_stored_keys(apps, schema_editor):
    OutboxEmail = apps.get_model("registration", "OutboxEmail")
    for email in OutboxEmail.objects.filter(kind="account").iterator():
        texts, kept = withhold({"body_text": email.body_text, "body_html": email.body_html})
        if not kept:
            continue
        waiting = email.status in ("queued", "sending")
        OutboxEmail.objects.filter(pk=email.pk).update(
            withheld=json.dumps(kept) if waiting else "", **texts
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0006_roles_hold"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxemail",
            name="withheld",
            field=delegates.fields.EncryptedTextField(blank=True, default="", editable=False),
        ),
        # A key cut from a sent mail's link is gone for good: going back leaves the links as
        # they are.
        migrations.RunPython(withhold_stored_keys, migrations.RunPython.noop),
    ]
