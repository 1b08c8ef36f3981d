import Foundation

/// Where ctsync finds its database and registry, from flags, environment variables and defaults.
public enum Defaults {
    public static let registry = "https://clinicaltrials.gov/api/v2"

    /// `--registry`, else `CTSYNC_REGISTRY`, else the public registry.
    public static func registry(flag: String?, environment: [String: String]) -> String {
        flag ?? environment["CTSYNC_REGISTRY"].flatMap { $0.isEmpty ? nil : $0 } ?? registry
    }

    /// `--db`, else `CTSYNC_DB`, else `$XDG_DATA_HOME/ctsync/ctsync.sqlite` (`~/.local/share/ctsync/ctsync.sqlite`).
    /// Only the default location's directory is created; a path the user names must be in an existing directory.
    public static func databasePath(flag: String?, environment: [String: String]) throws -> String {
        if let explicit = flag ?? environment["CTSYNC_DB"].flatMap({ $0.isEmpty ? nil : $0 }) {
            return (explicit as NSString).expandingTildeInPath
        }
        let base: String
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            let home = environment["HOME"] ?? NSHomeDirectory()
            base = (home as NSString).appendingPathComponent(".local/share")
        }
        let dir = (base as NSString).appendingPathComponent("ctsync")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return (dir as NSString).appendingPathComponent("ctsync.sqlite")
    }
}
