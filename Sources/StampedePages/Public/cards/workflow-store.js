// The task cards' state, apart from the DOM: one WorkflowCard per workflow,
// fed by live events, `since` replays and the polling endpoint alike. Events
// are applied strictly in seq order, so a step is shown once whichever path
// (or how many paths) brought it.

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

export function isTerminal(status) { return TERMINAL.has(status); }

/** One step row: a node or a tool, with its transitions and timing. */
class Step {
  constructor(kind, name) {
    this.kind = kind;
    this.name = name;
    this.status = null;
    this.message = null;
    this.transitions = [];
    this.startedTs = null;
    this.endedTs = null;
    this.executionTimeMs = null;
  }

  /** Milliseconds the step took: the tool's own figure, else the event times. */
  get durationMs() {
    if (this.executionTimeMs != null) return this.executionTimeMs;
    if (this.startedTs != null && this.endedTs != null) return this.endedTs - this.startedTs;
    return null;
  }
}

export class WorkflowCard {
  /** `card`: the task card of POST /api/v1/workflows or GET /api/v1/workflows/{id}. */
  constructor(card) {
    this.id = card.workflow_id;
    this.type = card.type;
    this.query = card.query ?? null;
    this.userID = card.user_id;
    this.createdAt = card.created_at;
    this.status = card.status || "pending";
    this.lastSeq = 0;
    this.seqs = [];
    this.duplicates = 0;
    this.steps = new Map();
    this.results = null;
    this.synthesis = null;
    this.error = null;
    this.other = [];
    this.truncated = false;
  }

  get terminal() { return isTerminal(this.status); }

  /**
   * Applies one event (`type` is the Socket.IO event name, or the `type`
   * field of the polling endpoint's events). Returns "applied",
   * "duplicate" (seq already applied) or "gap" (an earlier seq is missing:
   * the caller resumes with `since` = lastSeq).
   */
  apply(type, e) {
    if (typeof e.seq !== "number") return "duplicate";
    if (e.seq <= this.lastSeq) { this.duplicates += 1; return "duplicate"; }
    if (e.seq !== this.lastSeq + 1) return "gap";
    this.lastSeq = e.seq;
    this.seqs.push(e.seq);
    switch (type) {
      case "workflow_status":
        this.status = e.status;
        if (e.error) this.error = e.error;
        break;
      case "node_update":
      case "tool_update": {
        const kind = type === "node_update" ? "node" : "tool";
        const name = kind === "node" ? e.node : e.tool;
        const key = kind + ":" + name;
        if (!this.steps.has(key)) this.steps.set(key, new Step(kind, name));
        const step = this.steps.get(key);
        step.status = e.status;
        step.transitions.push(e.status);
        if (e.message != null) step.message = e.message;
        if (e.status === "executing") step.startedTs = e.ts;
        else step.endedTs = e.ts;
        if (e.execution_time_ms != null) step.executionTimeMs = e.execution_time_ms;
        if (e.status === "failed" && !this.error) this.error = `${name} failed${e.message ? ": " + e.message : ""}`;
        break;
      }
      case "search_results":
        this.results = e.results || [];
        this.synthesis = e.synthesis ?? null;
        break;
      default:
        this.other.push({ type, seq: e.seq });
    }
    return "applied";
  }

  /**
   * The polling endpoint's answer: status and every retained event. A
   * first retained seq past lastSeq + 1 means the history no longer
   * reaches back (truncated): the card jumps over what is gone and says so.
   */
  applyView(view) {
    const events = (view.events || []).slice().sort((a, b) => a.seq - b.seq);
    if (events.length && events[0].seq > this.lastSeq + 1) {
      this.truncated = true;
      this.lastSeq = events[0].seq - 1;
    }
    for (const e of events) this.apply(e.type, e);
    if (view.status && view.seq > this.lastSeq) { this.truncated = true; this.status = view.status; }
  }
}

/** The cards of one user, remembered per user so a reload (or another tab) finds them again. */
export class WorkflowStore {
  constructor(storage = window.localStorage) {
    this.storage = storage;
    this.user = null;
    this.cards = new Map();
  }

  key(user) { return "stampede.cards." + user; }

  /** Switches to `user`'s cards; other users' cards are dropped from memory. */
  useUser(user) {
    this.user = user;
    this.cards = new Map();
    if (!user) return [];
    try { return JSON.parse(this.storage.getItem(this.key(user)) || "[]"); } catch (_) { return []; }
  }

  add(card) {
    if (!this.user || card.user_id !== this.user) return null;
    if (this.cards.has(card.workflow_id)) return this.cards.get(card.workflow_id);
    const c = new WorkflowCard(card);
    this.cards.set(c.id, c);
    this.save();
    return c;
  }

  forget(id) {
    this.cards.delete(id);
    this.save();
  }

  save() {
    if (!this.user) return;
    const ids = [...this.cards.keys()].slice(-50);
    try { this.storage.setItem(this.key(this.user), JSON.stringify(ids)); } catch (_) { /* private mode */ }
  }

  get(id) { return this.cards.get(id); }
  get open() { return [...this.cards.values()].filter((c) => !c.terminal); }
  get all() { return [...this.cards.values()]; }
}
