"""Workflows, their per-workflow seq and bounded history (PROTOCOL.md §3–§5).

Everything runs on one asyncio loop; a per-workflow asyncio.Lock serialises
"assign seq + hand to Engine.IO" against "replay + join the room", which is
what keeps every subscriber's view gapless and duplicate-free.
"""
import asyncio
import collections
import datetime
import time
import uuid

from events import is_terminal


class Workflow:
    def __init__(self, workflow_id, kind, owner, query, history_limit):
        self.id = workflow_id
        self.type = kind
        self.owner = owner
        self.query = query
        self.status = "pending"
        self.seq = 0
        self.history = collections.deque(maxlen=history_limit)
        self.created_at = datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
        self.lock = asyncio.Lock()
        self.subscribers = set()

    @property
    def terminal(self):
        return self.status in ("completed", "failed", "cancelled")

    def card(self):
        card = {"workflow_id": self.id, "type": self.type, "status": self.status}
        if self.query is not None:
            card["query"] = self.query
        card.update({"user_id": self.owner, "created_at": self.created_at})
        return card

    def append(self, kind, fields):
        """Stamps one event; the caller holds `lock`."""
        self.seq += 1
        payload = {"workflow_id": self.id, "seq": self.seq, "ts": time.time() * 1000}
        payload.update(fields)
        self.history.append((kind, payload))
        if kind == "workflow_status":
            self.status = fields["status"]
        return kind, payload

    def replay_after(self, since):
        """(events with seq > since, truncated)."""
        first = self.history[0][1]["seq"] if self.history else self.seq + 1
        truncated = since + 1 < first and since < self.seq
        return [e for e in self.history if e[1]["seq"] > since], truncated


class WorkflowStore:
    def __init__(self, sio, stats, history_limit=1000, terminal_retention=600.0):
        self.sio = sio
        self.stats = stats
        self.history_limit = history_limit
        self.terminal_retention = terminal_retention
        self.workflows = {}

    def create(self, kind, owner, query=None):
        wf = Workflow("wf_" + uuid.uuid4().hex, kind, owner, query, self.history_limit)
        self.workflows[wf.id] = wf
        return wf

    def get(self, workflow_id):
        return self.workflows.get(workflow_id)

    async def publish(self, wf, bodies):
        """Appends and emits in seq order; returns the seqs, or None once terminal."""
        async with wf.lock:
            if wf.terminal:
                return None
            seqs = []
            for kind, fields in bodies:
                if wf.terminal:
                    break
                kind, payload = wf.append(kind, fields)
                seqs.append(payload["seq"])
                self.stats.events_published += 1
                self.stats.events_delivered += len(wf.subscribers)
                await self.sio.emit(kind, payload, room=wf.id)
                if is_terminal(kind, fields):
                    asyncio.get_running_loop().call_later(self.terminal_retention, self.workflows.pop, wf.id, None)
            return seqs
