"""On a phone: a participant answers the demo survey; the chair sees it counted, charted and
listed, marks the comment as a practice and finds it on the practices page and in the PDF."""

import subprocess

import pytest

from kampung.signup.service import register
from tests.conftest import ARTIFACTS, PASSWORD, axe_violations, person, poppler, screenshot
from tests.feedback.helpers import open_survey

pytestmark = pytest.mark.browser

COMMENT = "Bank sampah dikelola pemuda, hasilnya untuk kas RT"


def test_participant_answers_and_chair_marks_the_practice(page, trip, chair, app):
    survey = open_survey(trip)
    token = register(trip, person(1)).registration.access_token
    register(trip, person(2))
    questions = [q.text for q in survey.questions]

    page.goto(f"/p/{token}/feedback")
    assert axe_violations(page) == []
    # Each rating in its own words: satisfaction, usefulness, then good or poor.
    for text, word in zip(questions[:6], ["puas", "bermanfaat"] + ["baik"] * 4, strict=True):
        page.get_by_role("group", name=text).get_by_role("radio", name=f"5 sangat {word}").check()
    page.get_by_role("textbox", name=questions[6]).fill(COMMENT)
    nps = page.get_by_role("group", name=questions[8])
    nps.get_by_role("radio", name="10", exact=True).check()
    screenshot(page, "feedback-form")
    page.get_by_role("button", name="Kirim jawaban").click()
    page.get_by_role("heading", name="Terima kasih, Peserta Uji 1!").wait_for()
    assert page.get_by_role("link", name="Ubah jawaban").is_visible()
    screenshot(page, "feedback-thanks")
    assert axe_violations(page) == []

    page.goto("/login")
    page.get_by_label("Nama pengguna").fill(chair.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.goto(f"/manage/{trip.slug}/review")
    assert page.locator("#response-rate").inner_text() == "1 dari 2 menjawab"
    first = page.get_by_role("region", name=questions[0])
    assert first.get_by_text("5,0").is_visible()
    bar = first.get_by_role("row", name="5 sangat puas").locator("rect.fill")
    assert bar.get_attribute("width") == "100.00"
    screenshot(page, "review-dashboard")
    assert axe_violations(page) == []
    # A reminder: the button records it and swaps in the ready message, with a survey-only link.
    page.get_by_role("button", name="Ingatkan lewat WhatsApp Peserta Uji 2").click()
    ready = page.get_by_role("link", name="Buka WhatsApp Peserta Uji 2")
    assert ready.get_attribute("href").startswith("https://wa.me/6281320000002?text=")
    assert "%2Fs%2F" in ready.get_attribute("href")
    page.get_by_text("1 pengingat terkirim").wait_for()
    page.locator("#missing-title").scroll_into_view_if_needed()
    screenshot(page, "review-reminder-ready")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Komentar", exact=True).click()
    search = page.get_by_role("searchbox", name="Cari komentar")
    search.fill("tidak ada yang menulis ini")
    page.get_by_text("Tidak ada komentar yang cocok.").wait_for()
    search.fill("pemuda")
    comment = page.locator("article", has_text=COMMENT)
    comment.wait_for()
    assert "q=pemuda" in page.url
    assert comment.get_by_text("Peserta Uji 1").is_visible()
    comment.get_by_role("radio", name="Praktik untuk diterapkan").check()
    comment.get_by_role("textbox", name="Catatan (opsional)").fill("Usulkan ke Wali Kota")
    comment.get_by_role("button", name="Simpan tanda").click()
    page.get_by_role("status").get_by_text("Tersimpan.").wait_for()
    page.get_by_text("Saring menurut pertanyaan, kecamatan, bus, atau tanda").click()
    page.get_by_label("Tanda", exact=True).select_option(label="Tindak lanjut")
    page.get_by_text("Tidak ada komentar yang cocok.").wait_for()
    page.get_by_label("Tanda", exact=True).select_option(label="Praktik untuk diterapkan")
    comment.wait_for()
    screenshot(page, "review-comments")
    assert axe_violations(page) == []

    page.goto(f"/manage/{trip.slug}/review/practices")
    screenshot(page, "review-practices")
    practices = page.get_by_role("region", name="Praktik untuk diterapkan (1)")
    assert practices.get_by_text(COMMENT).is_visible()
    assert practices.get_by_text("Usulkan ke Wali Kota").is_visible()
    assert axe_violations(page) == []

    page.goto(f"/manage/{trip.slug}/review/report")
    assert axe_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / f"review-report-{app.config['DB_KIND']}.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=False)
    subprocess.run(
        [poppler("pdftoppm"), "-png", "-r", "50", str(pdf), str(pdf.with_suffix(""))], check=True
    )
    text = subprocess.run(
        [poppler("pdftotext"), str(pdf), "-"], capture_output=True, text=True
    ).stdout
    assert "1 dari 2 menjawab" in text and COMMENT in text and "Usulkan ke Wali Kota" in text


def test_admin_adds_a_choice_question_and_participant_sees_it(page, trip, admin):
    token = register(trip, person(1)).registration.access_token
    page.goto("/login")
    page.get_by_label("Nama pengguna").fill(admin.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.goto(f"/manage/{trip.slug}/survey")
    assert axe_violations(page) == []
    add = page.get_by_role("region", name="Tambah pertanyaan")
    add.get_by_label("Jenis").select_option(label="Pilihan ganda (boleh lebih dari satu)")
    add.get_by_label("Pertanyaan (bahasa Indonesia)").fill("Kegiatan mana yang paling berkesan?")
    add.get_by_label("Pilihan, satu per baris").fill("Bank sampah\nKebun gizi\nRonda malam")
    add.get_by_role("button", name="Tambahkan pertanyaan").click()
    page.get_by_text("Pertanyaan ditambahkan.").wait_for()
    page.get_by_label("Survei dibuka").check()
    page.get_by_label("Anonim: jawaban tidak terhubung").check()
    page.get_by_role("button", name="Simpan pengaturan").click()
    page.get_by_text("Pengaturan survei disimpan.").wait_for()
    screenshot(page, "survey-editor")
    page.get_by_role("link", name="Ubah 10").click()
    assert axe_violations(page) == []

    page.goto(f"/p/{token}/feedback")
    group = page.get_by_role("group", name="Kegiatan mana yang paling berkesan?")
    assert group.get_by_role("checkbox", name="Kebun gizi").is_visible()
    assert page.get_by_text("jawaban tidak dapat diubah setelah dikirim").is_visible()
    screenshot(page, "feedback-form-anonymous")
    assert axe_violations(page) == []


def test_a_reminder_link_opens_the_survey_alone_on_a_phone(page, trip, chair):
    from kampung.staff_links import service as staff_links
    from kampung.staff_links.models import Purpose

    survey = open_survey(trip)
    registration = register(trip, person(1)).registration
    token = staff_links.issue(registration, Purpose.survey, chair)
    page.goto(f"/s/{token}")
    page.get_by_role("heading", name="Bagaimana perjalanannya?").wait_for()
    # The survey and whom to ask; nothing of the registration.
    assert page.get_by_text("Peserta Uji 1").count() == 0
    assert page.get_by_role("link", name="Kembali ke halaman saya").count() == 0
    assert page.get_by_role("img").count() == 0
    assert page.get_by_role("region", name="Narahubung panitia").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "survey-only-link")
    questions = [q.text for q in survey.questions]
    for text, word in zip(questions[:6], ["puas", "bermanfaat"] + ["baik"] * 4, strict=True):
        page.get_by_role("group", name=text).get_by_role("radio", name=f"4 {word}").check()
    nps = page.get_by_role("group", name=questions[8])
    nps.get_by_role("radio", name="9", exact=True).check()
    page.get_by_role("button", name="Kirim jawaban").click()
    page.get_by_role("heading", name="Terima kasih!").wait_for()
    screenshot(page, "survey-only-link-thanks")
