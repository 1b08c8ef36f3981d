import Foundation

/// Why a request to the registry failed for good.
public enum FetchError: Error, LocalizedError, Sendable {
    /// A status that retrying will not fix (400, 404, …), with the registry's plain-text reason.
    case rejected(status: Int, url: String, message: String)
    /// The study id is unknown to the registry.
    case notFound(nctId: String, url: String)
    /// Every attempt failed; the last failure is given.
    case gaveUp(url: String, attempts: Int, lastFailure: String)
    /// The run's retry budget is spent.
    case retryBudgetSpent(url: String, lastFailure: String)
    /// A response that is not what the API returns (a redirect without a location, …).
    case invalidResponse(url: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .rejected(let status, let url, let message):
            let reason = message.trimmingCharacters(in: .whitespacesAndNewlines)
            return "the registry answered \(status) for \(url)" + (reason.isEmpty ? "" : ": \(reason.prefix(300))")
        case .notFound(let id, let url):
            return "\(id) is not in the registry (404 for \(url))"
        case .gaveUp(let url, let attempts, let last):
            return "giving up on \(url) after \(attempts) attempts: \(last)"
        case .retryBudgetSpent(let url, let last):
            return "retry budget spent at \(url): \(last)"
        case .invalidResponse(let url, let reason):
            return "unexpected response from \(url): \(reason)"
        }
    }

    /// True when the failure came from the network or the registry's load rather than from the request itself;
    /// such a run ends partial and the next run can complete it.
    public var isTransient: Bool {
        switch self {
        case .gaveUp, .retryBudgetSpent: return true
        case .rejected, .notFound, .invalidResponse: return false
        }
    }
}
