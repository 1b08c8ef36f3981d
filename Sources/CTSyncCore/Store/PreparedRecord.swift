import Foundation

/// A record with the costly work of storing it done ahead: canonical JSON, compression, the current-state fields.
///
/// Building one needs no database, so import workers build them on every core and the single writer only runs
/// SQL. `Store.record(_:)` builds them too: there is one path from a record to a stored version.
public struct PreparedRecord: Sendable {
    public let nctId: NCTID
    /// SHA-256 of the canonical JSON without the volatile fields (`StudyRecord.contentHash`).
    public let contentHash: String
    public let lastUpdatePosted: String?
    public let overallStatus: String?
    /// The key fields for the current-state table.
    public let summary: StudySummary
    /// `summary.phases`, `conditions` and `interventions` as the JSON arrays the current-state table keeps.
    let phasesJSON: String
    let conditionsJSON: String
    let interventionsJSON: String
    /// The canonical JSON compressed (`StoredBody`), as the `versions.raw` column keeps it.
    public let compressed: Data
    /// Bytes of the canonical JSON before compression.
    public let rawSize: Int
    /// What the search index keeps of this version when it becomes the study's latest (normalized off the writer).
    public let search: SearchDocument

    /// Canonicalizes and compresses `record`.
    public init(_ record: StudyRecord) throws {
        let canonical = record.json.canonicalData()
        try self.init(record, canonical: canonical)
    }

    /// Uses `canonical`, the record's canonical JSON already computed (it must be `record.json.canonicalData()`).
    public init(_ record: StudyRecord, canonical: Data) throws {
        nctId = record.nctId
        contentHash = record.contentHash
        lastUpdatePosted = record.lastUpdatePosted
        overallStatus = record.overallStatus
        summary = StudySummary(record: record)
        phasesJSON = JSONValue.canonicalString(of: summary.phases)
        conditionsJSON = JSONValue.canonicalString(of: summary.conditions)
        interventionsJSON = JSONValue.canonicalString(of: summary.interventions)
        compressed = try StoredBody.compress(canonical)
        rawSize = canonical.count
        search = SearchDocument(json: record.json, summary: summary)
    }

    /// What `init(_:canonical:)` reads of a v2 study (through `StudySummary`, `Trial(v2:indexOnly:)` and the search
    /// document): the import builds no more of a study than this (`StudyRecord.withCanonicalForm(of:at:selecting:)`).
    /// The results, outcomes, references and most of the derived section are two thirds of a study's values.
    /// `resultsSection` is read for its presence only: left out, it is there as an empty object. A read added to
    /// those types and not here would differ from the whole tree's record: `JSONTapeTests` holds the two equal on
    /// every real study.
    static let reads = JSONSelection.members([
        "protocolSection": .members([
            "identificationModule": .all, "statusModule": .all, "sponsorCollaboratorsModule": .all,
            "conditionsModule": .all, "descriptionModule": .all, "armsInterventionsModule": .all,
            "designModule": .all, "eligibilityModule": .all, "contactsLocationsModule": .all,
        ]),
        "derivedSection": .members([
            "conditionBrowseModule": .members(["meshes": .all, "ancestors": .all]),
            "interventionBrowseModule": .members(["meshes": .all]),
        ]),
        "hasResults": .all,
    ])

    /// About the memory the record holds: the compressed body, the search document's texts and profile, the rest.
    var approximateBytes: Int {
        let s = search
        let texts = [s.title, s.conditions, s.keywords, s.mesh, s.interventions, s.summary, s.sponsor, s.storedProfile]
        return compressed.count + texts.reduce(0) { $0 + $1.utf8.count } + s.postingTerms.count * 48 + 1_024
    }
}
