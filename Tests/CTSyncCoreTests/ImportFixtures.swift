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

    /// One entry of a zip written byte by byte (`rawZip`), for what ZIPFoundation does not write: ZIP64 fields,
    /// data descriptors, stored entries, other methods, and damaged or lying entries.
    struct RawEntry {
        var name: [UInt8]
        var data: Data
        /// 0 stored, 8 deflated; any other number is written as is, with the data stored.
        var method: UInt16 = 8
        /// Sizes and offset in ZIP64 extra fields (0xFFFFFFFF in the 32-bit fields), in both headers.
        var zip64 = false
        /// General-purpose bit 3: zeros in the local header, the real values in a descriptor after the data.
        var dataDescriptor = false
        var encrypted = false
        /// General-purpose bit 11; without it the name is code page 437.
        var utf8Name = true
        /// Extra bytes in the local header only (an extra field the directory does not repeat).
        var localExtra = 0
        /// What the directory declares instead of the true uncompressed size or CRC-32.
        var declaredSize: Int?
        var declaredCRC: UInt32?
        /// Applied to the compressed bytes before they are written.
        var mangle: ((inout [UInt8]) -> Void)?
        /// A local header offset in the directory that points here instead of at the entry.
        var localHeaderOffset: UInt64?

        init(_ name: String, _ data: Data) {
            self.name = Array(name.utf8)
            self.data = data
        }
    }

    /// A zip of these entries, in order; `zip64End` adds the ZIP64 end record and locator; `extraDeclared` makes the
    /// end record list more entries than the directory holds.
    static func rawZip(_ entries: [RawEntry], zip64End: Bool = false, extraDeclared: Int = 0) throws -> Data {
        var out = Data()
        func u16(_ v: UInt16, _ d: inout Data) { d.append(contentsOf: [UInt8(v & 0xFF), UInt8(v >> 8)]) }
        func u32(_ v: UInt32, _ d: inout Data) { u16(UInt16(v & 0xFFFF), &d); u16(UInt16(v >> 16), &d) }
        func u64(_ v: UInt64, _ d: inout Data) { u32(UInt32(v & 0xFFFF_FFFF), &d); u32(UInt32(v >> 32), &d) }
        var central = Data()
        for e in entries {
            var payload: [UInt8]
            if e.method == 8 {
                // zlib-wrapped deflate without its 2-byte header and 4-byte Adler-32 is raw deflate.
                let z = Zlib.compress(e.data)
                payload = Array(z.dropFirst(2).dropLast(4))
            } else {
                payload = Array(e.data)
            }
            e.mangle?(&payload)
            let crc = e.declaredCRC ?? Deflate.crc32(e.data)
            let size = UInt64(e.declaredSize ?? e.data.count)
            let csize = UInt64(payload.count)
            let offset = UInt64(out.count)
            let flags: UInt16 = (e.encrypted ? 1 : 0) | (e.dataDescriptor ? 8 : 0) | (e.utf8Name ? 0x800 : 0)
            let version: UInt16 = e.zip64 ? 45 : 20
            // Local header.
            var localExtra = Data()
            if e.zip64 { u16(1, &localExtra); u16(16, &localExtra); u64(size, &localExtra); u64(csize, &localExtra) }
            if e.localExtra > 0 {
                u16(0xCAFE, &localExtra); u16(UInt16(e.localExtra), &localExtra)
                localExtra.append(Data(repeating: 0xAB, count: e.localExtra))
            }
            u32(0x0403_4B50, &out); u16(version, &out); u16(flags, &out); u16(e.method, &out); u32(0, &out)
            if e.dataDescriptor {
                u32(0, &out); u32(e.zip64 ? 0xFFFF_FFFF : 0, &out); u32(e.zip64 ? 0xFFFF_FFFF : 0, &out)
            } else {
                u32(crc, &out)
                u32(e.zip64 ? 0xFFFF_FFFF : UInt32(csize), &out); u32(e.zip64 ? 0xFFFF_FFFF : UInt32(size), &out)
            }
            u16(UInt16(e.name.count), &out); u16(UInt16(localExtra.count), &out)
            out.append(contentsOf: e.name); out.append(localExtra); out.append(contentsOf: payload)
            if e.dataDescriptor {
                u32(0x0807_4B50, &out); u32(crc, &out)
                if e.zip64 { u64(csize, &out); u64(size, &out) } else { u32(UInt32(csize), &out); u32(UInt32(size), &out) }
            }
            // Directory record.
            let lho = e.localHeaderOffset ?? offset
            var extra = Data()
            if e.zip64 { u16(1, &extra); u16(24, &extra); u64(size, &extra); u64(csize, &extra); u64(lho, &extra) }
            u32(0x0201_4B50, &central); u16(0x0300 | version, &central); u16(version, &central); u16(flags, &central)
            u16(e.method, &central); u32(0, &central); u32(crc, &central)
            u32(e.zip64 ? 0xFFFF_FFFF : UInt32(csize), &central); u32(e.zip64 ? 0xFFFF_FFFF : UInt32(size), &central)
            u16(UInt16(e.name.count), &central); u16(UInt16(extra.count), &central); u16(0, &central)
            u16(0, &central); u16(0, &central); u32(0o100644 << 16, &central)
            u32(e.zip64 ? 0xFFFF_FFFF : UInt32(lho), &central)
            central.append(contentsOf: e.name); central.append(extra)
        }
        let cdOffset = UInt64(out.count)
        out.append(central)
        let count = UInt64(entries.count + extraDeclared)
        if zip64End {
            let recordOffset = UInt64(out.count)
            u32(0x0606_4B50, &out); u64(44, &out); u16(0x032D, &out); u16(45, &out); u32(0, &out); u32(0, &out)
            u64(count, &out); u64(count, &out); u64(UInt64(central.count), &out); u64(cdOffset, &out)
            u32(0x0706_4B50, &out); u32(0, &out); u64(recordOffset, &out); u32(1, &out)
        }
        u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out)
        u16(zip64End ? 0xFFFF : UInt16(count), &out); u16(zip64End ? 0xFFFF : UInt16(count), &out)
        u32(UInt32(central.count), &out); u32(zip64End ? 0xFFFF_FFFF : UInt32(cdOffset), &out); u16(0, &out)
        return out
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
