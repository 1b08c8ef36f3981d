import CTSyncFakeRegistry
import Foundation
import GRDB
import Testing

@testable import CTSyncCore

/// Stored bodies: zstd frames written and read back; zlib bodies, as stores written before zstd hold, still read;
/// damaged bodies are clear errors.
@Suite struct StoredBodyTests {
    static let inputs: [Data] = RealStudies.all.map { $0.canonicalData() } + [
        Data(), Data("x".utf8), Data(repeating: 0x41, count: 1 << 20),
        Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }),
    ]

    @Test func everyRealRecordAndOddInputsRoundTrip() throws {
        for data in Self.inputs {
            let packed = try StoredBody.compress(data)
            #expect(StoredBody.isZstd(packed), "a zstd frame")
            #expect(try StoredBody.decompress(packed, originalSize: data.count) == data)
        }
    }

    @Test func zlibBodiesOfOlderStoresStillRead() throws {
        for data in Self.inputs {
            for level: Int32 in [1, 6] {
                let old = Zlib.compress(data, level: level)
                #expect(old.first == 0x78 && !StoredBody.isZstd(old))
                #expect(try StoredBody.decompress(old, originalSize: data.count) == data)
            }
        }
    }

    @Test func compressesFromManyThreadsAtOnce() async throws {
        let data = RealStudies.all[0].canonicalData()
        let expected = try StoredBody.compress(data)
        try await withThrowingTaskGroup(of: Data.self) { group in
            for _ in 0..<32 { group.addTask { try StoredBody.compress(data) } }
            for try await packed in group {
                #expect(packed == expected)
                #expect(try StoredBody.decompress(packed, originalSize: data.count) == data)
            }
        }
    }

    @Test func damagedBodiesAreErrorsNamingWhatFailed() throws {
        let data = RealStudies.all[0].canonicalData()
        let packed = try StoredBody.compress(data)
        var flipped = packed
        flipped[packed.count / 2] ^= 0x5A  // caught by the frame's checksum if not by the decoder itself
        let cases: [(Data, Int, String)] = [
            (packed.prefix(packed.count - 7), data.count, "zstd decompress failed"),  // cut short
            (flipped, data.count, "zstd decompress failed"),
            (packed, data.count + 1, "zstd decompress failed: \(data.count) bytes where \(data.count + 1) were stored"),
            (packed, data.count - 1, "zstd decompress failed"),  // the stored size is too small
            (Data("neither zstd nor zlib".utf8), data.count, "zlib uncompress failed"),
        ]
        for (body, size, message) in cases {
            let error = #expect(throws: (any Error).self) { try StoredBody.decompress(body, originalSize: size) }
            #expect(error?.localizedDescription.hasPrefix(message) == true, "\(error?.localizedDescription ?? "")")
        }
    }

    /// A store whose first version was written as zlib (as before zstd): it reads back, the change log of a new
    /// (zstd) version is computed against it, and the search index rebuilds from it. A damaged body is a clear
    /// error naming the study and version, and the other versions still read.
    @Test func aStoreWithZlibVersionsReadsAndDiffsThem() throws {
        let base = RealStudies.all[0]
        let id = RecordRecipes.nctId(base)
        let store = try Store()
        _ = try store.record([try StudyRecord(json: base)], source: .sync, changes: TrialDiffer.detector)
        let canonical = base.canonicalData()
        try store.write { db in
            try db.execute(sql: "UPDATE versions SET raw = ? WHERE nct_id = ? AND version = 1",
                           arguments: [Zlib.compress(canonical, level: 1), id])
        }
        #expect(try store.document(of: NCTID(id)!, version: 1).1 == base)
        // The changed study: its status (a real status value) and the posted date; the rest as the real record.
        let changed = RecordRecipes.status(base, to: "WITHDRAWN", posted: "2031-01-01")
        _ = try store.record([try StudyRecord(json: changed)], source: .sync, changes: TrialDiffer.detector)
        #expect(try store.changes().contains { $0.change.path == "overallStatus" && $0.fromVersion == 1 && $0.toVersion == 2 })
        #expect(try store.reindexSearch() == 1)

        try store.write { db in
            try db.execute(sql: "UPDATE versions SET raw = substr(raw, 1, 40) WHERE nct_id = ? AND version = 2",
                           arguments: [id])
        }
        let error = #expect(throws: StoreError.self) { try store.document(of: NCTID(id)!, version: 2) }
        #expect(error?.localizedDescription.contains("\(id)") == true)
        #expect(error?.localizedDescription.contains("zstd decompress failed") == true, "\(error?.localizedDescription ?? "")")
        #expect(try store.document(of: NCTID(id)!, version: 1).1 == base)
    }
}
