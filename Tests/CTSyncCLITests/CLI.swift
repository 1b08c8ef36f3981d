import CTSyncCore
import CTSyncFakeRegistry
import Foundation

/// Runs the built `ctsync` executable and captures what it printed.
struct CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The executable beside the test bundle (both are products of the same build), or `$CTSYNC_BIN`.
    static var binary: URL {
        if let env = ProcessInfo.processInfo.environment["CTSYNC_BIN"], !env.isEmpty { return URL(fileURLWithPath: env) }
        let beside = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("ctsync")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return RecordsLocation.packageRoot.appendingPathComponent(".build/debug/ctsync")
    }

    var database: String
    var registry: String

    /// Starts `ctsync ARGS --db … --registry …` without waiting for it.
    func start(_ arguments: [String], prefix: [String] = [], environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        if prefix.isEmpty {
            process.executableURL = CLI.binary
            process.arguments = arguments + ["--db", database, "--registry", registry]
        } else {
            process.executableURL = URL(fileURLWithPath: prefix[0])
            process.arguments = Array(prefix.dropFirst()) + [CLI.binary.path] + arguments + ["--db", database, "--registry", registry]
        }
        var env = ProcessInfo.processInfo.environment
        env["CTSYNC_DB"] = nil
        env["CTSYNC_REGISTRY"] = nil
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, out, err)
    }

    /// Runs `ctsync ARGS --db … --registry …` to the end.
    func run(_ arguments: [String], prefix: [String] = [], environment: [String: String] = [:]) throws -> Result {
        let (process, out, err) = try start(arguments, prefix: prefix, environment: environment)
        return CLI.finish(process, out, err)
    }

    static func finish(_ process: Process, _ out: Pipe, _ err: Pipe) -> Result {
        // Read both pipes while the process runs, so a large output never blocks it.
        nonisolated(unsafe) var stdout = Data(), stderr = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { stdout = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { stderr = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        process.waitUntilExit()
        group.wait()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// The real records, prepared once for every fake registry of the run.
enum RealStudies {
    static let prepared: [FakeRegistry.Prepared] = {
        do {
            return FakeRegistry.prepare(try FakeRegistry.loadStudies(from: RecordsLocation.records))
        } catch {
            fatalError("cannot read the real records at \(RecordsLocation.records.path): \(error)")
        }
    }()
}

/// A fresh temporary directory.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ctsync-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A fake registry and a database in a temporary directory, for one CLI test.
final class Setup {
    let registry: FakeRegistry
    let dir: URL
    let cli: CLI

    init(maxPageSize: Int = 60) throws {
        registry = FakeRegistry(prepared: RealStudies.prepared)
        registry.maxPageSize = maxPageSize
        try registry.start()
        dir = try temporaryDirectory()
        cli = CLI(database: dir.appendingPathComponent("ctsync.sqlite").path, registry: registry.baseURL)
    }

    deinit {
        registry.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    /// Parses a JSON document printed by ctsync.
    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }
}
