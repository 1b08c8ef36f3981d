import Foundation

// Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` goes through NSString and UTF-16 and was a quarter
// of normalization time. These return the text untouched when both ends are already non-space ASCII, which almost
// every registry value is, and otherwise trim Unicode `White_Space` (spaces, tabs, line breaks, NBSP…).

extension String {
    /// The text without leading and trailing white space.
    func trimmedWhitespace() -> String {
        guard let first = utf8.first, let last = utf8.last else { return "" }
        if first > 0x20, first < 0x80, last > 0x20, last < 0x80 { return self }
        return self[...].trimmedWhitespace()
    }

    /// True when the text is empty or only white space.
    var isBlank: Bool { self[...].isBlank }
}

extension Substring {
    /// The text without leading and trailing white space.
    func trimmedWhitespace() -> String {
        guard let first = utf8.first, let last = utf8.last else { return "" }
        if first > 0x20, first < 0x80, last > 0x20, last < 0x80 { return String(self) }
        guard let start = unicodeScalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = unicodeScalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(self[start...end])
    }

    /// True when the text is empty or only white space.
    var isBlank: Bool {
        unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }
}

extension Sequence where Element == UInt8 {
    /// Whether every byte is ASCII other than CR: as UTF-8, one Character per byte (a CR joins a following LF into
    /// one). Text of such bytes can be read byte by byte where the general code reads Characters.
    var isPlainASCII: Bool { allSatisfy { $0 < 0x80 && $0 != 0x0D } }
}

extension StringProtocol {
    /// Whether every byte of the text is ASCII other than CR: one Character per byte.
    var isPlainASCII: Bool {
        utf8.withContiguousStorageIfAvailable { $0.isPlainASCII } ?? utf8.isPlainASCII
    }
}

extension UInt8 {
    /// `Character.isWhitespace` for an ASCII byte: space, tab, LF, VT, FF, CR.
    var isASCIIWhitespace: Bool { self == 0x20 || (0x09...0x0D).contains(self) }
}
