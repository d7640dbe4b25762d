"""Rules for every request: the cache rule for every response of a
signed-in user, the CSRF check for cookie sessions, and a database session
that never outlives a lost connection."""
from __future__ import annotations

from flask import Blueprint, current_app, g, request

import ckan.model as model
import ckan.plugins.toolkit as tk

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
