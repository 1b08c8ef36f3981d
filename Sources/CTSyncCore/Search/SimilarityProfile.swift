import Foundation

/// What `ctsync similar` compares between two studies, stored per study as JSON in `search_facets.profile`.
public struct SimilarityProfile: Sendable, Equatable, Codable {
    /// Condition MeSH terms as `(id or term) → display term`.
    public var conditionMesh: [String: String] = [:]
    /// Condition MeSH ancestors, the same way.
    public var conditionAncestors: [String: String] = [:]
    /// Folded condition texts → display text.
    public var conditions: [String: String] = [:]
    /// Intervention MeSH terms (`interventionBrowseModule.meshes`), `(id or term) → display term`.
    public var interventionMesh: [String: String] = [:]
    /// Intervention types (`DRUG`, `BIOLOGICAL`, …).
    public var interventionTypes: [String] = []
    /// Normalized intervention names and other names (`InterventionNames.normalize`) → a display name.
    public var interventionNames: [String: String] = [:]
    public var phases: [String] = []
    public var studyType: String?
    public var allocation: String?
    public var primaryPurpose: String?
    /// Stems of the titles and the start of the brief summary (`TextTokens.stems`).
    public var textStems: [String] = []

    public init() {}
}
