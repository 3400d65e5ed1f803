/// `stampede init [TEMPLATE]`: commented starter scenarios a new user edits rather than writes
/// from nothing. Each one loads with `ScenarioLoader` (a test keeps them valid).
public enum StarterTemplates {
    public static let names = ["smoke", "fan-out", "soak", "ci-gate"]

    public static func text(_ name: String) -> String? {
        switch name {
        case "smoke": smoke
        case "fan-out": fanOut
        case "soak": soak
        case "ci-gate": ciGate
        default: nil
        }
    }

    static let header = """
    # Written by `stampede init`. The format: scenarios/README.md; editors can validate
    # against schemas/scenario.schema.json. Run it:  stampede run THIS_FILE.yaml
    # Point it at your server with --target http://host:port (or target: below) and
    # --jwt-secret / STAMPEDE_JWT_SECRET, or pre-minted tokens (auth.users_file).

    """

    static let smoke = header + """
    name: smoke
    description: a quick end-to-end check, ~15 s
    target: ${env:STAMPEDE_TARGET:-embedded}   # embedded = an in-process Stampede server
    auth:
      users: 10                  # client i connects as user i mod 10
    workflows: { count: 10, type: external, owner: per_user }   # one workflow per user
    phases:
      - { name: ramp, duration: 3s, clients: { from: 0, to: 20 } }   # closed model: 20 concurrent clients
      - { name: steady, duration: 10s }                               # hold them
    groups:
      - name: watcher
        weight: 4                # 4 of every 5 clients
        steps: [connect, { subscribe: own }, { await: { until: end } }]
      - name: dropper            # drops its connection and resumes with `since`: nothing may be lost
        weight: 1
        steps:
          - connect
          - subscribe: own
          - think: 3s
          - disconnect: { mode: abrupt }
          - think: 500ms
          - reconnect: { resume: since }
          - await: { until: end }
    publishers:                  # events published through the HTTP API with a service token
      - { rate: 10/s, per: workflow, event: node_update }
    checks: [ordering, isolation, recovery]
    budgets:
      event_delivery.p99: 250ms  # live deliveries only (replays are event_replay)
      connect.p95: 500ms
      errors.rate: 0
    """

    static let fanOut = header + """
    name: fan-out
    description: many subscribers on few workflows — the server's fan-out path
    target: ${env:STAMPEDE_TARGET:-embedded}
    variables:
      clients: "500"             # override with --set clients=2000
    auth: { users: 50 }
    workflows: { count: 5, type: external, owner: single }   # 5 shared workflows
    phases:
      - { name: ramp, duration: 10s, clients: { from: 0, to: "${clients}" } }
      - { name: steady, duration: 20s }
    groups:
      - name: watcher
        steps: [connect, { subscribe: { workflow: 0 } }, { await: { until: end } }]
    publishers:
      - { rate: 20/s, per: workflow, event: tool_update, payload_bytes: 256 }
    checks: [ordering, isolation, stats_match]
    budgets:
      event_delivery.p99: 100ms
      event_delivery.rate: ">= 5000/s"   # a floor: throughput must not collapse
      errors.rate: 0
    """

    static let soak = header + """
    name: soak
    description: steady load for a long time — leaks, drift, slow consumers
    target: ${env:STAMPEDE_TARGET:-embedded}
    variables:
      duration: 10m              # --set duration=1h for the real thing
    auth: { users: 100 }
    workflows: { count: 100 }
    phases:
      - { name: ramp, duration: 30s, clients: { from: 0, to: 200 } }
      - { name: soak, duration: "${duration}" }
    groups:
      - name: watcher
        weight: 9
        steps: [connect, { subscribe: own }, { await: { until: end } }]
      - name: churner            # connects, watches a while, leaves, and is replaced
        weight: 1
        steps: [connect, { subscribe: own }, { think: { uniform: [5s, 30s] } }, { disconnect: clean }]
    publishers:
      - { rate: 2/s, per: workflow, event: node_update }
    checks: [ordering, isolation, stats_match, stats_return_to_baseline]
    budgets:
      event_delivery.p99: 100ms
      errors.rate: 0
    abort_on_fail: true          # stop early when a budget stays failed for abort_grace
    abort_grace: 30s
    """

    static let ciGate = header + """
    name: ci-gate
    description: a short, strict gate for every pull request (exit 0 passed, 1 budget, 2 check, 3 could not start)
    target: ${env:STAMPEDE_TARGET:-embedded}
    auth: { users: 20 }
    workflows: { count: 20 }
    phases:
      - { name: ramp, duration: 5s, clients: { from: 0, to: 60 } }
      - { name: steady, duration: 15s }
    groups:
      - name: watcher
        weight: 5
        steps: [connect, { subscribe: own }, { await: { until: end } }]
      - name: intruder           # asks for another user's workflow: must be refused
        weight: 1
        steps: [connect, { subscribe: other }, { await: { until: end } }]
    publishers:
      - { rate: 20/s, per: workflow, event: node_update }
    checks: [ordering, isolation]
    budgets:
      event_delivery.p99: 50ms
      subscribe_ack.p99: 100ms
      errors.rate: 0
    # Then, against a committed baseline:
    #   stampede compare baseline/report.json reports/ci-gate-*/report.json
    """
}
