import Foundation

/// What to ask `GET /studies` for: the query areas, filters and ids of a watch or of one command line.
public struct StudyQuery: Sendable, Equatable, Codable {
    public var cond: String?
    public var term: String?
    public var intr: String?
    /// `filter.overallStatus` values, such as `RECRUITING`.
    public var statuses: [String]
    /// `filter.ids`.
    public var ids: [String]
    /// `filter.advanced`, an Essie expression.
    public var advanced: String?

    public init(cond: String? = nil, term: String? = nil, intr: String? = nil, statuses: [String] = [],
                ids: [String] = [], advanced: String? = nil) {
        self.cond = cond
        self.term = term
        self.intr = intr
        self.statuses = statuses
        self.ids = ids
        self.advanced = advanced
    }

    /// True when nothing narrows the query (it would list the whole registry).
    public var isEmpty: Bool {
        cond == nil && term == nil && intr == nil && statuses.isEmpty && ids.isEmpty && advanced == nil
    }

    /// The same query limited to studies whose last update was posted on or after `date` (`yyyy-MM-dd`).
    public func updatedSince(_ date: String) -> StudyQuery {
        var q = self
        let range = "AREA[LastUpdatePostDate]RANGE[\(date),MAX]"
        q.advanced = advanced.map { "(\($0)) AND \(range)" } ?? range
        return q
    }

    /// The query's parameters in a fixed order, as `GET /studies` takes them.
    public var parameters: [(String, String)] {
        var p: [(String, String)] = []
        if let cond { p.append(("query.cond", cond)) }
        if let term { p.append(("query.term", term)) }
        if let intr { p.append(("query.intr", intr)) }
        if !statuses.isEmpty { p.append(("filter.overallStatus", statuses.joined(separator: ","))) }
        if !ids.isEmpty { p.append(("filter.ids", ids.joined(separator: ","))) }
        if let advanced { p.append(("filter.advanced", advanced)) }
        return p
    }

    /// A one-line description for people, e.g. `cond="COVID-19" intr="mesenchymal stem cells"`.
    public var summary: String {
        let parts = parameters.map { "\($0.0.split(separator: ".").last!)=\"\($0.1)\"" }
        return parts.isEmpty ? "(all studies)" : parts.joined(separator: " ")
    }
}

/// Percent-encoding of query parameters: only RFC 3986 unreserved characters stay as they are.
enum URLEncoding {
    private static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))

    static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            if unreserved.contains(b) {
                out.append(Character(Unicode.Scalar(b)))
            } else {
                out += String(format: "%%%02X", b)
            }
        }
        return out
    }

    static func query(_ items: [(String, String)]) -> String {
        items.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }
}
