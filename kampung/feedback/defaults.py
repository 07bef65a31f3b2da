"""The default survey of a study visit, attached to every new trip: ready to use, named."""

from __future__ import annotations

from kampung.feedback.models import Kind, Question, Survey
from kampung.models import Trip

#: (kind, Indonesian, English, required)
STUDY_VISIT = (
    (
        Kind.rating,
        "Secara keseluruhan, seberapa puas Anda dengan studi banding ini?",
        "Overall, how satisfied are you with this study visit?",
        True,
    ),
    (
        Kind.rating,
        "Seberapa bermanfaat kunjungan ini untuk RT Anda?",
        "How useful was this visit for your RT?",
        True,
    ),
    (
        Kind.rating,
        "Bagaimana acara dan kegiatan selama di Bengkulu?",
        "How was the programme in Bengkulu?",
        True,
    ),
    (Kind.rating, "Bagaimana transportasi (bus)?", "How was the transport (bus)?", True),
    (Kind.rating, "Bagaimana penginapan?", "How was the lodging?", True),
    (Kind.rating, "Bagaimana konsumsi (makanan dan minuman)?", "How was the food?", True),
    (
        Kind.long_text,
        "Praktik baik apa yang akan Anda terapkan di RT Anda?",
        "Which practice will you adopt in your RT?",
        False,
    ),
    (
        Kind.long_text,
        "Apa yang perlu diperbaiki untuk kunjungan berikutnya?",
        "What should be better next time?",
        False,
    ),
    (
        Kind.nps,
        "Seberapa besar kemungkinan Anda menyarankan kunjungan ini kepada Ketua RT lain?",
        "How likely are you to recommend this visit to another RT head?",
        True,
    ),
)


def add_default_survey(trip: Trip) -> Survey:
    """The study-visit survey, closed and named, on a new trip. Does not commit."""
    survey = Survey(trip=trip, anonymous=False, is_open=False)
    survey.questions = [
        Question(kind=kind, text=text, text_en=text_en, required=required, position=i, options=[])
        for i, (kind, text, text_en, required) in enumerate(STUDY_VISIT)
    ]
    return survey
