"""Previews were named by the sha256 of their original; they are now named by their own, so
that reading one can verify it. Existing previews are stored again under their own hash
(through the verified storage) and their rows point there; the old files are removed."""

from pathlib import Path

from django.conf import settings
from django.db import migrations


def rename_previews(apps, schema_editor):
    from civwatch.evidence.storage import PREVIEWS, sha256_of, storage

    EvidenceItem = apps.get_model("evidence", "EvidenceItem")
    store = storage()
    old_files = set()
    for item in EvidenceItem.objects.exclude(preview="").only("pk", "preview"):
        old = Path(settings.MEDIA_ROOT) / item.preview.name
        if not old.is_file():
            continue  # nothing to keep: reading it refuses it as missing, as before
        data = old.read_bytes()
        stored = store.put(PREVIEWS, data, ".png")
        name = store.relative(stored.path)
        if name != item.preview.name:
            EvidenceItem.objects.filter(pk=item.pk).update(preview=name)
            old_files.add(old)
    for old in old_files:
        old.unlink(missing_ok=True)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0003_evidence_preview")]

    operations = [migrations.RunPython(rename_previews, migrations.RunPython.noop)]
