"""The built-in search workflow (PROTOCOL.md §8) with an offline provider."""
import asyncio
import hashlib
import time


class DeterministicSearchProvider:
    """Answers from a hash of the query: the same query always yields the same results."""

    def search(self, query):
        digest = hashlib.sha256(query.encode()).hexdigest()
        count = 3 + int(digest[0], 16) % 3
        return [{"title": f"{query} — result {i + 1}",
                 "url": f"https://example.org/{digest[i * 8:(i + 1) * 8]}",
                 "snippet": f"Offline result {i + 1} for {query!r}."} for i in range(count)]

    def synthesize(self, query, results):
        return f"{len(results)} offline sources discuss {query!r}."


async def run_search(store, wf, step_delay_ms, provider=None):
    provider = provider or DeterministicSearchProvider()
    delay = step_delay_ms / 1000.0

    async def step(kind, **fields):
        await store.publish(wf, [(kind, fields)])
        await asyncio.sleep(delay)

    await step("workflow_status", status="running")
    await step("node_update", node="analyze_query", status="executing")
    await step("node_update", node="analyze_query", status="completed")
    await step("tool_update", tool="WebSearchTool", status="executing")
    started = time.monotonic()
    results = provider.search(wf.query)
    await step("tool_update", tool="WebSearchTool", status="completed", message=f"Found {len(results)} results",
               execution_time_ms=round((time.monotonic() - started) * 1000, 3))
    await step("node_update", node="synthesize", status="executing")
    synthesis = provider.synthesize(wf.query, results)
    await step("node_update", node="synthesize", status="completed")
    await step("search_results", query=wf.query, results=results, synthesis=synthesis)
    await store.publish(wf, [("workflow_status", {"status": "completed"})])
