"""Socket.IO side of PROTOCOL.md §2–§6 on python-socketio."""
import contextvars

import socketio

from auth import AuthFailure, extract_token
from events import WORKFLOW_ID
from limits import RefusalWindow, TokenBucket

# python-socketio hands the return value of a handler back as the ack but does
# not tell the handler whether an ack was asked for; the contract needs to know
# (refusals without an ack id go out as an `error` event).
ACK_REQUESTED = contextvars.ContextVar("ack_requested", default=False)


class ContractServer(socketio.AsyncServer):
    """Relies on python-socketio 5.x internals: `_handle_event_internal` runs
    each event in its own task, so the context variable is per event."""

    async def _handle_event_internal(self, server, sid, eio_sid, data, namespace, id):
        ACK_REQUESTED.set(id is not None)
        await super()._handle_event_internal(server, sid, eio_sid, data, namespace, id)


class Session:
    def __init__(self, principal, config):
        self.principal = principal
        self.subscriptions = set()
        self.bucket = TokenBucket(config.event_rate, config.event_burst)
        self.refusals = RefusalWindow(50, 10.0)


def refused(code, message, retry_after_ms=None):
    error = {"code": code, "message": message}
    if retry_after_ms is not None:
        error["retry_after_ms"] = retry_after_ms
    return error


def install(sio, store, stats, verifier, config):
    sessions = {}
    per_user = {}

    async def refuse(sid, error):
        if ACK_REQUESTED.get():
            return {"ok": False, "error": error}
        await sio.emit("error", error, to=sid)
        return None

    async def admitted(sid):
        """The session, or a refusal reply when its token bucket is empty."""
        session = sessions.get(sid)
        if session is None:
            return None, None
        wait_ms = session.bucket.take()
        if wait_ms == 0:
            return session, None
        stats.rate_limited += 1
        reply = await refuse(sid, refused("rate_limited", "too many events", wait_ms))
        if session.refusals.refuse():
            await sio.disconnect(sid)
        return None, reply

    async def workflow_request(sid, args):
        """(session, request, None) for an admitted request naming a valid
        workflow id, else (None, None, the refusal reply)."""
        session, reply = await admitted(sid)
        if session is None:
            return None, None, reply
        request = args[0] if args else None
        workflow_id = request.get("workflow_id") if isinstance(request, dict) else None
        if not isinstance(workflow_id, str) or not WORKFLOW_ID.match(workflow_id):
            reply = await refuse(sid, refused("invalid_request", "workflow_id must be 1-128 characters of [A-Za-z0-9_.:-]"))
            return None, None, reply
        return session, request, None

    @sio.on("connect", namespace="*")
    async def other_namespace(namespace, sid, environ, auth):
        raise socketio.exceptions.ConnectionRefusedError("Invalid namespace")

    @sio.on("connect")
    async def connect(sid, environ, auth):
        try:
            principal = verifier.verify(extract_token(auth, environ))
        except AuthFailure as failure:
            stats.auth_failures += 1
            raise socketio.exceptions.ConnectionRefusedError("unauthorized", {"code": failure.code})
        if per_user.get(principal.user_id, 0) >= config.max_connections_per_user:
            stats.auth_failures += 1
            raise socketio.exceptions.ConnectionRefusedError("unauthorized", {"code": "too_many_connections"})
        per_user[principal.user_id] = per_user.get(principal.user_id, 0) + 1
        sessions[sid] = Session(principal, config)

    @sio.on("disconnect")
    async def disconnect(sid, reason=None):
        session = sessions.pop(sid, None)
        if session is None:
            return
        user = session.principal.user_id
        per_user[user] -= 1
        if per_user[user] <= 0:
            del per_user[user]
        for workflow_id in session.subscriptions:
            wf = store.get(workflow_id)
            if wf is not None:
                wf.subscribers.discard(sid)

    @sio.on("subscribe")
    async def subscribe(sid, *args):
        session, request, reply = await workflow_request(sid, args)
        if session is None:
            return reply
        workflow_id = request["workflow_id"]
        since = request.get("since")
        if isinstance(since, float) and since.is_integer():
            since = int(since)
        if since is not None and (isinstance(since, bool) or not isinstance(since, int) or since < 0):
            return await refuse(sid, refused("invalid_request", "since must be a non-negative integer"))
        wf = store.get(workflow_id)
        if wf is None:
            return await refuse(sid, refused("not_found", "no such workflow"))
        principal = session.principal
        if wf.owner != principal.user_id and principal.role != "service":
            return await refuse(sid, refused("forbidden", "the workflow belongs to another user"))
        if workflow_id not in session.subscriptions and len(session.subscriptions) >= config.max_subscriptions:
            return await refuse(sid, refused("too_many_subscriptions", f"at most {config.max_subscriptions} per socket"))
        async with wf.lock:
            replay, truncated = [], False
            if workflow_id not in session.subscriptions:
                if since is not None:
                    replay, truncated = wf.replay_after(since)
                for kind, payload in replay:
                    await sio.emit(kind, payload, to=sid)
                stats.events_delivered += len(replay)
                await sio.enter_room(sid, workflow_id)
                wf.subscribers.add(sid)
                session.subscriptions.add(workflow_id)
            return {"ok": True, "workflow_id": workflow_id, "seq": wf.seq, "replayed": len(replay),
                    "truncated": truncated}

    @sio.on("unsubscribe")
    async def unsubscribe(sid, *args):
        session, request, reply = await workflow_request(sid, args)
        if session is None:
            return reply
        workflow_id = request["workflow_id"]
        wf = store.get(workflow_id)
        if wf is not None:
            async with wf.lock:
                await sio.leave_room(sid, workflow_id)
                wf.subscribers.discard(sid)
        else:
            await sio.leave_room(sid, workflow_id)
        session.subscriptions.discard(workflow_id)
        return {"ok": True}

    @sio.on("*")
    async def anything_else(event, sid, *args):
        session, reply = await admitted(sid)
        if session is None:
            return reply
        # Sent only when the client asked for an ack; otherwise ignored (PROTOCOL §3).
        return {"ok": False, "error": {"code": "unknown_event"}}

    return sessions
