import CTSyncCore
import Foundation

/// The real ClinicalTrials.gov records the tests read in place: `$CTSYNC_RECORDS`, else `../shared/ctgov/records`
/// beside the package (they are never copied into the repository).
enum RealRecords {
    /// The package root: this file is `Tests/CTSyncCoreTests/RealRecords.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let directory: URL = {
        if let env = ProcessInfo.processInfo.environment["CTSYNC_RECORDS"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/ctgov/records")
    }()

    /// The project's own fixtures (hostile documents, snapshots, derived pairs).
    static let fixtures = packageRoot.appendingPathComponent("Fixtures")

    /// One v2 study object and where it came from.
    struct V2Study: Sendable {
        /// `v2/NCT00184067.json`, or `pages/x.json#2` for the third study of a page or array.
        var source: String
        var json: JSONValue

        var nctId: String? { json[path: "protocolSection.identificationModule.nctId"]?.stringValue }
    }

    /// A JSON file under v2/, pages/ or history/ that holds no v2 study (the retired classic API's shape).
    struct OtherJSON: Sendable {
        var source: String
        var json: JSONValue
    }

    /// One legacy `<clinical_study>` file.
    struct XMLFile: Sendable {
        var source: String
        var data: Data
    }

    /// Every v2 study: single-study files, arrays (the website's download) and API pages, in v2/, pages/ and history/.
    static let v2Studies: [V2Study] = load().studies
    /// JSON files that are not v2 studies.
    static let otherJSON: [OtherJSON] = load().others

    /// Every legacy XML record in legacy-xml/ and history/.
    static let xmlFiles: [XMLFile] = {
        files(under: ["legacy-xml", "history"], ending: ".xml").map { relative in
            XMLFile(source: relative, data: read(relative))
        }
    }()

    /// The first v2 study with this NCT id, looking in v2/, then pages/, then history/ (whose older AACT fixtures
    /// can differ from the registry's record).
    static func v2(_ nctId: String) -> JSONValue {
        guard let study = v2Studies.first(where: { $0.nctId == nctId }) else {
            fatalError("no v2 study \(nctId) in \(directory.path)")
        }
        return study.json
    }

    /// A legacy XML file by its path under the records directory.
    static func xml(_ relative: String) -> Data { read(relative) }

    // MARK: - Loading

    private static func load() -> (studies: [V2Study], others: [OtherJSON]) {
        var studies: [V2Study] = []
        var others: [OtherJSON] = []
        for relative in files(under: ["v2", "pages", "history"], ending: ".json") {
            let json: JSONValue
            do {
                json = try JSONParser.parse(read(relative))
            } catch {
                fatalError("\(relative): \(error.localizedDescription)")
            }
            switch json {
            case .array(let items):
                for (n, item) in items.enumerated() { studies.append(V2Study(source: "\(relative)#\(n)", json: item)) }
            case .object where json["studies"] != nil:
                for (n, item) in (json["studies"]?.arrayValue ?? []).enumerated() {
                    studies.append(V2Study(source: "\(relative)#\(n)", json: item))
                }
            case .object where json["protocolSection"] != nil:
                studies.append(V2Study(source: relative, json: json))
            default:
                others.append(OtherJSON(source: relative, json: json))
            }
        }
        return (studies, others)
    }

    /// The files under each folder, sorted, folder by folder in the order given (so `v2(_:)` finds v2/ first).
    private static func files(under folders: [String], ending suffix: String) -> [String] {
        var out: [String] = []
        for folder in folders {
            let base = directory.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(atPath: base.path) else { continue }
            var found: [String] = []
            for case let path as String in walker where path.hasSuffix(suffix) {
                found.append("\(folder)/\(path)")
            }
            out += found.sorted()
        }
        return out
    }

    private static func read(_ relative: String) -> Data {
        let url = directory.appendingPathComponent(relative)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            fatalError("cannot read \(url.path) (set CTSYNC_RECORDS to the records directory)")
        }
        return data
    }
}
