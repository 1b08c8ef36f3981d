import CTSyncCore
import CTSyncFakeRegistry
import Foundation
import Testing

/// The semantic differ on real records, and on changes derived in code from them.
@Suite struct TrialDifferTests {
    static let history = RecordsLocation.records.appendingPathComponent("history")

    static func file(_ folder: String, _ name: String) throws -> Data {
        try Data(contentsOf: history.appendingPathComponent(folder).appendingPathComponent(name))
    }

    static func xml(_ folder: String, _ commit: String) throws -> Trial {
        try LegacyXML.parse(try file(folder, "\(folder)_legacyxml_commit-\(commit).xml"))
    }

    // MARK: - Real pairs

    @Test func aV2RefetchThatOnlyMovedDerivedDataIsOnlyNoise() throws {
        let a = try JSONParser.parse(try Self.file("NCT02552212", "NCT02552212_v2_versionHolder-2023-12-12.json"))
        let b = try JSONParser.parse(try Self.file("NCT02552212", "NCT02552212_v2_versionHolder-2024-01-03.json"))
        let changes = TrialDiffer.diff(v2: a, b)
        #expect(!changes.isEmpty)
        #expect(changes.allSatisfy { $0.significance == .noise }, "\(changes.filter { $0.significance != .noise }.map(\.text))")
    }

    @Test func derivedDataIsNoiseEvenBesideRealEdits() throws {
        // This pair also differs in its protocol section (the saved copies were taken from different fixtures):
        // those edits are reported, and everything under derivedSection is noise.
        let a = try JSONParser.parse(try Self.file("NCT00763412", "NCT00763412_v2_versionHolder-2023-11-28.json"))
        let b = try JSONParser.parse(try Self.file("NCT00763412", "NCT00763412_v2_versionHolder-2024-01-03.json"))
        let changes = TrialDiffer.diff(v2: a, b)
        #expect(changes.filter { $0.path.hasPrefix("/derivedSection") }.allSatisfy { $0.significance == .noise })
        #expect(changes.contains { $0.path == "/derivedSection/miscInfoModule/versionHolder" && $0.significance == .noise })
        let lastKnown = try #require(changes.first { $0.path == "lastKnownStatus" })
        #expect(lastKnown.significance == .major)
        #expect(lastKnown.kind == .removed)
    }

    @Test func legacyRedownloadsWithRealChanges() throws {
        // Completion dates moved by a year: major, in plain words.
        var changes = TrialDiffer.diff(try Self.xml("NCT00482794", "2016-12-06_853c56ec"),
                                       try Self.xml("NCT00482794", "2017-01-19_fb75a575"))
        let primary = try #require(changes.first { $0.path == "primaryCompletionDate" })
        #expect(primary.significance == .major)
        #expect(primary.category == .dates)
        #expect(primary.text == "Primary completion date: July 2016 (estimated) → July 2017 (estimated)")
        #expect(changes.contains { $0.path == "meshTerms" && $0.significance == .noise })

        // Sites renamed and removed: minor, matched by facility and city.
        changes = TrialDiffer.diff(try Self.xml("NCT01642004", "2017-10-20_140a133b"),
                                   try Self.xml("NCT01642004", "2018-05-14_fed61152"))
        #expect(changes.contains { $0.path == "locations[The Johns Hopkins University, Baltimore]" && $0.kind == .removed })
        let zip = try #require(changes.first { $0.path == "locations[West Virginia University-Mbrcc, Morgantown].zip" })
        #expect(zip.significance == .minor)
        #expect(zip.category == .sites)
        #expect(changes.contains { $0.path == "startDate" && $0.significance == .major })
    }

    @Test func aFormatOnlyRedownloadHasNoSignificantChange() throws {
        let changes = TrialDiffer.diff(try Self.xml("NCT02389088", "2016-12-06_853c56ec"),
                                       try Self.xml("NCT02389088", "2017-01-19_fb75a575"))
        #expect(changes.allSatisfy { $0.significance == .noise })
        // A date type that only appears is a format change of the XML: noise.
        let dates = TrialDiffer.diff(try Self.xml("NCT01841593", "2016-12-06_853c56ec"),
                                     try Self.xml("NCT01841593", "2017-01-19_fb75a575"))
        #expect(dates.allSatisfy { $0.significance == .noise })
    }

    @Test func noChangeGivesNoChanges() throws {
        for study in RealStudies.all.prefix(60) {
            #expect(TrialDiffer.diff(v2: study, study).isEmpty)
        }
    }

    // MARK: - Derived changes, one per kind

    /// A real study with central contacts, several sites and structured criteria.
    static let base: JSONValue = RealStudies.all.first { s in
        let c = s[path: "protocolSection.contactsLocationsModule"]
        let criteria = s[path: "protocolSection.eligibilityModule.eligibilityCriteria"]?.stringValue ?? ""
        return (c?["centralContacts"]?.arrayValue?.count ?? 0) >= 1 && (c?["locations"]?.arrayValue?.count ?? 0) >= 3
            && criteria.contains("Exclusion") && (try? Trial(v2: s))?.eligibility.inclusion.count ?? 0 >= 4
    }!

    private func changes(_ edit: (JSONValue) -> JSONValue) -> [Change] {
        TrialDiffer.diff(v2: Self.base, edit(Self.base)).filter { $0.significance != .noise }
    }

    private let p = "protocolSection."

    @Test func status() throws {
        let c = changes { RecordRecipes.status($0, to: "WITHDRAWN", posted: "2031-01-01") }
        #expect(c.map(\.path) == ["overallStatus"])
        #expect(c[0].significance == .major)
        #expect(c[0].category == .status)
        #expect(c[0].text.hasSuffix("→ Withdrawn"))
    }

    private func withEnrollment(_ count: Int, _ type: String) -> JSONValue {
        Self.base.setting(path: "protocolSection.designModule.enrollmentInfo",
                          to: .object(["count": .int(Int64(count)), "type": .string(type)]))
    }

    @Test func enrollment() throws {
        let d = TrialDiffer.diff(v2: withEnrollment(10, "ESTIMATED"), withEnrollment(12, "ACTUAL"))
        #expect(d.map(\.path) == ["enrollment.count"])
        #expect(d[0].text == "Enrollment: 10 (estimated) → 12 (actual)")
        #expect(d[0].significance == .major)
        #expect(d[0].category == .enrollment)
    }

    @Test func oneInsertedCriterionIsOneAddition() throws {
        let c = changes { RecordRecipes.addInclusionCriterion($0, "Able to walk 100 metres unaided", posted: "2031-01-01") }
        #expect(c.count == 1)
        #expect(c[0].kind == .added)
        #expect(c[0].path.hasPrefix("eligibility.inclusion["))
        #expect(c[0].significance == .major)
        #expect(c[0].category == .criteria)
        #expect(c[0].text == "Inclusion criterion added: Able to walk 100 metres unaided")
    }

    @Test func aRewordedCriterionIsOneChangeAndAWhitespaceEditIsNoise() throws {
        let trial = try Trial(v2: Self.base)
        let first = trial.eligibility.inclusion[0].text
        let path = "protocolSection.eligibilityModule.eligibilityCriteria"
        let text = Self.base[path: path]!.stringValue!
        let reworded = Self.base.setting(path: path, to: .string(text.replacingOccurrences(of: first, with: first + " at screening")))
        let c = TrialDiffer.diff(v2: Self.base, reworded).filter { $0.category == .criteria }
        #expect(c.count == 1)
        #expect(c.first?.kind == .changed)
        #expect(c.first?.path == "eligibility.inclusion[0]")
        let spaced = Self.base.setting(path: path, to: .string(text.replacingOccurrences(of: first, with: first.replacingOccurrences(of: " ", with: "  "))))
        #expect(TrialDiffer.diff(v2: Self.base, spaced).filter { $0.category == .criteria }.allSatisfy { $0.significance == .noise })
    }

    @Test func aContactsEmailByName() throws {
        let trial = try Trial(v2: Self.base)
        let name = try #require(trial.centralContacts.first?.name)
        let c = changes { RecordRecipes.contactEmail($0, to: "New.Contact@Example.org", posted: "2031-01-01") }
        let email = try #require(c.first { $0.path == "centralContacts[\(name)].email" })
        #expect(email.significance == .minor)
        #expect(email.category == .contacts)
        #expect(email.new == .string("new.contact@example.org"))
    }

    @Test func sites() throws {
        let trial = try Trial(v2: Self.base)
        let site = trial.locations[1]
        let key = [site.facility, site.city].compactMap { $0 }.joined(separator: ", ")
        let path = "protocolSection.contactsLocationsModule.locations"
        var locations = Self.base[path: path]!.arrayValue!
        // Status of the second site changes; the first site is removed; the list is otherwise the same.
        locations[1] = locations[1].setting(path: "status", to: .string("COMPLETED"))
        let edited = Self.base.setting(path: path, to: .array(Array(locations.dropFirst())))
        let c = TrialDiffer.diff(v2: Self.base, edited).filter { $0.category == .sites }
        #expect(c.contains { $0.path == "locations[\(key)].status" && $0.kind == .changed && $0.significance == .minor })
        #expect(c.filter { $0.kind == .removed }.count == 1)
        #expect(c.count == 2)
        // Reordering sites is noise.
        let reordered = Self.base.setting(path: path, to: .array(Self.base[path: path]!.arrayValue!.reversed()))
        let r = TrialDiffer.diff(v2: Self.base, reordered)
        #expect(!r.isEmpty)
        #expect(r.allSatisfy { $0.significance == .noise })
    }

    @Test func datesAndResults() throws {
        let c = changes {
            $0.setting(path: "protocolSection.statusModule.completionDateStruct", to: .object(["date": .string("2031-12"), "type": .string("ESTIMATED")]))
              .setting(path: "hasResults", to: .bool(!(Self.base["hasResults"]?.boolValue ?? false)))
        }
        #expect(c.contains { $0.path == "completionDate" && $0.significance == .major && $0.category == .dates })
        #expect(c.contains { $0.path == "hasResults" && $0.significance == .major && $0.category == .results })
    }

    @Test func somethingOutsideTheModelIsAJSONPatchOperation() throws {
        let c = changes {
            $0.setting(path: "protocolSection.oversightModule.oversightHasDmc", to: .string("changed in a test"))
        }
        let op = try #require(c.first)
        #expect(op.path == "/protocolSection/oversightModule/oversightHasDmc")
        #expect(op.text.hasPrefix("replace /protocolSection/oversightModule/oversightHasDmc") || op.text.hasPrefix("add /protocolSection"))
        #expect(op.significance == .minor)
    }

    @Test func versionHolderAndMeSHAreNoise() throws {
        let edited = RecordRecipes.versionHolder(Self.base, to: "2031-01-01")
            .setting(path: "derivedSection.conditionBrowseModule.meshes", to: .array([]))
        let c = TrialDiffer.diff(v2: Self.base, edited)
        #expect(!c.isEmpty)
        #expect(c.allSatisfy { $0.significance == .noise })
    }
}
