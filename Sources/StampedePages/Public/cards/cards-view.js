// Renders WorkflowCards into the page. The observed state is also written
// as data attributes (status, applied seqs, duplicates dropped) so a person
// can inspect it and the headless-browser tests can read it.

const fmtMs = (ms) => (ms == null ? "" : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

export class CardsView {
  constructor(root, template, { onCancel }) {
    this.root = root;
    this.template = template;
    this.onCancel = onCancel;
    this.nodes = new Map();
  }

  clear() {
    this.root.replaceChildren();
    this.nodes.clear();
  }

  render(card) {
    let el = this.nodes.get(card.id);
    if (!el) {
      el = this.template.content.firstElementChild.cloneNode(true);
      el.dataset.workflowId = card.id;
      el.querySelector(".cancel").addEventListener("click", () => this.onCancel(card.id, el));
      this.nodes.set(card.id, el);
      this.root.prepend(el);
    }
    el.dataset.status = card.status;
    el.dataset.seqs = card.seqs.join(",");
    el.dataset.duplicates = String(card.duplicates);
    el.dataset.truncated = String(card.truncated);
    el.querySelector(".query").textContent = card.query ?? card.type;
    const status = el.querySelector(".status");
    status.textContent = card.status;
    status.className = "status status-" + card.status;
    el.querySelector(".cancel").hidden = card.terminal;
    el.querySelector(".meta").textContent =
      `${card.id} · ${card.type} · seq ${card.lastSeq}` + (card.truncated ? " · older steps no longer retained" : "");

    const steps = el.querySelector(".steps");
    steps.replaceChildren(...[...card.steps.values()].map((s) => {
      const li = document.createElement("li");
      li.className = `step step-${s.status}`;
      li.dataset.step = `${s.kind}:${s.name}`;
      li.dataset.transitions = s.transitions.join(",");
      const name = document.createElement("span");
      name.className = "name";
      const kind = document.createElement("small");
      kind.className = "kind";
      kind.textContent = s.kind;
      name.append(kind, " " + s.name);
      const state = document.createElement("span");
      state.className = "state";
      state.textContent = s.status;
      const detail = document.createElement("span");
      detail.className = "detail";
      detail.textContent = [s.message, fmtMs(s.durationMs)].filter(Boolean).join(" · ");
      li.append(name, state, detail);
      return li;
    }));

    const error = el.querySelector(".error");
    error.hidden = !card.error;
    error.textContent = card.error || "";

    const results = el.querySelector(".results");
    results.hidden = card.results === null;
    if (card.results !== null) {
      results.querySelector(".synthesis").textContent = card.synthesis || "";
      results.querySelector("ul").replaceChildren(...card.results.map((r) => {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = r.url;
        a.textContent = r.title;
        a.rel = "noopener noreferrer";
        const p = document.createElement("p");
        p.textContent = r.snippet;
        li.append(a, p);
        return li;
      }));
      results.dataset.count = String(card.results.length);
    }
  }
}
