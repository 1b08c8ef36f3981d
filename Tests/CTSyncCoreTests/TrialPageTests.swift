import CTSyncCore
import Foundation
import Testing

/// The page `ctsync show` prints, pinned by snapshot files in `Fixtures/snapshots`.
///
/// Re-record with `CTSYNC_RECORD_SNAPSHOTS=1 swift test --filter TrialPageTests`, then review the diff by eye.
@Suite struct TrialPageTests {
    /// The snapshot records: a phase 1/2 study with a central contact and five sites; a study with 31 sites in five
    /// countries; a completed study with results; and a legacy XML record.
    static let cases: [(name: String, trial: @Sendable () throws -> Trial)] = [
        ("NCT04571138", { try Trial(v2: RealRecords.v2("NCT04571138")) }),
        ("NCT05521087-many-sites", { try Trial(v2: RealRecords.v2("NCT05521087")) }),
        ("NCT00763412-with-results", { try Trial(v2: RealRecords.v2("NCT00763412")) }),
        ("NCT02591810-legacy-xml", { try LegacyXML.parse(RealRecords.xml("legacy-xml/NCT02591810.xml")) }),
    ]

    @Test(arguments: cases.map(\.name), TrialPage.Format.allCases)
    func pageMatchesItsSnapshot(name: String, format: TrialPage.Format) throws {
        let trial = try TrialPageTests.cases.first { $0.name == name }!.trial()
        let page = TrialPage.render(trial, format: format)
        let file = RealRecords.fixtures.appendingPathComponent("snapshots/\(name).\(format == .text ? "txt" : "md")")
        if ProcessInfo.processInfo.environment["CTSYNC_RECORD_SNAPSHOTS"] == "1" {
            try page.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        guard page != expected else { return }
        let got = page.split(separator: "\n", omittingEmptySubsequences: false)
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line = (0..<min(got.count, want.count)).first { got[$0] != want[$0] } ?? min(got.count, want.count)
        Issue.record("""
            \(file.lastPathComponent) differs at line \(line + 1):
              expected: \(line < want.count ? String(want[line]) : "(end)")
              got:      \(line < got.count ? String(got[line]) : "(end)")
            Re-record with CTSYNC_RECORD_SNAPSHOTS=1 if the change is intended.
            """)
    }

    @Test func textLinesFitTheWidthExceptUnbreakableWords() throws {
        for (_, make) in TrialPageTests.cases {
            for line in TrialPage.render(try make(), format: .text).split(separator: "\n") where line.count > TrialPage.width {
                // Only a word too long for any line (a URL, a long compound) may stick out.
                let lastWord = line.split(separator: " ").last ?? ""
                #expect(lastWord.count > TrialPage.width / 3, "\(line)")
            }
        }
    }

    @Test func everyRealRecordRenders() throws {
        for study in RealRecords.v2Studies {
            let trial = try Trial(v2: study.json)
            let text = TrialPage.render(trial, format: .text)
            #expect(text.hasPrefix(trial.nctId))
            #expect(TrialPage.render(trial, format: .markdown).hasPrefix("# \(trial.nctId)"))
        }
    }

    @Test func colourOnlyInTextAndOnlyWhenAsked() throws {
        let trial = try Trial(v2: RealRecords.v2("NCT04571138"))
        #expect(!TrialPage.render(trial, format: .text).contains("\u{1B}["))
        let coloured = TrialPage.render(trial, format: .text, colour: true)
        #expect(coloured.contains("\u{1B}[1mStatus and phase\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[32mRecruiting\u{1B}[0m"))
        #expect(!TrialPage.render(trial, format: .markdown, colour: true).contains("\u{1B}["))
    }

    @Test(arguments: [
        (10, "ACTUAL", 1, "10 participants in 1 patient group"),
        (1, "ACTUAL", 2, "1 participant in 2 patient groups"),
        (120, "ESTIMATED", 3, "120 participants in 3 patient groups (estimated)"),
        (40, "ACTUAL", 0, "40 participants"),
    ])
    func enrollmentSentence(count: Int, type: String, groups: Int, sentence: String) {
        let enrollment = Trial.Enrollment(count: count, type: RegistryValue(rawValue: type))
        #expect(TrialPage.enrollmentSentence(enrollment, groups: groups) == sentence)
    }

    @Test func agesSentence() {
        #expect(TrialPage.agesSentence(minimum: Age(value: 18, unit: .years), maximum: nil) == "18 years and older")
        #expect(TrialPage.agesSentence(minimum: nil, maximum: Age(value: 30, unit: .years)) == "Up to 30 years")
        #expect(TrialPage.agesSentence(minimum: Age(value: 6, unit: .months), maximum: Age(value: 17, unit: .years))
                == "6 months to 17 years")
        #expect(TrialPage.agesSentence(minimum: nil, maximum: nil) == nil)
    }

    @Test func anUnstructuredCriteriaTextIsShownAsText() throws {
        var trial = Trial(nctId: "NCT01234567")
        trial.briefTitle = "Unstructured"
        trial.eligibility.inclusion = [CriteriaItem(text: "Adults who can walk.")]
        trial.eligibility.criteriaUnstructured = true
        let page = TrialPage.render(trial, format: .text)
        #expect(page.contains("Eligibility criteria\n────────────────────\n\nAdults who can walk."))
        #expect(!page.contains("Inclusion criteria"))
    }

    @Test func anInvalidEMailIsShownAsGivenAndMarked() {
        var trial = Trial(nctId: "NCT01234567")
        trial.centralContacts = [Contact(name: "Roland Schott, PhD", role: .known(.contact),
                                         email: "rschott@strasbourg@unicancer.fr", phone: "0388", phoneExt: "12")]
        let page = TrialPage.render(trial, format: .markdown)
        #expect(page.contains("- Roland Schott, PhD · rschott@strasbourg@unicancer.fr (not a valid address) · 0388 ext. 12"))
    }
}
