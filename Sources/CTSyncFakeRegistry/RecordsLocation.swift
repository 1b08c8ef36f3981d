import Foundation

/// Where the real registry records are: `$CTSYNC_RECORDS`, else `../shared/ctgov/records` beside the checkout.
public enum RecordsLocation {
    /// The package root, found from this file's path (Sources/CTSyncFakeRegistry/ is two levels below it).
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    public static var records: URL {
        if let env = ProcessInfo.processInfo.environment["CTSYNC_RECORDS"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/ctgov/records")
    }
}
