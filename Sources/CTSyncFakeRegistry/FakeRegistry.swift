import CTSyncCore
import Foundation

/// A stand-in for the ClinicalTrials.gov data API v2 on loopback, serving real records from a folder.
///
/// It speaks the API's paging (`pageSize`, `pageToken`/`nextPageToken`, `countTotal`/`totalCount`), filters
/// (`filter.ids`, `filter.overallStatus`, `filter.advanced` with a `LastUpdatePostDate` range) and query areas
/// (`query.cond`, `query.term`, `query.intr`, matched as plain case-insensitive text), answers an alias id with a
/// 301, and injects faults on request. Tests start it in-process; `ctsync-fake-registry` runs it for demos.
public final class FakeRegistry: @unchecked Sendable {
    /// A misbehaviour for the next matching request(s).
    public enum Fault: Sendable, Equatable {
        /// Answer with this status (and `Retry-After` when given) and a plain-text body.
        case status(Int, retryAfter: String? = nil)
        /// Wait this long before answering (past the client's timeout, say).
        case delay(TimeInterval)
        /// Promise the whole body, send half of it, and close the connection.
        case closeMidBody
        /// Answer 200 with a body that is not JSON.
        case invalidJSON
        /// Answer an empty `studies` page that still carries a `nextPageToken`.
        case emptyPageWithToken
    }

    /// Which requests a fault applies to.
    public enum Route: Sendable, Equatable {
        case list, study, any
        /// The internal API's record history (`/api/int/studies/…`).
        case history
    }

    /// A request as the registry saw it.
    public struct Request: Sendable {
        public var path: String
        public var parameters: [String: String]
    }

    private let lock = NSLock()
    private var studies: [String: Prepared] = [:]
    private var aliases: [String: String] = [:]
    private var faults: [(Route, Fault)] = []
    private var log: [Request] = []
    private var server: LoopbackServer?

    /// The largest page the registry serves, like the real one's 1,000.
    public var maxPageSize: Int {
        get { lock.withLock { _maxPageSize } }
        set { lock.withLock { _maxPageSize = newValue } }
    }
    private var _maxPageSize = 1000

    /// A pause before every page of `GET /studies`, to make a run slow enough to interrupt.
    public var pageDelay: TimeInterval {
        get { lock.withLock { _pageDelay } }
        set { lock.withLock { _pageDelay = newValue } }
    }
    private var _pageDelay: TimeInterval = 0

    /// Added to every `totalCount`, so that a listing looks shorter than its total (a gap).
    public var totalCountBonus: Int {
        get { lock.withLock { _totalCountBonus } }
        set { lock.withLock { _totalCountBonus = newValue } }
    }
    private var _totalCountBonus = 0

    /// The port it listens on (after `start`).
    public private(set) var port: UInt16 = 0

    /// The API base URL to hand to ctsync, e.g. `http://127.0.0.1:41234/api/v2`.
    public var baseURL: String { "http://127.0.0.1:\(port)/api/v2" }

    public init(studies: [JSONValue]) {
        for study in studies { put(study) }
    }

    /// Serves studies prepared once (see `prepare`), so that many registries can share the work.
    public init(prepared: [Prepared]) {
        for p in prepared { studies[p.id] = p }
    }

    /// A study with its serialized bytes and search text worked out once.
    public struct Prepared: Sendable {
        public let id: String
        public let json: JSONValue
        let bytes: Data
        let text: SearchText
    }

    /// Prepares studies for `init(prepared:)`.
    public static func prepare(_ studies: [JSONValue]) -> [Prepared] {
        studies.compactMap { study in
            guard let id = study[path: "protocolSection.identificationModule.nctId"]?.stringValue else { return nil }
            return prepare(study, id: id)
        }
    }

    private static func prepare(_ study: JSONValue, id: String) -> Prepared {
        let bytes = study.canonicalData()
        return Prepared(id: id, json: study, bytes: bytes, text: SearchText(study, canonical: bytes))
    }

    deinit { stop() }

    // MARK: - Records

    /// Reads every v2 study under `records/v2` and `records/pages` (single studies, arrays and pages); where an id
    /// appears more than once the fullest copy (the largest document) is kept.
    public static func loadStudies(from records: URL) throws -> [JSONValue] {
        var byID: [String: (JSONValue, Int)] = [:]
        let fm = FileManager.default
        for folder in ["v2", "pages"] {
            let dir = records.appendingPathComponent(folder)
            let names = try fm.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
            for name in names {
                let document = try JSONParser.parse(try Data(contentsOf: dir.appendingPathComponent(name)))
                let list: [JSONValue]
                if let array = document.arrayValue {
                    list = array
                } else if let page = document["studies"]?.arrayValue {
                    list = page
                } else {
                    list = [document]
                }
                for study in list {
                    guard let id = study[path: "protocolSection.identificationModule.nctId"]?.stringValue else { continue }
                    let size = study.canonicalData().count
                    if let existing = byID[id], existing.1 >= size { continue }
                    byID[id] = (study, size)
                }
            }
        }
        return byID.keys.sorted().map { byID[$0]!.0 }
    }

    /// Adds or replaces a study (by its NCT id): how tests change a record on the registry side.
    ///
    /// `id` serves a study that has no readable NCT id of its own (a malformed record) under that key.
    public func put(_ study: JSONValue, as key: String? = nil) {
        guard let id = key ?? study[path: "protocolSection.identificationModule.nctId"]?.stringValue else { return }
        let prepared = Self.prepare(study, id: id)
        lock.withLock { studies[id] = prepared }
    }

    /// The study the registry serves for `id`.
    public func study(_ id: String) -> JSONValue? {
        lock.withLock { studies[id]?.json }
    }

    /// Every id it serves, sorted.
    public var ids: [String] { lock.withLock { studies.keys.sorted() } }

    /// Stops serving a study (it then answers 404).
    public func remove(_ id: String) {
        lock.withLock { studies[id] = nil }
    }

    /// Makes `alias` answer 301 to `canonical`.
    public func addAlias(_ alias: String, canonical: String) {
        lock.withLock { aliases[alias] = canonical }
    }

    /// Queues a fault for the next `count` requests on `route`.
    public func inject(_ fault: Fault, on route: Route = .list, count: Int = 1) {
        lock.withLock {
            for _ in 0..<count { faults.append((route, fault)) }
        }
    }

    /// Requests received so far.
    public var requests: [Request] { lock.withLock { log } }

    /// Forgets the request log.
    public func clearRequests() { lock.withLock { log.removeAll() } }

    // MARK: - Serving

    /// Listens on 127.0.0.1 at `port` (0: any free port) and serves on background threads until `stop`.
    public func start(port requested: UInt16 = 0) throws {
        let server = LoopbackServer { [weak self] request in
            self?.handle(request) ?? .response(Response(status: 503, text: "stopped"))
        }
        try server.start(port: requested)
        lock.withLock { self.server = server }
        port = server.port
    }

    /// Stops listening; connections in progress finish on their own.
    public func stop() {
        let server = lock.withLock { () -> LoopbackServer? in
            defer { self.server = nil }
            return self.server
        }
        server?.stop()
    }

    private func handle(_ request: LoopbackServer.Request) -> LoopbackServer.Reply {
        let path = request.path
        let parameters = request.parameters
        lock.withLock { log.append(Request(path: path, parameters: parameters)) }
        let route: Route = path.hasPrefix("/api/int/") ? .history : path.hasSuffix("/studies") ? .list : .study
        if let fault = takeFault(for: route) {
            switch fault {
            case .status(let code, let retryAfter):
                var r = Response(status: code, text: "injected \(code)")
                if let retryAfter { r.headers.append(("Retry-After", retryAfter)) }
                return .response(r)
            case .delay(let seconds):
                Thread.sleep(forTimeInterval: seconds)
            case .closeMidBody:
                let full = respond(path: path, parameters: parameters)
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(full.body.count)\r\nConnection: close\r\n\r\n"
                return .raw(Data(head.utf8) + full.body.prefix(full.body.count / 2))
            case .invalidJSON:
                return .response(Response(status: 200, body: Data(#"{"studies": [{"protocolSection": {"#.utf8), type: "application/json"))
            case .emptyPageWithToken:
                return .response(Response(status: 200, body: Data(#"{"studies":[],"nextPageToken":"AAAA-empty"}"#.utf8), type: "application/json"))
            }
        }
        let delay = pageDelay
        if route == .list, delay > 0 { Thread.sleep(forTimeInterval: delay) }
        return .response(respond(path: path, parameters: parameters))
    }

    private func takeFault(for route: Route) -> Fault? {
        lock.withLock {
            guard let i = faults.firstIndex(where: { $0.0 == route || $0.0 == .any }) else { return nil }
            return faults.remove(at: i).1
        }
    }

    // MARK: - The API

    private static let knownParameters: Set<String> = [
        "format", "markupFormat", "query.cond", "query.term", "query.locn", "query.titles", "query.intr", "query.outc",
        "query.spons", "query.lead", "query.id", "query.patient", "filter.overallStatus", "filter.geo", "filter.ids",
        "filter.advanced", "filter.synonyms", "aggFilters", "geoDecay", "fields", "sort", "countTotal", "pageSize",
        "pageToken",
    ]

    /// Each study's record history, served under `/api/int` (see `RegistryHistories`).
    public let histories = RegistryHistories()

    func respond(path: String, parameters: [String: String]) -> Response {
        if path.hasPrefix("/api/int/") {
            return histories.respond(path: String(path.dropFirst("/api/int".count)), parameters: parameters,
                                     current: { [weak self] in self?.study($0) })
        }
        let prefix = "/api/v2"
        guard path.hasPrefix(prefix) else { return Response(status: 404, text: "Not Found") }
        let rest = String(path.dropFirst(prefix.count))
        if rest == "/version" {
            return Response(status: 200, body: Data(#"{"apiVersion":"2.0.5","dataTimestamp":"2026-11-25T09:00:05"}"#.utf8),
                            type: "application/json")
        }
        if rest == "/studies" { return list(parameters) }
        if rest.hasPrefix("/studies/") {
            let id = String(rest.dropFirst("/studies/".count)).uppercased()
            return single(id)
        }
        return Response(status: 404, text: "Not Found")
    }

    private func single(_ id: String) -> Response {
        let (study, alias): (Prepared?, String?) = lock.withLock {
            if let canonical = aliases[id] { return (nil, canonical) }
            if let s = studies[id] { return (s, nil) }
            let owner = studies.first { $0.value.text.aliases.contains(id) }?.key
            return (nil, owner)
        }
        if let alias {
            var r = Response(status: 301, text: "Moved Permanently")
            r.headers.append(("Location", "/api/v2/studies/\(alias)"))
            return r
        }
        guard let study else { return Response(status: 404, text: "Study not found: \(id)") }
        return Response(status: 200, body: study.bytes, type: "application/json")
    }

    private func list(_ p: [String: String]) -> Response {
        if let unknown = p.keys.sorted().first(where: { !Self.knownParameters.contains($0) }) {
            return Response(status: 400, text: "`\(unknown)` is unknown parameter")
        }
        var pageSize = Int(p["pageSize"] ?? "10") ?? -1
        if pageSize < 0 { return Response(status: 400, text: "Parameter 'pageSize' must be a non-negative integer") }
        if pageSize == 0 { pageSize = 10 }
        pageSize = min(pageSize, maxPageSize)
        let matcher: Matcher
        do { matcher = try Matcher(p) } catch { return Response(status: 400, text: "\(error)") }

        let queryKey = p.filter { !["pageSize", "pageToken", "countTotal"].contains($0.key) }
            .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        var offset = 0
        if let token = p["pageToken"] {
            guard let decoded = Data(base64Encoded: token).map({ String(decoding: $0, as: UTF8.self) }),
                  let bar = decoded.firstIndex(of: "|"), let o = Int(decoded[..<bar]) else {
                return Response(status: 400, text: "Invalid pageToken")
            }
            guard String(decoded[decoded.index(after: bar)...]) == queryKey else {
                return Response(status: 400, text: "pageToken does not match the query: repeat the first page's parameters")
            }
            offset = o
        }
        let matching: [Prepared] = lock.withLock {
            studies.keys.sorted().compactMap { studies[$0] }.filter { matcher.matches($0.text) }
        }
        let page = matching.dropFirst(offset).prefix(pageSize)
        var tail: JSONObject = [:]
        if offset + page.count < matching.count {
            let token = Data("\(offset + page.count)|\(queryKey)".utf8).base64EncodedString()
            tail["nextPageToken"] = .string(token)
        }
        if p["pageToken"] == nil, p["countTotal"] == "true" { tail["totalCount"] = .int(Int64(matching.count + totalCountBonus)) }
        // {"studies":[...], ...}: the studies' bytes are spliced in as they were prepared.
        var body = Data(#"{"studies":["#.utf8)
        for (n, study) in page.enumerated() {
            if n > 0 { body.append(UInt8(ascii: ",")) }
            body.append(study.bytes)
        }
        body.append(UInt8(ascii: "]"))
        let rest = JSONValue.object(tail).canonicalData()
        if rest.count > 2 {
            body.append(UInt8(ascii: ","))
            body.append(rest.dropFirst().dropLast())
        }
        body.append(UInt8(ascii: "}"))
        return Response(status: 200, body: body, type: "application/json")
    }
}

/// The fake registry's responses are the loopback server's.
public typealias Response = LoopbackServer.Response
