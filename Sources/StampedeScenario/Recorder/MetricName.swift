/// The metric names the engine records; budgets and reports use the same spelling.
public enum MetricName {
    public static let connect = "connect"
    public static let auth = "auth"
    public static let subscribeAck = "subscribe_ack"
    public static let eventDelivery = "event_delivery"
    public static let taskCard = "workflow.task_card"
    public static let firstEvent = "workflow.first_event"
    public static let results = "workflow.results"
    public static let completed = "workflow.completed"
    public static let http = "http"
    public static let reconnect = "reconnect"
    public static let publish = "publish"

    public static let latencyMetrics: Set<String> = [
        connect, auth, subscribeAck, eventDelivery, taskCard, firstEvent, results, completed, http, reconnect, publish,
    ]
}
