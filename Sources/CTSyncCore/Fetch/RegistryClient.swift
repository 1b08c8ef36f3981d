import Foundation

/// Something the client did that a person watching a run may want to see (retries, waits).
public enum FetchEvent: Sendable {
    case request(url: String)
    case retry(url: String, attempt: Int, delay: TimeInterval, reason: String)
}

/// One page of `GET /studies`.
public struct StudyPage: Sendable {
    /// Studies that were read, and those that could not be (each with its error); one bad study never hides the others.
    public var records: [StudyRecord]
    public var failures: [RecordError]
    public var nextPageToken: String?
    public var totalCount: Int?
}

/// What a single-study request found.
public struct FetchedStudy: Sendable {
    public var record: StudyRecord
    /// Set when the id asked for was an alias that the registry redirected (301) to this canonical id.
    public var aliasOf: NCTID?
}

/// How a whole listing ended.
public struct ListingOutcome: Sendable {
    public var pages = 0
    public var received = 0
    public var totalCount: Int?
    public var maxLastUpdatePosted: String?
}

/// The ClinicalTrials.gov data API v2, spoken politely: a throttle, retries with backoff and jitter that honour
/// `Retry-After`, and a retry budget per run.
public actor RegistryClient {
    public let baseURL: String
    private let transport: HTTPTransport
    private let policy: RequestPolicy
    private let sleep: @Sendable (TimeInterval) async throws -> Void
    private let onEvent: @Sendable (FetchEvent) -> Void
    private var nextSlot: ContinuousClock.Instant?
    private var rng = SystemRandomNumberGenerator()

    /// Requests sent in this run, retries included.
    public private(set) var requestCount = 0
    /// Retries spent in this run.
    public private(set) var retriesUsed = 0

    public init(baseURL: String, transport: HTTPTransport, policy: RequestPolicy = RequestPolicy(),
                sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(for: .seconds($0)) },
                onEvent: @escaping @Sendable (FetchEvent) -> Void = { _ in }) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.transport = transport
        self.policy = policy
        self.sleep = sleep
        self.onEvent = onEvent
    }

    // MARK: - Listing

    /// Lists every study matching `query`, page by page, calling `body` with each page as it arrives.
    ///
    /// The first page asks for `countTotal`; later pages repeat the first page's parameters with `pageToken`.
    /// The listing ends when no token comes back, or on an empty page even if a token does.
    public func list(_ query: StudyQuery, pageSize: Int = 1000,
                     body: (StudyPage) async throws -> Void) async throws -> ListingOutcome {
        var outcome = ListingOutcome()
        var token: String?
        var tokensSeen = Set<String>()
        repeat {
            var params = query.parameters
            params.append(("pageSize", String(pageSize)))
            if let token { params.append(("pageToken", token)) } else { params.append(("countTotal", "true")) }
            let url = "\(baseURL)/studies?\(URLEncoding.query(params))"
            let page = try await fetchPage(url)
            outcome.pages += 1
            outcome.received += page.records.count + page.failures.count
            if token == nil { outcome.totalCount = page.totalCount }
            for record in page.records {
                if let d = record.lastUpdatePosted, d > (outcome.maxLastUpdatePosted ?? "") { outcome.maxLastUpdatePosted = d }
            }
            try await body(page)
            let empty = page.records.isEmpty && page.failures.isEmpty
            token = empty ? nil : page.nextPageToken
            if let t = token, !tokensSeen.insert(t).inserted {
                throw FetchError.invalidResponse(url: "\(baseURL)/studies", reason: "the same nextPageToken came back twice; the listing would never end")
            }
        } while token != nil
        return outcome
    }

    private func fetchPage(_ url: String) async throws -> StudyPage {
        try await withRetries(url) { response in
            let document = try JSONParser.parse(response.body)
            guard case .object = document else { throw ResponseProblem("a page must be a JSON object") }
            guard let studies = document["studies"]?.arrayValue else { throw ResponseProblem("no 'studies' array") }
            var page = StudyPage(records: [], failures: [], nextPageToken: document["nextPageToken"]?.stringValue,
                                 totalCount: document["totalCount"]?.intValue)
            for (n, study) in studies.enumerated() {
                do {
                    page.records.append(try StudyRecord(json: study))
                } catch var error as RecordError {
                    if error.nctId == nil { error.nctId = "study #\(n + 1) of the page" }
                    page.failures.append(error)
                }
            }
            return page
        }
    }

    // MARK: - Single studies

    /// Fetches one study by id, following a 301 from an alias id to its canonical study.
    public func study(_ id: NCTID) async throws -> FetchedStudy {
        let url = "\(baseURL)/studies/\(id.rawValue)"
        let first = try await withRetries(url, acceptRedirect: true) { $0 }
        if first.status == 404 { throw FetchError.notFound(nctId: id.rawValue, url: url) }
        var response = first
        var alias: NCTID?
        if (300...399).contains(first.status) {
            guard let location = first.headers["location"], !location.isEmpty else {
                throw FetchError.invalidResponse(url: url, reason: "\(first.status) without a Location header")
            }
            let target = Self.resolve(location, against: url)
            alias = id
            response = try await withRetries(target, acceptRedirect: true) { $0 }
            if response.status == 404 { throw FetchError.notFound(nctId: id.rawValue, url: target) }
            guard (200...299).contains(response.status) else {
                throw FetchError.invalidResponse(url: target, reason: "a redirect led to \(response.status)")
            }
        }
        let record = try StudyRecord(json: try Self.document(response, url: url, what: "the study"))
        return FetchedStudy(record: record, aliasOf: alias.flatMap { $0 == record.nctId ? nil : $0 })
    }

    // MARK: - Retries

    /// A 200 response whose body does not make sense: retried like a transient failure.
    struct ResponseProblem: Error, LocalizedError {
        var reason: String
        init(_ reason: String) { self.reason = reason }
        var errorDescription: String? { reason }
    }

    /// Sends GET `url` until it succeeds and `decode` accepts the body, within the attempt limit and the run's
    /// retry budget.
    func withRetries<T>(_ url: String, acceptRedirect: Bool = false,
                                decode: (HTTPResponse) throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            let failure: String
            var retryAfter: TimeInterval?
            do {
                try await throttle()
                requestCount += 1
                onEvent(.request(url: url))
                let response = try await transport.send(HTTPRequest(url: url, headers: [("Accept", "application/json")]))
                switch response.status {
                case 200...299:
                    do {
                        return try decode(response)
                    } catch {
                        failure = "unreadable body: \(error.localizedDescription)"
                    }
                case 300...399 where acceptRedirect, 404 where acceptRedirect:
                    return try decode(response)
                case let s where RequestPolicy.isRetryable(status: s):
                    failure = "HTTP \(s)"
                    retryAfter = RequestPolicy.retryAfter(response.headers["retry-after"], now: Date())
                default:
                    throw FetchError.rejected(status: response.status, url: url, message: response.text)
                }
            } catch let error as TransportError {
                failure = "\(error.message) (curl error \(error.code))"
            }
            if attempt >= policy.maxAttempts {
                throw FetchError.gaveUp(url: url, attempts: attempt, lastFailure: failure)
            }
            if retriesUsed >= policy.retryBudget {
                throw FetchError.retryBudgetSpent(url: url, lastFailure: failure)
            }
            retriesUsed += 1
            let delay = policy.delay(beforeRetry: attempt, retryAfter: retryAfter, jitter: Double.random(in: 0...1, using: &rng))
            onEvent(.retry(url: url, attempt: attempt, delay: delay, reason: failure))
            try await sleep(delay)
        }
    }

    /// Waits for the next request slot so that requests start at most `requestsPerSecond` apart.
    private func throttle() async throws {
        guard policy.requestsPerSecond > 0 else { return }
        let interval = Duration.seconds(1 / policy.requestsPerSecond)
        let now = ContinuousClock.now
        if let slot = nextSlot, slot > now {
            nextSlot = slot + interval
            try await sleep(Double((slot - now).components.attoseconds) / 1e18 + Double((slot - now).components.seconds))
        } else {
            nextSlot = now + interval
        }
    }

    /// The body of a response that must be JSON, or `invalidResponse` naming the URL and what was expected.
    static func document(_ response: HTTPResponse, url: String, what: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(response.body)
        } catch {
            throw FetchError.invalidResponse(url: url, reason: "\(what) is not JSON: \(error.localizedDescription)")
        }
    }

    static func resolve(_ location: String, against url: String) -> String {
        if location.hasPrefix("http://") || location.hasPrefix("https://") { return location }
        guard let base = URL(string: url), let resolved = URL(string: location, relativeTo: base) else { return location }
        return resolved.absoluteString
    }
}
