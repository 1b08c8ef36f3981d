import Foundation

/// Splits a study's free-text eligibility criteria into inclusion, exclusion and other items.
///
/// The input is either the API v2 `eligibilityCriteria` value (CommonMark-ish markup: `* item`,
/// `1. item`, two- or three-space indentation for nesting, `\>=` escapes) or a legacy XML
/// `<textblock>` (plain text hard-wrapped at 100 columns, items as `-  item` at column 10, nested items
/// five columns deeper, continuation lines aligned under the item text), entities already decoded.
///
/// Rules, in the order they apply:
/// - **Headers.** A line such as "Inclusion Criteria:", "Key Exclusion Criteria", "INCLUSION CRITERIA",
///   "inclusion criteria :", "Inclusion:", "Non-inclusion criteria:", "Exclusion Criteria (Controls)",
///   "Patient Inclusion Criteria:", "III.6 EXCLUSION CRITERIA" or "-  INCLUSION CRITERIA:" starts a section.
///   The header words ("key", "inclusion", "exclusion", "non", "criteria", a section number) are structure
///   and are dropped; any other words of the header (up to four words before the keyword, a "for …" phrase
///   or a parenthesis after it) are its *label*. A labelled section becomes one item whose text is the label
///   and whose sub-items are the section's criteria, so "Inclusion Criteria (Controls):" keeps "Controls"
///   and "Main Inclusion Criteria:" keeps "Main". "Inclusion/Exclusion:" and "Termination criteria:" open an
///   `other` section. Text after a header on its line ("Exclusion Criteria: none", "Inclusion criteria. Age
///   ≥22.") is the section's first content; an inline "- a - b" list right after a header is split into
///   items. A capitalised "Exclusion Criteria:" after six or more words of a line starts a new line.
/// - **Cohort headings.** A short heading just before a header ("Cohort 2", "CONTROLS", "For initial
///   randomisation to CDM vs LCM:"), or the line a header continues ("Eligibility criteria for the secondary
///   randomisation …\n lamivudine+abacavir Inclusion criteria"), labels the sections that follow until the
///   next such heading: inclusion gets "Cohort 2" → its criteria, and so does exclusion.
/// - **Items.** A line starting with a list marker (`*`, `-`, `+`, `•`, `\-`, `1.`, `1)`, `1\.`, `2.Text`,
///   `(1)`, `a.`, `a)`, `(a)`, `i.`, `(iv)`, `o `…) starts an item and the marker is removed, and so is a
///   marker right behind a bullet ("* 2\. Need", "* a) Cohort 1"). Letter, roman and parenthesised
///   markers, `o ` and `-word` only count after a blank line, a line ending in ":", a header, or as the next
///   in a run (`a)` then `b)`), so a hard-wrapped line that starts with "(a)" stays text.
/// - **Continuation.** A line right after a line that ends between columns 60 and 100 continues it (a
///   hard wrap; joined with a space). After a shorter or longer line, a line break was meant and the line
///   starts a new paragraph ("Type 1 Diabetes\nCurrent use of dentures").
/// - **Nesting.** An item or a paragraph (after a blank line) indented at least two columns deeper than
///   the item above is its sub-item. An item numbered next after an open item ("11." after "10.") is that
///   item's sibling however deep the items between. An item of another style right under an item ending
///   in ":" ("2. … one of the following:" then "i) …" at the same column) is its sub-item. A paragraph
///   ending in ":" (or a short title such as "Group 1") adopts the list items after it; a short heading
///   ("Screening Phase:", "Age:", "PATIENT CHARACTERISTICS:", "* SMOKING CRITERIA:") adopts everything up
///   to the next heading of its level (capitals rank above other headings).
/// - **Inline numbering.** An ordinal item whose text runs on into the next ordinal ("1. Age < 40. 2. No
///   benefits", "…6 weeks 20. Is participating") is split into sibling items.
/// - **Other.** The preamble before a first *inclusion* header, `other` sections, a section's opening
///   sentence that only says the list below is the criteria ("Subjects who meet any of the following
///   exclusion criteria are not to be enrolled in this study:", "Eligibility criteria:") and notes
///   ("Note: …", a paragraph about both inclusion and exclusion criteria) go to `other`. An opening sentence
///   that says more ("Patients of the Parkland Diabetes Clinic who meet one or more of the following
///   criteria:") is a criterion and keeps its list as sub-items.
/// - **No headers.** Text without any header but with list markers is read as inclusion criteria, with
///   `unstructured` false: every such record in the real data (cluster-headache lists, "Major Eligibility
///   Criteria:", the old PDQ "DISEASE CHARACTERISTICS: / PATIENT CHARACTERISTICS:" lists) is a list of
///   requirements to take part, which is what an inclusion list is; `other` would leave both lists empty
///   and hide the structure. Text with neither headers nor markers is kept whole (paragraphs separated by
///   a blank line) as one inclusion item and flagged `unstructured`. Empty text gives empty lists, not
///   flagged.
/// - **Before the first header.** When the first header is an exclusion header, the text before it is the
///   (unlabelled) inclusion list ("To be eligible … participants must: 1. … III.6 EXCLUSION CRITERIA").
///   Otherwise it is a preamble and goes to `other`.
/// - **Text.** Item text is trimmed, hard wraps and indentation collapse to single spaces and markdown
///   backslash escapes are undone. Items left with no text (a lone "-") are dropped; their sub-items move up.
///
/// Never drops text: apart from header words and list markers, every word of the input is in some item
/// (a cohort heading is repeated in each section it labels).
public enum CriteriaSplitter {
    // MARK: - API

    /// Splits eligibility criteria text; see the type's documentation for the rules.
    public static func split(_ text: String) -> SplitCriteria {
        splitTracingConsumed(text).criteria
    }

    /// Splits `text` and also returns each piece of source text consumed as structure: header words
    /// ("Key Inclusion Criteria") and list markers ("1.", "(a)", "*"). Tests use it to check that nothing
    /// else was dropped.
    static func splitTracingConsumed(_ text: String) -> (criteria: SplitCriteria, consumed: [String]) {
        var parser = Parser()
        let criteria = parser.parse(text)
        return (criteria, parser.consumed)
    }
}

// MARK: - Source lines

extension CriteriaSplitter {
    /// One source line: its indentation in columns and its content without surrounding whitespace.
    fileprivate struct Line {
        var indent: Int
        var content: String
    }

    /// Splits text into lines (LF, CR/LF or CR) and measures indentation (a tab advances to the next
    /// multiple of four; a no-break space counts as a space).
    fileprivate static func lines(of text: String) -> [Line] {
        var result: [Line] = []
        var bytes = Array(text.utf8)
        bytes.append(0x0A)
        var start = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x0A || byte == 0x0D else {
                index += 1
                continue
            }
            var indent = 0
            var contentStart = start
            while contentStart < index {
                let lead = bytes[contentStart]
                if lead == 0x20 {
                    indent += 1
                    contentStart += 1
                } else if lead == 0x09 {
                    indent += 4 - indent % 4
                    contentStart += 1
                } else if lead == 0xC2, contentStart + 1 < index, bytes[contentStart + 1] == 0xA0 {
                    indent += 1
                    contentStart += 2
                } else {
                    break
                }
            }
            var contentEnd = index
            while contentEnd > contentStart, bytes[contentEnd - 1] == 0x20 || bytes[contentEnd - 1] == 0x09 {
                contentEnd -= 1
            }
            var content = String(decoding: bytes[contentStart..<contentEnd], as: UTF8.self)
            if let last = content.unicodeScalars.last, !last.isASCII, last.properties.isWhitespace {
                content = trimmed(content)
            }
            result.append(Line(indent: indent, content: content))
            if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
            index += 1
            start = index
        }
        return result
    }

    /// `text` without leading and trailing whitespace.
    fileprivate static func trimmed<S: StringProtocol>(_ text: S) -> String {
        if let bounds = visibleASCIIBounds(text) {
            if bounds == 0..<text.utf8.count { return String(text) }
            let start = text.utf8.index(text.startIndex, offsetBy: bounds.lowerBound)
            let end = text.utf8.index(start, offsetBy: bounds.count)
            return String(text[start..<end])
        }
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
              let last = text.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(text[first...last])
    }

    /// The byte range `trimmed` keeps when, past any ASCII whitespace at either end, `text` starts and ends
    /// with a visible ASCII byte, as nearly every piece does (a marker's text starts with the space after
    /// it); nil otherwise. There the whitespace bytes are whole Characters (no Character joins them to a
    /// visible ASCII byte), so trimming needs no Character walk.
    fileprivate static func visibleASCIIBounds<S: StringProtocol>(_ text: S) -> Range<Int>? {
        let bounds = text.utf8.withContiguousStorageIfAvailable { bytes -> Range<Int>? in
            guard let first = bytes.firstIndex(where: { !$0.isASCIIWhitespace }),
                  let last = bytes.lastIndex(where: { !$0.isASCIIWhitespace }),
                  (0x21..<0x80).contains(bytes[first]), (0x21..<0x80).contains(bytes[last]) else { return nil }
            return first..<(last + 1)
        }
        return bounds ?? nil
    }

    /// Where a hard-wrapped line ends. A line ending in these columns continues on the next line (the legacy
    /// XML wraps at 100 columns, so its wrapped lines end at columns 80 to 99); after a shorter or longer
    /// line, a line break is meant ("Type 1 Diabetes\nCurrent use of dentures" in the retired classic API).
    fileprivate static let wrapColumns = 60...100

    /// Whether `text` contains "clusion" in any case: a cheap test before looking for a header.
    ///
    /// Reads the bytes instead of lower-casing the line. No other character lower-cases to these ASCII
    /// letters, and where a combining mark splits the word ("clusion\u{301}") neither header pattern can
    /// match there, so this finds a header wherever lower-casing and searching Characters did.
    fileprivate static func mentionsClusion(_ text: String) -> Bool {
        containsIgnoringASCIICase(text.utf8, "clusion")
    }
}

// MARK: - List markers

extension CriteriaSplitter {
    /// The numbering family of an ordinal list marker.
    fileprivate enum OrdinalFamily: Equatable {
        case number, lowerLetter, upperLetter, lowerRoman, upperRoman
    }

    /// One reading of an ordinal marker: "i" reads both as the letter 9 and the roman 1.
    fileprivate struct OrdinalValue: Equatable {
        var family: OrdinalFamily
        var value: Int
    }

    /// How an ordinal marker is punctuated: `1.`, `1)` or `(1)`.
    fileprivate enum OrdinalDelimiter: Equatable {
        case dot, paren, enclosed
    }

    /// A list marker at the start of a line.
    fileprivate struct Marker {
        /// A bullet character or an ordinal with its punctuation.
        enum Style: Equatable {
            case bullet(Character)
            case ordinal(OrdinalDelimiter)
        }

        /// The marker as written, e.g. "1.", "(a)", "\-".
        var raw: String
        var style: Style
        /// The readings of an ordinal marker; empty for bullets.
        var values: [OrdinalValue]
        /// Strong markers always start an item; weak ones only in list context.
        var isStrong: Bool
        /// The line's text after the marker.
        var text: String
    }

    /// Bullets that start an item even without a space after them.
    private static let symbolBullets: Set<Character> = ["•", "·", "◦", "▪", "●", "○", "■", "□", "➢", "►"]
    /// Bullets that need a space (or the end of the line) after them.
    private static let asciiBullets: Set<Character> = ["*", "-", "+", "–"]

    /// Reads the list marker at the start of `content`, if any.
    fileprivate static func lexMarker(_ content: String) -> Marker? {
        if cannotStartWithMarker(content) { return nil }
        if let marker = commonMarker(content) { return marker }
        // The rules below look at most at the ninth Character ("(xxxii) " or "xxxiii\. T").
        let chars = Array(content.prefix(9))
        guard let first = chars.first else { return nil }
        func isSpaceOrEnd(_ index: Int) -> Bool { index >= chars.count || chars[index].isWhitespace }
        func text(after count: Int) -> String { trimmed(content.dropFirst(count)) }
        func bullet(_ count: Int, _ character: Character, strong: Bool) -> Marker {
            Marker(raw: String(chars[0..<count]), style: .bullet(character), values: [], isStrong: strong,
                   text: text(after: count))
        }

        // Bullets.
        if first == "\\", chars.count >= 2, "-*+".contains(chars[1]), isSpaceOrEnd(2) {
            return bullet(2, chars[1], strong: true)
        }
        if asciiBullets.contains(first) {
            if isSpaceOrEnd(1) { return bullet(1, first, strong: true) }
            if first == "-", chars.count > 1, chars[1].isLetter { return bullet(1, first, strong: false) }
            return nil
        }
        if symbolBullets.contains(first) { return bullet(1, first, strong: true) }
        if first == "o", chars.count > 2, chars[1] == " ", chars[2].isLetter || chars[2].isNumber {
            return bullet(1, first, strong: false)
        }

        // Enclosed ordinals: (1), (a), (iv).
        if first == "(" {
            var end = 1
            while end < chars.count, end <= 5, chars[end] != ")" { end += 1 }
            guard end < chars.count, chars[end] == ")", end > 1, isSpaceOrEnd(end + 1),
                  let values = ordinalValues(String(chars[1..<end])) else { return nil }
            return Marker(raw: String(chars[0...end]), style: .ordinal(.enclosed), values: values,
                          isStrong: false, text: text(after: end + 1))
        }

        // Ordinals: 1. 1) 1\. a. a) iv.
        var end = 0
        while end < chars.count, end < 6, chars[end].isASCII, chars[end].isLetter || chars[end].isNumber {
            end += 1
        }
        guard end > 0, let values = ordinalValues(String(chars[0..<end])) else { return nil }
        var next = end
        if next < chars.count, chars[next] == "\\" { next += 1 }
        guard next < chars.count, chars[next] == "." || chars[next] == ")" else { return nil }
        let delimiter: OrdinalDelimiter = chars[next] == "." ? .dot : .paren
        next += 1
        let isNumber = values[0].family == .number
        let marker = Marker(raw: String(chars[0..<next]), style: .ordinal(delimiter), values: values,
                            isStrong: isNumber, text: text(after: next))
        // "N.B. text", "e. g." and "U. S." are abbreviations, not a letter marker.
        let after = Array(marker.text.prefix(2))
        if !isNumber, after.count == 2, after[0].isLetter, after[1] == "." { return nil }
        if isSpaceOrEnd(next) { return marker }
        // "2.Patients", "a.Neutrophils": a marker glued to a capitalised word.
        if chars[next].isLetter, isNumber || (end == 1 && delimiter == .dot && chars[next].isUppercase) {
            return marker
        }
        return nil
    }

    /// Whether the first bytes of `content` already rule out a list marker. Most lines start with a word
    /// ("Patients with …"), and reading the first sixteen Characters of every line is costly.
    ///
    /// Only says no where `lexMarker` would: a marker starts with `\\`, `*`, `-`, `+`, `(`, "o ", a
    /// non-ASCII bullet, or up to six ASCII letters and digits followed by `.`, `)` or `\\`. A combining mark
    /// after an ASCII byte makes the Character non-ASCII, which `lexMarker` rejects as well.
    fileprivate static func cannotStartWithMarker(_ content: String) -> Bool {
        var bytes = content.utf8.makeIterator()
        guard let first = bytes.next() else { return true }
        guard first < 0x80, !"\\*-+(".utf8.contains(first) else { return false }
        guard isASCIILetterOrDigit(first) else { return true }
        var next = bytes.next()
        if first == UInt8(ascii: "o"), next == 0x20 { return false }
        var run = 1
        while run < 6, let byte = next, isASCIILetterOrDigit(byte) {
            run += 1
            next = bytes.next()
        }
        guard let after = next else { return true }
        return after != UInt8(ascii: ".") && after != UInt8(ascii: ")") && after != UInt8(ascii: "\\")
    }

    /// The marker of the commonest item lines, "* text", "- text", "+ text", "12. text" and "3) text",
    /// read from the bytes; nil for any other line, which `lexMarker` reads in full. It is the marker
    /// `lexMarker` gives: a space follows the marker, so each of its bytes is a Character of its own.
    fileprivate static func commonMarker(_ content: String) -> Marker? {
        let bytes = content.utf8
        var index = bytes.startIndex
        var digits = 0
        var value = 0
        while index != bytes.endIndex, digits < 4, (0x30...0x39).contains(bytes[index]) {
            value = value * 10 + Int(bytes[index] - 0x30)
            digits += 1
            index = bytes.index(after: index)
        }
        guard index != bytes.endIndex, digits <= 3 else { return nil }
        let delimiter = bytes[index]
        index = bytes.index(after: index)
        guard index != bytes.endIndex, bytes[index] == 0x20 else { return nil }
        let length = digits + 1
        let raw = String(content.prefix(length))
        if digits == 0 {
            guard delimiter == UInt8(ascii: "*") || delimiter == UInt8(ascii: "-") || delimiter == UInt8(ascii: "+")
            else { return nil }
            return Marker(raw: raw, style: .bullet(Character(Unicode.Scalar(delimiter))), values: [], isStrong: true,
                          text: trimmed(content.dropFirst(length)))
        }
        guard delimiter == UInt8(ascii: ".") || delimiter == UInt8(ascii: ")") else { return nil }
        return Marker(raw: raw, style: .ordinal(delimiter == UInt8(ascii: ".") ? .dot : .paren),
                      values: [OrdinalValue(family: .number, value: value)], isStrong: true,
                      text: trimmed(content.dropFirst(length)))
    }

    /// The readings of an ordinal token ("12", "b", "iv", "I"), or nil when it is not one.
    fileprivate static func ordinalValues(_ token: String) -> [OrdinalValue]? {
        if token.allSatisfy(\.isASCII), token.allSatisfy(\.isNumber) {
            guard token.count <= 3, let value = Int(token) else { return nil }
            return [OrdinalValue(family: .number, value: value)]
        }
        guard token.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
        let isLower = token == token.lowercased()
        let isUpper = token == token.uppercased()
        guard isLower || isUpper else { return nil }
        var values: [OrdinalValue] = []
        if token.count == 1, let scalar = token.lowercased().unicodeScalars.first {
            let letterValue = Int(scalar.value) - 96
            values.append(OrdinalValue(family: isLower ? .lowerLetter : .upperLetter, value: letterValue))
        }
        if let roman = romanValue(token.lowercased()), token.count > 1 || "ivx".contains(token.lowercased()) {
            values.append(OrdinalValue(family: isLower ? .lowerRoman : .upperRoman, value: roman))
        }
        return values.isEmpty ? nil : values
    }

    /// The value of a canonical lower-case roman numeral from 1 to 39.
    fileprivate static func romanValue(_ token: String) -> Int? {
        for value in 1...39 where roman(value) == token { return value }
        return nil
    }

    /// The lower-case roman numeral for 1...39.
    fileprivate static func roman(_ value: Int) -> String {
        let ones = ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"]
        return String(repeating: "x", count: value / 10) + ones[value % 10]
    }

    /// The token that follows `value` in its family: 3 → "4", b → "c", iv → "v".
    fileprivate static func successorToken(_ value: OrdinalValue) -> String? {
        let next = value.value + 1
        switch value.family {
        case .number: return String(next)
        case .lowerLetter, .upperLetter:
            guard next <= 26, let scalar = UnicodeScalar(96 + next) else { return nil }
            let letter = String(Character(scalar))
            return value.family == .lowerLetter ? letter : letter.uppercased()
        case .lowerRoman: return next <= 39 ? roman(next) : nil
        case .upperRoman: return next <= 39 ? roman(next).uppercased() : nil
        }
    }

    /// True when `marker` continues the run started by `previous` (same bullet, or the next ordinal).
    fileprivate static func continuesRun(_ marker: Marker, after previous: Marker?) -> Bool {
        guard let previous else { return false }
        switch (marker.style, previous.style) {
        case let (.bullet(a), .bullet(b)):
            return a == b
        case let (.ordinal(a), .ordinal(b)):
            guard a == b else { return false }
            return marker.values.contains { value in
                previous.values.contains { $0.family == value.family && $0.value + 1 == value.value }
            }
        default:
            return false
        }
    }
}

// MARK: - Headers

extension CriteriaSplitter {
    /// Which list a header opens.
    fileprivate enum SectionKind {
        case preamble, inclusion, exclusion, other
    }

    /// A recognised section header.
    fileprivate struct Header {
        var kind: SectionKind
        /// Words of the header line that are not header words ("Patient", "for the cases").
        var label: String
        /// A heading for this and the following sections, taken from the line(s) the header continues
        /// ("Eligibility criteria for the secondary randomisation … lamivudine+abacavir").
        var context: String?
        /// The words before the keyword ("Patient"); such a line may continue the line above.
        var prefix: String
        /// The words after "criteria" ("for the cases", the inside of "(Controls)").
        var qualifier: String
        /// Whether there are words before the keyword.
        var hasPrefix: Bool { !prefix.isEmpty }
        /// The consumed header words, e.g. "- Key Inclusion Criteria".
        var consumed: String
        /// Text after the header on the same line.
        var rest: String
    }

    /// Words that never appear in the few words before a header keyword: they mark a sentence
    /// ("Subjects who meet the exclusion criteria") rather than a header.
    private static let prefixStopWords: Set<String> = [
        "the", "a", "an", "any", "all", "each", "following", "meet", "meets", "met", "must", "should", "will",
        "may", "are", "is", "was", "were", "be", "not", "no", "with", "who", "whom", "which", "that", "if",
        "to", "these", "those", "for", "has", "have", "had", "does", "do", "by", "on", "from", "as", "further",
        "in", "at", "period", "without", "meeting", "fulfil", "fulfill", "your", "their", "his", "her", "our",
    ]

    /// Words that make a phrase after "criteria" a sentence rather than a qualifier.
    private static let qualifierStopWords: Set<String> = [
        "are", "is", "was", "were", "be", "been", "must", "should", "will", "may", "can", "apply", "applies",
        "applied", "include", "includes", "listed", "met", "meet", "meets", "not", "only",
    ]

    /// Words naming a section about something other than who may enter ("Termination criteria:").
    private static let otherSectionWords: Set<String> = [
        "termination", "withdrawal", "discontinuation", "stopping", "removal", "exit", "dropout", "drop-out",
    ]

    /// A header for a section that is neither inclusion nor exclusion, such as "Termination criteria:" or
    /// "Withdrawal Criteria"; its whole text is kept as the label of an `other` section.
    fileprivate static func matchOtherSectionHeader(_ content: String) -> Header? {
        guard firstWordMayOpenOtherSection(content) else { return nil }
        let title = content.hasSuffix(":") ? String(content.dropLast()) : content
        let words = title.lowercased().split(separator: " ").map(String.init)
        guard (1...3).contains(words.count), otherSectionWords.contains(words[0]) || (words.count > 1
            && words[0] == "study" && otherSectionWords.contains(words[1])),
            (words.count == 1 && content.hasSuffix(":")) || ["criteria", "criterion"].contains(words[words.count - 1])
            || otherSectionWords.contains(words[words.count - 1]) else { return nil }
        return Header(kind: .other, label: trimmed(title), context: nil, prefix: "", qualifier: "", consumed: "",
                      rest: "")
    }

    /// Whether the first word of `content` (up to a space, without a final ":") is one of
    /// `otherSectionWords` or "study" in any ASCII case: the first thing `matchOtherSectionHeader` needs,
    /// read from the bytes without lower-casing and splitting every line. Those words are ASCII and no
    /// other character lower-cases to their letters, so a line failing this has no such header.
    fileprivate static func firstWordMayOpenOtherSection(_ content: String) -> Bool {
        let bytes = content.utf8
        guard let start = bytes.firstIndex(where: { $0 != 0x20 }) else { return false }
        var word = bytes[start...].prefix { $0 != 0x20 }
        if word.endIndex == bytes.endIndex, word.last == UInt8(ascii: ":") { word = word.dropLast() }
        return otherSectionOpeners.contains { opener in
            opener.count == word.count && zip(opener, word).allSatisfy { $0 == lowercasedASCII($1) }
        }
    }

    /// The first words `matchOtherSectionHeader` accepts, as bytes.
    private static let otherSectionOpeners: [[UInt8]] = (otherSectionWords.sorted() + ["study"]).map { Array($0.utf8) }

    /// Whether the first "clu" of `content` (in any ASCII case) comes early enough for `headerPattern`
    /// to match: before its keyword the pattern allows four prefix words, "key" and "non", each followed by
    /// whitespace, and a bullet may precede them. So more than seven visible ASCII bytes followed by ASCII
    /// whitespace before any possible keyword ("inclusion" or "exclusion": "clu" is ASCII even where a
    /// case-insensitive match reads "ſ" as "s") rule the pattern out, without running it on every sentence
    /// that mentions the criteria.
    fileprivate static func keywordMayStartHeader(_ content: String) -> Bool {
        let clu: [UInt8] = [UInt8(ascii: "c"), UInt8(ascii: "l"), UInt8(ascii: "u")]
        var wordEnds = 0
        var previous: UInt8 = 0x20
        var matched = 0
        for byte in content.utf8 {
            let lower = lowercasedASCII(byte)
            if lower == clu[matched] {
                matched += 1
                if matched == 3 { return true }
            } else {
                matched = lower == clu[0] ? 1 : 0
            }
            if byte.isASCIIWhitespace, (0x21..<0x7F).contains(previous) {
                wordEnds += 1
                if wordEnds > 7 { return false }
            }
            previous = byte
        }
        return false
    }

    /// Anchored header grammar: up to four prefix words, the keyword(s), "criteria", a "for …" phrase
    /// and/or a parenthesis, then ":", ". ", or the end of the line.
    private static let headerPattern =
        #"^(?<prefix>(?:[\p{L}\p{N}][\p{L}\p{N}+.'’/\-]*\s+){0,4}?)"#
        + #"(?<kw>(?:key\s+)?(?:non[\s\-]?)?(?:inclusion|exclusion)(?:\s*/\s*(?:non[\s\-]?)?(?:inclusion|exclusion))?)"#
        + #"(?<crit>\s+criteri(?:a|on))?"#
        + #"(?<qfor>\s+(?:for|of|in|at|stage|part|cohort|group|phase|arm|step)\b[^:()\n]{0,60}?)?"#
        + #"(?<qparen>\s*\([^()\n]{1,60}\))?"#
        + #"\s*(?<term>:|\.(?=\s)|\.$|$)"#

    /// A capitalised header in the middle of a line, e.g. "… conception Exclusion Criteria: - Women".
    private static let midLinePattern =
        #"(?<=\S)\s+(?=(?:Key\s+|KEY\s+)?(?:Inclusion|Exclusion|INCLUSION|EXCLUSION)\s+(?:Criteria|criteria|CRITERIA)\s*:)"#

    /// Whether a header keyword ("Key Non-inclusion") lower-cased contains a word: byte by byte for plain
    /// ASCII, where that is the same, else through `lowercased()` and Foundation as always.
    fileprivate static func keywordMentions(_ keyword: String) -> (StaticString) -> Bool {
        if keyword.isPlainASCII { return { containsIgnoringASCIICase(keyword.utf8, $0) } }
        let lower = keyword.lowercased()
        return { lower.contains($0.description) }
    }

    /// Whether `text` has what `midLinePattern` needs in any text: a ":" and "clusion" or "CLUSION" (the
    /// pattern is case-sensitive). Most lines that mention the criteria have no header in them.
    fileprivate static func mayHoldMidLineHeader(_ text: String) -> Bool {
        guard text.utf8.contains(UInt8(ascii: ":")) else { return false }
        return firstByteOffset(of: "clusion", in: text[...]) != nil || firstByteOffset(of: "CLUSION", in: text[...]) != nil
    }

    /// A compiled, immutable regular expression. `NSRegularExpression` is immutable and documented as
    /// safe to use from several threads, but not every Foundation marks it `Sendable`.
    fileprivate struct SharedRegex: @unchecked Sendable {
        let regex: NSRegularExpression?

        init(_ pattern: String, options: NSRegularExpression.Options = []) {
            regex = try? NSRegularExpression(pattern: pattern, options: options)
        }
    }

    /// A section number before a header keyword: "III.6", "2.", "IV".
    private static let sectionNumberRegex = SharedRegex(#"^[0-9IVXivx]+(\.[0-9]+)*\.?$"#)

    /// Whether a header's prefix is a section number ("III.6 EXCLUSION CRITERIA"). Uses the compiled
    /// pattern: `range(of:options: .regularExpression)` compiled it again for every header.
    fileprivate static func isSectionNumber(_ prefix: String) -> Bool {
        guard let regex = sectionNumberRegex.regex else { return false }
        let range = NSRange(location: 0, length: (prefix as NSString).length)
        return regex.firstMatch(in: prefix, range: range) != nil
    }

    /// The header grammar, compiled once (compiling costs about a millisecond).
    fileprivate static let headerRegex = SharedRegex(headerPattern, options: [.caseInsensitive])
    /// The mid-line header finder, compiled once.
    fileprivate static let midLineRegex = SharedRegex(midLinePattern)
}

// MARK: - Parser

extension CriteriaSplitter {
    /// A run of source lines: a header, a list item with its continuation lines, or a paragraph.
    fileprivate struct Block {
        enum Kind {
            case header(Header)
            case item(Marker)
            case paragraph
        }

        var kind: Kind
        var indent: Int
        var lines: [String]
    }

    /// A node of the criteria tree while it is being built.
    fileprivate final class Node {
        enum Kind {
            case item(Marker)
            case paragraph
            case label
        }

        let kind: Kind
        let indent: Int
        /// The cleaned text (lines joined, escapes undone).
        let text: String
        var children: [Node] = []
        /// A paragraph that adopts the list items after it ("Age:", "Group 1").
        var isGroup = false
        /// For a short heading ("Registration:", "Group 1"): 1 when in capitals ("PATIENT
        /// CHARACTERISTICS:"), else 2. A heading adopts what follows up to the next heading of its level.
        var headingLevel: Int?
        /// Position in the document, to keep `other` in reading order.
        let order: Int

        init(kind: Kind, indent: Int, text: String, order: Int) {
            self.kind = kind
            self.indent = indent
            self.text = text
            self.order = order
        }

        var isParagraph: Bool {
            if case .paragraph = kind { return true }
            return false
        }
    }

    /// One section of the document: the preamble, or what follows one header.
    fileprivate struct Section {
        var kind: SectionKind
        var nodes: [Node] = []
        /// The item holding a labelled header's criteria.
        var labelNode: Node?
    }

    /// Turns text into a `SplitCriteria`, recording what it consumes as structure.
    fileprivate struct Parser {
        /// Header words and list markers removed from the text.
        var consumed: [String] = []
        private let headerRegex = CriteriaSplitter.headerRegex.regex
        private let midLineRegex = CriteriaSplitter.midLineRegex.regex

        // MARK: Top level

        mutating func parse(_ text: String) -> SplitCriteria {
            let lines = splitMidLineHeaders(CriteriaSplitter.lines(of: text))
            guard lines.contains(where: { !$0.content.isEmpty }) else { return SplitCriteria() }
            let blocks = makeBlocks(lines)
            let built = buildSections(blocks)
            var sections = built.sections
            let headerCount = built.headerCount

            if headerCount == 0 && !built.sawItem {
                return SplitCriteria(inclusion: [CriteriaItem(text: wholeText(lines))], unstructured: true)
            }

            // The preamble: inclusion when no header came first or the first header is an exclusion header.
            let firstHeaderKind = sections.count > 1 ? sections[1].kind : nil
            if headerCount == 0 || firstHeaderKind == .exclusion {
                sections[0].kind = .inclusion
            } else {
                sections[0].kind = .other
            }

            var movedToOther: [Node] = []
            for index in sections.indices where sections[index].kind == .inclusion || sections[index].kind == .exclusion {
                movedToOther += extractIntroAndNotes(&sections[index])
            }

            var result = SplitCriteria()
            for section in sections {
                let items = section.nodes.flatMap { convert($0) }
                switch section.kind {
                case .inclusion: result.inclusion += items
                case .exclusion: result.exclusion += items
                case .other, .preamble: movedToOther += section.nodes
                }
            }
            result.other = movedToOther.sorted { $0.order < $1.order }.flatMap { convert($0) }
            return result
        }

        // MARK: Lines to blocks

        /// Breaks a line before a capitalised header that follows at least six words of text.
        private func splitMidLineHeaders(_ lines: [Line]) -> [Line] {
            guard let midLineRegex else { return lines }
            var result: [Line] = []
            for line in lines {
                var content = line.content
                while CriteriaSplitter.mentionsClusion(content) {
                    guard CriteriaSplitter.mayHoldMidLineHeader(content) else { break }
                    let ns = content as NSString
                    let matches = midLineRegex.matches(in: content, range: NSRange(location: 0, length: ns.length))
                    guard let split = matches.first(where: {
                        ns.substring(to: $0.range.location).split(whereSeparator: \.isWhitespace).count >= 6
                    }) else { break }
                    result.append(Line(indent: line.indent, content: ns.substring(to: split.range.location)))
                    content = ns.substring(from: split.range.location + split.range.length)
                }
                result.append(Line(indent: line.indent, content: content))
            }
            return result
        }

        /// Groups lines into headers, items (with their continuation lines) and paragraphs.
        private mutating func makeBlocks(_ lines: [Line]) -> [Block] {
            var blocks: [Block] = []
            var afterBlank = true
            var afterHeader = false
            var previousEndsWithColon = false
            var open: Int?
            var lastMarker: Marker?
            var previousEndColumn = 0

            for line in lines {
                if line.content.isEmpty {
                    afterBlank = true
                    open = nil
                    continue
                }
                defer {
                    afterBlank = false
                    previousEndsWithColon = CriteriaSplitter.endsWithColon(line.content)
                    previousEndColumn = line.indent + CriteriaSplitter.characterCount(line.content)
                }

                if var header = headerCandidate(line, continuing: afterBlank ? nil : open.map { blocks[$0] }) {
                    // "…once vs twice daily\n lamivudine+abacavir Inclusion criteria": one header.
                    if header.hasPrefix, !afterBlank, let index = open, index == blocks.count - 1,
                       case .paragraph = blocks[index].kind {
                        header.context = (blocks.removeLast().lines + [header.prefix]).joined(separator: " ")
                        header.label = header.qualifier
                    }
                    consumed.append(header.consumed)
                    blocks.append(Block(kind: .header(header), indent: line.indent, lines: []))
                    open = nil
                    afterHeader = true
                    if !header.rest.isEmpty {
                        let restBlocks = blocksForHeaderRest(header.rest, indent: line.indent)
                        blocks += restBlocks
                        open = blocks.count - 1
                        if case .item(let marker) = restBlocks.last?.kind { lastMarker = marker }
                        afterHeader = false
                    }
                    continue
                }

                if var marker = CriteriaSplitter.lexMarker(line.content),
                   marker.isStrong || afterBlank || afterHeader || previousEndsWithColon
                    || CriteriaSplitter.continuesRun(marker, after: lastMarker) {
                    // "* • text", "* 1.Volunteer", "* 2\. Need", "* a) Cohort 1": the inner marker is the real one.
                    if case .bullet = marker.style, let inner = CriteriaSplitter.lexMarker(marker.text),
                       inner.isStrong || inner.style != .bullet("o") && inner.style != .bullet("-") {
                        marker = Marker(raw: marker.raw + " " + inner.raw, style: inner.style, values: inner.values,
                                        isStrong: true, text: inner.text)
                    }
                    blocks.append(Block(kind: .item(marker), indent: line.indent, lines: [marker.text]))
                    open = blocks.count - 1
                    lastMarker = marker
                    afterHeader = false
                    continue
                }

                afterHeader = false
                if let index = open, CriteriaSplitter.wrapColumns.contains(previousEndColumn) {
                    blocks[index].lines.append(line.content)
                } else {
                    blocks.append(Block(kind: .paragraph, indent: line.indent, lines: [line.content]))
                    open = blocks.count - 1
                }
            }
            return blocks
        }

        /// The header on `line`, unless it is a lower-case phrase that continues an unfinished line above.
        private func headerCandidate(_ line: Line, continuing previous: Block?) -> Header? {
            if let header = CriteriaSplitter.matchOtherSectionHeader(line.content) { return header }
            guard let header = matchHeader(line.content) else { return nil }
            if !header.hasPrefix, let previous, let last = previous.lines.last, let first = line.content.first,
               first.isLowercase, let end = last.last, !".:;!?".contains(end) {
                return nil
            }
            return header
        }

        /// Recognises a header line (optionally behind a bullet, as in "-  INCLUSION CRITERIA:").
        private func matchHeader(_ content: String) -> Header? {
            guard let headerRegex, CriteriaSplitter.mentionsClusion(content),
                  CriteriaSplitter.keywordMayStartHeader(content) else { return nil }
            var candidate = content
            var bullet: String?
            if let marker = CriteriaSplitter.lexMarker(content), marker.isStrong, case .bullet = marker.style {
                candidate = marker.text
                bullet = marker.raw
            }
            let ns = candidate as NSString
            guard let match = headerRegex.firstMatch(in: candidate, range: NSRange(location: 0, length: ns.length))
            else { return nil }
            func group(_ name: String) -> String? {
                let range = match.range(withName: name)
                guard range.location != NSNotFound else { return nil }
                return CriteriaSplitter.trimmed(ns.substring(with: range))
            }
            let rawPrefix = group("prefix") ?? ""
            let keyword = group("kw") ?? ""
            let criteria = group("crit").flatMap { $0.isEmpty ? nil : $0 }
            let qualifierFor = group("qfor").flatMap { $0.isEmpty ? nil : $0 }
            var qualifierParen = group("qparen").flatMap { $0.isEmpty ? nil : $0 }
            let terminator = group("term") ?? ""
            let rest = ns.substring(from: match.range.location + match.range.length)
                .trimmingCharacters(in: .whitespaces)

            var prefix = rawPrefix
            var sectionNumber = ""
            if isSectionNumber(rawPrefix) {
                // "III.6 EXCLUSION CRITERIA": a section number, consumed like a list marker.
                sectionNumber = prefix
                prefix = ""
            }
            let prefixWords = prefix.split(whereSeparator: \.isWhitespace).map { $0.lowercased() }
            guard prefixWords.count <= 4,
                  !prefixWords.contains(where: { CriteriaSplitter.prefixStopWords.contains($0) }) else { return nil }
            if criteria == nil {
                guard terminator == ":", qualifierFor == nil, qualifierParen == nil else { return nil }
            }
            if terminator == "." && criteria == nil { return nil }
            let qualifierWords = ((qualifierFor ?? "") + " " + (qualifierParen ?? ""))
                .lowercased().split(whereSeparator: { !$0.isLetter })
            guard qualifierWords.count <= 10,
                  !qualifierWords.contains(where: { CriteriaSplitter.qualifierStopWords.contains(String($0)) })
            else { return nil }
            if bullet != nil {
                guard rest.isEmpty, prefix.isEmpty else { return nil }
            }

            let kind: SectionKind
            let mentions = CriteriaSplitter.keywordMentions(keyword)
            if mentions("inclusion") && mentions("exclusion") {
                kind = .other
            } else if mentions("exclusion") || mentions("non") {
                kind = .exclusion
            } else {
                kind = .inclusion
            }
            if let paren = qualifierParen, paren.hasPrefix("("), paren.hasSuffix(")") {
                qualifierParen = String(paren.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
            }
            let qualifier = [qualifierFor ?? "", qualifierParen ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
            let label = [prefix, qualifier].filter { !$0.isEmpty }.joined(separator: " ")
            let consumedText = [bullet ?? "", sectionNumber, keyword, criteria ?? ""].filter { !$0.isEmpty }
                .joined(separator: " ")
            return Header(kind: kind, label: label, context: nil, prefix: prefix, qualifier: qualifier,
                          consumed: consumedText, rest: rest)
        }

        /// Blocks for the text after a header on the same line; an inline "- a - b" list becomes items.
        private func blocksForHeaderRest(_ rest: String, indent: Int) -> [Block] {
            guard let marker = CriteriaSplitter.lexMarker(rest) else {
                return [Block(kind: .paragraph, indent: indent, lines: [rest])]
            }
            if case .bullet(let character) = marker.style {
                let pieces = marker.text.components(separatedBy: " \(character) ")
                return pieces.map { piece in
                    var pieceMarker = marker
                    pieceMarker.raw = String(character)
                    pieceMarker.text = CriteriaSplitter.trimmed(piece)
                    return Block(kind: .item(pieceMarker), indent: indent, lines: [pieceMarker.text])
                }
            }
            return [Block(kind: .item(marker), indent: indent, lines: [marker.text])]
        }

        // MARK: Blocks to sections

        /// Builds the section trees. Returns the sections (the first is the preamble), how many headers
        /// were found and whether any list item was.
        private func buildSections(_ blocks: [Block]) -> (sections: [Section], headerCount: Int, sawItem: Bool) {
            var sections = [Section(kind: .preamble)]
            var stack: [Node] = []
            var headerCount = 0
            var sawItem = false

            func attach(_ node: Node) {
                if let top = stack.last {
                    top.children.append(node)
                } else if let label = sections[sections.count - 1].labelNode {
                    label.children.append(node)
                } else {
                    sections[sections.count - 1].nodes.append(node)
                }
            }

            var context: String?
            var lastParagraph: (node: Node, order: Int, atSectionLevel: Bool)?
            for (order, block) in blocks.enumerated() {
                switch block.kind {
                case .header(let header):
                    headerCount += 1
                    if let merged = header.context {
                        context = merged
                    } else if let heading = lastParagraph, heading.order == order - 1,
                              cohortHeading(heading, in: sections[sections.count - 1]) {
                        // "Cohort 2" / "CONTROLS" right before a header: a heading for the sections that follow.
                        detach(heading.node, from: &sections[sections.count - 1])
                        context = heading.node.text
                    }
                    var section = Section(kind: header.kind)
                    var labels = [context, header.label.isEmpty ? nil : header.label].compactMap { $0 }
                    var parent: Node?
                    while !labels.isEmpty {
                        let text = CriteriaSplitter.clean([labels.removeFirst()])
                        let label = Node(kind: .label, indent: block.indent,
                                         text: text.hasSuffix(":") ? String(text.dropLast()) : text, order: order)
                        if let parent { parent.children.append(label) } else { section.nodes.append(label) }
                        parent = label
                    }
                    section.labelNode = parent
                    sections.append(section)
                    stack.removeAll()

                case .item(let marker):
                    sawItem = true
                    let text = CriteriaSplitter.clean(block.lines)
                    let level = CriteriaSplitter.headingLevel(text, isItem: true)
                    // "11." after "10." (however deep the items in between): a sibling of "10.".
                    if case .ordinal = marker.style, let index = stack.lastIndex(where: { node in
                        if case .item(let open) = node.kind { return CriteriaSplitter.continuesRun(marker, after: open) }
                        return false
                    }) {
                        stack.removeSubrange(index...)
                    }
                    while let top = stack.last, !accepts(top, item: marker, indent: block.indent, heading: level) {
                        stack.removeLast()
                    }
                    let node = Node(kind: .item(marker), indent: block.indent, text: text, order: order)
                    node.headingLevel = level
                    attach(node)
                    stack.append(node)

                case .paragraph:
                    let text = CriteriaSplitter.clean(block.lines)
                    let level = CriteriaSplitter.headingLevel(text, isItem: false)
                    while let top = stack.last, !accepts(top, item: nil, indent: block.indent, heading: level) {
                        stack.removeLast()
                    }
                    let node = Node(kind: .paragraph, indent: block.indent, text: text, order: order)
                    node.headingLevel = level
                    node.isGroup = CriteriaSplitter.endsWithColon(text) || level != nil
                        || (stack.isEmpty && CriteriaSplitter.isTitleLike(text))
                    lastParagraph = (node, order, stack.isEmpty)
                    attach(node)
                    stack.append(node)
                }
            }
            return (sections, headerCount, sawItem)
        }

        /// Whether two markers belong to the same list: the same bullet, or ordinals of a common family
        /// with the same punctuation.
        private func sameStyle(_ a: Marker, _ b: Marker) -> Bool {
            switch (a.style, b.style) {
            case let (.bullet(x), .bullet(y)): return x == y
            case let (.ordinal(x), .ordinal(y)):
                return x == y && a.values.contains { value in b.values.contains { $0.family == value.family } }
            default: return false
            }
        }

        /// Whether `item` carries the next number after `parent`, whatever the punctuation ("2)" after "1.").
        private func numbersOn(_ item: Marker, from parent: Marker) -> Bool {
            item.values.contains { value in
                parent.values.contains { $0.family == value.family && $0.value + 1 == value.value }
            }
        }

        /// Whether a section-level paragraph just before a header heads the sections that follow: a short
        /// title ("Cohort 2", "Healthy controls (HCs)") or a short phrase ending in ":" that is not a
        /// sentence about the criteria, and not the only content of a section.
        private func cohortHeading(_ heading: (node: Node, order: Int, atSectionLevel: Bool), in section: Section) -> Bool {
            guard heading.atSectionLevel, heading.node.children.isEmpty else { return false }
            let text = heading.node.text
            let container = section.labelNode?.children ?? section.nodes
            if section.kind != .preamble && container.count < 2 { return false }
            let words = text.split(whereSeparator: \.isWhitespace).count
            if CriteriaSplitter.isTitleLike(text.hasSuffix(":") ? String(text.dropLast()) : text) { return true }
            return text.hasSuffix(":") && words <= 15 && !CriteriaSplitter.isIntro(text)
        }

        /// Removes a section-level node (the last one attached) from its section.
        private func detach(_ node: Node, from section: inout Section) {
            if let label = section.labelNode {
                label.children.removeAll { $0 === node }
            } else {
                section.nodes.removeAll { $0 === node }
            }
        }

        /// Whether an item or paragraph at `indent` nests under `node`: two columns deeper. Beyond that:
        /// - an item numbered as the next of a childless `node` ("2." under "* 1.Volunteer") is its sibling
        ///   however deep;
        /// - an item of another style right under an item ending in ":" ("2. … one of the following:" then
        ///   "i) …" at the same column) is its sub-item;
        /// - a group paragraph (ending in ":") takes the list items after it at its own column;
        /// - a heading ("Registration:", "* SMOKING CRITERIA:") takes everything after it at its own column
        ///   up to the next heading of the same or a higher level (`heading` is the newcomer's level).
        private func accepts(_ node: Node, item: Marker?, indent: Int, heading: Int?) -> Bool {
            if let level = node.headingLevel, indent >= node.indent, (heading ?? 3) > level {
                switch node.kind {
                case .paragraph: return true
                case .item(let parent):
                    if case .bullet = parent.style, item != nil { return true }
                case .label: break
                }
            }
            switch node.kind {
            case .item(let parent):
                if let item {
                    if node.children.isEmpty, case .ordinal = item.style,
                       CriteriaSplitter.continuesRun(item, after: parent) { return false }
                    if indent >= node.indent, !sameStyle(item, parent), !numbersOn(item, from: parent),
                       CriteriaSplitter.endsWithColon(node.text) { return true }
                }
                return indent >= node.indent + 2
            case .paragraph: return node.isGroup && (item != nil ? indent >= node.indent : indent >= node.indent + 2)
            case .label: return true
            }
        }

        /// Moves a section's opening sentence about the criteria and its notes out of the section.
        private func extractIntroAndNotes(_ section: inout Section) -> [Node] {
            var moved: [Node] = []
            var container = section.labelNode?.children ?? section.nodes
            if let first = container.first, first.isParagraph, CriteriaSplitter.isIntro(first.text) {
                let adopted = first.children
                first.children = []
                moved.append(first)
                container.replaceSubrange(0..<1, with: adopted)
            }
            container.removeAll { node in
                guard node.isParagraph, CriteriaSplitter.isNote(node.text) else { return false }
                moved.append(node)
                return true
            }
            if let label = section.labelNode {
                label.children = container
            } else {
                section.nodes = container
            }
            return moved
        }

        // MARK: Nodes to items

        /// Converts a node to items: drops marker-only items (hoisting their children) and splits
        /// inline numbering ("1. a. 2. b.") into siblings.
        private mutating func convert(_ node: Node) -> [CriteriaItem] {
            var children: [CriteriaItem] = []
            var texts = [node.text]
            if case .item(let marker) = node.kind {
                consumed.append(marker.raw)
                let pieces = CriteriaSplitter.splitInlineOrdinals(texts[0], marker: marker)
                texts = pieces.map(\.text)
                consumed += pieces.compactMap(\.marker)
            }
            children = node.children.flatMap { convert($0) }
            texts.removeAll { $0.isEmpty }
            guard !texts.isEmpty else { return children }
            var items = texts.map { CriteriaItem(text: $0) }
            items[items.count - 1].subItems = children
            return items
        }

        /// The whole text as one item: hard wraps joined, paragraphs separated by a blank line.
        private func wholeText(_ lines: [Line]) -> String {
            var paragraphs: [String] = []
            var current: [String] = []
            for line in lines {
                if line.content.isEmpty {
                    if !current.isEmpty { paragraphs.append(CriteriaSplitter.clean(current)) }
                    current = []
                } else {
                    current.append(line.content)
                }
            }
            if !current.isEmpty { paragraphs.append(CriteriaSplitter.clean(current)) }
            return paragraphs.filter { !$0.isEmpty }.joined(separator: "\n\n")
        }
    }
}

// MARK: - Text helpers

extension CriteriaSplitter {
    /// Joins lines with single spaces, collapses whitespace and undoes markdown backslash escapes.
    ///
    /// Builds UTF-8 bytes rather than a `String.UnicodeScalarView`: appending scalars one by one to a view
    /// was the costliest part of building items.
    fileprivate static func clean(_ lines: [String]) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(lines.reduce(0) { $0 + $1.utf8.count })
        func append(_ scalar: Unicode.Scalar) {
            if scalar.isASCII {
                result.append(UInt8(scalar.value))
            } else {
                UTF8.encode(scalar) { result.append($0) }
            }
        }
        var pendingSpace = false
        var escaped = false
        for line in lines {
            pendingSpace = pendingSpace || !result.isEmpty
            if isCleanASCII(line) {
                // What the loop below would do, in one copy.
                if pendingSpace { result.append(0x20) }
                result.append(contentsOf: line.utf8)
                pendingSpace = false
                continue
            }
            for scalar in line.unicodeScalars {
                if escaped {
                    escaped = false
                    if !(scalar.isASCII && asciiPunctuation.contains(scalar)) { result.append(UInt8(ascii: "\\")) }
                } else if scalar == "\\" {
                    escaped = true
                    if pendingSpace {
                        result.append(0x20)
                        pendingSpace = false
                    }
                    continue
                }
                if isWhitespace(scalar) {
                    pendingSpace = !result.isEmpty
                    continue
                }
                if pendingSpace {
                    result.append(0x20)
                    pendingSpace = false
                }
                append(scalar)
            }
            if escaped {
                result.append(UInt8(ascii: "\\"))
                escaped = false
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Whether `clean` would copy `line` unchanged: printable ASCII without backslashes, single spaces
    /// between words and none at either end. Most source lines are like this.
    private static func isCleanASCII(_ line: String) -> Bool {
        withUTF8Bytes(line) { bytes in
            var previous: UInt8 = 0x20
            for byte in bytes {
                guard (0x20...0x7E).contains(byte), byte != UInt8(ascii: "\\"), byte != 0x20 || previous != 0x20 else {
                    return false
                }
                previous = byte
            }
            return previous != 0x20
        }
    }

    /// Unicode whitespace, with a fast path for ASCII (property lookups are slow).
    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar == " " || (scalar.value >= 0x09 && scalar.value <= 0x0D) }
        return scalar.properties.isWhitespace
    }

    /// The ASCII punctuation a markdown backslash can escape.
    private static let asciiPunctuation = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars)

    /// A short heading without a colon that may head a list: "Group 1", "Registration".
    fileprivate static func isTitleLike(_ text: String) -> Bool {
        if hasMoreWordEnds(text, than: 4) { return false }
        if text.isPlainASCII { return isTitleLikeASCII(Array(text.utf8)[...]) }
        guard let first = text.first, first.isUppercase, text.count <= 40, let last = text.last,
              !".;,!?)".contains(last) else { return false }
        return text.split(whereSeparator: \.isWhitespace).count <= 4
    }

    /// The heading level of a short heading: 1 for capitals ("PATIENT CHARACTERISTICS:", "CONTROLS"),
    /// 2 for other short titles with a colon ("Registration:", "Age:"); nil for anything else ("Group 1"
    /// and "Other types of Diabetes" may be a heading or a criterion, "Patients must have:" is a sentence:
    /// they only adopt a list). A list item is a heading only in capitals with a colon ("* SMOKING CRITERIA:").
    fileprivate static func headingLevel(_ text: String, isItem: Bool) -> Int? {
        // A title has at most four words, a heading with a colon at most five.
        if hasMoreWordEnds(text, than: 5) { return nil }
        if text.isPlainASCII { return headingLevelASCII(Array(text.utf8), isItem: isItem) }
        let colon = text.hasSuffix(":")
        let title = colon ? String(text.dropLast()).trimmingCharacters(in: .whitespaces) : text
        let words = title.lowercased().split(whereSeparator: \.isWhitespace)
        guard isTitleLike(title) || (colon && title.first?.isUppercase == true && words.count <= 5),
              !words.contains(where: { prefixStopWords.contains(String($0)) }) else { return nil }
        let letters = title.filter(\.isLetter)
        let capitals = letters.count >= 2 && letters.allSatisfy(\.isUppercase)
        if isItem { return capitals && colon ? 1 : nil }
        return capitals ? 1 : (colon ? 2 : nil)
    }

    /// A section's opening sentence that only says who is eligible under the criteria below, e.g.
    /// "Eligibility criteria:" or "Patients who meet any of the following exclusion criteria are not to be
    /// enrolled in this study:". One that says anything more ("Patients of the Parkland Diabetes Clinic
    /// who meet one or more of the following criteria:") is a criterion and keeps its list as sub-items.
    fileprivate static func isIntro(_ text: String) -> Bool {
        guard endsWithColon(text) else { return false }
        let words = text.lowercased().split(whereSeparator: { !$0.isLetter })
        return !words.isEmpty && words.allSatisfy { introVocabulary.contains(String($0)) }
    }

    /// The words of a sentence that only introduces a list of criteria.
    private static let introVocabulary: Set<String> = [
        "a", "an", "the", "this", "that", "these", "all", "each", "any", "of", "following", "below", "above",
        "subject", "subjects", "patient", "patients", "participant", "participants", "individual", "individuals",
        "person", "persons", "people", "volunteer", "volunteers", "candidate", "candidates", "prospective",
        "must", "should", "shall", "will", "can", "may", "be", "is", "are", "not", "no", "in", "into", "to",
        "for", "from", "who", "if", "they", "order", "as", "follows", "and", "or", "also", "additionally",
        "meet", "meets", "met", "meeting", "satisfy", "satisfies", "fulfil", "fulfill", "fulfils", "fulfills",
        "inclusion", "exclusion", "criteria", "criterion", "eligible", "eligibility", "ineligible", "considered",
        "participate", "participation", "participating", "study", "trial", "enrolled", "enrol", "enroll",
        "enrolment", "enrollment", "enrolling", "entry", "enter", "entering", "presence", "exclude", "excluded",
        "include", "included", "major", "main", "key", "general", "list", "requirements", "required",
    ]

    /// A note: "Note: …", "N.B. …", or a paragraph about both inclusion and exclusion criteria.
    fileprivate static func isNote(_ text: String) -> Bool {
        if text.isPlainASCII { return isNoteASCII(text) }
        let lower = text.lowercased()
        if lower.contains("inclusion") && lower.contains("exclusion") { return true }
        for lead in ["note:", "notes:", "note -", "n.b.", "nb:"] where lower.hasPrefix(lead) { return true }
        return false
    }

    /// Splits "1. Age < 40. 2. No benefits" into "Age < 40." and "No benefits": each later piece must
    /// start with the next ordinal of the same kind, after ". ", "; ", ", ", ": " or ") ".
    fileprivate static func splitInlineOrdinals(_ text: String, marker: Marker) -> [(text: String, marker: String?)] {
        guard case .ordinal(let delimiter) = marker.style else { return [(text, nil)] }
        var pieces: [(text: String, marker: String?)] = []
        var values = marker.values
        var currentMarker: String?
        var remaining = Substring(text)
        let isASCII = text.isPlainASCII
        search: while true {
            var best: (range: Range<Substring.Index>, value: OrdinalValue, token: String)?
            for value in values {
                guard let successor = successorToken(value) else { continue }
                let next = OrdinalValue(family: value.family, value: value.value + 1)
                let token: String
                switch delimiter {
                case .dot: token = successor + "."
                case .paren: token = successor + ")"
                case .enclosed: token = "(" + successor + ")"
                }
                var from = remaining.startIndex
                while let range = firstRange(of: token, in: remaining, from: from, isASCII: isASCII) {
                    from = range.upperBound
                    guard isInlineOrdinal(range, in: remaining, number: value.family == .number) else { continue }
                    if best == nil || range.lowerBound < best!.range.lowerBound { best = (range, next, token) }
                    break
                }
            }
            guard let found = best else { break search }
            let head = trimmed(remaining[..<found.range.lowerBound])
            pieces.append((head, currentMarker))
            currentMarker = found.token
            remaining = remaining[found.range.upperBound...]
            values = [found.value]
        }
        pieces.append((trimmed(remaining), currentMarker))
        return pieces
    }

    /// Whether `range` (an ordinal token) starts a new inline item: preceded by a space after sentence
    /// punctuation and followed by a space (or, for "b.Hemoglobin", a capital letter); a number may also
    /// follow a word when a capitalised word follows it ("… 6 weeks 20. Is participating").
    private static func isInlineOrdinal(_ range: Range<Substring.Index>, in text: Substring, number: Bool) -> Bool {
        guard range.lowerBound > text.startIndex, range.upperBound < text.endIndex else { return false }
        let space = text.index(before: range.lowerBound)
        guard text[space] == " ", space > text.startIndex else { return false }
        let after = text[range.upperBound]
        let punctuation = text[text.index(before: space)]
        if ".;,:)".contains(punctuation) { return after == " " || after.isUppercase }
        guard number, after == " " else { return false }
        let next = text.index(after: range.upperBound)
        return next < text.endIndex && text[next].isUppercase
    }
}

// MARK: - ASCII fast paths

// Almost every criteria line is plain ASCII. There each byte is one Character, so the rules above, written
// for Characters, can be read on the bytes without grapheme breaking, Unicode property lookups, lower-cased
// copies or NSString bridging. Each fast path gives exactly the answer of the general code it stands in for;
// text with any non-ASCII byte (or a CR, which joins LF into one Character) takes the general code.

extension CriteriaSplitter {

    /// Whether more than `limit` words of `text` certainly end at an ASCII space: spaces right after a
    /// visible ASCII byte. Each ends a different whitespace-separated word (no Character joins a visible
    /// ASCII byte to the space after it), so a text with more of them than a rule allows words can be
    /// turned down without splitting it into Characters.
    fileprivate static func hasMoreWordEnds(_ text: String, than limit: Int) -> Bool {
        withUTF8Bytes(text) { bytes in
            var count = 0
            var previous: UInt8 = 0x20
            for byte in bytes {
                if byte == 0x20, (0x21..<0x7F).contains(previous) {
                    count += 1
                    if count > limit { return true }
                }
                previous = byte
            }
            return false
        }
    }

    /// Runs `body` on the UTF-8 bytes of `text` as a buffer: loops over a buffer are several times
    /// faster than over `String.UTF8View`. Strings the splitter builds are native, so this never copies.
    fileprivate static func withUTF8Bytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(body)
    }

    /// `text.count`, without grapheme breaking for plain ASCII.
    fileprivate static func characterCount(_ text: String) -> Int {
        text.isPlainASCII ? text.utf8.count : text.count
    }

    /// `text.hasSuffix(":")`. A final ":" byte after an ASCII byte is a Character of its own; no other
    /// Character equals ":", so any other last byte means no.
    fileprivate static func endsWithColon(_ text: String) -> Bool {
        let bytes = text.utf8
        guard bytes.last == UInt8(ascii: ":") else { return false }
        guard let before = bytes.dropLast().last, before >= 0x80 else { return true }
        return text.hasSuffix(":")
    }

    /// ASCII lower case of one byte; other bytes unchanged.
    fileprivate static func lowercasedASCII(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
    }

    fileprivate static func isASCIIUppercase(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) }

    fileprivate static func isASCIILetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    fileprivate static func isASCIILetterOrDigit(_ byte: UInt8) -> Bool {
        isASCIILetter(byte) || (0x30...0x39).contains(byte)
    }


    /// Whether `bytes` contain `needle` (given in lower case) in any ASCII case.
    fileprivate static func containsIgnoringASCIICase(_ text: String.UTF8View, _ needle: StaticString) -> Bool {
        if let found = text.withContiguousStorageIfAvailable({ containsIgnoringASCIICase($0, needle) }) {
            return found
        }
        return containsIgnoringASCIICase(Array(text), needle)
    }

    /// Whether `bytes` contain `needle` (given in lower case) in any ASCII case.
    fileprivate static func containsIgnoringASCIICase<C: Collection>(_ bytes: C, _ needle: StaticString) -> Bool
    where C.Element == UInt8 {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard let head = pattern.first else { return true }
        var index = bytes.startIndex
        while index != bytes.endIndex {
            if lowercasedASCII(bytes[index]) == head {
                var probe = bytes.index(after: index)
                var matched = 1
                while matched < pattern.count, probe != bytes.endIndex,
                      lowercasedASCII(bytes[probe]) == pattern[matched] {
                    matched += 1
                    probe = bytes.index(after: probe)
                }
                if matched == pattern.count { return true }
            }
            index = bytes.index(after: index)
        }
        return false
    }

    /// The lower-cased words of plain ASCII `bytes`, split at whitespace.
    fileprivate static func lowercasedWordsASCII(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        bytes.map(lowercasedASCII)[...].split(whereSeparator: \.isASCIIWhitespace)
    }

    /// How many whitespace-separated words plain ASCII `bytes` hold.
    fileprivate static func wordCountASCII(_ bytes: ArraySlice<UInt8>) -> Int {
        var count = 0
        var inWord = false
        for byte in bytes {
            let isSpace = byte.isASCIIWhitespace
            if !isSpace && !inWord { count += 1 }
            inWord = !isSpace
        }
        return count
    }

    /// `isTitleLike` on plain ASCII bytes.
    fileprivate static func isTitleLikeASCII(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, isASCIIUppercase(first), bytes.count <= 40, let last = bytes.last,
              !".;,!?)".utf8.contains(last) else { return false }
        return wordCountASCII(bytes) <= 4
    }

    /// `headingLevel` on plain ASCII bytes; the same rules, step for step.
    fileprivate static func headingLevelASCII(_ bytes: [UInt8], isItem: Bool) -> Int? {
        let colon = bytes.last == UInt8(ascii: ":")
        var title = bytes[...]
        if colon {
            // `trimmingCharacters(in: .whitespaces)`: in ASCII, spaces and tabs.
            title = title.dropLast()
            while let first = title.first, first == 0x20 || first == 0x09 { title = title.dropFirst() }
            while let last = title.last, last == 0x20 || last == 0x09 { title = title.dropLast() }
        }
        let startsUpper = title.first.map(isASCIIUppercase) ?? false
        guard isTitleLikeASCII(title) || (colon && startsUpper && wordCountASCII(title) <= 5) else { return nil }
        let words = lowercasedWordsASCII(title)
        guard !words.contains(where: { prefixStopWords.contains(String(decoding: $0, as: UTF8.self)) }) else {
            return nil
        }
        let letters = title.filter(isASCIILetter)
        let capitals = letters.count >= 2 && letters.allSatisfy(isASCIIUppercase)
        if isItem { return capitals && colon ? 1 : nil }
        return capitals ? 1 : (colon ? 2 : nil)
    }

    /// `isNote` on plain ASCII text.
    fileprivate static func isNoteASCII(_ text: String) -> Bool {
        let bytes = text.utf8
        if containsIgnoringASCIICase(bytes, "inclusion") && containsIgnoringASCIICase(bytes, "exclusion") { return true }
        let lower = bytes.prefix(6).map(lowercasedASCII)
        for lead in ["note:", "notes:", "note -", "n.b.", "nb:"] where lower.starts(with: lead.utf8) { return true }
        return false
    }

    /// The first ordinal `token` ("2.", "(b)", "IV)") in `text` at or after `from`, as Foundation's
    /// `range(of:)` finds it. That call bridges through NSString and was a third of the splitter's time.
    ///
    /// In plain ASCII text it finds exactly the token's bytes, so the bytes are searched instead. In other
    /// text it also matches canonically equivalent characters at character boundaries, so it still
    /// decides, but only when the bytes occur: no other character is equivalent to an ASCII letter, digit,
    /// "." or a parenthesis, except the Kelvin sign to "K".
    fileprivate static func firstRange(of token: String, in text: Substring, from: Substring.Index,
                                       isASCII: Bool) -> Range<Substring.Index>? {
        let rest = text[from...]
        guard let offset = firstByteOffset(of: token, in: rest) else {
            if isASCII || !token.utf8.contains(UInt8(ascii: "K")) { return nil }
            return text.range(of: token, range: from..<text.endIndex)
        }
        guard isASCII else { return text.range(of: token, range: from..<text.endIndex) }
        let lower = rest.utf8.index(rest.startIndex, offsetBy: offset)
        return lower..<rest.utf8.index(lower, offsetBy: token.utf8.count)
    }

    /// The byte offset of the first occurrence of `token`'s UTF-8 in `text`, if any.
    fileprivate static func firstByteOffset(of token: String, in text: Substring) -> Int? {
        let needle = Array(token.utf8)
        guard let head = needle.first else { return 0 }
        let found = text.utf8.withContiguousStorageIfAvailable { bytes -> Int? in
            guard bytes.count >= needle.count else { return nil }
            for start in 0...(bytes.count - needle.count) where bytes[start] == head {
                var matched = 1
                while matched < needle.count, bytes[start + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return start }
            }
            return nil
        }
        if let found { return found }
        return text.utf8.firstRange(of: needle).map { text.utf8.distance(from: text.startIndex, to: $0.lowerBound) }
    }
}
