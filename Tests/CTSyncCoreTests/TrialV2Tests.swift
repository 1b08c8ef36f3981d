import CTSyncCore
import Foundation
import Testing

/// `Trial(v2:)` over every real v2 record and over broken ones.
@Suite struct TrialV2Tests {
    // MARK: - Real records

    @Test func everyRealV2RecordNormalizes() {
        var failures: [String] = []
        for study in RealRecords.v2Studies {
            do {
                let trial = try Trial(v2: study.json)
                #expect(trial.nctId == study.nctId)
            } catch {
                failures.append("\(study.source): \(error.localizedDescription)")
            }
        }
        // 610 study objects: single files, website downloads, API pages, partial and field-projected records.
        #expect(RealRecords.v2Studies.count >= 600)
        #expect(failures.isEmpty, "\(failures.count) of \(RealRecords.v2Studies.count) failed:\n\(failures.joined(separator: "\n"))")
    }

    @Test func theRetiredClassicAPIShapeIsAClearErrorNotAStudy() throws {
        let classic = try #require(RealRecords.otherJSON.first { $0.source.contains("classicAPI") })
        #expect(RealRecords.otherJSON.count == 1)
        #expect(throws: RecordError(nctId: nil, path: "protocolSection",
                                    reason: "missing: this is not an API v2 study object")) {
            try Trial(v2: classic.json)
        }
    }

    @Test func partialAndProjectedRecordsNormalizeWithWhatTheyHave() throws {
        let partial = try #require(RealRecords.v2Studies.first { $0.source == "v2/NCT03453554_partial.json" })
        let trial = try Trial(v2: partial.json)
        #expect(trial.nctId == "NCT03453554")
        #expect(trial.locations.isEmpty)
        let projected = try #require(RealRecords.v2Studies.first { $0.source == "v2/NCT06604689_fields-projection.json" })
        #expect(try Trial(v2: projected.json).nctId == "NCT06604689")
    }

    @Test func readsTheFieldsOfARealRecord() throws {
        let t = try Trial(v2: RealRecords.v2("NCT04571138"))
        #expect(t.briefTitle?.hasPrefix("A Pediatric and Young Adult Trial") == true)
        #expect(t.overallStatus == .known(.recruiting))
        #expect(t.phases == [.known(.phase1), .known(.phase2)])
        #expect(t.studyType == .known(.interventional))
        #expect(t.startDate == PartialDate(year: 2020, month: 9, day: 25, type: .known(.actual)))
        #expect(t.primaryCompletionDate == PartialDate(year: 2024, month: 6, type: .known(.estimated)))
        #expect(t.statusVerifiedDate == PartialDate(year: 2023, month: 6))
        #expect(t.enrollment == Trial.Enrollment(count: 42, type: .known(.estimated)))
        #expect(t.conditions == ["Leukemia", "Lymphoma"])
        #expect(t.meshTerms.map(\.term) == ["Lymphoma", "Leukemia"])
        #expect(t.design.allocation == .known(.na))
        #expect(t.design.interventionModel == .known(.singleGroup))
        #expect(t.design.masking == .known(.none))
        #expect(t.eligibility.minimumAge == nil)
        #expect(t.eligibility.maximumAge == Age(value: 30, unit: .years))
        #expect(t.eligibility.stdAges == [.known(.child), .known(.adult)])
        #expect(t.eligibility.inclusion.count == 15)
        #expect(t.eligibility.exclusion.count == 11)
        let contact = try #require(t.centralContacts.first)
        #expect(contact.name == "Corinne Summers")
        #expect(contact.degrees == ["MD"])
        #expect(contact.role == .known(.contact))
        #expect(contact.email == "cbdcintake@seattlechildrens.org")
        #expect(contact.emailValid == true)
        #expect(contact.phone == "206-987-2106")
        #expect(t.overallOfficials.first?.role == .known(.studyChair))
        #expect(t.locations.count == 5)
        #expect(t.locations[0].status == .known(.recruiting))
        #expect(t.locations[0].geoPoint == Trial.GeoPoint(lat: 34.05223, lon: -118.24368))
        #expect(t.locations[0].contacts.map(\.role) == [.known(.contact), .known(.principalInvestigator)])
    }

    @Test func standardAgesWorkedOutFromTheLimitsMatchTheRegistrysForEveryRecord() throws {
        // The legacy XML has no standard age groups; LegacyXML derives them. Check the rule against the registry.
        var checked = 0
        for study in RealRecords.v2Studies {
            let t = try Trial(v2: study.json)
            guard !t.eligibility.stdAges.isEmpty else { continue }
            let derived = Trial.Eligibility.standardAges(minimum: t.eligibility.minimumAge, maximum: t.eligibility.maximumAge)
            #expect(derived == t.eligibility.stdAges, "\(study.source)")
            checked += 1
        }
        #expect(checked > 500)
    }

    @Test func invalidEMailsInRealRecordsAreKeptRawAndFlagged() throws {
        var flagged: [String] = []
        for study in RealRecords.v2Studies {
            let t = try Trial(v2: study.json)
            let contacts = t.centralContacts + t.overallOfficials + t.locations.flatMap(\.contacts)
            flagged += contacts.filter { $0.emailValid == false }.compactMap(\.email)
        }
        #expect(Set(flagged) == ["rschott@strasbourg@unicancer.fr", "https://www.withpower.com/contact-us@withpower.com"])
    }

    @Test func encodesWithTheDocumentedKeys() throws {
        let t = try Trial(v2: RealRecords.v2("NCT04571138"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try JSONParser.parse(encoder.encode(t))
        for key in ["nctId", "briefTitle", "officialTitle", "overallStatus", "lastKnownStatus", "whyStopped", "phases",
                    "studyType", "conditions", "keywords", "meshTerms", "interventions", "arms", "enrollment",
                    "eligibility", "centralContacts", "overallOfficials", "locations", "design", "sponsor",
                    "startDate", "primaryCompletionDate", "completionDate", "lastUpdatePosted"] {
            #expect(json[key] != nil, "missing key \(key)")
        }
        #expect(json[path: "startDate"] == .object(["date": .string("2020-09-25"), "type": .string("ACTUAL")]))
        #expect(json[path: "eligibility.maximumAge"] == .object(["value": .int(30), "unit": .string("YEARS"), "years": .int(30)]))
        #expect(json[path: "interventions"]?.arrayValue?.first?["type"] == .string("BIOLOGICAL"))
        #expect(json[path: "design.allocation"] == .string("NA"))
        #expect(json[path: "sponsor.class"] == .string("OTHER"))
        #expect(json["whyStopped"] == .null)
        // And it reads back.
        #expect(try JSONDecoder().decode(Trial.self, from: encoder.encode(t)) == t)
    }

    // MARK: - Bad input

    /// A minimal study with `value` set at `path` (dotted, under the study object).
    private func study(_ path: String? = nil, _ value: JSONValue = .null) -> JSONValue {
        let base = JSONValue.object([
            "protocolSection": .object([
                "identificationModule": .object(["nctId": .string("NCT01234567"), "briefTitle": .string("A study")]),
            ]),
        ])
        guard let path else { return base }
        return base.setting(path: path, to: value)
    }

    @Test func aMinimalRecordNormalizes() throws {
        let t = try Trial(v2: study())
        #expect(t.nctId == "NCT01234567")
        #expect(t.overallStatus == nil)
        #expect(t.phases.isEmpty)
        #expect(t.enrollment == nil)
    }

    @Test func aRecordWithoutProtocolSectionIsAnError() {
        #expect(throws: RecordError(nctId: nil, path: "protocolSection",
                                    reason: "missing: this is not an API v2 study object")) {
            try Trial(v2: .object(["derivedSection": .object([:]), "hasResults": .bool(false)]))
        }
        #expect(throws: RecordError(nctId: nil, path: "", reason: "a study must be a JSON object, not array")) {
            try Trial(v2: .array([]))
        }
    }

    @Test func aMissingOrMalformedNCTIdIsAnError() {
        #expect(throws: RecordError(nctId: nil, path: "protocolSection.identificationModule.nctId", reason: "missing")) {
            try Trial(v2: .object(["protocolSection": .object(["identificationModule": .object([:])])]))
        }
        #expect(throws: RecordError(nctId: nil, path: "protocolSection.identificationModule.nctId",
                                    reason: "not an NCT id: \"NCT123\"")) {
            try Trial(v2: study("protocolSection.identificationModule.nctId", .string("NCT123")))
        }
    }

    @Test func aStringWhereANumberBelongsNamesTheIdAndPath() {
        let error = RecordError(nctId: "NCT01234567", path: "protocolSection.designModule.enrollmentInfo.count",
                                reason: "expected a number, found string \"ten\"")
        #expect(throws: error) {
            try Trial(v2: study("protocolSection.designModule.enrollmentInfo.count", .string("ten")))
        }
        #expect(error.localizedDescription
                == "NCT01234567: protocolSection.designModule.enrollmentInfo.count: expected a number, found string \"ten\"")
    }

    @Test(arguments: [
        ("protocolSection.designModule.enrollmentInfo.count", JSONValue.double(10.5),
         "expected a whole number, found number 10.5"),
        ("protocolSection.statusModule.overallStatus", .int(3), "expected a string, found number 3"),
        ("protocolSection.designModule.phases", .string("PHASE2"), "expected an array, found string \"PHASE2\""),
        ("protocolSection.statusModule", .string("done"), "expected an object, found string \"done\""),
        ("protocolSection.eligibilityModule.healthyVolunteers", .string("No"), "expected true or false, found string \"No\""),
        ("protocolSection.statusModule.startDateStruct.date", .string("soon"),
         "expected a date (yyyy, yyyy-MM or yyyy-MM-dd), found \"soon\""),
        ("protocolSection.eligibilityModule.minimumAge", .string("eighteen"),
         "expected an age such as \"18 Years\", found \"eighteen\""),
    ])
    func wrongTypesAreErrorsWithThePath(path: String, value: JSONValue, reason: String) {
        #expect(throws: RecordError(nctId: "NCT01234567", path: path, reason: reason)) {
            try Trial(v2: study(path, value))
        }
    }

    @Test func anArrayElementOfTheWrongTypeNamesItsIndex() {
        let locations = JSONValue.array([.object(["facility": .string("A")]), .object(["geoPoint": .object(["lat": .string("north")])])])
        #expect(throws: RecordError(nctId: "NCT01234567",
                                    path: "protocolSection.contactsLocationsModule.locations[1].geoPoint.lat",
                                    reason: "expected a number, found string \"north\"")) {
            try Trial(v2: study("protocolSection.contactsLocationsModule.locations", locations))
        }
    }

    /// Paths are spelled out only when an error names them: each kind of node (a list's string, an element read as
    /// an object, a scalar under two arrays, a member of a missing object) still names the right one.
    @Test(arguments: [
        ("protocolSection.conditionsModule.conditions", JSONValue.array([.string("Asthma"), .null, .int(4)]),
         "protocolSection.conditionsModule.conditions[2]", "expected a string, found number 4"),
        ("protocolSection.designModule.phases", .array([.string("PHASE1"), .bool(true)]),
         "protocolSection.designModule.phases[1]", "expected a string, found boolean true"),
        ("protocolSection.contactsLocationsModule.locations", .array([.object([:]), .string("Boston")]),
         "protocolSection.contactsLocationsModule.locations[1]", "expected an object, found string \"Boston\""),
        ("protocolSection.contactsLocationsModule.locations",
         .array([.object(["contacts": .array([.object([:]), .object(["email": .int(7)])])])]),
         "protocolSection.contactsLocationsModule.locations[0].contacts[1].email", "expected a string, found number 7"),
        ("protocolSection.statusModule.startDateStruct", .string("2020"),
         "protocolSection.statusModule.startDateStruct", "expected an object, found string \"2020\""),
        ("protocolSection.designModule.designInfo.maskingInfo.whoMasked", .object([:]),
         "protocolSection.designModule.designInfo.maskingInfo.whoMasked", "expected an array, found object {…}"),
        ("derivedSection.conditionBrowseModule.meshes", .array([.object(["term": .array([])])]),
         "derivedSection.conditionBrowseModule.meshes[0].term", "expected a string, found array of 0 elements"),
    ])
    func errorsNameTheElementAndMember(at: String, value: JSONValue, path: String, reason: String) {
        #expect(throws: RecordError(nctId: "NCT01234567", path: path, reason: reason)) {
            try Trial(v2: study(at, value))
        }
    }

    @Test func unknownEnumValuesAreKeptRaw() throws {
        var json = study("protocolSection.statusModule.overallStatus", .string("PAUSED_FOR_REVIEW"))
        json = json.setting(path: "protocolSection.designModule.phases", to: .array([.string("PHASE2"), .string("PHASE5")]))
        json = json.setting(path: "protocolSection.designModule.designInfo.allocation", to: .string("CLUSTER"))
        let t = try Trial(v2: json)
        #expect(t.overallStatus == .other("PAUSED_FOR_REVIEW"))
        #expect(t.overallStatus?.label == "PAUSED_FOR_REVIEW")
        #expect(t.phases == [.known(.phase2), .other("PHASE5")])
        #expect(t.design.allocation == .other("CLUSTER"))
        let encoded = try JSONParser.parse(JSONEncoder().encode(t))
        #expect(encoded["overallStatus"] == .string("PAUSED_FOR_REVIEW"))
        #expect(encoded["phases"] == .array([.string("PHASE2"), .string("PHASE5")]))
    }

    @Test func nullReadsAsAbsent() throws {
        let t = try Trial(v2: study("protocolSection.statusModule.whyStopped", .null))
        #expect(t.whyStopped == nil)
    }

    @Test func truncatedJSONIsAParseErrorWithTheOffset() throws {
        let url = RealRecords.directory.appendingPathComponent("v2/NCT04207047.json")
        let data = try #require(FileManager.default.contents(atPath: url.path))
        let truncated = data.prefix(data.count / 2)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(truncated) }
        do {
            _ = try JSONParser.parse(truncated)
        } catch let error as JSONParseError {
            #expect(error.offset == truncated.count)
            #expect(error.localizedDescription.hasPrefix("invalid JSON at byte \(truncated.count): "))
        }
    }

    @Test func conditionsAreTrimmedAndDeduplicatedIgnoringCase() throws {
        let t = try Trial(v2: study("protocolSection.conditionsModule.conditions",
                                    .array([.string(" Leukemia "), .string("leukemia"), .string(""), .string("Lymphoma")])))
        #expect(t.conditions == ["Leukemia", "Lymphoma"])
    }
}
