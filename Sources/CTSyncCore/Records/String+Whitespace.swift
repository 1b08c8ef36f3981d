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
