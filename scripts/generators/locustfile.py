"""Locust's SocketIOUser (locust.contrib.socketio, python-socketio underneath) as the other
generator of scripts/compare-generators.sh: user i connects as the owner of workflow
i mod W (the same pairing as Stampede's scenario), subscribes, and counts every `tool_update`
it receives, with its delivery latency from the publisher's `sent_at_us`. It checks nothing
else: Locust has no notion of ordering or gaps. Totals go to LOCUST_COUNTS (JSON) at exit.
    LOCUST_SECRET=S LOCUST_WORKFLOWS=workflows.json LOCUST_COUNTS=out.json locust -f locustfile.py …"""
import itertools, json, os, sys, time

from locust import events, task
from locust.contrib.socketio import SocketIOUser

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # scripts/hs256.py
from hs256 import mint, user_id

IDS = json.load(open(os.environ["LOCUST_WORKFLOWS"]))["workflow_ids"]
SECRET = os.environ["LOCUST_SECRET"]
COUNTS = {"received": 0, "latency_ms_sum": 0.0, "connected": 0, "subscribed": 0}
_next = itertools.count()


class Subscriber(SocketIOUser):
    options = {"reconnection": False}

    def on_start(self):
        index = next(_next)
        workflow = IDS[index % len(IDS)]
        token = mint(SECRET, user_id(index % len(IDS), len(IDS)))
        self.sio.on("tool_update", self.on_update)
        self.sio.connect(self.host, auth={"token": token}, transports=["websocket"], wait_timeout=30)
        COUNTS["connected"] += 1
        ack = self.sio.call("subscribe", {"workflow_id": workflow}, timeout=30)
        if ack and ack.get("ok"):
            COUNTS["subscribed"] += 1

    def on_update(self, data, *rest):
        latency = (time.time() * 1_000_000 - data.get("sent_at_us", 0)) / 1000
        COUNTS["received"] += 1
        COUNTS["latency_ms_sum"] += latency
        self.environment.events.request.fire(request_type="WSR", name="tool_update", response_time=latency,
                                             response_length=0, exception=None, context={})

    def on_stop(self):
        self.sio.disconnect()

    @task
    def idle(self):
        time.sleep(1)


@events.quitting.add_listener
def write_counts(environment, **_):
    with open(os.environ["LOCUST_COUNTS"], "w") as f:
        json.dump(COUNTS, f)
