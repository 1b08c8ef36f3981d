import CTSyncCore
import Foundation
import Testing

/// The same study in both formats normalizes to the same trial.
///
/// No study in the shared records exists in both formats (the XML files are 2016–2019 AACT fixtures, the v2 files
/// other, later studies), so the legacy side is `Fixtures/pairs/NCT04571138.xml`: the real v2 record written out
/// by the project in the legacy format and its labels (see `Fixtures/pairs/README.md`). What the legacy format
/// cannot carry is left out of the comparison: MeSH ids and ancestors, and geo points.
@Suite struct TrialPairTests {
    let v2: Trial
    let legacy: Trial

    init() throws {
        v2 = try Trial(v2: RealRecords.v2("NCT04571138"))
        let url = RealRecords.fixtures.appendingPathComponent("pairs/NCT04571138.xml")
        legacy = try LegacyXML.parse(try #require(FileManager.default.contents(atPath: url.path)))
    }

    @Test func identificationAndStatusAgree() {
        #expect(legacy.nctId == v2.nctId)
        #expect(legacy.orgStudyId == v2.orgStudyId)
        #expect(legacy.briefTitle == v2.briefTitle)
        #expect(legacy.officialTitle == v2.officialTitle)
        #expect(legacy.overallStatus == v2.overallStatus)
        #expect(legacy.lastKnownStatus == v2.lastKnownStatus)
        #expect(legacy.sponsor == v2.sponsor)
    }

    @Test func datesAgree() {
        #expect(legacy.startDate == v2.startDate)  // "September 25, 2020" Actual
        #expect(legacy.primaryCompletionDate == v2.primaryCompletionDate)  // "June 2024" Anticipated
        #expect(legacy.completionDate == v2.completionDate)
        #expect(legacy.statusVerifiedDate == v2.statusVerifiedDate)
        #expect(legacy.firstPosted == v2.firstPosted)
        #expect(legacy.lastUpdatePosted == v2.lastUpdatePosted)
    }

    @Test func designPhasesAndEnrollmentAgree() {
        #expect(legacy.phases == v2.phases)  // "Phase 1/Phase 2"
        #expect(legacy.studyType == v2.studyType)
        #expect(legacy.design == v2.design)
        #expect(legacy.enrollment == v2.enrollment)
    }

    @Test func conditionsArmsAndInterventionsAgree() {
        #expect(legacy.conditions == v2.conditions)
        #expect(legacy.meshTerms.map(\.term) == v2.meshTerms.map(\.term))
        #expect(legacy.arms == v2.arms)
        #expect(legacy.interventions == v2.interventions)
    }

    @Test func eligibilityAgrees() {
        #expect(legacy.eligibility.sex == v2.eligibility.sex)
        #expect(legacy.eligibility.minimumAge == v2.eligibility.minimumAge)
        #expect(legacy.eligibility.maximumAge == v2.eligibility.maximumAge)
        #expect(legacy.eligibility.healthyVolunteers == v2.eligibility.healthyVolunteers)
        #expect(legacy.eligibility.stdAges == v2.eligibility.stdAges)
        // The criteria text differs (hard-wrapped plain text vs CommonMark); the items must not.
        #expect(legacy.eligibility.inclusion == v2.eligibility.inclusion)
        #expect(legacy.eligibility.exclusion == v2.eligibility.exclusion)
        #expect(legacy.eligibility.otherCriteria == v2.eligibility.otherCriteria)
    }

    @Test func contactsAndSitesAgree() {
        #expect(legacy.centralContacts == v2.centralContacts)
        #expect(legacy.overallOfficials == v2.overallOfficials)
        var v2Sites = v2.locations
        for i in v2Sites.indices { v2Sites[i].geoPoint = nil }
        #expect(legacy.locations == v2Sites)
    }

    @Test func theBriefSummaryAgreesAsText() {
        #expect(legacy.briefSummary == v2.briefSummary)
    }
}
