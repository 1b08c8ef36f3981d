import Foundation

/// One change between two versions of a study, as people read it and as alerts deliver it.
public struct Change: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case added, removed, changed
    }

    /// How much a change matters to someone watching the trial.
    public enum Significance: String, Sendable, Codable, Comparable, CaseIterable {
        /// Re-indexing and formatting: derived MeSH terms, `versionHolder`, white space, list order.
        case noise
        /// Contacts, sites, titles, descriptions, outcomes text, sponsor and collaborators.
        case minor
        /// Status, why stopped, phases, enrollment, key dates, results, criteria, eligibility, interventions.
        case major

        public static func < (a: Significance, b: Significance) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// What an alert can ask to be told about (`alert add --on …`).
    public enum Category: String, Sendable, Codable, CaseIterable {
        case status, enrollment, dates, criteria, contacts, sites, results, membership, other
    }

    /// Where in the model (or, outside it, the JSON path): `overallStatus`, `enrollment.count`,
    /// `eligibility.inclusion[3]`, `centralContacts[Lucia Silla].email`, `locations[Hospital, City].status`.
    public var path: String
    public var kind: Kind
    public var old: JSONValue?
    public var new: JSONValue?
    public var significance: Significance
    public var category: Category
    /// The change in plain words: "Overall status: Recruiting → Completed".
    public var text: String

    public init(path: String, kind: Kind, old: JSONValue?, new: JSONValue?, significance: Significance,
                category: Category, text: String) {
        self.path = path
        self.kind = kind
        self.old = old
        self.new = new
        self.significance = significance
        self.category = category
        self.text = text
    }

    enum CodingKeys: String, CodingKey { case path, kind, old, new, significance, category, text }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        kind = try c.decode(Kind.self, forKey: .kind)
        significance = try c.decode(Significance.self, forKey: .significance)
        category = try c.decode(Category.self, forKey: .category)
        text = try c.decode(String.self, forKey: .text)
        old = nil
        new = nil
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(kind, forKey: .kind)
        try c.encode(old ?? .null, forKey: .old)
        try c.encode(new ?? .null, forKey: .new)
        try c.encode(significance, forKey: .significance)
        try c.encode(category, forKey: .category)
        try c.encode(text, forKey: .text)
    }
}

/// Turns two versions of a study document into changes; the store calls it inside the transaction that stores
/// the new version, so a change is logged (and queued for alerts) exactly when its version is stored.
public struct ChangeDetector: Sendable {
    public var detect: @Sendable (_ old: JSONValue, _ new: JSONValue) -> [Change]

    public init(detect: @escaping @Sendable (_ old: JSONValue, _ new: JSONValue) -> [Change]) {
        self.detect = detect
    }
}
