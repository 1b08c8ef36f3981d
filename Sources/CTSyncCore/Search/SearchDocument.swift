import Foundation

/// One study as the search index holds it: the full-text columns, the filterable facets, and the similarity
/// profile. Built from the latest version of a study when it is stored, so the index follows every new version.
public struct SearchDocument: Sendable, Equatable {
    public var nctId: String

    // MARK: Full-text columns (see `SearchWeights` for their order and weights)

    /// Brief title, official title and acronym.
    public var title: String
    public var conditions: String
    public var keywords: String
    /// Condition MeSH terms and their ancestors.
    public var mesh: String
    /// Intervention names, other names and intervention MeSH terms.
    public var interventions: String
    /// Brief summary and detailed description.
    public var summary: String
    /// Lead sponsor and collaborators.
    public var sponsor: String

    // MARK: Facets

    public var overallStatus: String?
    public var phases: [String]
    public var studyType: String?
    public var countries: [String]
    public var hasResults: Bool
    /// `yyyy`, `yyyy-MM` or `yyyy-MM-dd`, as precise as the record.
    public var startDate: String?
    public var allocation: String?
    public var primaryPurpose: String?

    public var profile: SimilarityProfile {
        didSet { (storedProfile, postingTerms) = (profile.storedJSON, profile.postingTerms) }
    }
    /// `profile.storedJSON` and `profile.postingTerms`, made with the document (on the import workers) so that the
    /// store's single writer only binds them.
    public private(set) var storedProfile: String
    public private(set) var postingTerms: [String]

    /// Reads the index fields of a v2 study document; a document the normalizer rejects still gets its id and
    /// titles indexed from `summary`, so it stays findable. Neither the criteria nor the contacts are normalized:
    /// the document reads none of them.
    public init(json: JSONValue, summary fallback: StudySummary) {
        guard let trial = try? Trial(v2: json, indexOnly: true) else {
            self.init(fallback: fallback)
            return
        }
        self.init(trial: trial, json: json)
    }

    private init(fallback s: StudySummary) {
        nctId = s.nctId
        title = [s.briefTitle, s.officialTitle].compactMap { $0 }.joined(separator: "\n")
        conditions = s.conditions.joined(separator: "\n")
        keywords = ""
        mesh = ""
        interventions = s.interventions.joined(separator: "\n")
        summary = ""
        sponsor = s.leadSponsor ?? ""
        overallStatus = s.overallStatus
        phases = s.phases
        studyType = s.studyType
        countries = []
        hasResults = false
        startDate = s.startDate
        var p = SimilarityProfile()
        p.phases = s.phases
        p.studyType = s.studyType
        profile = p
        (storedProfile, postingTerms) = (p.storedJSON, p.postingTerms)
    }

    /// Builds the document from the normalized trial, plus the intervention MeSH terms of the raw JSON (which the
    /// normalized model does not carry).
    public init(trial t: Trial, json: JSONValue?) {
        nctId = t.nctId
        var lines = Lines()
        lines.append(t.briefTitle)
        lines.append(t.officialTitle)
        lines.append(t.acronym)
        title = lines.take()
        conditions = t.conditions.joined(separator: "\n")
        keywords = t.keywords.joined(separator: "\n")
        for m in t.meshTerms { lines.append(m.term) }
        for m in t.meshAncestors { lines.append(m.term) }
        mesh = lines.take()
        let interventionMesh = SearchDocument.interventionMesh(json)
        for i in t.interventions {
            lines.append(i.name)
            for n in i.otherNames { lines.append(n) }
        }
        for m in interventionMesh { lines.append(m.term) }
        interventions = lines.take()
        lines.append(t.briefSummary)
        lines.append(t.detailedDescription)
        summary = lines.take()
        lines.append(t.sponsor?.name)
        for c in t.collaborators { lines.append(c.name) }
        sponsor = lines.take()

        overallStatus = t.overallStatus?.rawValue
        phases = t.phases.map(\.rawValue)
        studyType = t.studyType?.rawValue
        countries = Trial.distinctTrimmed(t.locations.compactMap(\.country))
        hasResults = t.hasResults
        startDate = t.startDate?.text
        allocation = t.design.allocation?.rawValue
        primaryPurpose = t.design.primaryPurpose?.rawValue

        var p = SimilarityProfile()
        for m in t.meshTerms { p.conditionMesh[m.id ?? m.term.lowercased()] = m.term }
        for m in t.meshAncestors { p.conditionAncestors[m.id ?? m.term.lowercased()] = m.term }
        for c in t.conditions { p.conditions[InterventionNames.fold(c)] = c }
        for m in interventionMesh { p.interventionMesh[m.id ?? m.term.lowercased()] = m.term }
        p.interventionTypes = Array(Set(t.interventions.compactMap { $0.type?.rawValue })).sorted()
        for i in t.interventions {
            func add(_ n: String) {
                if let key = InterventionNames.normalize(n), p.interventionNames[key] == nil {
                    p.interventionNames[key] = i.name ?? n
                }
            }
            if let name = i.name { add(name) }
            for n in i.otherNames { add(n) }
        }
        p.phases = phases
        p.studyType = studyType
        p.allocation = allocation
        p.primaryPurpose = primaryPurpose
        // The titles, then the brief summary, each after a space: one string, made once.
        var words = ""
        words.reserveCapacity((t.briefTitle?.utf8.count ?? 0) + (t.officialTitle?.utf8.count ?? 0)
                              + (t.briefSummary?.utf8.count ?? 0) + 2)
        if let b = t.briefTitle { words += b }
        if let o = t.officialTitle {
            if t.briefTitle != nil { words += " " }
            words += o
        }
        words += " "
        if let s = t.briefSummary { words += s }
        p.textStems = TextTokens.stems(words, limit: 80)
        profile = p
        (storedProfile, postingTerms) = (p.storedJSON, p.postingTerms)
    }

    /// Texts joined by line breaks, as `[String].joined(separator: "\n")` joins them, nil ones left out.
    private struct Lines {
        private var text = ""
        private var empty = true

        mutating func append(_ line: String?) {
            guard let line else { return }
            if !empty { text += "\n" }
            text += line
            empty = false
        }

        /// The text so far; starts again empty.
        mutating func take() -> String {
            defer { (text, empty) = ("", true) }
            return text
        }
    }

    private static func interventionMesh(_ json: JSONValue?) -> [Trial.MeshTerm] {
        guard let list = json?[path: "derivedSection.interventionBrowseModule.meshes"]?.arrayValue else { return [] }
        return list.compactMap { node in
            guard let term = node["term"]?.stringValue else { return nil }
            return Trial.MeshTerm(id: node["id"]?.stringValue, term: term)
        }
    }
}
