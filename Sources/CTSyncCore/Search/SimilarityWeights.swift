/// How much each kind of shared trait adds to the `ctsync similar` score: the one place to tune it.
///
/// A score is a sum of points; each reason shown with a result comes from one of these terms. Per-item points are
/// capped (`…Cap`) so that a long list of shared ancestors or conditions cannot swamp the rest.
public struct SimilarityWeights: Sendable, Equatable, Codable {
    /// Each shared condition MeSH term (by descriptor id).
    public var conditionMesh = 3.0
    /// Each shared condition MeSH ancestor (broader terms: "Respiratory Tract Infections").
    public var conditionAncestor = 0.5
    public var conditionAncestorCap = 2.0
    /// Each shared condition text not already counted through MeSH (folded: case, accents, punctuation).
    public var conditionText = 2.0
    /// Shared condition points cap (MeSH + text).
    public var conditionCap = 9.0
    /// Each shared intervention MeSH term.
    public var interventionMesh = 3.0
    /// Each shared normalized intervention name (`InterventionNames`), placebo and standard of care excepted.
    public var interventionName = 4.0
    public var interventionCap = 10.0
    /// At least one shared intervention type (DRUG, BIOLOGICAL, …).
    public var interventionType = 1.0
    /// At least one shared phase.
    public var phase = 1.0
    public var studyType = 0.5
    public var allocation = 0.5
    public var primaryPurpose = 0.5
    /// Multiplies the Jaccard similarity (0…1) of title and summary stems.
    public var text = 4.0
    /// Candidates scored in full: the studies whose shared condition and intervention terms (MeSH ids, ancestors,
    /// folded condition texts, normalized intervention names) add the most points by the weights above and their
    /// caps (found through the `search_terms` postings).
    public var candidates = 400
    /// At most this many postings (study rows of `search_terms`) are read to find the candidates: the target's terms
    /// weightiest and rarest first, a term with more studies than the budget left skipped. Keeps `similar` bounded
    /// when a term (a broad MeSH ancestor) is shared by a large share of the registry.
    public var candidatePostings = 20_000

    public init() {}
}
