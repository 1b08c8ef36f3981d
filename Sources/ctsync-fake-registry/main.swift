import CTSyncFakeRegistry
import Foundation

// A loopback stand-in for the registry, for demos and offline runs:
//   ctsync-fake-registry [--records DIR] [--port N] [--max-page-size N]
// prints its API base URL on the first line of stdout and serves until interrupted.

var recordsPath = "../shared/ctgov/records"
var port: UInt16 = 0
var maxPageSize = 1000
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    switch flag {
    case "--records": recordsPath = arguments.popFirst() ?? recordsPath
    case "--port": port = UInt16(arguments.popFirst() ?? "") ?? 0
    case "--max-page-size": maxPageSize = Int(arguments.popFirst() ?? "") ?? 1000
    case "--help", "-h":
        print("usage: ctsync-fake-registry [--records DIR] [--port N] [--max-page-size N]")
        exit(0)
    default:
        FileHandle.standardError.write(Data("ctsync-fake-registry: unknown option \(flag)\n".utf8))
        exit(64)
    }
}

do {
    let studies = try FakeRegistry.loadStudies(from: URL(fileURLWithPath: recordsPath))
    let registry = FakeRegistry(studies: studies)
    // Record histories for /api/int: the real snapshots where there are some, derived ones for the rest.
    for (id, versions) in (try? RegistryHistories.real(records: URL(fileURLWithPath: recordsPath))) ?? [:] {
        registry.histories.set(id, versions: versions)
    }
    registry.maxPageSize = maxPageSize
    try registry.start(port: port)
    FileHandle.standardOutput.write(Data((registry.baseURL + "\n").utf8))
    FileHandle.standardError.write(Data("serving \(studies.count) studies from \(recordsPath) at \(registry.baseURL)\n".utf8))
    while true { sleep(3600) }
} catch {
    FileHandle.standardError.write(Data("ctsync-fake-registry: \(error)\n".utf8))
    exit(1)
}
