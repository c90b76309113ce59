"""One upload validator: every file field of every form passes `civwatch.core.uploads`, and
its rules name the file."""

import importlib
import pkgutil

import pytest
from django import forms

import civwatch
from civwatch.core.errors import UserError
from civwatch.core.uploads import check_upload, sniff_media_type


def every_form() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(civwatch.__path__, "civwatch."):
        if ".migrations" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found, queue = [], [forms.BaseForm]
    while queue:
        for sub in queue.pop().__subclasses__():
            queue.append(sub)
            if sub.__module__.startswith("civwatch."):
                found.append(sub)
    return found


def test_every_file_field_of_every_form_uses_the_one_upload_validator():
    fields = {
        f"{form.__module__}.{form.__name__}.{name}": field
        for form in every_form()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.FileField)
    }
    assert len(fields) >= 4  # evidence, articles, register snapshots, screening CSVs
    unchecked = [
        where
        for where, field in fields.items()
        if not any(getattr(v, "upload_rule", False) for v in field.validators)
    ]
    assert unchecked == []


@pytest.mark.parametrize(
    ("name", "size", "rules", "message"),
    [
        ("big.pdf", 20 * 1024 * 1024 + 1, {}, "“big.pdf” is larger than 20 MB."),
        ("empty.txt", 0, {}, "“empty.txt” is empty."),
        ("names.xlsx", 10, {"suffixes": [".csv"], "refusal": "%(name)s: CSV only"},
         "names.xlsx: CSV only"),
        ("names.csv", 6 * 1024 * 1024, {"max_bytes": 5 * 1024 * 1024},
         "“names.csv” is larger than 5 MB."),
    ],
)  # fmt: skip
def test_a_refusal_names_the_file(name, size, rules, message):
    with pytest.raises(UserError) as refusal:
        check_upload(name, size, **rules)
    assert str(refusal.value) == message


def test_the_content_decides_the_type_not_the_name():
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    with pytest.raises(UserError, match=r"“notes\.txt” is an image"):
        sniff_media_type("notes.txt", png, accepted=["text/plain"])
    assert sniff_media_type("notes.txt", png) == "image/png"
    with pytest.raises(UserError, match="damaged PDF"):
        sniff_media_type("a.pdf", b"%PDF-1.7 no end")
    assert sniff_media_type("page", b"<!doctype html><p>x") == "text/html"
