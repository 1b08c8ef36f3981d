import CTSyncCore
import CTSyncFakeRegistry
import Foundation
import Testing

/// Search, filters, similar and the index lifecycle, on the real records stored through `Store.record`.
@Suite struct SearchTests {
    /// The real records that normalize, with their normalized trials.
    static let trials: [(json: JSONValue, trial: Trial)] = RealStudies.all.compactMap { json in
        (try? Trial(v2: json)).map { (json, $0) }
    }

    static func store(_ studies: [JSONValue] = RealStudies.all) throws -> Store {
        let store = try Store()
        _ = try store.record(studies.compactMap { try? StudyRecord(json: $0) }, source: .sync)
        return store
    }

    /// One store of all the real records, shared by the read-only tests (storing 325 records takes a while in debug).
    static let shared: Store = {
        do { return try store() } catch { fatalError("cannot store the real records: \(error)") }
    }()

    static func ids(_ hits: [SearchHit]) -> Set<String> { Set(hits.map(\.nctId)) }

    static func query(_ text: String) throws -> SearchQuery { try SearchQuery(text) }

    // MARK: - Queries whose answers follow from the records

    @Test func everyConditionFindsItsStudies() throws {
        let store = Self.shared
        #expect(Self.trials.count >= 15)
        for (_, trial) in Self.trials {
            for condition in trial.conditions {
                let hits = try store.search(try Self.query("\"\(condition.replacingOccurrences(of: "\"", with: ""))\""), limit: nil)
                #expect(Self.ids(hits).contains(trial.nctId), "\(trial.nctId) not found by its condition \(condition)")
            }
        }
    }

    @Test func aConditionWordFindsEveryStudyWithIt() throws {
        let store = Self.shared
        for word in ["cancer", "diabetes", "melanoma", "lymphoma", "covid"] {
            let expected = Set(Self.trials.filter { t in
                t.trial.conditions.contains { InterventionNames.fold($0).split(separator: " ").contains(Substring(word)) }
            }.map(\.trial.nctId))
            #expect(!expected.isEmpty, "no study has \(word) in its conditions")
            let found = Self.ids(try store.search(try Self.query(word), limit: nil))
            #expect(expected.isSubset(of: found), "\(word): missing \(expected.subtracting(found))")
        }
    }

    @Test func operatorsPhrasesAndPrefixes() throws {
        let store = Self.shared
        let melanoma = Self.ids(try store.search(try Self.query("melanoma"), limit: nil))
        let lymphoma = Self.ids(try store.search(try Self.query("lymphoma"), limit: nil))
        #expect(Self.ids(try store.search(try Self.query("melanoma OR lymphoma"), limit: nil)) == melanoma.union(lymphoma))
        #expect(Self.ids(try store.search(try Self.query("melanoma lymphoma"), limit: nil)) == melanoma.intersection(lymphoma))
        #expect(Self.ids(try store.search(try Self.query("melanoma NOT lymphoma"), limit: nil)) == melanoma.subtracting(lymphoma))
        #expect(Self.ids(try store.search(try Self.query("melanoma AND lymphoma"), limit: nil)) == melanoma.intersection(lymphoma))
        let prefix = Self.ids(try store.search(try Self.query("melan*"), limit: nil))
        #expect(melanoma.isSubset(of: prefix))
        // Porter stemming: the plural finds the singular.
        #expect(Self.ids(try store.search(try Self.query("melanomas"), limit: nil)) == melanoma)
        let phrase = Self.ids(try store.search(try Self.query("\"lung cancer\""), limit: nil))
        let expected = Set(Self.trials.filter { t in
            t.trial.conditions.contains { $0.lowercased().contains("lung cancer") }
        }.map(\.trial.nctId))
        #expect(expected.isSubset(of: phrase) && !expected.isEmpty)
    }

    // MARK: - Filters: exactly the matching studies

    @Test func eachFilterReturnsExactlyTheMatchingStudies() throws {
        let store = Self.shared
        let all = Self.trials.map(\.trial)
        func check(_ filter: SearchFilter, _ expected: (Trial) -> Bool, _ label: String) throws {
            let found = Self.ids(try store.search(nil, filter: filter, limit: nil))
            #expect(found == Set(all.filter(expected).map(\.nctId)), "\(label)")
        }
        for status in Set(all.compactMap { $0.overallStatus?.rawValue }) {
            var f = SearchFilter(); f.statuses = [status]
            try check(f, { $0.overallStatus?.rawValue == status }, status)
        }
        for phase in Set(all.flatMap { $0.phases.map(\.rawValue) }) {
            var f = SearchFilter(); f.phases = [phase]
            try check(f, { $0.phases.map(\.rawValue).contains(phase) }, phase)
        }
        var two = SearchFilter(); two.phases = ["PHASE2", "PHASE3"]
        try check(two, { !Set($0.phases.map(\.rawValue)).isDisjoint(with: ["PHASE2", "PHASE3"]) }, "phase 2 or 3")
        for type in ["INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS"] {
            var f = SearchFilter(); f.studyType = type
            try check(f, { $0.studyType?.rawValue == type }, type)
        }
        for country in Set(all.flatMap { $0.locations.compactMap(\.country) }).sorted().prefix(6) {
            var f = SearchFilter(); f.country = country.uppercased()
            try check(f, { $0.locations.contains { $0.country?.lowercased() == country.lowercased() } }, country)
        }
        var results = SearchFilter(); results.hasResults = true
        try check(results, \.hasResults, "has results")
        #expect(all.contains { $0.hasResults })
        for date in ["2010", "2018-06", "2020-03-15"] {
            var f = SearchFilter(); f.startedAfter = date
            let key = SearchFilter.dateKey(date)
            try check(f, { $0.startDate.map { SearchFilter.dateKey($0.text) >= key } ?? false }, "started after \(date)")
        }
        // A query and a filter together: the intersection.
        var completed = SearchFilter(); completed.statuses = ["COMPLETED"]
        let both = Self.ids(try store.search(try Self.query("cancer"), filter: completed, limit: nil))
        let cancer = Self.ids(try store.search(try Self.query("cancer"), limit: nil))
        #expect(both == cancer.intersection(all.filter { $0.overallStatus?.rawValue == "COMPLETED" }.map(\.nctId)))
    }

    // MARK: - Ranking

    /// Two real records given one made-up word: in the title of one, only in the summary of the other.
    @Test func aTermInTheTitleRanksAboveTheSameTermInTheSummary() throws {
        let a = RealStudies.study("NCT04523987"), b = RealStudies.study("NCT03418623")
        let inTitle = a.setting(path: "protocolSection.identificationModule.briefTitle",
                                to: .string("Zorbelimab in Metastatic Pancreatic Cancer"))
        let summary = b[path: "protocolSection.descriptionModule.briefSummary"]?.stringValue ?? ""
        let inSummary = b.setting(path: "protocolSection.descriptionModule.briefSummary",
                                  to: .string("Zorbelimab was considered. " + summary))
        let store = try Self.store([inSummary, inTitle])
        let hits = try store.search(try Self.query("zorbelimab"))
        #expect(hits.map(\.nctId) == ["NCT04523987", "NCT03418623"])
        #expect(hits[0].score > hits[1].score)
        #expect(hits[0].snippet.contains("[Zorbelimab]"))
    }

    // MARK: - The index follows the latest version

    @Test func aResyncedStudyIsFoundByItsNewTextOnly() throws {
        let original = RealStudies.study("NCT04523987")
        let old = original.setting(path: "protocolSection.identificationModule.briefTitle", to: .string("Florbazine first title"))
        let new = RecordRecipes.status(old, to: "COMPLETED", posted: "2031-02-03")
            .setting(path: "protocolSection.identificationModule.briefTitle", to: .string("Quuxinib second title"))
        let store = try Self.store([old])
        #expect(try store.search(try Self.query("florbazine")).map(\.nctId) == ["NCT04523987"])
        _ = try store.record([try StudyRecord(json: new)], source: .sync)
        #expect(try store.search(try Self.query("florbazine")).isEmpty)
        let hits = try store.search(try Self.query("quuxinib"))
        #expect(hits.map(\.nctId) == ["NCT04523987"])
        #expect(hits.first?.overallStatus == "COMPLETED")
        var completed = SearchFilter(); completed.statuses = ["COMPLETED"]
        #expect(try store.search(nil, filter: completed, limit: nil).map(\.nctId).contains("NCT04523987"))
        // An import of the old version again changes nothing: it is already stored.
        _ = try store.record([try StudyRecord(json: old)], source: .import)
        #expect(try store.search(try Self.query("florbazine")).isEmpty)
        // A rebuild gives the same answers.
        #expect(try store.reindexSearch() == 1)
        #expect(try store.search(try Self.query("quuxinib")).map(\.nctId) == ["NCT04523987"])
        #expect(try store.search(try Self.query("florbazine")).isEmpty)
    }

    // MARK: - Similar

    /// The v2 records hold no mesenchymal stem cell trial and one COVID-19 trial, so the MSC trials are derived:
    /// the real COVID-19 trial NCT04431453 becomes the target with "Mesenchymal stem cells", and three other real
    /// records get new NCT ids, the condition COVID-19 and an MSC intervention spelled "MSCs", "MSC" and
    /// "Mesenchymal stromal cells". A fourth clone gets COVID-19 and hydroxychloroquine: it shares the condition but
    /// not the intervention, so it must rank below the three MSC trials.
    static func mscStudies() -> [JSONValue] {
        func msc(_ json: JSONValue, id: String?, name: String, type: String = "BIOLOGICAL") -> JSONValue {
            var j = json
            if let id { j = j.setting(path: "protocolSection.identificationModule.nctId", to: .string(id)) }
            j = j.setting(path: "protocolSection.conditionsModule.conditions", to: .array([.string("COVID-19")]))
            j = j.setting(path: "derivedSection.conditionBrowseModule.meshes",
                          to: .array([.object(["id": .string("D000086382"), "term": .string("COVID-19")])]))
            j = j.setting(path: "protocolSection.armsInterventionsModule.interventions", to: .array([
                .object(["type": .string(type), "name": .string(name)])]))
            return j.removing(path: "derivedSection.interventionBrowseModule")
        }
        return [
            msc(RealStudies.study("NCT04431453"), id: nil, name: "Mesenchymal stem cells"),
            msc(RealStudies.study("NCT00184067"), id: "NCT90000001", name: "MSCs"),
            msc(RealStudies.study("NCT03934567"), id: "NCT90000002", name: "MSC"),
            msc(RealStudies.study("NCT02552212"), id: "NCT90000003", name: "Allogeneic mesenchymal stromal cells"),
            msc(RealStudies.study("NCT04523987"), id: "NCT90000004", name: "Hydroxychloroquine", type: "DRUG"),
        ]
    }

    @Test func similarRanksTheOtherMSCTrialsFirst() throws {
        let others = RealStudies.all.filter { RecordRecipes.nctId($0) != "NCT04431453" }
        let store = try Self.store(others + Self.mscStudies())
        let results = try store.similar(to: NCTID("NCT04431453")!, limit: 10)
        #expect(Set(results.prefix(3).map(\.nctId)) == ["NCT90000001", "NCT90000002", "NCT90000003"])
        #expect(results.map(\.nctId).contains("NCT90000004"))
        let first = try #require(results.first)
        #expect(first.reasons.first?.contains("COVID-19") == true)
        #expect(first.reasons.first?.contains("Mesenchymal") == true)
        #expect(first.reasons.contains("same intervention type"))
        #expect(results.allSatisfy { $0.nctId != "NCT04431453" })
        #expect(zip(results, results.dropFirst()).allSatisfy { $0.score >= $1.score })
    }

    @Test func interventionNamesNormalize() {
        let names = ["mesenchymal stem cells", "Mesenchymal Stromal Cells", "MSC", "MSCs", "mesenchymal stem/stromal cells",
                     "Umbilical cord mesenchymal stem cells"]
        #expect(Set(names.compactMap(InterventionNames.normalize)) == ["mesenchymal stromal cells"])
        #expect(InterventionNames.normalize("Placebo oral tablet") == "placebo")
        #expect(InterventionNames.normalize("Pembrolizumab") == "pembrolizumab")
        #expect(InterventionNames.normalize("—") == nil)
    }

    @Test func similarOfAnUnknownStudyIsAClearError() throws {
        let store = Self.shared
        #expect(throws: StoreError.self) { try store.similar(to: NCTID("NCT09999999")!) }
    }

    // MARK: - Bad queries

    @Test(arguments: [
        ("", SearchQueryError.empty), ("   ", .empty), ("\"stem cells", .unbalancedQuote), ("covid \"", .unbalancedQuote),
        ("\"\"", .emptyPhrase), ("covid OR", .danglingOperator("OR", position: "end")),
        ("OR covid", .danglingOperator("OR", position: "start")), ("NOT children", .danglingOperator("NOT", position: "start")),
        ("covid NOT", .danglingOperator("NOT", position: "end")), ("OR", .danglingOperator("OR", position: "start")),
        ("NOT OR", .danglingOperator("NOT", position: "start")), ("covid OR NOT flu", .consecutiveOperators("OR", "NOT")),
        ("*", .bareWildcard), ("covid *", .bareWildcard), ("\";\"", .noSearchableText(";")),
    ])
    func malformedQueriesSayWhatIsWrong(text: String, expected: SearchQueryError) {
        #expect(throws: expected) { try SearchQuery(text) }
        #expect((expected.errorDescription ?? "").count > 20)
    }

    /// FTS5 syntax typed by a user is text, never syntax: no SQLite error, no column filter, no injection.
    @Test(arguments: ["\"covid\" \"", "'", ";", "covid'); DROP TABLE studies; --", "NEAR(covid flu)", "title:melanoma",
                      "^melanoma", "(melanoma OR lymphoma", "melanoma)", "{title}: melanoma", "melanoma + - : ,",
                      "col*umn", "\"a\"\"b\"", "AND", "melanoma AND lymphoma", "mélanome", "-melanoma"])
    func hostileQueriesAreTextOnly(text: String) throws {
        let store = Self.shared
        do {
            let q = try SearchQuery(text)
            _ = try store.search(q, limit: nil)
        } catch let error as SearchQueryError {
            #expect((error.errorDescription ?? "").count > 20)
        }
        #expect(try store.studies().count == RealStudies.all.count)
    }

    @Test func columnFilterSyntaxIsNotAColumnFilter() throws {
        let store = Self.shared
        // `title:melanoma` is the phrase "title melanoma", which no record has; a column filter would find some.
        #expect(try store.search(try Self.query("title:melanoma"), limit: nil).isEmpty)
        #expect(try store.search(try Self.query("^melanoma"), limit: nil).map(\.nctId)
            == (try store.search(try Self.query("melanoma"), limit: nil)).map(\.nctId))
    }
}
