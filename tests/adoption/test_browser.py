"""On a phone, with the clock past the first round: a participant who committed at the end of
the survey answers the follow-up with JavaScript off; the chair sees the practice's "sudah
mulai" count move and the list of those who have not answered shrink."""

import re
from datetime import timedelta

import pytest

from kampung.adoption import service
from kampung.feedback.service import survey_of
from kampung.signup.service import register
from tests.adoption.helpers import committed, returned_trip
from tests.conftest import PASSWORD, PHONE, axe_violations, person, screenshot

pytestmark = pytest.mark.browser

REMIND_SITI = "Ingatkan lewat WhatsApp Siti Rahma"


def _started(page) -> str:
    card = page.get_by_role("region", name="Bank sampah RT")
    header = page.get_by_role("rowheader", name="Sudah mulai", exact=True)
    row = card.locator("table[data-round='1'] tr").filter(has=header)
    return row.locator("td.num").inner_text()


def test_participant_commits_then_answers_the_followup_without_javascript(
    browser, live_server, page, chair
):
    trip = returned_trip(days_ago=40)  # back 38 days ago: the first round (30 days) is due
    survey = survey_of(trip)
    token = register(trip, person(1, full_name="Siti Rahma")).registration.access_token
    committed(trip, 2, full_name="Budi Santoso")
    questions = [q.text for q in survey.questions]

    phone = browser.new_context(base_url=live_server, java_script_enabled=False, **PHONE)
    try:
        participant = phone.new_page()
        participant.set_default_timeout(10_000)
        participant.goto(f"/p/{token}/feedback")
        for text in questions[:6]:
            group = participant.get_by_role("group", name=text)
            # the fourth of five, in whatever words the question uses (puas, bermanfaat, baik)
            group.get_by_role("radio", name=re.compile(r"^4 ")).check()
        participant.get_by_role("group", name=questions[8]).get_by_role(
            "radio", name="9", exact=True
        ).check()
        participant.get_by_role("button", name="Kirim jawaban").click()

        # The end of the survey: the plan.
        participant.get_by_role("link", name="Buat rencana saya (RTL)").click()
        participant.get_by_role("heading", name="Rencana saya untuk RT saya").wait_for()
        first = participant.get_by_role("group", name="Praktik 1")
        first.get_by_label("Pilih praktik").select_option(label="Bank sampah RT")
        first.get_by_label("Bulan target").select_option(index=3)
        first.get_by_label("Siapa di RT yang menjalankannya?").fill("Pak RT dan karang taruna")
        screenshot(participant, "adoption-commitments-form")
        # axe needs JavaScript: the same page in the other phone, which has it.
        page.goto(f"/p/{token}/commitments")
        assert axe_violations(page) == []
        participant.get_by_role("button", name="Simpan rencana saya").click()
        participant.get_by_text("Rencana Anda tersimpan").wait_for()
        assert participant.get_by_text("Bank sampah RT").is_visible()

        # The admin opens the first round on its day, which has passed.
        service.open_followup(trip, 1, now=trip.returns_at + timedelta(days=30))

        chair_page = page
        chair_page.goto("/login")
        chair_page.get_by_label("Nama pengguna").fill(chair.username)
        chair_page.get_by_label("Kata sandi").fill(PASSWORD)
        chair_page.get_by_role("button", name="Masuk").click()
        chair_page.goto(f"/manage/{trip.slug}/adoption")
        chair_page.locator("#missing-count").wait_for()
        assert chair_page.locator("#missing-count").inner_text() == "2"
        assert chair_page.get_by_role("button", name=REMIND_SITI).is_visible()
        assert _started(chair_page) == "0"

        participant.goto(f"/p/{token}")
        participant.get_by_role("link", name="Jawab tindak lanjut").click()
        plan = participant.get_by_role("group", name="Bank sampah RT")
        plan.get_by_role("radio", name="Sudah mulai").check()
        plan.get_by_label("Apa kendalanya? (tidak wajib)").fill("Dana kas RT belum cukup")
        plan.get_by_label("Butir Renja atau catatan bukti singkat").fill("Renja 2027 butir 4")
        screenshot(participant, "adoption-followup")
        chair_page.goto(f"/p/{token}/followup")
        assert axe_violations(chair_page) == []
        participant.get_by_role("button", name="Kirim jawaban").click()
        participant.get_by_text("Terima kasih! Jawaban Anda tersimpan.").wait_for()
        assert plan.get_by_role("radio", name="Sudah mulai").is_checked()
        # The plan can no longer change once the round has opened.
        participant.goto(f"/p/{token}/commitments")
        assert participant.get_by_text("rencana tidak bisa diubah lagi").is_visible()
    finally:
        phone.close()

    chair_page.goto(f"/manage/{trip.slug}/adoption")
    assert _started(chair_page) == "1"
    assert chair_page.locator("#missing-count").inner_text() == "1"
    assert chair_page.get_by_role("button", name=REMIND_SITI).count() == 0
    assert chair_page.get_by_text("Dana kas RT belum cukup").is_visible()
    screenshot(chair_page, "adoption-dashboard")
    assert axe_violations(chair_page) == []
