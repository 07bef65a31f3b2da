"""The committee's contact person on the participant's pages: whom to ask, on WhatsApp with a
message ready, above all for a lost personal link."""

import html
import re
from urllib.parse import unquote

from kampung.extensions import db
from kampung.signup import service
from tests.conftest import person
from tests.feedback.helpers import open_survey
from tests.signup.test_views import TRIP_URL, sign_up

#: the demo trip's made-up contact person
CONTACT_WA = "https://wa.me/6281200000100?text="


def message_to_contact(page: str) -> str:
    """The ready message of the page's WhatsApp link to the contact person."""
    found = re.search(r'href="(' + re.escape(CONTACT_WA) + r'[^"]+)"', page)
    assert found, "no WhatsApp link to the contact person"
    return unquote(html.unescape(found.group(1)).split("text=", 1)[1])


def test_the_personal_page_names_the_contact_person(client, trip):
    registration = service.register(trip, person(1)).registration
    page = client.get(f"/p/{registration.access_token}").get_data(as_text=True)
    assert "Narahubung panitia" in page and "Ibu Rina Marlina" in page
    assert "WhatsApp 0812-0000-0100" in page
    assert "Kirim pesan WhatsApp ke Ibu Rina Marlina" in page
    assert message_to_contact(page) == (
        "Halo Ibu Rina Marlina, saya Peserta Uji 1, peserta "
        "Studi Banding Kampung Bahagia: Jambi ke Bengkulu."
    )


def test_someone_who_lost_their_link_can_ask_the_contact_person(app, client, trip):
    assert sign_up(client).status_code == 303
    # Another phone, the same number: the notice offers the contact person, nothing of the first.
    response = sign_up(app.test_client(), full_name="Siti R.")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    number = '<span class="nowrap">0812-0000-0100</span>'
    assert f"Hubungi Ibu Rina Marlina dari panitia (WhatsApp {number})" in page
    assert "Minta tautan saya ke Ibu Rina Marlina" in page
    lost = [m for m in re.findall(r'href="([^"]+)"', page) if "kehilangan" in unquote(m)]
    assert len(lost) == 1
    assert unquote(html.unescape(lost[0])) == CONTACT_WA + (
        "Halo Ibu Rina Marlina, saya kehilangan link pendaftaran saya untuk "
        "Studi Banding Kampung Bahagia: Jambi ke Bengkulu. Nama saya Siti R., "
        "nomor WhatsApp saya 0812-3456-7890. Mohon dikirim ulang."
    )


def test_without_a_contact_person_the_notice_says_contact_the_committee(app, client, trip):
    trip.contact_name, trip.contact_phone = "", ""
    db.session.commit()
    assert sign_up(client).status_code == 303
    page = sign_up(app.test_client()).get_data(as_text=True)
    assert "Hubungi panitia, mereka akan mengirimkan tautan Anda lagi" in page
    assert "https://wa.me/62812" not in page
    registration = service.register(trip, person(1)).registration
    assert "Narahubung panitia" not in client.get(f"/p/{registration.access_token}").get_data(
        as_text=True
    )


def test_the_trip_page_and_the_survey_name_the_contact_person(client, trip):
    assert "Ibu Rina Marlina" in client.get(TRIP_URL).get_data(as_text=True)
    open_survey(trip)
    registration = service.register(trip, person(1)).registration
    survey = client.get(f"/p/{registration.access_token}/feedback").get_data(as_text=True)
    assert "Narahubung panitia" in survey
    assert message_to_contact(survey).startswith("Halo Ibu Rina Marlina, saya Peserta Uji 1")


def test_a_wrong_personal_link_says_how_to_find_the_link_again(client, trip):
    for path in ("/p/" + "x" * 32, "/s/" + "x" * 32, "/p/" + "x" * 32 + "/feedback"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Kehilangan tautan pribadi?" in response.get_data(as_text=True), path
    # Other missing pages say nothing of personal links.
    assert "Kehilangan tautan pribadi?" not in client.get("/e/tidak-ada").get_data(as_text=True)
