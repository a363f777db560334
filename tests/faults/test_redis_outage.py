"""Redis killed and started again under the running site: gunicorn, as the stack runs it, on a
redis-server of the test's own. People sign in, sign up, reset passwords and register
throughout; nobody is locked out, the login limits still hold, and the log has one warning."""

from __future__ import annotations

import pytest
import requests
from allauth.account.models import EmailAddress

from registration.models import OutboxEmail, Registration
from tests.factories import EventFactory, MemberCityFactory, UserFactory
from tests.faults.support import Gunicorn, password_hash, web_env
from tests.registration.test_journey import form_data
from tests.worker_support import RedisServer, free_port, wait_until

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("worker"),
]

PASSWORD = "correct-horse-battery"
RATE_LIMITED = "Too many failed login attempts"
# What a person may wait with Redis gone; refused connections fail at once, and once the first
# has failed nothing waits for Redis at all.
QUICK = 1.0


def database_url(connection) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Browser:
    """One person's browser, from an address of its own (the proxy's header names it)."""

    def __init__(self, base: str, address: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.headers["X-Real-IP"] = address

    def post(self, path: str, data: dict) -> tuple[float, requests.Response]:
        """The form's page, then the form: returns how long the post took, and its answer."""
        url = f"{self.base}{path}"
        page = self.session.get(url, timeout=30)
        assert page.status_code == 200, (path, page.status_code)
        token = page.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        answer = self.session.post(
            url,
            data={**data, "csrfmiddlewaretoken": token},
            headers={"Referer": url},
            allow_redirects=False,
            timeout=30,
        )
        return answer.elapsed.total_seconds(), answer

    def sign_in(self, email: str, password: str = PASSWORD) -> tuple[float, requests.Response]:
        return self.post("/accounts/login/", {"login": email, "password": password})


def verified_user(email: str):
    user = UserFactory(email=email)
    type(user).objects.filter(pk=user.pk).update(password=password_hash(PASSWORD))
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def site(transactional_db):
    from django.db import connection

    redis = RedisServer().start()
    port = free_port()
    env = web_env(
        database_url=database_url(connection),
        redis_url=redis.url,
        smtp_url=f"smtp://127.0.0.1:{free_port()}",
        port=port,
    )
    env["DJANGO_TRUSTED_CLIENT_IP_HEADER"] = "X-Real-IP"
    web = Gunicorn(env, workers=1, threads=4).start()
    try:
        yield web, redis
    finally:
        web.stop()
        redis.stop()


def test_the_site_works_through_a_redis_outage_and_says_so_once(site):
    web, redis = site
    event = EventFactory()
    city = MemberCityFactory(code="kr-seongnam", name_en="Seongnam")
    for name in ("kim", "lee", "park"):
        verified_user(f"{name}@example.org")
    kim = Browser(web.base, "203.0.113.1")
    elapsed, answer = kim.sign_in("kim@example.org")
    assert answer.status_code == 302, answer.text[answer.text.find("<main") :][:3000]

    redis.stop()

    # A signed-in delegate registers: saved, the email left in the outbox for the sweep.
    elapsed, answer = kim.post("/me/register/", form_data(city))
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/me/"), answer.text
    assert elapsed < QUICK, elapsed
    registration = Registration.objects.get(delegate__email="kim@example.org", event=event)
    assert OutboxEmail.objects.filter(registration=registration, status="queued").exists()
    assert kim.session.get(f"{web.base}/me/", timeout=30).status_code == 200

    # Another signs in with the right password: no 429.
    elapsed, answer = Browser(web.base, "203.0.113.2").sign_in("lee@example.org")
    assert answer.status_code == 302, answer.text[:500]
    assert elapsed < QUICK, elapsed

    # Someone new signs up; someone else resets a password.
    elapsed, answer = Browser(web.base, "203.0.113.3").post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": PASSWORD * 2, "password2": PASSWORD * 2},
    )
    assert answer.status_code == 302 and "/confirm-email/" in answer.headers["Location"]
    assert elapsed < QUICK, elapsed
    elapsed, answer = Browser(web.base, "203.0.113.4").post(
        "/accounts/password/reset/", {"email": "park@example.org"}
    )
    assert answer.status_code == 302, answer.text[:500]
    assert elapsed < QUICK, elapsed

    # A guesser is still stopped, at the tenth wrong password from one address.
    guesser = Browser(web.base, "198.51.100.66")
    answers = [guesser.sign_in("park@example.org", f"wrong-{n}")[1] for n in range(12)]
    assert RATE_LIMITED not in answers[0].text
    assert RATE_LIMITED in answers[-1].text

    redis.start()

    def found_back() -> bool:
        # A signed-in page reads the session, from Redis once it is asked again (five seconds
        # after its last failure).
        assert kim.session.get(f"{web.base}/me/", timeout=30).status_code == 200
        return "answers again" in web.log()

    wait_until(found_back, 20, "the site to find Redis back")
    elapsed, answer = Browser(web.base, "203.0.113.5").sign_in("lee@example.org")
    assert answer.status_code == 302, answer.text[:500]

    log = web.log()
    assert log.count("does not answer") == 1, log
    assert log.count("answers again") == 1, log
    assert "Traceback" not in log, log
    assert '" 429 ' not in log and '" 500 ' not in log, log
