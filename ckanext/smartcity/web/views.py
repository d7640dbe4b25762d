"""Rules for every request: the cache rule for every response of a
signed-in user, the CSRF check for cookie sessions, only local targets
after signing in or out, a 400 for a bad ``limit`` of the form's tag
completion, and a database session that never outlives a lost
connection."""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from flask import Blueprint, current_app, g, request
from werkzeug.datastructures import ImmutableMultiDict

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.smartcity.web import tags

smartcity = Blueprint("smartcity_web", __name__)


@smartcity.before_app_request
def no_shared_cache_for_users():
    """A response to a signed-in user (cookie or API token) may hold private
    datasets: never "Cache-Control: public". CKAN marks only responses
    rendered from templates; RDF, CSV and JSON answers (the catalogue, a
    private dataset's .ttl, the quality exports) were cacheable by proxies
    (docs/security.md F14)."""
    if request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key") \
            or tk.current_user.is_authenticated:
        request.environ["__no_cache__"] = True
        request.environ["__limit_cache_by_cookie__"] = True


@smartcity.before_app_request
def csrf_for_cookie_sessions():
    """Check the CSRF token of every state-changing request a signed-in
    browser session makes (docs/security.md F9).

    CKAN 2.12 lifts CSRF protection for API-token and anonymous requests by
    adding the view to Flask-WTF's exempt set (``csrf.exempt`` in
    ``ckan_before_request``), and that set belongs to the whole process: once
    a crawler opened /dataset/new or an API client posted to an action, every
    cookie session could post there without a token until the worker
    restarted. This hook runs after CKAN's identification and before
    Flask-WTF's own check, and validates the token without exemptions when
    the user came from the session cookie. Token and anonymous requests are
    left to CKAN as before."""
    if not current_app.config.get("WTF_CSRF_ENABLED") or \
            request.method not in current_app.config.get("WTF_CSRF_METHODS", ()):
        return
    if g.get("login_via_auth_header") or not tk.current_user.is_authenticated:
        return
    current_app.extensions["csrf"].protect()


# parameters CKAN's user views redirect to after signing in or out
REDIRECT_TARGETS = ("came_from", "next")
_UNSAFE_IN_TARGET = re.compile(r"[\\\x00-\x1f\x7f]")


def is_local_target(target: str) -> bool:
    """Whether a redirect target is a path on this portal, however a browser
    reads it: a path that starts with one slash (not ``//`` or ``/\\``,
    which browsers read as another host), or an http(s) address of the
    portal itself; no backslash or control character (tab, newline), also
    after one more percent-decoding."""
    for text in (target, unquote(target)):
        if not text or _UNSAFE_IN_TARGET.search(text):
            return False
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            portal = urlsplit(tk.config.get("ckan.site_url") or "")
            if parts.scheme not in ("http", "https") or parts.netloc != portal.netloc:
                return False
        elif not text.startswith("/") or text.startswith("//"):
            return False
    return True


@smartcity.before_app_request
def only_local_redirect_targets():
    """Drop a ``came_from`` or ``next`` that is not a path on this portal
    (docs/security.md F18). CKAN's ``url_is_local`` accepts ``\\\\host``,
    ``javascript:...`` and other relative strings; ``redirect_to`` then took
    them for a route name and the login form answered 500. Without the
    target CKAN sends the user to the dashboard."""
    if not any(name in request.args for name in REDIRECT_TARGETS):
        return
    kept = [(name, value) for name, value in request.args.items(multi=True)
            if name not in REDIRECT_TARGETS or is_local_target(value)]
    if len(kept) != len(list(request.args.items(multi=True))):
        request.args = ImmutableMultiDict(kept)


@smartcity.before_app_request
def tag_completion_limit():
    """CKAN's ``/api/2/util/tag/autocomplete`` passes ``limit`` on to
    ``tag_autocomplete`` and answered ``limit=abc`` with a 500; the view
    catches no ValidationError, so the parameter is checked here and a bad
    one answered 400 naming it (docs/security.md F16)."""
    if request.endpoint != "api.tag_autocomplete":
        return
    try:
        tags.whole_number(request.args, "limit")
    except tk.ValidationError as error:
        tk.abort(400, "limit: " + " ".join(error.error_dict["limit"]))


@smartcity.teardown_app_request
def forget_a_broken_session(error):
    """After a request that ended in an exception nobody handled: the
    thread's database session must be gone. CKAN removes it in its
    after-request handler, but when the connection died (PostgreSQL
    restarted) closing the session raises there, the session stays
    registered for the thread, and every later request of that worker
    answered 500 with the dead connection. Here it is removed again and,
    if that fails too, forgotten; the pool replaces the dead connection
    (pool_pre_ping). Contexts that end without an error (CKAN pushes test
    request contexts for url_for in the CLI) are left alone: their session
    is still in use."""
    if error is None or not model.Session.registry.has():
        return
    try:
        model.Session.remove()
    except Exception:  # the connection is gone; nothing left to roll back
        model.Session.registry.clear()


def get_blueprints():
    return [smartcity]
