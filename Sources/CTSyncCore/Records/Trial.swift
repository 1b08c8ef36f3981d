import Foundation

/// One study, normalized: the same model whether it came from an API v2 JSON document (`Trial(v2:)`) or a legacy
/// `<clinical_study>` XML record (`LegacyXML.parse`).
///
/// What `ctsync show` renders (`TrialPage`) and what `ctsync show --json` prints. The JSON keys are a contract,
/// documented in `docs/model.md`: every key is always written (null or `[]` when the record does not say), enum
/// values are the registry's v2 strings (`"RECRUITING"`, `"PHASE2"`), unknown enum values are kept as sent, and
/// dates are `{"date": "2018-03", "type": "ACTUAL"}`.
public struct Trial: Sendable, Equatable, Codable {
    // MARK: - Identification

    /// `NCT` and eight digits.
    public var nctId: String
    /// Other NCT ids that lead to this study (duplicates the registry merged into it).
    public var nctIdAliases: [String]
    /// The sponsor's own id for the study.
    public var orgStudyId: String?
    public var briefTitle: String?
    public var officialTitle: String?
    public var acronym: String?

    // MARK: - Status

    public var overallStatus: OverallStatus?
    /// The status before the registry set `UNKNOWN` (only then).
    public var lastKnownStatus: OverallStatus?
    public var whyStopped: String?
    public var startDate: PartialDate?
    public var primaryCompletionDate: PartialDate?
    public var completionDate: PartialDate?
    /// When the sponsor last confirmed the record (month precision, no type).
    public var statusVerifiedDate: PartialDate?
    public var firstPosted: PartialDate?
    /// When the registry last posted a change: the incremental-sync key.
    public var lastUpdatePosted: PartialDate?
    /// Whether results were submitted (v2 `hasResults`; a legacy record with `<clinical_results>`).
    public var hasResults: Bool

    // MARK: - Sponsor

    /// The lead sponsor.
    public var sponsor: Sponsor?
    public var collaborators: [Sponsor]

    // MARK: - Conditions

    /// The conditions as given, trimmed, without case-insensitive duplicates, in order.
    public var conditions: [String]
    public var keywords: [String]
    /// The MeSH terms the registry assigned to the conditions (`derivedSection.conditionBrowseModule.meshes`).
    public var meshTerms: [MeshTerm]
    /// Their MeSH ancestors (`conditionBrowseModule.ancestors`); the legacy XML has none.
    public var meshAncestors: [MeshTerm]

    // MARK: - Description

    /// The brief summary (CommonMark from v2; paragraphs from the legacy XML).
    public var briefSummary: String?
    public var detailedDescription: String?

    // MARK: - Arms and interventions

    public var interventions: [Intervention]
    /// Arms (interventional studies) or groups (observational ones).
    public var arms: [ArmGroup]

    // MARK: - Design

    public var studyType: RegistryValue<StudyType>?
    /// True for an observational patient registry; nil when the record does not say.
    public var patientRegistry: Bool?
    /// Empty when not given (observational studies); `[PHASE1, PHASE2]` for a phase 1/2 study.
    public var phases: [RegistryValue<Phase>]
    public var design: Design
    public var enrollment: Enrollment?

    // MARK: - Eligibility

    public var eligibility: Eligibility

    // MARK: - Contacts and locations

    public var centralContacts: [Contact]
    public var overallOfficials: [Contact]
    public var locations: [Location]

    /// A trial with only its id; everything else empty.
    public init(nctId: String) {
        self.nctId = nctId
        nctIdAliases = []
        hasResults = false
        collaborators = []
        conditions = []
        keywords = []
        meshTerms = []
        meshAncestors = []
        interventions = []
        arms = []
        phases = []
        design = Design()
        eligibility = Eligibility()
        centralContacts = []
        overallOfficials = []
        locations = []
    }

    // MARK: - Helpers for the readers

    /// Trims each text and drops empty ones and later case-insensitive duplicates, keeping the first spelling.
    static func distinctTrimmed(_ texts: [String]) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for text in texts {
            let t = text.trimmedWhitespace()
            if t.isEmpty { continue }
            if seen.insert(t.lowercased()).inserted { out.append(t) }
        }
        return out
    }

    // MARK: - Codable

    private enum CodingKeys: String, CodingKey {
        case nctId, nctIdAliases, orgStudyId, briefTitle, officialTitle, acronym
        case overallStatus, lastKnownStatus, whyStopped, startDate, primaryCompletionDate, completionDate
        case statusVerifiedDate, firstPosted, lastUpdatePosted, hasResults
        case sponsor, collaborators, conditions, keywords, meshTerms, meshAncestors
        case briefSummary, detailedDescription, interventions, arms
        case studyType, patientRegistry, phases, design, enrollment, eligibility
        case centralContacts, overallOfficials, locations
    }

    /// Writes every key, with null for what the record does not say.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(nctId, forKey: .nctId)
        try c.encode(nctIdAliases, forKey: .nctIdAliases)
        try c.encode(orgStudyId, forKey: .orgStudyId)
        try c.encode(briefTitle, forKey: .briefTitle)
        try c.encode(officialTitle, forKey: .officialTitle)
        try c.encode(acronym, forKey: .acronym)
        try c.encode(overallStatus, forKey: .overallStatus)
        try c.encode(lastKnownStatus, forKey: .lastKnownStatus)
        try c.encode(whyStopped, forKey: .whyStopped)
        try c.encode(startDate, forKey: .startDate)
        try c.encode(primaryCompletionDate, forKey: .primaryCompletionDate)
        try c.encode(completionDate, forKey: .completionDate)
        try c.encode(statusVerifiedDate, forKey: .statusVerifiedDate)
        try c.encode(firstPosted, forKey: .firstPosted)
        try c.encode(lastUpdatePosted, forKey: .lastUpdatePosted)
        try c.encode(hasResults, forKey: .hasResults)
        try c.encode(sponsor, forKey: .sponsor)
        try c.encode(collaborators, forKey: .collaborators)
        try c.encode(conditions, forKey: .conditions)
        try c.encode(keywords, forKey: .keywords)
        try c.encode(meshTerms, forKey: .meshTerms)
        try c.encode(meshAncestors, forKey: .meshAncestors)
        try c.encode(briefSummary, forKey: .briefSummary)
        try c.encode(detailedDescription, forKey: .detailedDescription)
        try c.encode(interventions, forKey: .interventions)
        try c.encode(arms, forKey: .arms)
        try c.encode(studyType, forKey: .studyType)
        try c.encode(patientRegistry, forKey: .patientRegistry)
        try c.encode(phases, forKey: .phases)
        try c.encode(design, forKey: .design)
        try c.encode(enrollment, forKey: .enrollment)
        try c.encode(eligibility, forKey: .eligibility)
        try c.encode(centralContacts, forKey: .centralContacts)
        try c.encode(overallOfficials, forKey: .overallOfficials)
        try c.encode(locations, forKey: .locations)
    }
}
