import Foundation

/// How politely and how persistently the client talks to the registry.
public struct RequestPolicy: Sendable {
    /// Requests per second at most (0 or less: no limit). The registry documents no limit; 2/s is polite.
    public var requestsPerSecond: Double = 2
    /// Attempts per request before it is given up (the first try included).
    public var maxAttempts: Int = 6
    /// Retries allowed in one run, across all requests; when spent the run ends partial.
    public var retryBudget: Int = 40
    /// First backoff delay; doubled on each retry of the same request, with ±25 % jitter.
    public var backoffBase: TimeInterval = 1
    /// Longest backoff delay.
    public var backoffCap: TimeInterval = 30
    /// Longest wait a `Retry-After` header may ask for.
    public var maxRetryAfter: TimeInterval = 120

    public init() {}

    /// The delay before retry number `retry` (1-based) of one request, honouring `Retry-After` when given.
    public func delay(beforeRetry retry: Int, retryAfter: TimeInterval?, jitter: Double) -> TimeInterval {
        if let retryAfter { return min(max(retryAfter, 0), maxRetryAfter) }
        let exponential = backoffBase * pow(2, Double(max(retry - 1, 0)))
        return min(exponential, backoffCap) * (0.75 + 0.5 * min(max(jitter, 0), 1))
    }

    /// Statuses worth another try: throttling, transient refusals and server errors.
    public static func isRetryable(status: Int) -> Bool {
        status == 403 || status == 408 || status == 429 || (500...599).contains(status)
    }

    /// Parses `Retry-After` as seconds or as an HTTP date.
    public static func retryAfter(_ header: String?, now: Date) -> TimeInterval? {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
        if let seconds = TimeInterval(header) { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: header) else { return nil }
        return max(date.timeIntervalSince(now), 0)
    }
}
