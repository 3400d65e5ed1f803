"""Event bodies of PROTOCOL.md §4: validation of published events and the
flat payload every subscriber receives."""
import re

BUILT_IN = {"node_update", "tool_update", "search_results", "workflow_status"}
RESERVED = {"connect", "connect_error", "disconnect", "disconnecting", "error", "subscribe", "unsubscribe", "message"}
CUSTOM_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
WORKFLOW_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
STEP = {"executing", "completed", "failed"}
STATUS = {"running", "completed", "failed", "cancelled"}
TERMINAL = {"completed", "failed", "cancelled"}


class ContractViolation(Exception):
    pass


def parse_published(obj):
    """Returns (type, fields) or raises ContractViolation."""
    if not isinstance(obj, dict):
        raise ContractViolation("event must be a JSON object")
    kind = obj.get("type")
    if not isinstance(kind, str):
        raise ContractViolation('event needs a string "type"')
    fields = {k: v for k, v in obj.items() if k not in ("type", "workflow_id", "seq", "ts")}
    s = lambda k: isinstance(fields.get(k), str)
    if kind == "node_update" and not (s("node") and fields.get("status") in STEP):
        raise ContractViolation("node_update needs node and status in executing/completed/failed")
    if kind == "tool_update" and not (s("tool") and fields.get("status") in STEP):
        raise ContractViolation("tool_update needs tool and status in executing/completed/failed")
    if kind == "search_results" and not (s("query") and isinstance(fields.get("results"), list) and s("synthesis")):
        raise ContractViolation("search_results needs query, results and synthesis")
    if kind == "workflow_status" and fields.get("status") not in STATUS:
        raise ContractViolation("workflow_status needs status in running/completed/failed/cancelled")
    if kind not in BUILT_IN and (not CUSTOM_NAME.match(kind) or kind in RESERVED):
        raise ContractViolation(f"event type {kind!r} must match ^[a-z][a-z0-9_]{{0,63}}$ and not be reserved")
    return kind, fields


def is_terminal(kind, fields):
    return kind == "workflow_status" and fields.get("status") in TERMINAL
