import CTSyncCore
import Foundation
import Testing

/// `ctsync show` end to end: the built executable against a temporary database seeded through the store.
@Suite struct ShowCommandTests {
    @Test func printsThePageWithTheRegistryHeadings() throws {
        let db = try ShowFixture()
        defer { db.remove() }
        let result = try db.show(["NCT04571138"])
        #expect(result.status == 0, "\(result.stderr)")
        for heading in ["Status and phase", "Conditions", "Treatments", "About", "Enrollment", "Sex", "Volunteers",
                        "Inclusion criteria", "Exclusion criteria", "Primary purpose", "Allocation",
                        "Interventional model", "Masking", "Central trial contact", "Research sites"] {
            #expect(result.stdout.contains("\n\(heading)\n"), "missing heading \(heading)")
        }
        #expect(result.stdout.contains("42 participants in 1 patient group (estimated)"))
        #expect(result.stdout.contains("version 1 of NCT04571138"))
        #expect(!result.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
    }

    @Test func markdownFormatWritesTheSamePageAsMarkdown() throws {
        let db = try ShowFixture()
        defer { db.remove() }
        let result = try db.show(["NCT04571138", "--format", "markdown"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("# NCT04571138: "))
        #expect(result.stdout.contains("\n## Inclusion criteria\n\n- "))
        #expect(result.stdout.contains("\n## Research sites\n"))
    }

    @Test func jsonPrintsTheTrialWithStableKeys() throws {
        let db = try ShowFixture()
        defer { db.remove() }
        let result = try db.show(["NCT04571138", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONParser.parse(result.stdout)
        #expect(json["nctId"]?.stringValue == "NCT04571138")
        #expect(json["overallStatus"]?.stringValue == "RECRUITING")
        #expect(json["phases"] == .array([.string("PHASE1"), .string("PHASE2")]))
        #expect(json[path: "enrollment.count"]?.intValue == 42)
        #expect(json[path: "startDate.date"]?.stringValue == "2020-09-25")
        #expect(json[path: "centralContacts"]?.arrayValue?.first?["degrees"] == .array([.string("MD")]))
        #expect(json["whyStopped"] == .null, "absent values are written as null, not left out")
    }

    @Test func rawPrintsTheStoredDocument() throws {
        let db = try ShowFixture()
        defer { db.remove() }
        let result = try db.show(["NCT04571138", "--raw"])
        #expect(result.status == 0)
        // Canonical form: the store keeps canonical JSON, where 36.0 and 36 are the same number.
        #expect(try JSONParser.parse(result.stdout).compactString() == ShowFixture.study.compactString())
    }

    @Test func aRecordThatDoesNotNormalizeIsOneLineNamingTheIdAndPath() throws {
        let db = try ShowFixture()
        defer { db.remove() }
        let result = try db.show(["NCT09999999"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == """
            error: NCT09999999: protocolSection.designModule.enrollmentInfo.count: expected a number, found string "ten"

            """)
    }

    @Test func unknownStudyAndBadFormatAreErrors() throws {
        let db = try ShowFixture()
        defer { db.remove() }
        let unknown = try db.show(["NCT00000001"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("NCT00000001"))
        let badFormat = try db.show(["NCT04571138", "--format", "html"])
        #expect(badFormat.status == 64)
    }
}

// MARK: - Fixture

/// A temporary database holding one real study and one with a string where the enrollment count belongs.
private struct ShowFixture {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let records: URL = {
        if let env = ProcessInfo.processInfo.environment["CTSYNC_RECORDS"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/ctgov/records")
    }()

    /// NCT04571138 from the website's download saved in graph_bigquery: a phase 1/2 study with five sites.
    static let study: JSONValue = {
        let url = records.appendingPathComponent("v2/graph_bigquery__ctg-studies.json")
        guard let data = FileManager.default.contents(atPath: url.path),
              let all = try? JSONParser.parse(data).arrayValue,
              let study = all.first(where: {
                  $0[path: "protocolSection.identificationModule.nctId"]?.stringValue == "NCT04571138"
              }) else { fatalError("NCT04571138 not found in \(url.path)") }
        return study
    }()

    static var binary: URL {
        if let env = ProcessInfo.processInfo.environment["CTSYNC_BIN"], !env.isEmpty { return URL(fileURLWithPath: env) }
        let beside = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("ctsync")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return packageRoot.appendingPathComponent(".build/debug/ctsync")
    }

    let directory: URL
    var database: String { directory.appendingPathComponent("ctsync.sqlite").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ctsync-show-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let bad = JSONValue.object([
            "protocolSection": .object([
                "identificationModule": .object(["nctId": .string("NCT09999999"), "briefTitle": .string("Bad count")]),
                "designModule": .object(["enrollmentInfo": .object(["count": .string("ten")])]),
            ]),
        ])
        let store = try Store(path: database)
        _ = try store.record([try StudyRecord(json: ShowFixture.study), try StudyRecord(json: bad)], source: .import)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `ctsync show ARGS --db …` and waits for it.
    func show(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = ShowFixture.binary
        process.arguments = ["show"] + arguments + ["--db", database]
        var environment = ProcessInfo.processInfo.environment
        environment["CTSYNC_DB"] = nil
        process.environment = environment
        let out = directory.appendingPathComponent("stdout-\(UUID().uuidString)")
        let err = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out)
        let errHandle = try FileHandle(forWritingTo: err)
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        return (process.terminationStatus,
                String(decoding: FileManager.default.contents(atPath: out.path) ?? Data(), as: UTF8.self),
                String(decoding: FileManager.default.contents(atPath: err.path) ?? Data(), as: UTF8.self))
    }
}
