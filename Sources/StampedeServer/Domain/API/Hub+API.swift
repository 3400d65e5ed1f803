import Atomics
import Foundation
import NIOCore
import StampedeAuth
import StampedeContract
import StampedeJSON
import StampedePages

/// The HTTP API of PROTOCOL §7. Errors are `{"error":{"code","message"}}`
/// with the statuses the contract lists.
extension Hub: APIHandler {
    /// Answers on the caller's thread when no step needs to suspend — every
    /// route with an HS256 token, or none. The HTTP layer calls this on the
    /// connection's event loop, so a publish is answered in the same tick
    /// that queues its fan-out, not after the loop has written it.
    public func handleImmediately(_ request: APIRequest) -> APIResponse? {
        let started = NIODeadline.now()
        guard let answer = answerWithoutSuspending(request) else { return nil }
        observe(request, answer, since: started)
        return answer
    }

    /// Tokens whose key is in the JWKS file verify asynchronously (jwt-kit).
    public func handle(_ request: APIRequest) async -> APIResponse {
        let started = NIODeadline.now()
        let answer = await answerSuspending(request)
        observe(request, answer, since: started)
        return answer
    }

    /// One observation per request: its templated route and status, and
    /// accepted publishes once more in the publish histogram.
    private func observe(_ request: APIRequest, _ answer: APIResponse, since started: NIODeadline) {
        let route = APIRoute(method: request.method, path: request.path)
        stats.httpDurations.observe(route: route.template, status: answer.status, since: started)
        if case .publishEvents = route, answer.status < 300 { stats.publishDuration.observe(since: started) }
    }

    private func answerWithoutSuspending(_ request: APIRequest) -> APIResponse? {
        let route = APIRoute(method: request.method, path: request.path)
        if journal != nil, route.touchesJournal { return nil }
        if presence != nil, route == .stats { return nil }
        guard needsToken(route) else { return respond(route, request, auth: nil) }
        guard let auth = verifier.verifyWithoutSuspending(TokenSource.bearer(request.headers)) else { return nil }
        return respond(route, request, auth: auth)
    }

    private func answerSuspending(_ request: APIRequest) async -> APIResponse {
        if let r = answerWithoutSuspending(request) { return r }
        let route = APIRoute(method: request.method, path: request.path)
        let token = TokenSource.bearer(request.headers)
        var auth = verifier.verifyWithoutSuspending(token)
        if auth == nil { auth = await verifier.verify(token) }
        if journal != nil, route.touchesJournal, case .success(let p)? = auth {
            return await respondInCluster(route, request, principal: p)
        }
        if let presence, route == .stats {
            switch needsToken(route) ? auth : nil {
            case .failure(let code)?: return APIError.response(401, code.rawValue, "a valid Bearer token is required")
            case .success(let p)?:
                do { try mayReadStats(p) } catch { return APIError.answer(error) { APIError.response(400, "invalid_request", "\($0)") } }
            case nil: break
            }
            return await clusterStatsResponse(presence)
        }
        return respond(route, request, auth: auth)
    }

    /// Cluster mode: the routes that read or write the journal (they suspend).
    private func respondInCluster(_ route: APIRoute, _ request: APIRequest, principal p: Principal) async -> APIResponse {
        do {
            switch route {
            case .createWorkflow:
                let c = try createRequest(p, request)
                let card = try await clusterCreate(type: c.type, owner: c.owner, query: c.query)
                if c.type == "search", let q = c.query { searchRunner.start(workflowID: card.workflowID, query: q) }
                return .json(202, .object(cardJSON(card)))
            case .readWorkflow(let id):
                guard WorkflowID.isValid(id) else { throw APIError.notFound("no workflow \(id)") }
                _ = try await ensureLoaded(id)
                return try readWorkflow(p, id)
            case .publishEvents(let id):
                let bodies = try publishRequest(p, id, request)
                return try publishAnswer(id, try await clusterPublish(id, bodies))
            case .cancelWorkflow(let id):
                guard WorkflowID.isValid(id) else { throw APIError.notFound("no workflow \(id)") }
                _ = try await ensureLoaded(id)
                try mayCancel(p, id)
                return try cancelAnswer(id, try await clusterPublish(id, [.workflowStatus(.cancelled)]).map { _ in
                    // The journal committed it; this node's copy may apply it a moment later.
                    var card = registry.card(id)
                    card?.status = .cancelled
                    return card
                })
            default:
                return APIError.response(404, "not_found", "no route \(request.method) \(request.path)")
            }
        } catch {
            return APIError.answer(error) { Hub.unavailable($0) }
        }
    }

    private func needsToken(_ route: APIRoute) -> Bool {
        switch route {
        case .createWorkflow, .readWorkflow, .publishEvents, .cancelWorkflow: return true
        case .stats: return settings.limits.statsRequireAdmin
        case .health, .metrics, .openAPI, .page, .wrongMethod, .unknown: return false
        }
    }

    private func respond(_ route: APIRoute, _ request: APIRequest, auth: Result<Principal, AuthFailureCode>?) -> APIResponse {
        var principal: Principal?
        switch auth {
        case .failure(let code)?: return APIError.response(401, code.rawValue, "a valid Bearer token is required")
        case .success(let p)?: principal = p
        case nil: break
        }
        do {
            switch route {
            case .health:
                return .json(200, ["status": "ok"])
            case .page(let path):
                return servePage(path)
            case .openAPI:
                return APIResponse(status: 200, headers: [("Content-Type", "application/json")], body: PageAssets.asset("openapi.json")?.bytes ?? [])
            case .metrics:
                return APIResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                                   body: metrics.render(statsSnapshot, stats, notificationQueueUsage: presence?.notificationQueueUsage))
            case .stats:
                if let p = principal { try mayReadStats(p) }
                return APIResponse(status: 200, headers: [("Content-Type", "application/json")],
                                   body: (try? JSONValueEncoder().encodeBytes(statsSnapshot)) ?? [])
            case .createWorkflow:
                return try createWorkflow(principal!, request)
            case .readWorkflow(let id):
                return try readWorkflow(principal!, id)
            case .publishEvents(let id):
                return try publishEvents(principal!, id, request)
            case .cancelWorkflow(let id):
                return try cancelWorkflow(principal!, id)
            case .wrongMethod:
                return APIError.response(404, "not_found", "\(request.method) is not served on \(request.path)")
            case .unknown:
                return APIError.response(404, "not_found", "no route \(request.method) \(request.path)")
            }
        } catch {
            return APIError.answer(error) { APIError.response(400, "invalid_request", "\($0)") }
        }
    }

    /// A token on the stats route must be an admin's or a service's.
    private func mayReadStats(_ p: Principal) throws {
        if p.role == Role.user { throw APIError.forbidden("the stats endpoint needs an admin token") }
    }

    private func jsonBody(_ request: APIRequest) throws -> JSONValue {
        guard !request.body.isEmpty else { throw APIError.badRequest("a JSON body is required") }
        do { return try JSONParser.parse(request.body) } catch { throw APIError.badRequest("body is not JSON: \(error)") }
    }

    private func createWorkflow(_ p: Principal, _ request: APIRequest) throws -> APIResponse {
        let c = try createRequest(p, request)
        let card = registry.create(type: c.type, owner: c.owner, query: c.query)
        if c.type == "search", let q = c.query { searchRunner.start(workflowID: card.workflowID, query: q) }
        return .json(202, .object(cardJSON(card)))
    }

    /// What a create asks for, once its limits and rules are checked.
    private func createRequest(_ p: Principal, _ request: APIRequest) throws -> (type: String, owner: String, query: String?) {
        if case .refused(let retry) = creationLimiter.take(p.userID) {
            stats.add(stats.rateLimited)
            let seconds = max(1, Int((Double(retry) / 1000).rounded(.up)))
            throw AnsweredError(response: APIError.response(429, "rate_limited", "too many workflows; retry in \(retry) ms",
                                     headers: [("Retry-After", String(seconds))], extra: ["retry_after_ms": .int(Int64(retry))]))
        }
        let body = try jsonBody(request)
        var owner = p.userID
        if let u = body["user_id"], !u.isNull {
            guard let user = u.stringValue, !user.isEmpty else { throw APIError.badRequest("user_id must be a non-empty string") }
            guard p.role == Role.service || user == p.userID else { throw APIError.forbidden("only a service token may create workflows for another user") }
            owner = user
        }
        switch body["type"]?.stringValue {
        case "search":
            guard let q = body["query"]?.stringValue, !q.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw APIError.badRequest("a search workflow needs a non-empty query")
            }
            guard q.utf8.count <= 2000 else { throw APIError.badRequest("query longer than 2000 bytes") }
            return ("search", owner, q)
        case "external":
            return ("external", owner, body["query"]?.stringValue)
        default:
            throw APIError.badRequest("type must be \"search\" or \"external\"")
        }
    }

    private func cardJSON(_ c: TaskCard) -> JSONObject {
        var o: JSONObject = ["workflow_id": .string(c.workflowID), "type": .string(c.type), "status": .string(c.status.rawValue)]
        o["query"] = c.query.map(JSONValue.string) ?? .null
        o["user_id"] = .string(c.userID)
        o["created_at"] = .string(c.createdAt)
        return o
    }

    private func readWorkflow(_ p: Principal, _ id: String) throws -> APIResponse {
        guard WorkflowID.isValid(id), let view = registry.view(id) else { throw APIError.notFound("no workflow \(id)") }
        guard view.owner == p.userID || p.role != Role.user else { throw APIError.forbidden("workflow \(id) belongs to another user") }
        guard EventListProducer.isLarge(view.events) else {
            var o = view.card
            o["events"] = .array(view.events.map(\.event.apiJSON))
            return .json(200, .object(o))
        }
        // `{…card…,"events":[` then the events, serialised as the connection
        // drains: a large history never sits whole in memory per reader.
        var card = view.card
        card["events"] = .array([])
        var head = JSONValue.object(card).serializedBytes
        head.removeLast(2)  // "]}"
        return APIResponse(status: 200, headers: [("Content-Type", "application/json")], body: head,
                           producer: EventListProducer(view.events))
    }

    /// The owner or a `service` token ends a workflow: `workflow_status
    /// cancelled` is published like any event and the built-in search run,
    /// if any, stops. 202 with the task card; 409 once terminal.
    private func cancelWorkflow(_ p: Principal, _ id: String) throws -> APIResponse {
        try mayCancel(p, id)
        return try cancelAnswer(id, registry.cancel(id).map { Optional($0) })
    }

    private func mayCancel(_ p: Principal, _ id: String) throws {
        guard WorkflowID.isValid(id), let owner = registry.owner(id) else { throw APIError.notFound("no workflow \(id)") }
        guard owner == p.userID || p.role == Role.service else {
            throw APIError.forbidden("workflow \(id) belongs to another user")
        }
    }

    private func cancelAnswer(_ id: String, _ result: Result<TaskCard?, PublishRefusal>) throws -> APIResponse {
        switch result {
        case .success(let card?):
            searchRunner.cancel(workflowID: id)
            return .json(202, .object(cardJSON(card)))
        case .success(nil), .failure(.notFound): throw APIError.notFound("no workflow \(id)")
        case .failure(.terminal): throw APIError(status: 409, code: "workflow_terminal", message: "workflow \(id) has ended")
        }
    }

    private func publishEvents(_ p: Principal, _ id: String, _ request: APIRequest) throws -> APIResponse {
        try publishAnswer(id, registry.publish(id, try publishRequest(p, id, request)))
    }

    private func publishAnswer(_ id: String, _ result: Result<[Int64], PublishRefusal>) throws -> APIResponse {
        switch result {
        case .success(let seqs): return .json(201, ["seq": .array(seqs.map { .int($0) })])
        case .failure(.notFound): throw APIError.notFound("no workflow \(id)")
        case .failure(.terminal): throw APIError(status: 409, code: "workflow_terminal", message: "workflow \(id) has ended")
        }
    }

    /// The events a publish carries, once its rules are checked.
    private func publishRequest(_ p: Principal, _ id: String, _ request: APIRequest) throws -> [WorkflowEventBody] {
        guard p.role == Role.service else { throw APIError.forbidden("publishing needs a service token") }
        guard WorkflowID.isValid(id) else { throw APIError.notFound("no workflow \(id)") }
        let body = try jsonBody(request)
        let items = body.arrayValue ?? [body]
        guard !items.isEmpty else { throw APIError.badRequest("no events") }
        guard items.count <= settings.limits.maxEventsPerPublish else {
            throw APIError(status: 413, code: "too_many_events", message: "at most \(settings.limits.maxEventsPerPublish) events per request")
        }
        var bodies: [WorkflowEventBody] = []
        for (i, item) in items.enumerated() {
            switch WorkflowEventBody.parsePublished(item) {
            case .success(let b): bodies.append(b)
            case .failure(let v): throw APIError.badRequest(items.count > 1 ? "event \(i): \(v.message)" : v.message)
            }
        }
        if let i = bodies.firstIndex(where: { $0.workflowStatus?.isTerminal == true }), i != bodies.count - 1 {
            throw APIError(status: 409, code: "workflow_terminal", message: "a terminal status must be the batch's last event")
        }
        return bodies
    }
}

/// A refusal whose whole answer is already built (headers, extra fields).
struct AnsweredError: Error {
    let response: APIResponse
}

struct APIError: Error {
    var status: Int
    var code: String
    var message: String

    static func badRequest(_ m: String) -> APIError { .init(status: 400, code: "invalid_request", message: m) }
    static func notFound(_ m: String) -> APIError { .init(status: 404, code: "not_found", message: m) }
    static func forbidden(_ m: String) -> APIError { .init(status: 403, code: "forbidden", message: m) }

    var response: APIResponse { APIError.response(status, code, message) }

    /// The answer a route's error gets: its own when it is a refusal,
    /// `otherwise` for anything unexpected (400 locally, 503 when the
    /// cluster's journal failed).
    static func answer(_ error: Error, otherwise: (Error) -> APIResponse) -> APIResponse {
        switch error {
        case let e as APIError: return e.response
        case let e as AnsweredError: return e.response
        default: return otherwise(error)
        }
    }

    static func response(_ status: Int, _ code: String, _ message: String, headers: [(String, String)] = [],
                         extra: JSONObject = [:]) -> APIResponse {
        var e: JSONObject = ["code": .string(code), "message": .string(message)]
        for (k, v) in extra.entries { e[k] = v }
        return .json(status, ["error": .object(e)], headers: headers)
    }
}

/// The routes of PROTOCOL §7, matched on method and path segments.
enum APIRoute: Equatable {
    case health, metrics, openAPI, stats, createWorkflow
    /// `/` (index.html) and `/assets/<path>`: the task-cards page.
    case page(String)
    case readWorkflow(String), publishEvents(String), cancelWorkflow(String)
    case wrongMethod, unknown

    /// The route as a `route` label: ids and asset paths templated, so the
    /// label set stays bounded whatever clients send.
    var template: String {
        switch self {
        case .health: return "/health"
        case .metrics: return "/metrics"
        case .openAPI: return "/openapi.json"
        case .stats: return "/api/v1/websocket/stats"
        case .createWorkflow: return "/api/v1/workflows"
        case .page: return "/assets/{path}"
        case .readWorkflow: return "/api/v1/workflows/{id}"
        case .publishEvents: return "/api/v1/workflows/{id}/events"
        case .cancelWorkflow: return "/api/v1/workflows/{id}/cancel"
        case .wrongMethod, .unknown: return "unmatched"
        }
    }

    /// Routes that read or write workflows (the journal, in cluster mode).
    var touchesJournal: Bool {
        switch self {
        case .createWorkflow, .readWorkflow, .publishEvents, .cancelWorkflow: return true
        default: return false
        }
    }

    init(method: String, path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let get = method == "GET" || method == "HEAD", post = method == "POST"
        func pick(_ ok: Bool, _ r: APIRoute) -> APIRoute { ok ? r : .wrongMethod }
        if parts.isEmpty && path.hasPrefix("/") { self = pick(get, .page("index.html")); return }
        if parts.count >= 2 && parts[0] == "assets" { self = pick(get, .page(parts.dropFirst().joined(separator: "/"))); return }
        switch parts.count {
        case 1 where parts[0] == "health": self = pick(get, .health)
        case 1 where parts[0] == "metrics": self = pick(get, .metrics)
        case 1 where parts[0] == "openapi.json": self = pick(get, .openAPI)
        case 3 where parts[0] == "api" && parts[1] == "v1" && parts[2] == "workflows": self = pick(post, .createWorkflow)
        case 4 where parts[0] == "api" && parts[1] == "v1" && parts[2] == "websocket" && parts[3] == "stats": self = pick(get, .stats)
        case 4 where parts[0] == "api" && parts[1] == "v1" && parts[2] == "workflows": self = pick(get, .readWorkflow(String(parts[3])))
        case 5 where parts[0] == "api" && parts[1] == "v1" && parts[2] == "workflows" && parts[4] == "events":
            self = pick(post, .publishEvents(String(parts[3])))
        case 5 where parts[0] == "api" && parts[1] == "v1" && parts[2] == "workflows" && parts[4] == "cancel":
            self = pick(post, .cancelWorkflow(String(parts[3])))
        default: self = .unknown
        }
    }
}
