"""`/health` answers without sign-in: 200 when the database answers, 503 when it does not."""

from django.db import DatabaseError


def test_health_answers_200_json_when_the_database_answers(client, db):
    answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "reachable"}
    assert "no-store" in answer["Cache-Control"]


def test_health_answers_503_when_the_database_does_not(client, db, monkeypatch):
    def unreachable(*args, **kwargs):
        raise DatabaseError("connection refused")

    with monkeypatch.context() as patched:  # undone before the test's database is rolled back
        patched.setattr("django.db.backends.utils.CursorWrapper.execute", unreachable)
        answer = client.get("/health")
    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "database": "unreachable"}


def test_health_takes_no_writes(client, db):
    assert client.post("/health").status_code == 405
