import Foundation

/// The seam where the legacy XML reader plugs into `ctsync import`.
///
/// The importer recognizes legacy `<clinical_study>` documents (files, directories, `AllPublicXML.zip`), refuses
/// entity bombs before any parser sees them (`XMLSafety`), and hands the rest to this hook. Until the legacy XML
/// reader is wired in (`ImportOptions.xmlImporter` is nil) each XML entry is counted as `unsupported` and
/// reported as "legacy XML: not yet supported".
public struct XMLImporter: Sendable {
    /// Reads one legacy XML document into the records to store (normally one; `name` is for messages). Throws
    /// `RecordError` or any `LocalizedError` naming what is wrong.
    public var read: @Sendable (_ name: String, _ bytes: Data) throws -> [StudyRecord]

    public init(read: @escaping @Sendable (_ name: String, _ bytes: Data) throws -> [StudyRecord]) {
        self.read = read
    }
}
