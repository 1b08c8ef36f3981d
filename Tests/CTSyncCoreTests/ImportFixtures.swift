import CTSyncCore
import CTSyncFakeRegistry
import Foundation
import ZIPFoundation

/// Zips and folders built in code from the real records, for the import tests.
enum ImportFixtures {
    /// Writes a zip with these entries (deflated), in order.
    static func zip(_ entries: [(String, Data)], to url: URL) throws {
        let archive = try Archive(url: url, accessMode: .create)
        for (name, data) in entries {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }

    /// Entries in the bulk archive's layout, `NN/NCTxxxxxxxx.json`, with each study's JSON as the API sends it.
    static func bulk(_ studies: [JSONValue]) -> [(String, Data)] {
        studies.map { s in
            let id = RecordRecipes.nctId(s)
            return ("\(id.suffix(2))/\(id).json", s.canonicalData())
        }
    }

    /// Complete real studies (with a readable NCT id), the first `n`.
    static func studies(_ n: Int) -> [JSONValue] {
        Array(RealStudies.all.filter { (try? StudyRecord(json: $0)) != nil && $0["derivedSection"] != nil }.prefix(n))
    }

    static var hostile: URL { RecordsLocation.packageRoot.appendingPathComponent("Fixtures/hostile") }

    /// Everything under `dir`, relative paths, sorted.
    static func listing(_ dir: URL) -> [String] {
        (FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] ?? []).sorted()
    }
}
