import CTSyncCore
import Foundation
import Testing

/// Registry enums: v2 strings, legacy labels, unknown values kept raw.
@Suite struct RegistryValueTests {
    @Test func allFourteenStatusesRoundTrip() throws {
        #expect(StudyStatus.allCases.count == 14)
        for status in StudyStatus.allCases {
            let value = OverallStatus(rawValue: status.rawValue)
            #expect(value == .known(status))
            #expect(OverallStatus(legacyLabel: status.label) == .known(status), "\(status.label)")
            let data = try JSONEncoder().encode([value])
            #expect(String(decoding: data, as: UTF8.self) == "[\"\(status.rawValue)\"]")
            #expect(try JSONDecoder().decode([OverallStatus].self, from: data) == [value])
        }
    }

    @Test(arguments: [
        ("Active, not recruiting", StudyStatus.activeNotRecruiting), ("Unknown status", .unknown),
        ("Withheld", .withheld), ("Available", .available), ("No longer available", .noLongerAvailable),
        ("Temporarily not available", .temporarilyNotAvailable), ("Approved for marketing", .approvedForMarketing),
        ("Enrolling by invitation", .enrollingByInvitation), ("Not yet recruiting", .notYetRecruiting),
        ("Suspended", .suspended), ("Terminated", .terminated), ("Withdrawn", .withdrawn), ("Completed", .completed),
        ("Recruiting", .recruiting),
    ])
    func legacyStatusLabels(label: String, status: StudyStatus) {
        #expect(OverallStatus(legacyLabel: label) == .known(status))
    }

    @Test func unknownValuesAreKeptAsGiven() throws {
        let value = OverallStatus(rawValue: "PAUSED")
        #expect(value == .other("PAUSED"))
        #expect(value.kind == nil)
        #expect(String(decoding: try JSONEncoder().encode([value]), as: UTF8.self) == "[\"PAUSED\"]")
        #expect(RegistryValue<InterventionType>(legacyLabel: "Gene Transfer") == .other("Gene Transfer"))
        #expect(RegistryValue<InterventionType>(legacyLabel: "  ") == nil)
    }

    @Test func otherVocabulariesReadTheirLegacyLabels() {
        #expect(RegistryValue<InterventionType>(legacyLabel: "Dietary Supplement") == .known(.dietarySupplement))
        #expect(RegistryValue<ArmGroupType>(legacyLabel: "Active Comparator") == .known(.activeComparator))
        #expect(RegistryValue<DesignAllocation>(legacyLabel: "Non-Randomized") == .known(.nonRandomized))
        #expect(RegistryValue<DesignAllocation>(legacyLabel: "N/A") == .known(.na))
        #expect(RegistryValue<InterventionModel>(legacyLabel: "Parallel Assignment") == .known(.parallel))
        #expect(RegistryValue<InterventionModel>(legacyLabel: "Single Group Assignment") == .known(.singleGroup))
        #expect(RegistryValue<PrimaryPurpose>(legacyLabel: "Supportive Care") == .known(.supportiveCare))
        #expect(RegistryValue<ObservationalModel>(legacyLabel: "Case Control") == .known(.caseControl))
        #expect(RegistryValue<ObservationalModel>(legacyLabel: "Case-Control") == .known(.caseControl))
        #expect(RegistryValue<TimePerspective>(legacyLabel: "Cross-Sectional") == .known(.crossSectional))
        #expect(RegistryValue<Sex>(legacyLabel: "Both") == .known(.all))
        #expect(RegistryValue<DateType>(legacyLabel: "Anticipated") == .known(.estimated))
        #expect(RegistryValue<DateType>(legacyLabel: "Estimate") == .known(.estimated))
        #expect(RegistryValue<AgencyClass>(legacyLabel: "U.S. Fed") == .known(.fed))
        #expect(RegistryValue<Phase>(legacyLabel: "Early Phase 1") == .known(.earlyPhase1))
    }

    @Test func foldMakesTheV2Spelling() {
        #expect(OverallStatus.fold("Active, not recruiting") == "ACTIVE_NOT_RECRUITING")
        #expect(OverallStatus.fold("N/A") == "N_A")
        #expect(OverallStatus.fold("  Case-Control ") == "CASE_CONTROL")
    }
}
