import CTSyncCore
import Foundation
import Testing

/// `LegacyXML.parse` over every real `<clinical_study>` record, the legacy value formats, and hostile documents.
@Suite struct LegacyXMLTests {
    // MARK: - Real records

    @Test func everyRealXMLRecordNormalizes() {
        var failures: [String] = []
        for file in RealRecords.xmlFiles {
            do {
                let trial = try LegacyXML.parse(file.data)
                #expect(file.source.contains(trial.nctId) || file.source.contains("alias"), "\(file.source)")
            } catch {
                failures.append("\(file.source): \(error.localizedDescription)")
            }
        }
        // 57 in legacy-xml/ and 25 snapshots in history/.
        #expect(RealRecords.xmlFiles.count >= 80)
        #expect(failures.isEmpty, "\(failures.count) of \(RealRecords.xmlFiles.count) failed:\n\(failures.joined(separator: "\n"))")
    }

    private func trial(_ relative: String) throws -> Trial {
        try LegacyXML.parse(RealRecords.xml(relative))
    }

    @Test func mapsStatusPhasesDatesAndDesign() throws {
        let t = try trial("legacy-xml/NCT03424005.xml")
        #expect(t.overallStatus == .known(.recruiting))
        #expect(t.phases == [.known(.phase1), .known(.phase2)])  // "Phase 1/Phase 2"
        #expect(t.startDate == PartialDate(year: 2018, month: 3, day: 30, type: .known(.actual)))  // "March 30, 2018"
        #expect(t.enrollment == Trial.Enrollment(count: 310, type: .known(.estimated)))  // type="Anticipated"
        #expect(t.design.masking == .known(.none))  // "None (Open Label)"
        #expect(t.locations.count == 22)

        let double = try trial("legacy-xml/NCT02970669.xml")
        #expect(double.design.masking == .known(.double))  // "Double (Participant, Investigator)"
        #expect(double.design.whoMasked == [.known(.participant), .known(.investigator)])
        #expect(double.phases == [.known(.phase4)])

        let withdrawn = try trial("legacy-xml/NCT02591810.xml")
        #expect(withdrawn.overallStatus == .known(.withdrawn))
        #expect(withdrawn.phases == [.known(.na)])  // interventional "N/A"
        #expect(withdrawn.design.allocation == .known(.randomized))
        #expect(withdrawn.design.interventionModel == .known(.parallel))
        #expect(withdrawn.design.primaryPurpose == .known(.treatment))
        #expect(withdrawn.eligibility.minimumAge == Age(value: 18, unit: .years))
        #expect(withdrawn.eligibility.maximumAge == nil)  // "N/A"
        #expect(withdrawn.eligibility.healthyVolunteers == false)
        #expect(withdrawn.eligibility.inclusion.map(\.text).first == "Patients treated at Orlando Regional Medical Center,")
        #expect(withdrawn.eligibility.exclusion.count == 5)
        let official = try #require(withdrawn.overallOfficials.first)  // last_name "Tara Roberts, BS"
        #expect(official.name == "Tara Roberts")
        #expect(official.degrees == ["BS"])
        #expect(official.role == .known(.studyChair))
        #expect(withdrawn.arms.first?.interventionNames == ["Procedure: Serial casting/splinting"])
        #expect(withdrawn.lastUpdatePosted == PartialDate(year: 2017, month: 10, day: 2, type: .known(.actual)))
    }

    @Test func mapsOtherStatusesAndStudyTypes() throws {
        let unknown = try trial("legacy-xml/NCT02591940.xml")
        #expect(unknown.overallStatus == .known(.unknown))  // "Unknown status"
        #expect(unknown.lastKnownStatus == .known(.enrollingByInvitation))
        #expect(unknown.phases.isEmpty)

        let registry = try trial("legacy-xml/NCT01076361.xml")
        #expect(registry.studyType == .known(.observational))  // "Observational [Patient Registry]"
        #expect(registry.patientRegistry == true)

        let withheld = try trial("legacy-xml/NCT03182660.xml")
        #expect(withheld.overallStatus == .known(.withheld))
        #expect(withheld.studyType == nil)  // "N/A"

        let expanded = try trial("legacy-xml/NCT03147742.xml")
        #expect(expanded.studyType == .known(.expandedAccess))
        #expect(expanded.overallStatus == .known(.available))

        let active = try trial("legacy-xml/NCT01029262.xml")
        #expect(active.overallStatus == .known(.activeNotRecruiting))  // "Active, not recruiting"
    }

    @Test func mapsContactsAndSites() throws {
        let t = try trial("legacy-xml/NCT02798588.xml")
        let contact = try #require(t.centralContacts.first)  // overall_contact
        #expect(contact.name == "Florent GOBERT")  // last_name "Florent GOBERT, MD"
        #expect(contact.degrees == ["MD"])
        #expect(contact.role == .known(.contact))
        #expect(contact.phone == "04 72 68 12 96")
        #expect(contact.phoneExt == "+33")  // as given
        #expect(contact.email == "florent.gobert01@chu-lyon.fr")
        let site = try #require(t.locations.first)
        #expect(site.facility == "Réanimation polyvalente neurologique Hôpital Neurologique HCL")
        #expect(site.city == "Bron")
        #expect(site.country == "France")

        let many = try trial("legacy-xml/NCT03424005.xml")
        let statuses = Set(many.locations.compactMap(\.status))
        #expect(statuses.isSubset(of: [.known(.recruiting), .known(.notYetRecruiting), .known(.activeNotRecruiting),
                                       .known(.completed), .known(.suspended), .known(.withdrawn)]))

        // contact, contact_backup, then investigators, as v2 lists a site's contacts.
        let doral = try #require(try trial("legacy-xml/NCT03521479.xml").locations.first)
        #expect(doral.status == .known(.recruiting))
        #expect(doral.contacts.prefix(4).map(\.name) == ["Luis Aponte", "Milagros Agosto", "Luis Aponte", "Danai Pino"])
        #expect(doral.contacts.prefix(4).map(\.role)
                == [.known(.contact), .known(.contact), .known(.principalInvestigator), .known(.subInvestigator)])
        #expect(doral.contacts[1].degrees == ["MS", "CCRC"])
        #expect(doral.contacts[3].degrees == ["FMD", "CRC"])
    }

    @Test func anAliasFileNamesTheCanonicalStudy() throws {
        let alias = try trial("legacy-xml/NCT00980226_alias-of-NCT00081588.xml")
        #expect(alias.nctId == "NCT00081588")
        #expect(alias.nctIdAliases == ["NCT00980226"])
        #expect(alias == (try trial("legacy-xml/NCT00081588.xml")))
    }

    @Test func readsThePre2017OneLineStudyDesign() throws {
        // "Allocation: Randomized, Endpoint Classification: Efficacy Study, Intervention Model: Parallel Assignment,
        //  Masking: Open Label, Primary Purpose: Treatment"
        let old = try trial("history/NCT01642004/NCT01642004_legacyxml_commit-2016-12-06_853c56ec.xml")
        #expect(old.design.allocation == .known(.randomized))
        #expect(old.design.interventionModel == .known(.parallel))
        #expect(old.design.masking == .known(.none))
        #expect(old.design.primaryPurpose == .known(.treatment))
        #expect(old.firstPosted == nil, "firstreceived_date is a submission date, not a posting date")
        #expect(old.lastUpdatePosted == nil, "lastchanged_date is a submission date, not a posting date")
    }

    /// NLM re-issued the archive several times in 2016–2018 with format-only changes (dropped `rank` and the DTD
    /// comment, text re-wrapped at another width, new date elements added): the normalized trial must not change.
    @Test(arguments: [
        ("NCT00023673", "2016-12-06_853c56ec", "2017-01-19_fb75a575"),
        ("NCT00023673", "2017-01-19_fb75a575", "2017-08-08_9a3c3ea3"),
        ("NCT02389088", "2016-12-06_853c56ec", "2017-01-19_fb75a575"),
        ("NCT02389088", "2017-01-19_fb75a575", "2017-08-08_9a3c3ea3"),
        ("NCT02389088", "2017-10-20_140a133b", "2018-05-14_fed61152"),
        ("NCT01841593", "2017-10-20_140a133b", "2018-05-14_fed61152"),
        ("NCT01642004", "2016-12-06_853c56ec", "2017-01-19_fb75a575"),
    ])
    func formatOnlyChangesNormalizeToTheSameTrial(id: String, before: String, after: String) throws {
        let a = try trial("history/\(id)/\(id)_legacyxml_commit-\(before).xml")
        let b = try trial("history/\(id)/\(id)_legacyxml_commit-\(after).xml")
        #expect(a == b)
    }

    @Test func observationalNAPhaseIsNoPhaseAsInV2() throws {
        // Until 2018 observational records said <phase>N/A</phase>; then the element was dropped, as v2 has none.
        let before = try trial("history/NCT00482794/NCT00482794_legacyxml_commit-2017-10-20_140a133b.xml")
        let after = try trial("history/NCT00482794/NCT00482794_legacyxml_commit-2018-05-14_fed61152.xml")
        #expect(before.studyType == .known(.observational))
        #expect(before.phases.isEmpty)
        #expect(before.phases == after.phases)
    }

    // MARK: - Bad input

    private func xml(_ body: String, id: String = "NCT01234567") -> Data {
        Data("""
            <?xml version="1.0" encoding="UTF-8"?>
            <clinical_study>
              <id_info><org_study_id>X</org_study_id><nct_id>\(id)</nct_id></id_info>
              <brief_title>A study</brief_title>
            \(body)
            </clinical_study>
            """.utf8)
    }

    @Test func aMinimalRecordNormalizes() throws {
        let t = try LegacyXML.parse(xml(""))
        #expect(t.nctId == "NCT01234567")
        #expect(t.briefTitle == "A study")
        #expect(t.overallStatus == nil)
    }

    @Test func truncatedXMLIsAnErrorWithTheIdAndLine() throws {
        let data = RealRecords.xml("legacy-xml/NCT02591810.xml")
        let truncated = data.prefix(data.count / 2)
        do throws(RecordError) {
            _ = try LegacyXML.parse(truncated)
            Issue.record("a truncated document parsed")
        } catch {
            #expect(error.nctId == "NCT02591810")
            #expect(error.path.hasPrefix("line "))
            #expect(error.reason.hasPrefix("not well-formed XML: "))
            #expect(error.reason.contains("(libxml2 error "))
        }
    }

    @Test func mismatchedTagsAreAnError() {
        do throws(RecordError) {
            _ = try LegacyXML.parse(Data("<clinical_study><id_info><nct_id>NCT01234567</nct_id></clinical_study>".utf8))
            Issue.record("parsed")
        } catch {
            #expect(error.nctId == "NCT01234567")
            #expect(error.path == "line 1")
            // libxml2 reports its last error: where it gave up.
            #expect(error.reason == "not well-formed XML: Premature end of data in tag clinical_study line 1 (libxml2 error 77)")
        }
    }

    @Test(arguments: [
        ("<enrollment type=\"Actual\">ten</enrollment>", "clinical_study/enrollment", "expected a whole number, found \"ten\""),
        ("<start_date>Spring 2018</start_date>", "clinical_study/start_date",
         "expected a date such as \"March 27, 2018\", found \"Spring 2018\""),
        ("<eligibility><minimum_age>eighteen</minimum_age></eligibility>", "clinical_study/eligibility/minimum_age",
         "expected an age such as \"18 Years\", found \"eighteen\""),
    ])
    func malformedValuesNameTheElement(body: String, path: String, reason: String) {
        #expect(throws: RecordError(nctId: "NCT01234567", path: path, reason: reason)) {
            try LegacyXML.parse(xml(body))
        }
    }

    @Test func unknownLabelsAreKeptRaw() throws {
        let t = try LegacyXML.parse(xml("""
            <overall_status>Paused</overall_status>
            <phase>Phase 5</phase>
            <intervention><intervention_type>Gene Transfer</intervention_type><intervention_name>X</intervention_name></intervention>
            """))
        #expect(t.overallStatus == .other("Paused"))
        #expect(t.phases == [.other("Phase 5")])
        #expect(t.interventions.first?.type == .other("Gene Transfer"))
    }

    @Test func otherDocumentsAreErrors() {
        #expect(throws: RecordError(nctId: nil, path: "", reason: "empty document")) { try LegacyXML.parse(Data()) }
        #expect(throws: RecordError(nctId: nil, path: "", reason: "the root element is <rss>, not <clinical_study>")) {
            try LegacyXML.parse(Data("<rss><channel/></rss>".utf8))
        }
        #expect(throws: RecordError(nctId: nil, path: "clinical_study/id_info/nct_id", reason: "missing")) {
            try LegacyXML.parse(Data("<clinical_study><brief_title>x</brief_title></clinical_study>".utf8))
        }
        let utf16 = Data([0xFF, 0xFE]) + "<clinical_study/>".data(using: .utf16LittleEndian)!
        #expect(throws: RecordError(nctId: nil, path: "", reason: "the document is not UTF-8 (legacy records are UTF-8)")) {
            try LegacyXML.parse(utf16)
        }
    }

    // MARK: - Hostile documents

    private func hostile(_ name: String) -> Data {
        let url = RealRecords.fixtures.appendingPathComponent("hostile/\(name)")
        guard let data = FileManager.default.contents(atPath: url.path) else { fatalError("missing \(url.path)") }
        return data
    }

    @Test func anXXEDocumentIsRejectedWithoutReadingTheFile() {
        do throws(RecordError) {
            let t = try LegacyXML.parse(hostile("xxe.xml"))
            Issue.record("parsed: \(t.briefTitle ?? "")")
        } catch {
            #expect(error.nctId == "NCT09999901")
            #expect(error.reason.contains("DOCTYPE with an internal subset"))
            #expect(!error.localizedDescription.contains("root:"))
        }
    }

    @Test func anExternalParameterEntityIsRejected() {
        #expect(throws: RecordError.self) { try LegacyXML.parse(hostile("xxe-parameter-entity.xml")) }
    }

    @Test func aBillionLaughsDocumentIsRejectedQuickly() {
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            do throws(RecordError) {
                _ = try LegacyXML.parse(hostile("billion-laughs.xml"))
                Issue.record("parsed")
            } catch {
                #expect(error.nctId == "NCT09999903")
                #expect(error.reason.contains("entity declarations are not accepted"))
            }
        }
        #expect(elapsed < .seconds(1))
    }

    @Test func anExternalDTDIsNeitherFetchedNorNeeded() throws {
        let clock = ContinuousClock()
        var trial: Trial?
        let elapsed = try clock.measure { trial = try LegacyXML.parse(hostile("external-dtd.xml")) }
        #expect(trial?.nctId == "NCT09999904")
        #expect(trial?.overallStatus == .known(.completed))
        #expect(elapsed < .seconds(1))
    }

    @Test func aDocumentOverTheSizeLimitIsRejectedBeforeParsing() {
        var data = xml("")
        data.append(Data(repeating: 0x20, count: LegacyXML.maximumSize))
        #expect(throws: RecordError(nctId: "NCT01234567", path: "",
                                    reason: "the document is \(data.count) bytes, over the 8 MiB limit for legacy XML")) {
            try LegacyXML.parse(data)
        }
    }

    @Test func elementsNestedTooDeeplyAreRejected() {
        let depth = LegacyXML.maximumDepth + 10
        let nested = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        do throws(RecordError) {
            _ = try LegacyXML.parse(xml("<detailed_description>\(nested)</detailed_description>"))
            Issue.record("parsed")
        } catch {
            #expect(error.nctId == "NCT01234567")
            #expect(error.reason == "elements nested deeper than \(LegacyXML.maximumDepth)")
        }
        // Just within the limit is fine.
        let ok = String(repeating: "<a>", count: LegacyXML.maximumDepth - 3) + String(repeating: "</a>", count: LegacyXML.maximumDepth - 3)
        #expect(throws: Never.self) { try LegacyXML.parse(xml("<detailed_description>\(ok)</detailed_description>")) }
    }
}
