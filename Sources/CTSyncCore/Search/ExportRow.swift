import Foundation

/// One study as `ctsync export` writes it: the normalized fields, flat, lists kept as lists (JSON) or joined with
/// `" | "` (CSV).
public struct ExportRow: Sendable, Equatable, Codable {
    public var nctId: String
    public var briefTitle: String?
    public var officialTitle: String?
    public var acronym: String?
    public var overallStatus: String?
    public var phases: [String]
    public var studyType: String?
    public var conditions: [String]
    public var keywords: [String]
    public var meshTerms: [String]
    public var interventions: [String]
    public var interventionTypes: [String]
    public var leadSponsor: String?
    public var startDate: String?
    public var primaryCompletionDate: String?
    public var completionDate: String?
    public var lastUpdatePosted: String?
    public var hasResults: Bool
    public var enrollment: Int?
    public var allocation: String?
    public var primaryPurpose: String?
    public var countries: [String]
    public var sex: String?
    public var minimumAge: String?
    public var maximumAge: String?
    public var healthyVolunteers: Bool?
    /// Inclusion criteria, one item each (sub-items flattened after their parent).
    public var inclusionCriteria: [String]
    public var exclusionCriteria: [String]
    public var briefSummary: String?

    public init(_ t: Trial) {
        func flat(_ items: [CriteriaItem]) -> [String] { items.flatMap { [$0.text] + flat($0.subItems) } }
        nctId = t.nctId
        briefTitle = t.briefTitle
        officialTitle = t.officialTitle
        acronym = t.acronym
        overallStatus = t.overallStatus?.rawValue
        phases = t.phases.map(\.rawValue)
        studyType = t.studyType?.rawValue
        conditions = t.conditions
        keywords = t.keywords
        meshTerms = t.meshTerms.map(\.term)
        interventions = t.interventions.map(\.qualifiedName)
        interventionTypes = Array(Set(t.interventions.compactMap { $0.type?.rawValue })).sorted()
        leadSponsor = t.sponsor?.name
        startDate = t.startDate?.text
        primaryCompletionDate = t.primaryCompletionDate?.text
        completionDate = t.completionDate?.text
        lastUpdatePosted = t.lastUpdatePosted?.text
        hasResults = t.hasResults
        enrollment = t.enrollment?.count
        allocation = t.design.allocation?.rawValue
        primaryPurpose = t.design.primaryPurpose?.rawValue
        countries = Trial.distinctTrimmed(t.locations.compactMap(\.country))
        sex = t.eligibility.sex?.rawValue
        minimumAge = t.eligibility.minimumAge.map { "\($0)" }
        maximumAge = t.eligibility.maximumAge.map { "\($0)" }
        healthyVolunteers = t.eligibility.healthyVolunteers
        inclusionCriteria = flat(t.eligibility.inclusion)
        exclusionCriteria = flat(t.eligibility.exclusion)
        briefSummary = t.briefSummary
    }

    /// The CSV header, in column order.
    public static let csvHeader = [
        "nctId", "briefTitle", "officialTitle", "acronym", "overallStatus", "phases", "studyType", "conditions",
        "keywords", "meshTerms", "interventions", "interventionTypes", "leadSponsor", "startDate",
        "primaryCompletionDate", "completionDate", "lastUpdatePosted", "hasResults", "enrollment", "allocation",
        "primaryPurpose", "countries", "sex", "minimumAge", "maximumAge", "healthyVolunteers", "inclusionCriteria",
        "exclusionCriteria", "briefSummary",
    ]

    /// The separator of list items in a CSV cell.
    public static let csvListSeparator = " | "

    /// The CSV fields, in `csvHeader` order.
    public var csvFields: [String] {
        func j(_ list: [String]) -> String { list.joined(separator: ExportRow.csvListSeparator) }
        func o<T>(_ v: T?) -> String { v.map { "\($0)" } ?? "" }
        return [
            nctId, o(briefTitle), o(officialTitle), o(acronym), o(overallStatus), j(phases), o(studyType),
            j(conditions), j(keywords), j(meshTerms), j(interventions), j(interventionTypes), o(leadSponsor),
            o(startDate), o(primaryCompletionDate), o(completionDate), o(lastUpdatePosted), String(hasResults),
            o(enrollment), o(allocation), o(primaryPurpose), j(countries), o(sex), o(minimumAge), o(maximumAge),
            o(healthyVolunteers), j(inclusionCriteria), j(exclusionCriteria), o(briefSummary),
        ]
    }
}
