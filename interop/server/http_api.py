"""HTTP API of PROTOCOL.md §7 on aiohttp."""
import asyncio
import json
import math

from aiohttp import web

from auth import AuthFailure, bearer
from events import ContractViolation, is_terminal, parse_published
from limits import TokenBucket
from search import run_search


def error(status, code, message, headers=None):
    return web.json_response({"error": {"code": code, "message": message}}, status=status, headers=headers)


@web.middleware
async def json_errors(request, handler):
    """aiohttp answers some failures (413, 404, 405) in plain text; the contract wants JSON."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or request.path.startswith("/socket.io"):
            raise
        codes = {404: "not_found", 405: "invalid_request", 413: "payload_too_large"}
        return error(exc.status, codes.get(exc.status, "invalid_request"), exc.reason)


def install(app, sio, store, stats, verifier, sessions, config):
    user_buckets = {}
    tasks = set()

    def principal_of(request):
        try:
            return verifier.verify(bearer(request.headers.get("Authorization"))), None
        except AuthFailure as failure:
            return None, error(401, failure.code, "a valid bearer token is required")

    async def body_of(request):
        try:
            return json.loads(await request.read()), None
        except ValueError:
            return None, error(400, "invalid_request", "the body must be JSON")

    def readable(principal, wf):
        return wf.owner == principal.user_id or principal.role in ("service", "admin")

    async def health(request):
        return web.json_response({"status": "ok"})

    async def stats_route(request):
        if config.protect_stats:
            principal, failure = principal_of(request)
            if failure:
                return failure
            if principal.role != "admin":
                return error(403, "forbidden", "the stats endpoint needs the admin role")
        return web.json_response(stats.snapshot(sessions, store, sio.transport))

    async def create_workflow(request):
        principal, failure = principal_of(request)
        if failure:
            return failure
        bucket = user_buckets.setdefault(principal.user_id, TokenBucket(config.create_rate, config.create_burst))
        wait_ms = bucket.take()
        if wait_ms:
            return error(429, "rate_limited", "too many workflows", {"Retry-After": str(math.ceil(wait_ms / 1000))})
        body, failure = await body_of(request)
        if failure:
            return failure
        if not isinstance(body, dict) or body.get("type") not in ("search", "external"):
            return error(400, "invalid_request", 'type must be "search" or "external"')
        owner = principal.user_id
        if "user_id" in body:
            if principal.role != "service":
                return error(403, "forbidden", "only a service token may create workflows for another user")
            if not isinstance(body["user_id"], str) or not body["user_id"]:
                return error(400, "invalid_request", "user_id must be a non-empty string")
            owner = body["user_id"]
        if body["type"] == "search":
            query = body.get("query")
            if not isinstance(query, str) or not query.strip():
                return error(400, "invalid_request", "a search needs a non-empty query")
            wf = store.create("search", owner, query)
            task = asyncio.get_running_loop().create_task(run_search(store, wf, config.step_delay_ms))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        else:
            wf = store.create("external", owner)
        return web.json_response(wf.card(), status=202)

    async def get_workflow(request):
        principal, failure = principal_of(request)
        if failure:
            return failure
        wf = store.get(request.match_info["id"])
        if wf is None:
            return error(404, "not_found", "no such workflow")
        if not readable(principal, wf):
            return error(403, "forbidden", "the workflow belongs to another user")
        doc = wf.card()
        doc["seq"] = wf.seq
        doc["events"] = [{"type": kind, **payload} for kind, payload in wf.history]
        return web.json_response(doc)

    async def publish(request):
        principal, failure = principal_of(request)
        if failure:
            return failure
        if principal.role != "service":
            return error(403, "forbidden", "publishing needs the service role")
        wf = store.get(request.match_info["id"])
        if wf is None:
            return error(404, "not_found", "no such workflow")
        body, failure = await body_of(request)
        if failure:
            return failure
        items = body if isinstance(body, list) else [body]
        if not 1 <= len(items) <= 100:
            return error(400, "invalid_request", "publish one event or an array of 1 to 100")
        try:
            bodies = [parse_published(item) for item in items]
        except ContractViolation as violation:
            return error(400, "invalid_request", str(violation))
        if any(is_terminal(*b) for b in bodies[:-1]):
            return error(409, "conflict", "no event may follow a terminal workflow_status")
        seqs = await store.publish(wf, bodies)
        if seqs is None:
            return error(409, "conflict", "the workflow is terminal")
        return web.json_response({"seq": seqs}, status=201)

    async def metrics(request):
        s = stats.snapshot(sessions, store, sio.transport)
        lines = []
        for name in ("total_connections", "unique_users", "active_workflows", "total_subscriptions", "running_workflows"):
            lines += [f"# TYPE stampede_{name} gauge", f"stampede_{name} {s[name]}"]
        for name in ("events_published", "events_delivered", "rate_limited", "auth_failures"):
            lines += [f"# TYPE stampede_{name}_total counter", f"stampede_{name}_total {s[name]}"]
        lines.append("# TYPE stampede_connections_by_transport gauge")
        lines += [f'stampede_connections_by_transport{{transport="{t}"}} {n}' for t, n in s["transports"].items()]
        return web.Response(text="\n".join(lines) + "\n", content_type="text/plain", charset="utf-8",
                            headers={"X-Content-Type-Options": "nosniff"})

    app.router.add_get("/health", health)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/api/v1/websocket/stats", stats_route)
    app.router.add_post("/api/v1/workflows", create_workflow)
    app.router.add_get("/api/v1/workflows/{id}", get_workflow)
    app.router.add_post("/api/v1/workflows/{id}/events", publish)
