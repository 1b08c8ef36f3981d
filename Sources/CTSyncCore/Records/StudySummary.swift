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
        let p = record.json["protocolSection"] ?? .null
        func string(_ path: String) -> String? { p[path: path]?.stringValue }
        func strings(_ path: String) -> [String] { p[path: path]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        nctId = record.nctId.rawValue
        briefTitle = string("identificationModule.briefTitle")
        officialTitle = string("identificationModule.officialTitle")
        overallStatus = string("statusModule.overallStatus")
        phases = strings("designModule.phases")
        studyType = string("designModule.studyType")
        conditions = strings("conditionsModule.conditions")
        interventions = (p[path: "armsInterventionsModule.interventions"]?.arrayValue ?? []).compactMap { i in
            guard let name = i["name"]?.stringValue else { return nil }
            if let type = i["type"]?.stringValue { return "\(type): \(name)" }
            return name
        }
        leadSponsor = string("sponsorCollaboratorsModule.leadSponsor.name")
        startDate = string("statusModule.startDateStruct.date")
        primaryCompletionDate = string("statusModule.primaryCompletionDateStruct.date")
        completionDate = string("statusModule.completionDateStruct.date")
        lastUpdatePosted = string("statusModule.lastUpdatePostDateStruct.date")
        enrollment = p[path: "designModule.enrollmentInfo.count"]?.intValue
        enrollmentType = string("designModule.enrollmentInfo.type")
    }
}
