import Foundation

/// The key fields of a study that the store keeps in its current-state table for listing and filtering.
public struct StudySummary: Sendable, Equatable, Codable {
    public var nctId: String
    public var briefTitle: String?
    public var officialTitle: String?
    public var overallStatus: String?
    public var phases: [String]
    public var studyType: String?
    public var conditions: [String]
    public var interventions: [String]
    public var leadSponsor: String?
    public var startDate: String?
    public var primaryCompletionDate: String?
    public var completionDate: String?
    public var lastUpdatePosted: String?
    public var enrollment: Int?
    public var enrollmentType: String?

    /// Reads the fields from a v2 study document; absent fields stay nil or empty.
    public init(record: StudyRecord) {
        // Each module is looked up once (every stored and imported study comes through here).
        let p = record.json["protocolSection"] ?? .null
        let identification = p["identificationModule"]
        let status = p["statusModule"]
        let design = p["designModule"]
        func string(_ module: JSONValue?, _ key: String) -> String? { module?[key]?.stringValue }
        func date(_ key: String) -> String? { status?[key]?["date"]?.stringValue }
        func strings(_ value: JSONValue?) -> [String] { value?.arrayValue?.compactMap(\.stringValue) ?? [] }
        nctId = record.nctId.rawValue
        briefTitle = string(identification, "briefTitle")
        officialTitle = string(identification, "officialTitle")
        overallStatus = string(status, "overallStatus")
        phases = strings(design?["phases"])
        studyType = string(design, "studyType")
        conditions = strings(p["conditionsModule"]?["conditions"])
        interventions = (p["armsInterventionsModule"]?["interventions"]?.arrayValue ?? []).compactMap { i in
            guard let name = i["name"]?.stringValue else { return nil }
            guard let type = i["type"]?.stringValue else { return name }
            return type + ": " + name
        }
        leadSponsor = p["sponsorCollaboratorsModule"]?["leadSponsor"]?["name"]?.stringValue
        startDate = date("startDateStruct")
        primaryCompletionDate = date("primaryCompletionDateStruct")
        completionDate = date("completionDateStruct")
        lastUpdatePosted = date("lastUpdatePostDateStruct")
        enrollment = design?["enrollmentInfo"]?["count"]?.intValue
        enrollmentType = design?["enrollmentInfo"]?["type"]?.stringValue
    }
}
