/// The metric names the engine records; budgets and reports use the same spelling.
public enum MetricName {
    public static let connect = "connect"
    public static let auth = "auth"
    public static let subscribeAck = "subscribe_ack"
    /// Live deliveries: events published while the client was subscribed (sent_at → received).
    public static let eventDelivery = "event_delivery"
    /// Replayed/recovered deliveries: events published before the client's latest (re)subscribe
    /// or reconnect, delivered by `since` replay or connection state recovery. Their latency
    /// includes the outage, so they are kept apart from `event_delivery` (issue 15, item 5).
    public static let eventReplay = "event_replay"
    public static let taskCard = "workflow.task_card"
    public static let firstEvent = "workflow.first_event"
    public static let results = "workflow.results"
    public static let completed = "workflow.completed"
    public static let http = "http"
    public static let reconnect = "reconnect"
    public static let publish = "publish"

    public static let latencyMetrics: Set<String> = [
        connect, auth, subscribeAck, eventDelivery, eventReplay, taskCard, firstEvent, results, completed, http, reconnect, publish,
    ]
}
