"""Stampede's server against a Socket.IO client nobody here wrote.

Starts `.build/debug/stampede serve --port 0 --step-delay 20`, then with the
python-socketio client (over websocket and over polling): authenticates with an
HS256 JWT, creates a search workflow over HTTP, subscribes and receives its
events in seq order up to `workflow_status completed`.

Run: "$(interop/setup.sh)/bin/python" -m pytest -q interop/python_client_test.py
(builds the binary first if it is missing).
"""
import os
import subprocess
import threading
import time

import jwt
import pytest
import requests
import socketio

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build", "debug", "stampede")
SECRET = "dev-secret"
# The default dev secret is short on purpose (local use only).
pytestmark = pytest.mark.filterwarnings("ignore:The HMAC key")
SEARCH_EVENTS = [
    ("workflow_status", "running"),
    ("node_update", "executing"), ("node_update", "completed"),
    ("tool_update", "executing"), ("tool_update", "completed"),
    ("node_update", "executing"), ("node_update", "completed"),
    ("search_results", None),
    ("workflow_status", "completed"),
]


def token(user):
    now = int(time.time())
    return jwt.encode({"sub": user, "iat": now, "exp": now + 600}, SECRET, algorithm="HS256")


@pytest.fixture(scope="module")
def server_url():
    if not os.path.exists(BINARY):
        subprocess.run(["swift", "build", "--product", "stampede"], cwd=ROOT, check=True)
    proc = subprocess.Popen([BINARY, "serve", "--port", "0", "--step-delay", "20"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on http://"), line
        yield line.split()[-1]
    finally:
        proc.terminate()
        # Graceful shutdown is promised within 5 s.
        assert proc.wait(timeout=10) == 0


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_search_workflow_events_arrive_in_order(server_url, transport):
    user = "interop-" + transport
    auth = token(user)
    created = requests.post(server_url + "/api/v1/workflows", json={"type": "search", "query": "socket.io interop"},
                            headers={"Authorization": "Bearer " + auth}, timeout=5)
    assert created.status_code == 202, created.text
    card = created.json()
    workflow_id = card["workflow_id"]
    assert card["user_id"] == user

    received = []
    done = threading.Event()
    sio = socketio.Client(reconnection=False)

    # Events may carry a trailing connection-state-recovery offset: take *args.
    @sio.on("*")
    def any_event(event, *args):
        if args and isinstance(args[0], dict) and args[0].get("workflow_id") == workflow_id:
            received.append((event, args[0]))
            if event == "workflow_status" and args[0].get("status") in ("completed", "failed", "cancelled"):
                done.set()

    sio.connect(server_url, transports=[transport], auth={"token": auth}, wait_timeout=5)
    try:
        assert sio.transport() == transport
        ack = sio.call("subscribe", {"workflow_id": workflow_id, "since": 0}, timeout=5)
        assert ack["ok"] is True, ack
        assert done.wait(15), "no terminal workflow_status; got %r" % [e for e, _ in received]
    finally:
        sio.disconnect()

    seqs = [body["seq"] for _, body in received]
    assert seqs == list(range(1, len(seqs) + 1)), seqs
    got = [(name, body.get("status")) for name, body in received]
    assert got == SEARCH_EVENTS, got
    assert received[-1][1]["status"] == "completed"


def test_polling_client_upgrades_to_websocket(server_url):
    """The default client transport list: polling first, then the upgrade."""
    sio = socketio.Client(reconnection=False)
    connected = threading.Event()
    sio.on("connect", lambda: connected.set())
    sio.connect(server_url, auth={"token": token("interop-upgrade")}, wait_timeout=5)
    try:
        assert connected.wait(5)
        deadline = time.time() + 5
        while sio.transport() != "websocket" and time.time() < deadline:
            time.sleep(0.05)
        assert sio.transport() == "websocket"
        ack = sio.call("no_such_event", {}, timeout=5)
        assert ack == {"ok": False, "error": {"code": "unknown_event"}} or ack["error"]["code"] == "unknown_event"
    finally:
        sio.disconnect()


def test_refused_token_is_a_connect_error(server_url):
    sio = socketio.Client(reconnection=False)
    refusals = []
    sio.on("connect_error", lambda data: refusals.append(data))
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(server_url, transports=["websocket"], auth={"token": "not-a-jwt"}, wait_timeout=5)
    assert refusals == [{"message": "unauthorized", "data": {"code": "token_malformed"}}], refusals


def test_async_client_upgrades_from_polling_on_a_pooled_connection(server_url):
    """aiohttp sends the upgrade on a keep-alive connection that carried polling."""
    import asyncio

    async def run():
        sio = socketio.AsyncClient(reconnection=False)
        await sio.connect(server_url, auth={"token": token("interop-async")}, transports=["polling", "websocket"],
                          wait_timeout=5)
        try:
            deadline = time.time() + 5
            while sio.transport() != "websocket" and time.time() < deadline:
                await asyncio.sleep(0.05)
            assert sio.transport() == "websocket"
            ack = await sio.call("no_such_event", {}, timeout=5)
            assert ack["error"]["code"] == "unknown_event"
        finally:
            await sio.disconnect()

    asyncio.run(run())


def test_polling_close_packet_keeps_the_session_for_recovery(server_url):
    """Engine.IO `1` over polling is a transport close: pid and offset recover
    the session and replay what was missed (by hand: python-socketio's client
    has no connection state recovery)."""
    base = server_url + "/socket.io/?EIO=4&transport=polling"
    svc = {"Authorization": "Bearer " + jwt.encode({"sub": "svc", "role": "service", "exp": int(time.time()) + 600},
                                                   SECRET, algorithm="HS256")}
    wf = requests.post(server_url + "/api/v1/workflows", json={"type": "external", "user_id": "interop-csr"},
                       headers=svc, timeout=5).json()["workflow_id"]

    def session():
        sid = json_of(requests.get(base, timeout=5).text[1:])["sid"]
        return sid, base + "&sid=" + sid

    sid, url = session()
    requests.post(url, data='40{"token":"%s"}' % token("interop-csr"), timeout=5)
    pid = json_of(requests.get(url, timeout=5).text[2:])["pid"]
    requests.post(url, data='421["subscribe",{"workflow_id":"%s"}]' % wf, timeout=5)
    requests.get(url, timeout=5)
    publish = server_url + "/api/v1/workflows/%s/events" % wf
    requests.post(publish, json={"type": "node_update", "node": "a", "status": "executing"}, headers=svc, timeout=5)
    live = requests.get(url, timeout=5).text
    offset = json_of(live[2:])[-1]
    requests.post(url, data="1", timeout=5)
    requests.post(publish, json={"type": "node_update", "node": "a", "status": "completed"}, headers=svc, timeout=5)
    sid2, url2 = session()
    requests.post(url2, data='40{"token":"%s","pid":"%s","offset":"%s"}' % (token("interop-csr"), pid, offset), timeout=5)
    packets = requests.get(url2, timeout=5).text.split("\x1e")
    connect = [p for p in packets if p.startswith("40")]
    events = [json_of(p[2:]) for p in packets if p.startswith("42")]
    while not connect or not events:
        more = requests.get(url2, timeout=5).text.split("\x1e")
        connect += [p for p in more if p.startswith("40")]
        events += [json_of(p[2:]) for p in more if p.startswith("42")]
    assert json_of(connect[0][2:])["pid"] == pid, "recovered: the same pid"
    assert [e[1]["seq"] for e in events] == [2]


def json_of(text):
    import json
    return json.loads(text)
