@testable import CTSyncCore
import CTSyncFakeRegistry
import Foundation
import Testing

@Suite struct ImportTests {
    func run(_ store: Store, _ paths: [String], limits: ImportLimits = ImportLimits(),
             xml: XMLImporter? = nil) throws -> ImportSummary {
        var options = ImportOptions()
        options.limits = limits
        options.xmlImporter = xml
        options.batchSize = 7  // several transactions even for small inputs
        return try Importer(store: store, options: options).run(try paths.map(ImportSources.open))
    }

    @Test func bulkZipImportsEveryStudyAndTwiceAddsNothing() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let studies = ImportFixtures.studies(60)
        let zip = dir.appendingPathComponent("ctg-studies.json.zip")
        try ImportFixtures.zip(ImportFixtures.bulk(studies), to: zip)
        let store = try Store()
        let first = try run(store, [zip.path])
        #expect(first.entries == 60)
        #expect(first.imported == 60)
        #expect(first.new == 60)
        #expect(first.failed == 0)
        #expect(first.errors.isEmpty)
        #expect(try store.totals().versions == 60)
        let second = try run(store, [zip.path])
        #expect(second.new == 0 && second.changed == 0 && second.unchanged == 60)
        #expect(try store.totals().versions == 60)
        let id = NCTID(RecordRecipes.nctId(studies[0]))!
        let (info, document) = try store.document(of: id)
        #expect(info.source == "import")
        #expect(document == studies[0])
        // Nothing was unzipped beside the archive.
        #expect(ImportFixtures.listing(dir) == ["ctg-studies.json.zip"])
    }

    @Test func directoryOfStudies() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let studies = ImportFixtures.studies(25)
        for (name, data) in ImportFixtures.bulk(studies) {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        try Data("not a study".utf8).write(to: dir.appendingPathComponent("README.txt"))
        let store = try Store()
        let s = try run(store, [dir.path])
        #expect(s.entries == 25 && s.new == 25 && s.failed == 0)
    }

    @Test func singleFilesOneStudyAnArrayAndAPage() throws {
        let records = RecordsLocation.records
        let store = try Store()
        let one = try run(store, [records.appendingPathComponent("v2/NCT04523987.json").path])
        #expect(one.entries == 1 && one.new == 1)
        let array = try run(store, [records.appendingPathComponent("v2/trial-match-ai__ctg-studies.json").path])
        let arrayCount = try JSONParser.parse(Data(contentsOf: records.appendingPathComponent("v2/trial-match-ai__ctg-studies.json"))).arrayValue!.count
        #expect(array.entries == 1 && array.imported == arrayCount && array.failed == 0)
        let page = try run(store, [records.appendingPathComponent("pages/aact__NCT03281889_studies-page.json").path])
        #expect(page.entries == 1 && page.imported >= 1 && page.failed == 0)
    }

    @Test func importedVersionsEqualSyncedOnes() async throws {
        let h = try Harness()
        let id = "NCT04523987"
        _ = try await h.engine().run([.ids([NCTID(id)!])])
        let synced = try h.store.versions(of: NCTID(id)!)
        let s = try run(h.store, [RecordsLocation.records.appendingPathComponent("v2/\(id).json").path])
        #expect(s.unchanged == 1 && s.new == 0)
        let after = try h.store.versions(of: NCTID(id)!)
        #expect(after == synced)

        // The other way round: imported first, then synced.
        let store = try Store()
        _ = try run(store, [RecordsLocation.records.appendingPathComponent("v2/\(id).json").path])
        let h2 = try Harness(store: store)
        let summary = try await h2.engine().run([.ids([NCTID(id)!])])
        #expect(summary.unchanged == 1 && summary.new == 0)
        #expect(try store.versions(of: NCTID(id)!).map(\.contentHash) == synced.map(\.contentHash))
    }

    @Test func hostileZipEachEntryNamedAndNothingElseLost() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let work = dir.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let good = ImportFixtures.studies(20)
        let victim = ImportFixtures.studies(21)[20]
        var malformed = victim.removing(path: "protocolSection.identificationModule.nctId")
        malformed = malformed.setting(path: "protocolSection.identificationModule.briefTitle", to: .string("no id"))
        let bigArray = try Data(contentsOf: RecordsLocation.records.appendingPathComponent("v2/dtx-analysis__ctg-studies.json"))
        let mixedArray = JSONValue.array([good[0], malformed, good[1]]).canonicalData()
        var entries = ImportFixtures.bulk(good)
        entries.insert(("../evil.json", victim.canonicalData()), at: 3)
        entries.insert(("/tmp/absolute.json", victim.canonicalData()), at: 5)
        entries.append(("07/NCT99999907.json", Data("this is not JSON at all".utf8)))
        entries.append(("08/NCT99999908.json", malformed.canonicalData()))
        entries.append(("09/mixed.json", mixedArray))
        entries.append(("10/big.json", bigArray))
        entries.append(("AllPublicXML/NCT0000xxxx/NCT00000000.xml",
                        try Data(contentsOf: ImportFixtures.hostile.appendingPathComponent("entity-bomb.xml"))))
        entries.append(("11/cut.json", Data(victim.canonicalData().prefix(500))))
        let zip = work.appendingPathComponent("hostile.zip")
        try ImportFixtures.zip(entries, to: zip)

        let store = try Store()
        let s = try run(store, [zip.path], limits: ImportLimits(maxEntryBytes: 1 << 20))
        let errors = s.errors.joined(separator: "\n")
        #expect(s.new == 20, "the 20 good studies and the two good ones of the mixed array (already counted) are stored")
        #expect(s.failed == 8, "\(errors)")
        #expect(errors.contains("hostile.zip:../evil.json: refused: an entry path with '..'"))
        #expect(errors.contains("hostile.zip:/tmp/absolute.json: refused: an absolute entry path"))
        #expect(errors.contains("hostile.zip:07/NCT99999907.json: not a JSON study nor legacy XML"))
        #expect(errors.contains("hostile.zip:08/NCT99999908.json: protocolSection.identificationModule.nctId: missing"))
        #expect(errors.contains("hostile.zip:09/mixed.json: study #2: protocolSection.identificationModule.nctId: missing"))
        #expect(errors.contains("hostile.zip:10/big.json:") && errors.contains("over the 1 MiB limit per entry"))
        #expect(errors.contains("hostile.zip:AllPublicXML/NCT0000xxxx/NCT00000000.xml: refused: the document has a DOCTYPE with an internal subset"))
        #expect(errors.contains("hostile.zip:11/cut.json: not valid JSON"))
        #expect(try store.totals().studies == 20)
        // Nothing written anywhere: not beside the zip, not in its parent, not where the entry names point from the
        // working directory (checked by name: other processes may write in the working directory meanwhile).
        #expect(ImportFixtures.listing(dir) == ["work", "work/hostile.zip"])
        #expect(!FileManager.default.fileExists(atPath: "/tmp/absolute.json"))
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for path in ["evil.json", "../evil.json", "tmp/absolute.json"] {
            #expect(!FileManager.default.fileExists(atPath: cwd.appendingPathComponent(path).path), "\(path)")
        }
    }

    @Test func truncatedZipIsOneClearFailureAndOtherSourcesImport() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = dir.appendingPathComponent("full.zip")
        try ImportFixtures.zip(ImportFixtures.bulk(ImportFixtures.studies(30)), to: zip)
        let data = try Data(contentsOf: zip)
        let cut = dir.appendingPathComponent("cut.zip")
        try data.prefix(data.count / 2).write(to: cut)
        let store = try Store()
        let s = try run(store, [cut.path, RecordsLocation.records.appendingPathComponent("v2/NCT04523987.json").path])
        #expect(s.failed == 1)
        #expect(s.errors.first?.hasPrefix("\(cut.path): not a readable zip archive") == true)
        #expect(s.errors.first?.contains("truncated") == true)
        #expect(s.new == 1)
    }

    @Test func legacyXMLWithoutAReaderIsCountedAsSkipped() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let legacy = RecordsLocation.records.appendingPathComponent("legacy-xml")
        let names = try FileManager.default.contentsOfDirectory(atPath: legacy.path).filter { $0.hasSuffix(".xml") }.sorted()
        var entries: [(String, Data)] = [("AllPublicXML/Contents.txt", Data("\(names.count) studies\n".utf8))]
        for name in names.prefix(12) {
            entries.append(("AllPublicXML/NCT0000xxxx/\(name)", try Data(contentsOf: legacy.appendingPathComponent(name))))
        }
        let zip = dir.appendingPathComponent("AllPublicXML.zip")
        try ImportFixtures.zip(entries, to: zip)
        let store = try Store()
        let s = try run(store, [zip.path, legacy.path])
        #expect(s.entries == 12 + names.count, "Contents.txt is skipped")
        #expect(s.unsupported == 12 + names.count)
        #expect(s.failed == 0)
        #expect(s.errors.count == Importer.unsupportedListed + 1)
        #expect(s.errors[0].hasSuffix("legacy XML: skipped (no XML reader configured)"))
        #expect(s.errors.last == "\(12 + names.count - 5) more legacy XML entries: skipped")

        // With a reader plugged in, XML entries go through it (here: the matching v2 record stands in).
        let seen = Counter()
        let reader = XMLImporter { name, _ in
            seen.add()
            guard name.contains("NCT04523987") else { return [] }
            return [try StudyRecord(json: RealStudies.study("NCT04523987"))]
        }
        let t = try run(try Store(), [legacy.path], xml: reader)
        #expect(seen.value == names.count)
        #expect(t.unsupported == 0 && t.failed == 0)
    }

    @Test func entityDeclarationsAreRefusedRealLegacyXMLIsNot() throws {
        for name in ["entity-bomb.xml", "external-entity.xml"] {
            let data = try Data(contentsOf: ImportFixtures.hostile.appendingPathComponent(name))
            #expect(LegacyXML.prologProblem(data) != nil, "\(name)")
        }
        let legacy = RecordsLocation.records.appendingPathComponent("legacy-xml")
        for name in try FileManager.default.contentsOfDirectory(atPath: legacy.path) {
            #expect(LegacyXML.prologProblem(try Data(contentsOf: legacy.appendingPathComponent(name))) == nil, "\(name)")
        }
        let store = try Store()
        let s = try run(store, [ImportFixtures.hostile.appendingPathComponent("entity-bomb.xml").path])
        #expect(s.failed == 1)
        #expect(s.errors.first?.contains("entity-bomb.xml: refused: the document has a DOCTYPE with an internal subset") == true)
    }

    @Test func oneSerializationGivesTheSameHashAsTheRecordItself() throws {
        var checked = 0
        // Every 4th real record (a debug build is slow at this, and the suite runs beside timing-sensitive tests).
        for study in RealStudies.all.enumerated().filter({ $0.offset % 4 == 0 }).map(\.element) {
            for variant in [study, RecordRecipes.versionHolder(study, to: "2031-01-01"),
                            study.setting(path: "derivedSection.miscInfoModule", to: .object(["versionHolder": .string("x")])),
                            study.setting(path: "derivedSection.miscInfoModule",
                                          to: .object(["versionHolder": .string("x"), "zz": .int(1)])),
                            study.setting(path: "derivedSection.miscInfoModule",
                                          to: .object(["versionHolder": .string("x"), "aa": .array([.null])])),
                            study.setting(path: "derivedSection.miscInfoModule", to: .string("not an object")),
                            study.removing(path: "derivedSection")] {
                guard let expected = try? StudyRecord(json: variant) else { continue }
                let (fast, canonical) = try StudyRecord.withCanonicalForm(variant)
                #expect(canonical == variant.canonicalData())
                #expect(fast.contentHash == expected.contentHash, "\(expected.nctId)")
                #expect(fast.nctId == expected.nctId)
                checked += 1
            }
        }
        #expect(checked > 400)
    }

    @Test func overSizeFileIsRefusedUnread() throws {
        let store = try Store()
        let big = RecordsLocation.records.appendingPathComponent("v2/dtx-analysis__ctg-studies.json")
        let s = try run(store, [big.path, RecordsLocation.records.appendingPathComponent("v2/NCT04523987.json").path],
                        limits: ImportLimits(maxEntryBytes: 1 << 20))
        #expect(s.failed == 1 && s.new == 1)
        #expect(s.errors.first?.contains("dtx-analysis__ctg-studies.json: 2.6 MiB, over the 1 MiB limit per entry") == true)
    }
}

/// A thread-safe counter for hooks called from import workers.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}
