"""A database session whose connection died is not reused (docs/security.md,
"Faults"): when PostgreSQL restarts, closing the request's session raises
in CKAN's after-request handler; the session then stayed registered for the
worker thread and every later request of that worker answered 500."""
import pytest
import sqlalchemy.orm
from sqlalchemy.exc import OperationalError

import ckan.model as model

pytestmark = pytest.mark.usefixtures("clean_db")


def lost():
    return OperationalError("SELECT 1", {}, Exception("server closed the connection"))


def test_a_session_on_a_dead_connection_is_forgotten(app, monkeypatch):
    assert app.get("/dataset").status_code == 200
    dead, state = set(), {"dying": False}
    real_close, real_execute = sqlalchemy.orm.Session.close, sqlalchemy.orm.Session.execute

    def close(self):
        if state["dying"] or self in dead:  # the connection is gone for good
            dead.add(self)
            raise lost()
        return real_close(self)

    def execute(self, *args, **kwargs):
        if self in dead:
            raise lost()
        return real_execute(self, *args, **kwargs)

    monkeypatch.setattr(sqlalchemy.orm.Session, "close", close)
    monkeypatch.setattr(sqlalchemy.orm.Session, "execute", execute)
    state["dying"] = True
    # the request in which the connection dies (the test app re-raises what
    # a served portal turns into its error page)
    with pytest.raises(OperationalError):
        app.get("/dataset")
    state["dying"] = False
    assert dead, "the request's session was closed"
    # the next requests get a new session and answer normally
    for _ in range(3):
        assert app.get("/dataset").status_code == 200
    assert not model.Session.registry.has() or model.Session() not in dead
