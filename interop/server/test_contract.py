"""The python-socketio implementation checked with the python-socketio client
against PROTOCOL.md — proof that interop/server is a usable reference."""
import threading
import time

import pytest
import requests
import socketio

from conftest import token


class Recorder:
    """A client that records every workflow event and CONNECT_ERROR payload."""

    def __init__(self):
        self.client = socketio.Client(reconnection=False)
        self.events = []
        self.connect_error = None
        self.lock = threading.Condition()
        self.client.on("connect_error", self._on_connect_error)
        self.client.on("*", self._on_event)

    def _on_connect_error(self, data):
        self.connect_error = data

    def _on_event(self, name, data):
        with self.lock:
            self.events.append((name, data))
            self.lock.notify_all()

    def connect(self, url, transport="websocket", **kwargs):
        self.client.connect(url, transports=[transport], wait_timeout=5, **kwargs)
        return self

    def wait_for(self, predicate, timeout=10):
        with self.lock:
            assert self.lock.wait_for(lambda: predicate(self.events), timeout), self.events

    def close(self):
        self.client.disconnect()


def refused_code(url, **kwargs):
    r = Recorder()
    with pytest.raises(socketio.exceptions.ConnectionError):
        r.connect(url, **kwargs)
    return r.connect_error


def create(url, tok, **body):
    r = requests.post(url + "/api/v1/workflows", json=body, headers={"Authorization": "Bearer " + tok}, timeout=5)
    assert r.status_code == 202, r.text
    return r.json()


@pytest.mark.parametrize("kwargs,code", [
    ({}, "token_missing"),
    ({"auth": {"token": "not-a-jwt"}}, "token_malformed"),
    ({"auth": {"token": token(secret="a-different-secret-that-is-long-enough")}}, "token_invalid_signature"),
    ({"auth": {"token": token(expires_in=-60)}}, "token_expired"),
    ({"auth": {"token": token(nbf=int(time.time()) + 600)}}, "token_not_yet_valid"),
    ({"auth": {"token": token(user=None)}}, "token_malformed"),
])
def test_connect_error_codes(server, kwargs, code):
    assert refused_code(server.url, **kwargs) == {"message": "unauthorized", "data": {"code": code}}


def test_audience_mismatch(audience_server):
    assert refused_code(audience_server.url, auth={"token": token(aud="web")})["data"]["code"] == "audience_mismatch"
    ok = Recorder().connect(audience_server.url, auth={"token": token(aud=["web", "stampede"])})
    ok.close()


def test_token_precedence_header_then_query(server):
    by_header = Recorder().connect(server.url, headers={"Authorization": "Bearer " + token(user="h")})
    by_header.close()
    by_query = Recorder().connect(server.url + "?token=" + token(user="q"))
    by_query.close()


def test_too_many_connections(server):
    held = [Recorder().connect(server.url, auth={"token": token(user="cap")}) for _ in range(3)]
    try:
        assert refused_code(server.url, auth={"token": token(user="cap")})["data"]["code"] == "too_many_connections"
    finally:
        for r in held:
            r.close()


def test_invalid_namespace(server):
    r = Recorder()
    r.client.on("connect_error", r._on_connect_error, namespace="/admin")
    with pytest.raises(socketio.exceptions.ConnectionError):
        r.client.connect(server.url, namespaces=["/admin"], auth={"token": token()}, transports=["websocket"],
                         wait_timeout=5)
    assert r.connect_error == {"message": "Invalid namespace"}


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_search_workflow_events_in_order(server, transport):
    tok = token(user="searcher-" + transport)
    r = Recorder().connect(server.url, transport=transport, auth={"token": tok})
    try:
        card = create(server.url, tok, type="search", query="swift nio")
        assert card["status"] == "pending" and card["user_id"] == "searcher-" + transport
        ack = r.client.call("subscribe", {"workflow_id": card["workflow_id"], "since": 0}, timeout=5)
        assert ack["ok"] is True and ack["workflow_id"] == card["workflow_id"]
        r.wait_for(lambda ev: any(n == "workflow_status" and d["status"] == "completed" for n, d in ev))
        names = [n for n, _ in r.events]
        assert names == ["workflow_status", "node_update", "node_update", "tool_update", "tool_update",
                         "node_update", "node_update", "search_results", "workflow_status"]
        assert [d["seq"] for _, d in r.events] == list(range(1, 10))
    finally:
        r.close()


def test_since_replay_truncation_and_acks(server):
    service = token(user="svc", role="service")
    owner = token(user="owner")
    card = create(server.url, service, type="external", user_id="owner")
    wf = card["workflow_id"]
    publish = lambda body, tok=service: requests.post(f"{server.url}/api/v1/workflows/{wf}/events", json=body,
                                                      headers={"Authorization": "Bearer " + tok}, timeout=5)
    assert publish({"type": "progress", "pct": 1}, owner).status_code == 403
    assert publish([{"type": "progress", "pct": i} for i in range(8)]).json() == {"seq": list(range(1, 9))}
    r = Recorder().connect(server.url, auth={"token": owner})
    try:
        ack = r.client.call("subscribe", {"workflow_id": wf, "since": 1}, timeout=5)
        # history is 5: seq 4..8 are retained, 2..3 are gone.
        assert ack == {"ok": True, "workflow_id": wf, "seq": 8, "replayed": 5, "truncated": True}
        assert r.client.call("subscribe", {"workflow_id": wf}, timeout=5)["replayed"] == 0
        assert publish({"type": "workflow_status", "status": "completed"}).status_code == 201
        assert publish({"type": "progress"}).status_code == 409
        r.wait_for(lambda ev: len(ev) == 6)
        assert [d["seq"] for _, d in r.events] == [4, 5, 6, 7, 8, 9]
        assert r.client.call("unsubscribe", {"workflow_id": wf}, timeout=5) == {"ok": True}
        assert r.client.call("frobnicate", {}, timeout=5) == {"ok": False, "error": {"code": "unknown_event"}}
        other = r.client.call("subscribe", {"workflow_id": create(server.url, service, type="external")["workflow_id"]},
                              timeout=5)
        assert other["error"]["code"] == "forbidden"
        assert r.client.call("subscribe", {"workflow_id": "no such"}, timeout=5)["error"]["code"] == "invalid_request"
        assert r.client.call("subscribe", {"workflow_id": "nope"}, timeout=5)["error"]["code"] == "not_found"
    finally:
        r.close()


def test_http_api_errors_and_stats(server):
    assert requests.get(server.url + "/health", timeout=5).json() == {"status": "ok"}
    r = requests.post(server.url + "/api/v1/workflows", json={"type": "search", "query": "q"}, timeout=5)
    assert r.status_code == 401 and r.json()["error"]["code"] == "token_missing"
    tok = token(user="limited")
    codes = [requests.post(server.url + "/api/v1/workflows", json={"type": "external"},
                           headers={"Authorization": "Bearer " + tok}, timeout=5).status_code for _ in range(15)]
    assert 429 in codes
    stats = requests.get(server.url + "/api/v1/websocket/stats", timeout=5).json()
    assert {"total_connections", "unique_users", "active_workflows", "transports", "events_published",
            "auth_failures", "uptime_seconds"} <= stats.keys()
    assert stats["auth_failures"] >= 1
    assert "stampede_events_published_total" in requests.get(server.url + "/metrics", timeout=5).text


def test_rate_limited_socket_events(server):
    r = Recorder().connect(server.url, auth={"token": token(user="chatty")})
    try:
        acks = [r.client.call("unsubscribe", {"workflow_id": "x"}, timeout=5) for _ in range(25)]
        refused = [a for a in acks if not a["ok"]]
        assert refused and refused[0]["error"]["code"] == "rate_limited" and refused[0]["error"]["retry_after_ms"] > 0
    finally:
        r.close()
