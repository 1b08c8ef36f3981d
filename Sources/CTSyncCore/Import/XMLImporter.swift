import Foundation

/// The seam where the legacy XML reader plugs into `ctsync import`.
///
/// The importer recognizes legacy `<clinical_study>` documents (files, directories, `AllPublicXML.zip`), refuses
/// entity bombs before any parser sees them (`LegacyXML.prologProblem`), and hands the rest to this hook: by default
/// `legacyXML`, the libxml2 reader. With no reader (`ImportOptions.xmlImporter` nil) each XML entry is counted
/// as `unsupported`.
public struct XMLImporter: Sendable {
    /// Reads one legacy XML document into the records to store (normally one; `name` is for messages). Throws
    /// `RecordError` or any `LocalizedError` naming what is wrong.
    public var read: @Sendable (_ name: String, _ bytes: Data) throws -> [StudyRecord]

    public init(read: @escaping @Sendable (_ name: String, _ bytes: Data) throws -> [StudyRecord]) {
        self.read = read
    }

    /// The legacy XML reader: the record normalized through libxml2, stored as its v2 document
    /// (`Trial.v2Document`), so that imported XML versions hash, diff and show like synced ones.
    public static let legacyXML = XMLImporter { _, bytes in
        [try StudyRecord(json: try LegacyXML.parse(bytes).v2Document(source: "legacy-xml"))]
    }
}
