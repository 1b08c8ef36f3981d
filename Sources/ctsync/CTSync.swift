import ArgumentParser
import CTSyncCore
import Foundation

/// `ctsync`: a local, versioned copy of ClinicalTrials.gov records, and what changed.
@main
struct CTSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctsync",
        abstract: "Keep a local, versioned copy of ClinicalTrials.gov records and see what changed.",
        discussion: """
            Exit codes: 0 success; 1 error; 3 partial sync (stopped early, nothing stored is lost: run again);
            4 finished, but some studies or requests failed; 5 another sync holds the database;
            6 an alert could not be delivered (it stays pending); 64 bad usage.
            """,
        version: CTSyncVersion.string,
        subcommands: [Sync.self, Show.self, History.self, Diff.self, Changes.self, List.self, WatchCommand.self,
                      AlertCommand.self, AlertsCommand.self, Import.self,
                      Search.self, Similar.self, Export.self]
    )
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite database (default: $CTSYNC_DB, else ~/.local/share/ctsync/ctsync.sqlite).")
    var db: String?

    @Option(name: .long, help: "Registry API base URL (default: $CTSYNC_REGISTRY, else https://clinicaltrials.gov/api/v2).")
    var registry: String?

    @Flag(name: .long, help: "Print nothing when all went well (for cron).")
    var quiet = false

    @Flag(name: .long, help: "Print each request and retry on stderr.")
    var verbose = false

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    func databasePath() throws -> String {
        try Defaults.databasePath(flag: db, environment: environment)
    }

    func registryURL() -> String {
        Defaults.registry(flag: registry, environment: environment)
    }

    /// Opens the store; read-only commands ask for an existing database.
    func openStore(mustExist: Bool = false) throws -> Store {
        try Store(path: try databasePath(), mustExist: mustExist)
    }
}

/// The exit codes the README documents.
enum Exit {
    static let partial = ExitCode(3)
    static let someFailed = ExitCode(4)
    static let busy = ExitCode(5)
    static let deliveryFailed = ExitCode(6)
}

/// Parses an NCT id argument, rejecting anything else with a clear message.
func parseNCTID(_ text: String) throws -> NCTID {
    guard let id = NCTID(text) else {
        throw ValidationError("'\(text)' is not an NCT id (expected NCT followed by 8 digits, e.g. NCT04467047)")
    }
    return id
}

/// Writes a line to stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Runs a command body, turning library errors into one clear line on stderr and exit code 1.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch let error as SyncLock.Busy {
        printError("error: \(error.localizedDescription)")
        throw Exit.busy
    } catch {
        printError("error: \(error.localizedDescription)")
        throw ExitCode.failure
    }
}

/// JSON for scripts: sorted keys, one document.
func printJSON<T: Encodable>(_ value: T, pretty: Bool = true) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// True when the stream is a terminal (progress bars and colour only then).
func isTTY(_ fd: Int32) -> Bool { isatty(fd) == 1 }
