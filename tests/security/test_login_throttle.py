"""Issue 14, item 1: the log-in throttle counts every spelling of a login as one, holds
under parallel attempts on both databases, and caps an address over all logins."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.security.conftest import PASSWORD, Site
from tests.security.helpers import csrf_of, log_in, try_log_in

VARIANTS = [" wjw", "wjw ", "\twjw", "wjw\n", "   wjw", "WJW", "ｗｊｗ"]


def test_spellings_of_a_blocked_login_are_blocked_too(site: Site) -> None:
    client = site.client
    token = csrf_of(client)
    for _ in range(5):
        assert try_log_in(client, "wjw", "wrong-pass-9", token).status_code == 401
    for variant in VARIANTS:
        assert try_log_in(client, variant, "wrong-pass-9", token).status_code == 429, repr(variant)
    right = try_log_in(client, "   wjw", PASSWORD, token)
    assert right.status_code == 429  # the right password does not get past the block
    assert client.get("/dashboard", follow_redirects=False).status_code == 303  # not logged in
    log_in(site.new_client(), "jiance")  # other logins are not affected


def test_any_spelling_logs_in_and_counts_for_the_same_login(site: Site) -> None:
    client = site.client
    token = csrf_of(client)
    for variant in VARIANTS[:4]:
        assert try_log_in(client, variant, "wrong-pass-9", token).status_code == 401
    assert try_log_in(client, "wjw\n", "wrong-pass-9", token).status_code == 401
    assert try_log_in(client, "wjw", "wrong-pass-9", token).status_code == 429  # the sixth


def test_parallel_wrong_log_ins_meet_the_limit(site: Site) -> None:
    client = site.client
    token = csrf_of(client)
    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(lambda _: try_log_in(client, "wjw", "wrong-pass-9", token).status_code, range(20)))
    assert sorted(codes) == [401] * 5 + [429] * 15


def test_an_address_is_capped_over_all_logins(site: Site) -> None:
    """Five tries at each of many logins from one address meet the address's limit (30)."""
    client = site.client
    token = csrf_of(client)
    codes = [try_log_in(client, f"user{n}", "wrong-pass-9", token).status_code for n in range(7) for _ in range(5)]
    assert codes[:30] == [401] * 30 and codes[30:] == [429] * 5
    assert try_log_in(client, "jiance", PASSWORD, token).status_code == 429
