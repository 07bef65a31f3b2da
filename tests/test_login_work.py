"""A failed login costs the same work whether or not the username exists, so its time does not
tell which accounts are real. (The times themselves are in bench/login_timing.py.)"""

from __future__ import annotations

import hashlib
import sys

from tests.conftest import PASSWORD

#: the key derivations werkzeug's password hashes run (scrypt by default, pbkdf2 for old hashes)
DERIVATIONS = {hashlib.scrypt, hashlib.pbkdf2_hmac}


def derivations_during_login(client, username: str, password: str) -> tuple[int, int]:
    """(status, how many password-hash derivations the login ran). Counted by watching the
    interpreter's calls into hashlib (sys.setprofile sees every call into C in this thread,
    where the test client runs the request): nothing is replaced, the real hashes run."""
    data = {"username": username, "password": password, "csrf_token": client.csrf_token()}
    calls = 0

    def watch(frame, event, arg):
        nonlocal calls
        if event == "c_call" and arg in DERIVATIONS:
            calls += 1

    sys.setprofile(watch)
    try:
        status = client.post("/login", data=data).status_code
    finally:
        sys.setprofile(None)
    return status, calls


def test_unknown_username_costs_one_password_hash_like_a_wrong_password(client, admin):
    # The stand-in hash for unknown names is made at the first one, once per process.
    derivations_during_login(client, "nobody", "x")
    wrong_password = derivations_during_login(client, "admin", "salah-sekali")
    unknown_user = derivations_during_login(client, "bukan-siapa-siapa", "salah-sekali")
    assert wrong_password == (401, 1)
    assert unknown_user == (401, 1)
    # And the right password still opens the account, through the same single check.
    assert derivations_during_login(client, "admin", PASSWORD) == (302, 1)
