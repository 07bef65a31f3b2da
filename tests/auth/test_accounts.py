"""The admin's staff accounts: create, change a role, disable and enable, reset a password, log
out everywhere; and the last active admin, who stays."""

from __future__ import annotations

import re
import threading
import time

import pytest

from kampung.auth import service
from kampung.auth.models import User
from kampung.database import transaction
from kampung.extensions import db
from tests.auth.conftest import NEW_PASSWORD, browser_of, copy_of, get, post, roster_opens
from tests.conftest import PASSWORD, make_user


def _fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _can_log_in(app, username: str, password: str) -> bool:
    response = post(app, app.test_client(), "/login", {"username": username, "password": password})
    return response.status_code == 302


def test_the_accounts_page_lists_role_last_seen_and_sessions(app, admin, organiser):
    browser_of(app, organiser)
    browser_of(app, organiser)
    page = get(app, browser_of(app, admin), "/manage/accounts")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Akun staf" in html and "Rina" in html and "Panitia" in html
    assert "2 sesi aktif" in html and "Terakhir aktif" in html
    assert "Admin aktif yang terakhir" in html


def test_only_an_admin_opens_the_accounts_page(app, organiser, chair):
    for user in (organiser, chair):
        assert get(app, browser_of(app, user), "/manage/accounts").status_code == 403
    assert "/login" in get(app, app.test_client(), "/manage/accounts").headers["Location"]
    assert get(app, browser_of(app, chair), "/manage/password").status_code == 200


def test_admin_creates_an_account_with_a_made_up_password_shown_once(app, admin):
    office = browser_of(app, admin)
    response = post(
        app,
        office,
        "/manage/accounts/new",
        {"username": "Dewi", "display_name": "Dewi Lestari", "role": "chair", "password": ""},
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "Akun dewi sudah siap" in html and "hanya ditampilkan sekali" in html
    password = re.search(r'class="big secret">([^<]+)<', html).group(1)
    assert len(password) >= service.MIN_PASSWORD
    assert password not in get(app, office, "/manage/accounts").get_data(as_text=True)
    assert _can_log_in(app, "dewi", password)
    assert service.by_username("dewi").role == "chair"


def test_admin_creates_an_account_with_a_typed_password(app, admin):
    office = browser_of(app, admin)
    data = {"username": "budi", "display_name": "", "role": "organiser", "password": NEW_PASSWORD}
    response = post(app, office, "/manage/accounts/new", data)
    assert response.status_code == 302
    assert _can_log_in(app, "budi", NEW_PASSWORD)
    again = post(app, office, "/manage/accounts/new", data)
    assert again.status_code == 422
    assert "Nama pengguna ini sudah dipakai" in again.get_data(as_text=True)
    short = post(app, office, "/manage/accounts/new", data | {"username": "c", "password": "abc"})
    assert short.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 2


def test_a_new_role_counts_at_once(app, admin, organiser, trip):
    phone = browser_of(app, organiser)
    scanner = f"/manage/{trip.slug}/checkin"
    assert get(app, phone, scanner).status_code == 200
    response = post(
        app, browser_of(app, admin), f"/manage/accounts/{organiser.id}/role", {"role": "chair"}
    )
    assert response.status_code == 302
    assert get(app, phone, scanner).status_code == 403


def test_admin_disables_a_colleague_and_every_copy_of_their_session_ends(
    app, admin, organiser, trip_with_people
):
    phone = browser_of(app, organiser)
    thief = copy_of(app, phone)
    office = browser_of(app, admin)

    response = post(app, office, f"/manage/accounts/{organiser.id}/disable")
    assert response.status_code == 302
    assert "Nonaktif" in get(app, office, "/manage/accounts").get_data(as_text=True)

    assert not roster_opens(app, thief, trip_with_people)
    assert not roster_opens(app, phone, trip_with_people)
    assert not _can_log_in(app, "organiser", PASSWORD)

    assert post(app, office, f"/manage/accounts/{organiser.id}/enable").status_code == 302
    assert not roster_opens(app, thief, trip_with_people)
    assert _can_log_in(app, "organiser", PASSWORD)


def test_admin_resets_a_password_and_their_sessions_end(app, admin, organiser, trip_with_people):
    phone = browser_of(app, organiser)
    office = browser_of(app, admin)
    url = f"/manage/accounts/{organiser.id}/password"
    assert "Kata sandi baru untuk Rina" in get(app, office, url).get_data(as_text=True)
    response = post(app, office, url, {"password": NEW_PASSWORD})
    assert response.status_code == 302
    assert not roster_opens(app, phone, trip_with_people)
    assert _can_log_in(app, "organiser", NEW_PASSWORD)

    made_up = post(app, office, url, {"password": ""})
    assert made_up.status_code == 200 and made_up.headers["Cache-Control"] == "no-store"
    password = re.search(r'class="big secret">([^<]+)<', made_up.get_data(as_text=True)).group(1)
    assert _can_log_in(app, "organiser", password)


def test_admin_logs_a_colleague_out_everywhere(app, admin, organiser, trip_with_people):
    phone, laptop = browser_of(app, organiser), browser_of(app, organiser)
    office = browser_of(app, admin)
    response = post(app, office, f"/manage/accounts/{organiser.id}/end-sessions")
    assert response.status_code == 302
    assert not roster_opens(app, phone, trip_with_people)
    assert not roster_opens(app, laptop, trip_with_people)
    assert roster_opens(app, office, trip_with_people)
    assert _can_log_in(app, "organiser", PASSWORD)


def test_the_last_active_admin_can_be_neither_disabled_nor_demoted(app, admin, organiser):
    second = make_user("admin", "admin2", "Admin Dua")
    office = browser_of(app, admin)

    assert post(app, office, f"/manage/accounts/{second.id}/disable").status_code == 302
    refused = post(app, office, f"/manage/accounts/{admin.id}/role", {"role": "organiser"})
    assert refused.status_code == 409
    assert "Ini akun admin aktif yang terakhir" in refused.get_data(as_text=True)
    assert _fresh(admin).role == "admin"
    # The disabled admin comes back as an organiser: still one active admin.
    post(app, office, f"/manage/accounts/{second.id}/enable")
    assert (
        post(app, office, f"/manage/accounts/{second.id}/role", {"role": "organiser"}).status_code
        == 302
    )

    with pytest.raises(service.LastAdmin):
        service.disable(_fresh(admin))
    with pytest.raises(service.LastAdmin):
        service.change_role(_fresh(admin), "chair")
    assert _fresh(admin).disabled_at is None and _fresh(admin).role == "admin"
    assert _can_log_in(app, "admin", PASSWORD)


def test_an_admin_cannot_disable_their_own_account(app, admin):
    make_user("admin", "admin2")
    office = browser_of(app, admin)
    response = post(app, office, f"/manage/accounts/{admin.id}/disable")
    assert response.status_code == 409
    assert "Anda tidak bisa menonaktifkan akun Anda sendiri" in response.get_data(as_text=True)
    assert _fresh(admin).disabled_at is None


def test_an_admin_changes_their_own_password_on_their_own_page(app, admin):
    office = browser_of(app, admin)
    response = get(app, office, f"/manage/accounts/{admin.id}/password")
    assert response.status_code == 302 and response.headers["Location"] == "/manage/password"


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, admin):
    """Each sees two admins; without a lock, both changes would pass and leave none."""
    other = make_user("admin", "admin2")
    first_locked = threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        with app.app_context(), transaction():
            service.change_role(db.session.get(User, other.id), "organiser")
            first_locked.set()
            time.sleep(0.5)  # holds its unit open while the second admin acts

    def second() -> None:
        first_locked.wait(5)
        with app.app_context():
            try:
                service.change_role(db.session.get(User, admin.id), "organiser")
            except service.LastAdmin:
                outcome["second"] = "refused"
            else:
                outcome["second"] = "done"

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert outcome == {"second": "refused"}
    assert service.active_admins() == 1


def test_a_password_of_blanks_counts_as_left_empty(app, admin, organiser):
    office = browser_of(app, admin)
    reset = post(app, office, f"/manage/accounts/{organiser.id}/password", {"password": "   "})
    assert reset.status_code == 200 and "hanya ditampilkan sekali" in reset.get_data(as_text=True)
    new = {"username": "sari", "display_name": "", "role": "chair", "password": " "}
    created = post(app, office, "/manage/accounts/new", new)
    assert created.status_code == 200 and "Akun sari sudah siap" in created.get_data(as_text=True)
