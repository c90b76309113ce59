"""Sanction dossiers: one entry, one jurisdiction, as JSON, HTML or PDF (WeasyPrint).

A dossier is read at the internal level: confidential records (a victim who must stay
anonymous, a confidential evidence item) never appear in it. It depends only on the data:
its date is that of the latest change to the records it shows, so the same data gives the
same bytes (tests/test_accountability_dossier.py).
"""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from civwatch.accountability import public, scope
from civwatch.accountability.models import Act, Entry
from civwatch.accountability.sanctions import sanctions_summary
from civwatch.cases.public import without_staff
from civwatch.core.errors import UserError
from civwatch.core.records import Visibility
from civwatch.evidence.models import EvidenceItem
from civwatch.matching.translit import romanise
from civwatch.sanctions.models import JURISDICTIONS

FORMATS = ("pdf", "html", "json")
LEVEL = Visibility.INTERNAL
ROMANISATION_NAMES = {
    "bgn-pcgn": "BGN/PCGN 1947 (the system of the US and UK geographic names boards)",
    "icao-9303": "ICAO Doc 9303 (the form in Russian international passports since 2013)",
}


def person(entry: Entry, system: str) -> dict[str, Any]:
    entity = entry.entity
    other_systems = [romanise(entity.name, s) for s in ROMANISATION_NAMES if s != system]
    return {
        "name_cyrillic": entity.name,
        "name_latin": romanise(entity.name, system),
        "romanisation": ROMANISATION_NAMES[system],
        "other_spellings": list(dict.fromkeys([*other_systems, *entry.spellings()])),
        "birth_date": entity.birth_date,
        "birth_place": entry.birth_place,
        "nationality": entry.nationality or entity.country,
        "documents": [
            *(f"{i.get_scheme_display()}: {i.value}" for i in entity.identifiers.order_by("pk")),
            *(line.strip() for line in entry.documents.splitlines() if line.strip()),
        ],
        "addresses": [line for line in entry.addresses.splitlines() if line.strip()],
    }


def act_section(act: Act, view: dict[str, Any], jurisdiction: str) -> dict[str, Any]:
    rights = scope.act_rights(view["incident_type"], act.rights)
    facts = {
        "widespread_or_systematic": act.widespread_or_systematic,
        "victims_defend_rights": act.victims_defend_rights,
    }
    checks = scope.check_all(rights, facts, jurisdiction)
    labels = scope.regimes()["rights"]
    return {
        **view,
        "rights": [labels.get(code, code) for code in rights],
        "scope": [check.__dict__ for check in checks],
        "corroboration": (
            f"{len(view['sources'])} independent sources: {', '.join(view['sources'])}; "
            f"{len(view['claims'])} verified claim(s)."
        ),
    }


def evidence_table(acts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for number, act in enumerate(acts, start=1):
        for claim in act["claims"]:
            for item in claim["evidence"]:
                rows.append(
                    {
                        "act": number,
                        "source": item.get("source", ""),
                        "title": item.get("title", ""),
                        "date": item.get("published_on") or item.get("obtained_on") or "",
                        "reliability": item.get("reliability_label", ""),
                        "credibility": item.get("credibility_label", ""),
                        "sha256": item.get("sha256", ""),
                        "url": item.get("url", ""),
                        "passage": item["passage"],
                    }
                )
    return rows


def sanctions_in(entry: Entry, language: str) -> list[dict[str, Any]]:
    """The sanctions rows in the dossier's language, whatever language the caller is in."""
    with translation.override(language):
        return sanctions_summary(entry.entity, with_possible=True)


def as_of(entry: Entry) -> str:
    """The date of the latest change to what the dossier shows (not the time of writing)."""
    dates = [entry.updated_at]
    for act in entry.acts.select_related("participant__incident"):
        dates += [act.participant.updated_at, act.participant.incident.updated_at]
        for claim in act.participant.claims.all():
            dates.append(claim.updated_at)
            dates += [i.updated_at for i in EvidenceItem.objects.filter(claims=claim)]
    return max(dates).date().isoformat()


def build(entry: Entry, jurisdiction: str) -> dict[str, Any]:
    """The dossier's content, in a form that is also its JSON format."""
    if jurisdiction not in JURISDICTIONS:
        raise UserError(f"Unknown jurisdiction “{jurisdiction}”: use us, uk, eu or ca.")
    rules = scope.jurisdiction(jurisdiction)
    # A dossier leaves the organisation: it names no staff member (who wrote, who approved).
    view = without_staff(public.entry_view(entry, LEVEL))
    acts_by_id = {act.pk: act for act in entry.acts.all()}
    acts = [act_section(acts_by_id[a["id"]], a, jurisdiction) for a in view["acts"]]
    return {
        "jurisdiction": jurisdiction,
        "jurisdiction_name": rules["name"],
        "recipient": rules["recipient"],
        "regimes": [{"name": r["name"], "basis": r["basis"]} for r in rules["regimes"]],
        "language": rules["language"],
        "as_of": as_of(entry),
        "entry": entry.pk,
        "organisation": {
            "name": settings.CIVWATCH_ORGANISATION_NAME,
            "contact": settings.CIVWATCH_ORGANISATION_CONTACT,
        },
        "person": person(entry, rules["romanisation"]),
        "positions": view["positions"],
        "chain_of_command": entry.chain_of_command,
        "acts": acts,
        "evidence": evidence_table(acts),
        "exculpatory": [{"text": e.text, "source": e.source} for e in entry.exculpatory.all()],
        "replies": [
            {
                "contacted_on": r.contacted_on.isoformat(),
                "channel": r.channel,
                "answer": r.answer,
                "answered_on": r.answered_on.isoformat() if r.answered_on else "",
            }
            for r in entry.replies.all()
        ],
        "sanctions": sanctions_in(entry, rules["language"]),
        "corrections": view["corrections"],
    }


def render(entry: Entry, jurisdiction: str, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise UserError(f"Unknown format “{fmt}”: use pdf, html or json.")
    language = (
        scope.jurisdiction(jurisdiction)["language"] if jurisdiction in JURISDICTIONS else "en"
    )
    with translation.override(language):
        content = build(entry, jurisdiction)
        if fmt == "json":
            return (
                json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
            ).encode()
        html = render_to_string("accountability/dossier.html", {"d": content})
    if fmt == "html":
        return html.encode()
    from weasyprint import HTML  # imported here: loading Pango is slow and only PDFs need it

    return HTML(string=html).write_pdf()


def write(entry: Entry, jurisdiction: str, fmt: str, output: Path) -> int:
    data = render(entry, jurisdiction, fmt)
    try:
        output.write_bytes(data)
    except OSError as error:
        raise UserError(f"{output}: cannot write: {error.strerror}") from None
    return len(data)
