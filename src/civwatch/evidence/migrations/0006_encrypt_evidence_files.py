from pathlib import Path

from django.conf import settings
from django.db import migrations

from civwatch.core import crypto


def files(apps):
    """(path, kind, sha256) of every original and preview the evidence items point at."""
    EvidenceItem = apps.get_model("evidence", "EvidenceItem")
    media = Path(settings.MEDIA_ROOT)
    for sha256, file_path, preview in EvidenceItem.objects.values_list(
        "sha256", "file_path", "preview"
    ).distinct():
        if file_path:
            yield media / file_path, "original", sha256
        if preview:
            # Previews are named by their own sha256 (0004), which their data binds them to.
            yield media / preview, "preview", Path(preview).stem


def forward(apps, schema_editor) -> None:
    """Encrypt the evidence files already on disk (each through a renamed temporary file)."""
    crypto.keyring()
    for path, kind, sha256 in files(apps):
        if path.is_file() and not crypto.is_encrypted_file(path.read_bytes()):
            crypto.write_encrypted(path, path.read_bytes(), crypto.file_context(kind, sha256))


def backward(apps, schema_editor) -> None:
    crypto.keyring()
    for path, kind, sha256 in files(apps):
        if path.is_file() and crypto.is_encrypted_file(blob := path.read_bytes()):
            plain = crypto.decrypt_bytes(blob, crypto.file_context(kind, sha256), path.name)
            temporary = path.with_name(f".{path.name}.tmp")
            temporary.write_bytes(plain)
            temporary.replace(path)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0005_encrypted_fields")]

    operations = [migrations.RunPython(forward, backward)]
