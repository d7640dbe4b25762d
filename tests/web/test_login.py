"""The target after signing in (``came_from``, ``next``) stays on the portal
(docs/security.md F18): a backslash, a scheme or a second slash in it gave
a 500 or a redirect to another site; the login page answers normally and
the login form sends the user to the portal."""
from urllib.parse import quote, urlsplit

import pytest
from bs4 import BeautifulSoup

from ckan.plugins import toolkit as tk
from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("clean_db")

PASSWORD = "correct-horse-battery"
UNSAFE = ["\\\\evil.example", "/\\evil.example", "\\/evil.example", "/\\/evil.example",
          "%5C%5Cevil.example", "/%5Cevil.example", "https://evil.example",
          "//evil.example", "///evil.example", "http:evil.example", "https:/evil.example",
          "javascript:alert(1)", "JaVaScRiPt:alert(1)", " //evil.example",
          "\t//evil.example", "/\t/evil.example", "https://evil.example@portal.invalid",
          "/%0d%0aSet-Cookie:x=1", "/dataset\x00"]


def on_the_portal(response) -> None:
    """No redirect, or one that stays on this portal, however a browser
    reads the address (backslashes as slashes, tabs and newlines dropped)."""
    location = response.headers.get("Location")
    if location is None:
        return
    read = location.replace("\\", "/").replace("\t", "").replace("\n", "").replace("\r", "")
    portal = urlsplit(tk.config["ckan.site_url"])
    parts = urlsplit(read)
    assert parts.scheme in ("", portal.scheme), location
    assert parts.netloc in ("", portal.netloc), location
    assert "evil" not in parts.netloc and not read.startswith("//"), location


def login_page(app, query: str):
    response = app.get(f"/user/login?{query}", follow_redirects=False)
    assert response.status_code in (200, 302), (query, response.status_code)
    on_the_portal(response)
    return response


def sign_in(app, query: str):
    """The login form posted with a valid user, in a fresh browser."""
    app.client = app.test_client()
    page = login_page(app, query)
    token = BeautifulSoup(page.body, "html.parser").find(
        "input", {"name": "_csrf_token"})["value"]
    return app.post(f"/user/login?{query}", data={
        "login": "anmeldung", "password": PASSWORD, "_csrf_token": token},
        follow_redirects=False)


@pytest.mark.parametrize("parameter", ["came_from", "next"])
def test_the_login_page_answers_for_any_target(app, parameter):
    for target in UNSAFE:
        for query in (f"{parameter}={quote(target, safe='')}", f"{parameter}={target}"):
            response = login_page(app, query)
            if response.status_code == 200:
                assert 'name="password"' in response.body


@pytest.mark.parametrize("parameter", ["came_from", "next"])
def test_signing_in_with_an_unsafe_target_stays_on_the_portal(app, parameter):
    factories.User(name="anmeldung", password=PASSWORD)
    for target in UNSAFE:
        response = sign_in(app, f"{parameter}={quote(target, safe='')}")
        assert response.status_code == 302, (target, response.status_code)
        on_the_portal(response)
        assert urlsplit(response.headers["Location"]).path.startswith(
            ("/dashboard", "/user")), (target, response.headers["Location"])


def test_a_local_target_is_kept(app):
    factories.User(name="anmeldung", password=PASSWORD)
    response = sign_in(app, "came_from=/dataset/%3Fq%3DVerkehr%2520Bus")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"])[2:4] == ("/dataset/", "q=Verkehr%20Bus")
    response = sign_in(app, "next=" + quote(tk.config["ckan.site_url"] + "/organization/"))
    assert urlsplit(response.headers["Location"]).path == "/organization/"


def test_signing_out_with_an_unsafe_target_stays_on_the_portal(app):
    factories.User(name="anmeldung", password=PASSWORD)
    for target in ("\\\\evil.example", "/\\evil.example", "//evil.example",
                   "javascript:alert(1)"):
        assert sign_in(app, "").status_code == 302
        assert app.get("/dashboard/datasets", follow_redirects=False).status_code == 200
        response = app.get(f"/user/_logout?came_from={quote(target, safe='')}",
                           follow_redirects=False)
        assert response.status_code == 302, (target, response.status_code)
        on_the_portal(response)
