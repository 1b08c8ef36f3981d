import CTSyncCore
import Foundation
import Testing

/// Every bad input the sync issue names: one clear line on stderr, a non-zero exit, nothing stored lost.
@Suite struct BadInputTests {
    @Test func invalidNCTId() throws {
        let s = try Setup()
        let r = try s.cli.run(["show", "NCT123"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("'NCT123' is not an NCT id"))
    }

    @Test func unreachableRegistry() throws {
        let s = try Setup()
        s.registry.stop()
        let r = try s.cli.run(["sync", "NCT04523987", "--rate", "0", "--backoff", "0.01", "--max-attempts", "2"])
        #expect(r.status == 3)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.first?.hasPrefix("error: giving up on \(s.registry.baseURL)/studies/NCT04523987 after 2 attempts") == true)
        #expect(r.stderr.contains("curl error 7"))
    }

    @Test func databaseInAMissingDirectory() throws {
        let s = try Setup()
        let cli = CLI(database: s.dir.appendingPathComponent("no/such/dir/ctsync.sqlite").path, registry: s.cli.registry)
        let r = try cli.run(["watch", "add", "x", "--cond", "asthma"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: cannot open database \(cli.database): its directory does not exist (create it, or choose another --db)\n")
    }

    @Test func databaseInAReadOnlyDirectory() throws {
        let s = try Setup()
        let ro = s.dir.appendingPathComponent("ro")
        try FileManager.default.createDirectory(at: ro, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: ro.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: s.dir.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: ro.path) }
        let cli = CLI(database: ro.appendingPathComponent("ctsync.sqlite").path, registry: s.cli.registry)
        // root ignores permission bits: run as nobody then.
        let prefix = getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        let r = try cli.run(["watch", "add", "x", "--cond", "asthma"], prefix: prefix)
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: cannot write database \(cli.database): the file or its directory is read-only"))
    }

    @Test func corruptDatabaseIsLeftUntouched() throws {
        let s = try Setup()
        let garbage = Data(String(repeating: "not a database ", count: 500).utf8)
        try garbage.write(to: URL(fileURLWithPath: s.cli.database))
        for args in [["list"], ["sync", "NCT04523987"], ["watch", "add", "x", "--cond", "asthma"]] {
            let r = try s.cli.run(args)
            #expect(r.status == 1)
            #expect(r.stderr.contains("is not a ctsync database or is corrupt"))
            #expect(r.stderr.split(separator: "\n").count == 1)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: s.cli.database)) == garbage)
    }

    @Test func unknownWatchName() throws {
        let s = try Setup()
        _ = try s.cli.run(["watch", "add", "covid", "--cond", "COVID-19"])
        var r = try s.cli.run(["watch", "remove", "nope"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: no watch named 'nope' (see `ctsync watch list`)\n")
        r = try s.cli.run(["list", "--watch", "nope"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no watch named 'nope'"))
        r = try s.cli.run(["watch", "list"])
        #expect(r.stdout.hasPrefix("covid"))
    }

    @Test func unknownStudyInTheStore() throws {
        let s = try Setup()
        _ = try s.cli.run(["watch", "add", "covid", "--cond", "COVID-19"])
        let r = try s.cli.run(["show", "NCT99999999"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("NCT99999999 is not in the local store"))
    }

    @Test func noDatabaseYetForReadCommands() throws {
        let s = try Setup()
        let r = try s.cli.run(["list"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no database at"))
        #expect(!FileManager.default.fileExists(atPath: s.cli.database))
    }
}
