"""The default survey of a study visit, attached to every new trip: ready to use, named."""

from __future__ import annotations

from kampung.feedback.models import Kind, Question, Survey, Words
from kampung.models import Trip

#: (kind, Indonesian, English, required, the words of a rating)
STUDY_VISIT = (
    (
        Kind.rating,
        "Secara keseluruhan, seberapa puas Anda dengan studi banding ini?",
        "Overall, how satisfied are you with this study visit?",
        True,
        Words.satisfaction,
    ),
    (
        Kind.rating,
        "Seberapa bermanfaat kunjungan ini untuk RT Anda?",
        "How useful was this visit for your RT?",
        True,
        Words.usefulness,
    ),
    (
        Kind.rating,
        "Bagaimana acara dan kegiatan selama di Bengkulu?",
        "How was the programme in Bengkulu?",
        True,
        Words.quality,
    ),
    (
        Kind.rating,
        "Bagaimana transportasi (bus)?",
        "How was the transport (bus)?",
        True,
        Words.quality,
    ),
    (Kind.rating, "Bagaimana penginapan?", "How was the lodging?", True, Words.quality),
    (
        Kind.rating,
        "Bagaimana konsumsi (makanan dan minuman)?",
        "How was the food?",
        True,
        Words.quality,
    ),
    (
        Kind.long_text,
        "Praktik baik apa yang akan Anda terapkan di RT Anda?",
        "Which practice will you adopt in your RT?",
        False,
        Words.satisfaction,
    ),
    (
        Kind.long_text,
        "Apa yang perlu diperbaiki untuk kunjungan berikutnya?",
        "What should be better next time?",
        False,
        Words.satisfaction,
    ),
    (
        Kind.nps,
        "Seberapa besar kemungkinan Anda menyarankan kunjungan ini kepada Ketua RT lain?",
        "How likely are you to recommend this visit to another RT head?",
        True,
        Words.satisfaction,
    ),
)


def add_default_survey(trip: Trip) -> Survey:
    """The study-visit survey, closed and named, on a new trip. Does not commit."""
    survey = Survey(trip=trip, anonymous=False, is_open=False)
    survey.questions = [
        Question(
            kind=kind,
            text=text,
            text_en=text_en,
            required=required,
            words=words,
            position=i,
            options=[],
        )
        for i, (kind, text, text_en, required, words) in enumerate(STUDY_VISIT)
    ]
    return survey
