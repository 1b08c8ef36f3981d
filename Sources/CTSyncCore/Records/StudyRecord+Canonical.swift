import Foundation

extension StudyRecord {
    /// The canonical JSON of a v2 study object and the record built from it, serializing the study once.
    ///
    /// The content hash is over the canonical JSON without the volatile fields. The one volatile member
    /// (`derivedSection.miscInfoModule.versionHolder`) is marked while the canonical form is written, and the hash
    /// is taken over the bytes around it: exactly the canonical form of the study without that member, which is
    /// what `init(json:)` hashes after `removing(path:)`.
    static func withCanonicalForm(_ json: JSONValue) throws -> (StudyRecord, Data) {
        guard StudyRecord.volatilePaths.count == 1 else {
            let record = try StudyRecord(json: json)
            return (record, json.canonicalData())
        }
        let id = try StudyRecord.identify(json)
        let (canonical, volatile) = json.canonicalData(marking: StudyRecord.volatileMember[...])
        return (StudyRecord(nctId: id, json: json, contentHash: stableHash(canonical, without: volatile)), canonical)
    }

    /// The record and canonical JSON of the study object at `i` on `tape` (`JSONTape`): the canonical form and the
    /// content hash are those of the whole study, as `withCanonicalForm(_:)` gives them, but `json` holds only what
    /// `selecting` asks for (the other members are empty values of their type).
    ///
    /// nil when the value is not a study object with a usable NCT id, or is anything the tape leaves to the tree:
    /// the caller then parses it whole, which also says what is wrong with it.
    static func withCanonicalForm(of tape: JSONTape, at i: Int, selecting: JSONSelection) -> (StudyRecord, Data)? {
        guard StudyRecord.volatilePaths.count == 1, tape.member("protocolSection", of: i) != nil,
              let (canonical, volatile) = tape.canonicalData(of: i, marking: StudyRecord.volatileMember[...])
        else { return nil }
        let json = tape.value(i, selecting: selecting)
        guard let id = try? StudyRecord.identify(json) else { return nil }
        return (StudyRecord(nctId: id, json: json, contentHash: stableHash(canonical, without: volatile)), canonical)
    }

    /// The content hash: SHA-256 of `canonical` without the volatile member at `volatile`.
    private static func stableHash(_ canonical: Data, without volatile: Range<Int>?) -> String {
        guard let volatile else { return SHA256.hex(canonical) }
        return SHA256.hex(canonical, skipping: volatile)
    }
}

extension StudyRecord {
    /// The one volatile path, split once into member names.
    static let volatileMember = volatilePaths[0].split(separator: ".").map(String.init)
}

extension JSONValue {
    /// Canonical JSON, and the byte range of the member at `path` (with the comma that separates it from its
    /// neighbours), so that cutting the range out gives the canonical JSON of the document without that member.
    /// nil when the document has no such member.
    func canonicalData(marking path: ArraySlice<String>) -> (Data, Range<Int>?) {
        var out: [UInt8] = []
        out.reserveCapacity(16_384)
        var marked: Range<Int>?
        write(into: &out, marking: path, range: &marked)
        return (Data(out), marked)
    }

    private func write(into out: inout [UInt8], marking path: ArraySlice<String>, range: inout Range<Int>?) {
        guard let first = path.first, case .object(let members) = self, !members.isEmpty else {
            write(into: &out)
            return
        }
        out.append(0x7B)
        for (n, member) in members.enumerated() {
            let start = out.count
            if n > 0 { out.append(0x2C) }
            JSONValue.writeString(member.key, into: &out)
            out.append(0x3A)
            guard member.key == first else {
                member.value.write(into: &out)
                continue
            }
            if path.count > 1 {
                member.value.write(into: &out, marking: path.dropFirst(), range: &range)
            } else {
                member.value.write(into: &out)
                // The comma before the member; for the first of several, the comma after it.
                range = n > 0 || members.count == 1 ? start..<out.count : start..<(out.count + 1)
            }
        }
        out.append(0x7D)
    }
}
