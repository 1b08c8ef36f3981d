/// One study found by `ctsync search`.
public struct SearchHit: Sendable, Equatable, Codable {
    public var nctId: String
    public var overallStatus: String?
    public var phases: [String]
    public var title: String?
    public var conditions: [String]
    /// A piece of the best-matching field with the matches in `[…]`.
    public var snippet: String
    /// bm25 relevance, higher is better (SQLite's bm25 negated).
    public var score: Double
}
