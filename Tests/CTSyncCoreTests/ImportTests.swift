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

    @Test func zipEntriesOfEveryLayoutAreRead() throws {
        // ZIP64 sizes and end record, data descriptors, stored entries, local extra fields the directory does not
        // repeat (one longer than the reader's first read guesses): all read, the same studies as from the API.
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let studies = ImportFixtures.studies(9)
        var entries = ImportFixtures.bulk(studies).map { ImportFixtures.RawEntry($0.0, $0.1) }
        entries[1].zip64 = true
        entries[2].dataDescriptor = true
        entries[3].zip64 = true
        entries[3].dataDescriptor = true
        entries[4].method = 0
        entries[5].localExtra = 3000
        entries[6].method = 0
        entries[6].localExtra = 20
        entries[7].utf8Name = false
        for zip64End in [false, true] {
            let zip = dir.appendingPathComponent("layouts-\(zip64End).zip")
            try ImportFixtures.rawZip(entries, zip64End: zip64End).write(to: zip)
            #expect(ZipSource(path: zip.path).estimatedEntries() == 9)
            let store = try Store()
            let s = try run(store, [zip.path])
            #expect(s.entries == 9 && s.new == 9 && s.failed == 0, "\(s.errors)")
            for study in studies {
                let (_, document) = try store.document(of: NCTID(RecordRecipes.nctId(study))!)
                #expect(document == study)
            }
        }
    }

    @Test func damagedZipEntriesAreEachNamedAndTheOthersImported() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let studies = ImportFixtures.studies(16)
        let good = ImportFixtures.bulk(Array(studies.prefix(6))).map { ImportFixtures.RawEntry($0.0, $0.1) }
        let v = studies.suffix(10).map { $0.canonicalData() }
        typealias E = ImportFixtures.RawEntry
        var corrupt = E("90/corrupt.json", v[0])
        corrupt.mangle = { bytes in for i in bytes.indices { bytes[i] = 0xFF } }  // a block of the reserved type
        var longer = E("91/longer.json", v[1])
        longer.declaredSize = v[1].count - 100
        var shorter = E("92/shorter.json", v[2])
        shorter.declaredSize = v[2].count + 100
        var badCRC = E("", v[3])
        badCRC.name = Array("93/".utf8) + [0x81] + Array("crc.json".utf8)  // code page 437: ü
        badCRC.utf8Name = false
        badCRC.declaredCRC = Deflate.crc32(v[3]) ^ 1
        var bzip2 = E("94/bzip2.json", v[4])
        bzip2.method = 12
        var locked = E("95/locked.json", v[5])
        locked.encrypted = true
        var nowhere = E("96/nowhere.json", v[6])
        nowhere.zip64 = true
        nowhere.localHeaderOffset = 1 << 40
        var elsewhere = E("97/elsewhere.json", v[7])
        elsewhere.localHeaderOffset = 5
        var huge = E("98/huge.json", v[8])
        huge.zip64 = true
        huge.declaredSize = 1 << 33
        var storedLonger = E("99/stored-longer.json", v[9])
        storedLonger.method = 0
        storedLonger.declaredSize = v[9].count - 1
        var storedShorter = E("99/stored-shorter.json", v[9])
        storedShorter.method = 0
        storedShorter.mangle = { bytes in bytes.removeLast(10) }
        storedShorter.declaredSize = v[9].count
        let bad = [corrupt, longer, shorter, badCRC, bzip2, locked, nowhere, elsewhere, huge, storedLonger, storedShorter]
        var entries: [E] = []
        for (n, entry) in bad.enumerated() {
            entries.append(entry)
            if n < good.count { entries.append(good[n]) }
        }
        let zip = dir.appendingPathComponent("damaged.zip")
        try ImportFixtures.rawZip(entries).write(to: zip)

        let store = try Store()
        let s = try run(store, [zip.path])
        let errors = s.errors.joined(separator: "\n")
        #expect(s.new == 6 && s.entries == 17)
        #expect(s.failed == bad.count, "\(errors)")
        #expect(errors.contains("damaged.zip:90/corrupt.json: cannot be read from the zip: corrupt compressed data"))
        #expect(errors.contains("damaged.zip:91/longer.json: more data than the \(v[1].count - 100) bytes its directory declares"))
        #expect(errors.contains("damaged.zip:92/shorter.json: \(v[2].count) bytes read of the \(v[2].count + 100) its directory declares: the entry is cut short"))
        #expect(errors.contains("damaged.zip:93/ücrc.json: CRC-32 mismatch: the entry is corrupt"))
        #expect(errors.contains("damaged.zip:94/bzip2.json: compressed with method 12 (bzip2), which ctsync does not read"))
        #expect(errors.contains("damaged.zip:95/locked.json: refused: an encrypted entry"))
        #expect(errors.contains("damaged.zip:96/nowhere.json: its local header is past the end of the archive: the entry is cut short"))
        #expect(errors.contains("damaged.zip:97/elsewhere.json: no local header where the directory says the entry starts"))
        #expect(errors.contains("damaged.zip:98/huge.json: 8192 MiB uncompressed, over the 16 MiB limit per entry"))
        #expect(errors.contains("damaged.zip:99/stored-longer.json: more data than the \(v[9].count - 1) bytes its directory declares"))
        #expect(errors.contains("damaged.zip:99/stored-shorter.json: \(v[9].count - 10) bytes read of the \(v[9].count) its directory declares: the entry is cut short"))
        #expect(try store.totals().studies == 6)
        #expect(ImportFixtures.listing(dir) == ["damaged.zip"])
    }

    @Test func directoryListingMoreEntriesThanItHoldsIsReportedAfterTheRest() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let entries = ImportFixtures.bulk(ImportFixtures.studies(5)).map { ImportFixtures.RawEntry($0.0, $0.1) }
        let zip = dir.appendingPathComponent("short-directory.zip")
        try ImportFixtures.rawZip(entries, zip64End: true, extraDeclared: 2).write(to: zip)
        let store = try Store()
        let s = try run(store, [zip.path])
        #expect(s.new == 5 && s.failed == 1)
        #expect(s.errors.first?.hasPrefix("\(zip.path): not a readable zip archive (its directory lists 7 entries but only 5 could be read)") == true)
    }

    @Test func entryPathChecksOnBytesAgreeWithTheUnicodeOnes() {
        let paths = ["00/NCT00000000.json", "../evil.json", "a/../b", "a/..", "..", "...", "a/...b/c", "..a/b", "/tmp/x",
                     "\\\\server\\x", "C:x", "c:/x", "1:x", ":x", "a\\..\\b", "a//..//b", "a\0b", "", "é/../x", "é:x",
                     "a/b/", "AllPublicXML/Contents.txt"]
        for path in paths {
            #expect(ZipSource.unsafePath(path) == ZipSource.unsafeUnicodePath(path), "\(path)")
        }
        #expect(ZipSource.unsafePath("a/../b") != nil && ZipSource.unsafePath("C:x") != nil && ZipSource.unsafePath("00/NCT1.json") == nil)
        for path in ["Contents.txt", "AllPublicXML/CONTENTS.TXT", "x/contents.txt/"] { #expect(ZipSource.isContentsList(path), "\(path)") }
        for path in ["Contents.txt.json", "x/Contents.tx", "xContents.txt", "Contents.txt/a"] { #expect(!ZipSource.isContentsList(path), "\(path)") }
    }

    @Test func crc32IsTheZipChecksum() {
        #expect(Deflate.crc32(Data("123456789".utf8)) == 0xCBF4_3926)
        #expect(Deflate.crc32(Data()) == 0)
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

    #if os(Linux)
    /// The workers give way to the writer: a worker thread's nice value is lowered, and only its own (on Linux the
    /// nice value is per thread; lowering the whole process's would slow the writer with it).
    @Test func workersYieldToTheWriterAndOnlyThey() {
        let before = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        let seen = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let worker = Thread {
            seen.set(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0), before: true)
            Importer.yieldToWriter()
            seen.set(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0), before: false)
            done.signal()
        }
        worker.start()
        done.wait()
        #expect(seen.before == before)
        #expect(seen.after == min(19, before + Importer.workerNice))
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == before)
        #expect(Importer.workerNice > 0)
    }
    #endif
}

/// Two values set from another thread.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: (Int32?, Int32?) = (nil, nil)
    func set(_ value: Int32, before: Bool) { lock.withLock { if before { values.0 = value } else { values.1 = value } } }
    var before: Int32? { lock.withLock { values.0 } }
    var after: Int32? { lock.withLock { values.1 } }
}

/// A thread-safe counter for hooks called from import workers.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}
