import Foundation

/// One document read from an import source: a zip entry, a file of a directory, or a file named on the command line.
public struct ImportEntry: Sendable {
    /// What a document is, by its first significant byte.
    public enum Kind: String, Sendable {
        /// A v2 study, an array of studies or a `/studies` page.
        case v2JSON
        /// A legacy `<clinical_study>` document (the AllPublicXML format).
        case legacyXML
    }

    /// The name shown in messages: `archive.zip:35/NCT02252835.json`, `dir/NCT02252835.json`, or the file's path.
    public var name: String
    public var bytes: Data
    /// The CRC-32 the zip's directory gives for the entry, checked by the worker that reads it.
    public var expectedCRC: UInt32?

    public init(name: String, bytes: Data, expectedCRC: UInt32? = nil) {
        self.name = name
        self.bytes = bytes
        self.expectedCRC = expectedCRC
    }

    /// JSON when the first non-blank byte opens an object or array; XML when it opens a tag (a UTF-8 byte order
    /// mark is allowed before either); nil for anything else.
    public var kind: Kind? {
        bytes.withUnsafeBytes { raw -> Kind? in
            let b = raw.bindMemory(to: UInt8.self)
            var i = 0
            if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
            guard i < b.count else { return nil }
            switch b[i] {
            case UInt8(ascii: "{"), UInt8(ascii: "["): return .v2JSON
            case UInt8(ascii: "<"): return .legacyXML
            default: return nil
            }
        }
    }
}

/// What a source yields for each of its entries.
public enum ImportItem: Sendable {
    /// A document to parse.
    case entry(ImportEntry)
    /// An entry refused before reading it (an unsafe path, over the size limit, unreadable): counted as failed.
    case refused(name: String, reason: String)
    /// An entry that is not a study (a directory, the legacy zips' `Contents.txt`, a file that is not .json/.xml
    /// in a directory): not counted.
    case skipped(name: String)
}
