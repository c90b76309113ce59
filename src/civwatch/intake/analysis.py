"""One article in, one result out: the extracted text's language, mentions and suggestions."""

from dataclasses import dataclass, field

from civwatch.intake.extract import detect_language, extract_text
from civwatch.intake.gazetteer import Gazetteer
from civwatch.intake.mentions import Mention, MentionFinder
from civwatch.intake.suggestions import suggest


@dataclass
class Analysis:
    media_type: str
    text: str
    language: str
    mentions: list[Mention] = field(default_factory=list)
    suggestions: list[dict] = field(default_factory=list)

    def as_line(self, file: str) -> dict:
        """The `civwatch intake --format jsonl` line (docs/intake.md)."""
        return {
            "file": file,
            "language": self.language,
            "mentions": [m.as_dict() for m in self.mentions],
            "suggestions": self.suggestions,
        }


def analyse_text(text: str, gazetteer: Gazetteer, media_type: str = "text/plain") -> Analysis:
    language = detect_language(text)
    mentions = MentionFinder(gazetteer).find(text)
    suggestions = suggest(text, language, mentions) if language != "und" else []
    return Analysis(media_type, text, language, mentions, suggestions)


def analyse_file(name: str, data: bytes, gazetteer: Gazetteer) -> Analysis:
    """Raises UserError naming the file when it cannot be read."""
    media_type, text = extract_text(name, data)
    return analyse_text(text, gazetteer, media_type)
