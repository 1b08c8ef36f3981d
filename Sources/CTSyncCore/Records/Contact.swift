import Foundation

/// A person (or placeholder) to contact or who leads a study: a central contact, an overall official or a site's
/// contact or investigator.
///
/// The registry writes names as "Lucia Silla, MD, PhD": the name and its degrees are split apart. E-mail addresses
/// are lower-cased when they look valid; an invalid one is kept exactly as given, with `emailValid` false.
/// Phone numbers and extensions are kept as given (they come in every national format).
public struct Contact: Sendable, Hashable, Codable {
    /// The name without degrees ("Lucia Silla"), or a placeholder as given ("Study Director", "Site Contact").
    public var name: String?
    /// The degrees and titles after the name, in order ("MD", "PhD"); empty when there are none.
    public var degrees: [String]
    public var role: RegistryValue<ContactRole>?
    /// An official's affiliation (sometimes a job title, as the registry has it).
    public var affiliation: String?
    /// The address, lower-cased when valid; as given when not.
    public var email: String?
    /// Whether `email` looks like an address (`local@domain.tld`); nil when there is no e-mail.
    public var emailValid: Bool?
    public var phone: String?
    public var phoneExt: String?

    /// Builds a contact from the registry's fields, splitting degrees off the name and checking the e-mail.
    public init(name rawName: String?, degrees extraDegrees: [String] = [], role: RegistryValue<ContactRole>?,
                affiliation: String? = nil, email rawEmail: String? = nil, phone: String? = nil,
                phoneExt: String? = nil) {
        if let rawName = rawName?.trimmedWhitespace(), !rawName.isEmpty {
            let split = Contact.splitName(rawName)
            name = split.name
            degrees = split.degrees + extraDegrees
        } else {
            name = nil
            degrees = extraDegrees
        }
        self.role = role
        self.affiliation = Contact.nonEmpty(affiliation)
        if let e = Contact.nonEmpty(rawEmail) {
            let valid = Contact.isValidEmail(e)
            email = valid ? e.lowercased() : e
            emailValid = valid
        } else {
            email = nil
            emailValid = nil
        }
        self.phone = Contact.nonEmpty(phone)
        self.phoneExt = Contact.nonEmpty(phoneExt)
    }

    private static func nonEmpty(_ s: String?) -> String? {
        guard let t = s?.trimmedWhitespace(), !t.isEmpty else { return nil }
        return t
    }

    // MARK: - Names and degrees

    /// Splits "Lucia Silla, MD, PhD" into "Lucia Silla" and ["MD", "PhD"].
    ///
    /// The degrees are what follows the first comma outside parentheses, when it reads as credentials: no digits,
    /// parentheses, "&" or "@", no company suffix (LLC, Inc, Ltd…), and at most four words between separators
    /// (`,` `;` and the full-width comma). Inside one piece, "MD PhD" and "MD/PhD" become two degrees when every
    /// word is a known credential; otherwise the piece is one degree as written ("Dr. med."). Anything else — a
    /// placeholder such as "Study Director", "Daniel Egan, Site 111", "Global Clinical Registry (GCR, 1452)" —
    /// stays whole, as the name.
    public static func splitName(_ raw: String) -> (name: String, degrees: [String]) {
        let text = raw.trimmedWhitespace()
        guard let comma = firstCommaOutsideParentheses(text) else { return (text, []) }
        let head = text[..<comma].trimmedWhitespace()
        let tail = text[text.index(after: comma)...]
        guard !head.isEmpty, looksLikeCredentials(tail) else { return (text, []) }
        var degrees: [String] = []
        for piece in tail.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "，" }) {
            let trimmed = piece.trimmedWhitespace()
            if trimmed.isEmpty { continue }
            let words = trimmed.split(whereSeparator: { $0.isWhitespace || $0 == "/" }).map(String.init)
            if words.count > 1, words.allSatisfy({ knownCredentials.contains(foldCredential($0)) }) {
                degrees.append(contentsOf: words)
            } else {
                degrees.append(trimmed)
            }
        }
        return (head, degrees)
    }

    /// The first `,` or `，` outside parentheses and brackets, reading characters.
    ///
    /// A name of plain ASCII (nearly all) is read byte by byte: there every byte is a character.
    private static func firstCommaOutsideParentheses(_ text: String) -> String.Index? {
        let utf8 = text.utf8
        if text.isPlainASCII {
            var depth = 0
            for i in utf8.indices {
                switch utf8[i] {
                case UInt8(ascii: "("), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: ")"), UInt8(ascii: "]"): depth = max(0, depth - 1)
                case UInt8(ascii: ","): if depth == 0 { return i }
                default: break
                }
            }
            return nil
        }
        var depth = 0
        for i in text.indices {
            switch text[i] {
            case "(", "[": depth += 1
            case ")", "]": depth = max(0, depth - 1)
            case ",", "，": if depth == 0 { return i }
            default: break
            }
        }
        return nil
    }

    private static let companyWords: Set<String> = ["LLC", "INC", "LTD", "GMBH", "CORP", "CO", "SA", "AG", "PLC", "BV"]

    private static func looksLikeCredentials(_ tail: Substring) -> Bool {
        if tail.isPlainASCII {
            // Plain ASCII: the only numbers are the digits, and every byte is a character.
            if tail.utf8.contains(where: { b in
                (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "(") || b == UInt8(ascii: ")") || b == UInt8(ascii: "[")
                    || b == UInt8(ascii: "]") || b == UInt8(ascii: "&") || b == UInt8(ascii: "@")
            }) { return false }
        } else if tail.contains(where: { $0.isNumber || "()[]&@".contains($0) }) {
            return false
        }
        for piece in tail.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "，" }) {
            let words = piece.split(whereSeparator: \.isWhitespace)
            if words.count > 4 { return false }
            if words.contains(where: { companyWords.contains(foldCredential(String($0))) }) { return false }
        }
        return true
    }

    /// Credentials that may share one piece ("MD PhD", "Prof. Dr."), folded by `foldCredential`.
    private static let knownCredentials: Set<String> = [
        "MD", "PHD", "MA", "MAS", "MPH", "MHS", "MS", "MSC", "DMSC", "DSC", "MBA", "FRCPC", "FRCP", "MRCP", "FRCA",
        "FFP", "MRC", "RN", "BSN", "OCN", "DO", "DDS", "DMD", "PHARMD", "BM", "BCH", "MBBS", "MBCHB", "DM", "DPT",
        "PT", "EDD", "DNP", "AOCN", "NP", "PA", "PROF", "DR", "MSW", "MSCE", "FAAN", "BS", "BSC", "BA", "DRPH", "DVM",
        "MPHIL", "MRES", "MHM", "MM", "MMSC", "DPH", "CCRP", "CRC", "FACS", "FACP", "FACC", "MSN", "RPH",
    ]

    /// Upper case without dots and hyphens: "Ph.D." → "PHD".
    private static func foldCredential(_ word: String) -> String {
        word.uppercased().filter { $0 != "." && $0 != "-" }
    }

    // MARK: - E-mail

    /// A simple, RFC 5322-ish check: one `@`, a local part of allowed characters without leading, trailing or
    /// doubled dots, and a domain of at least two labels (letters, digits, hyphens) ending in an alphabetic TLD.
    public static func isValidEmail(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), bytes.lastIndex(of: UInt8(ascii: "@")) == at else {
            return false
        }
        let local = bytes[..<at], domain = bytes[(at + 1)...]
        guard (1...64).contains(local.count), (3...253).contains(domain.count) else { return false }
        guard local.allSatisfy({ isAlphanumeric($0) || localSymbols.contains($0) }),
              local.first != UInt8(ascii: "."), local.last != UInt8(ascii: "."),
              !zip(local, local.dropFirst()).contains(where: { $0 == UInt8(ascii: ".") && $1 == UInt8(ascii: ".") })
        else { return false }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard (1...63).contains(label.count), label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-"),
                  label.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") }) else { return false }
        }
        let tld = labels.last!
        return tld.count >= 2 && tld.allSatisfy { ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") }
    }

    /// The characters besides letters and digits allowed in the local part (RFC 5322 `atext` and the dot).
    private static let localSymbols = Set("!#$%&'*+/=?^_`{|}~.-".utf8)

    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || ((b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z"))
    }

    // MARK: - Codable

    private enum CodingKeys: String, CodingKey {
        case name, degrees, role, affiliation, email, emailValid, phone, phoneExt
    }

    /// Writes every key, with null for what the record does not say.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(degrees, forKey: .degrees)
        try c.encode(role, forKey: .role)
        try c.encode(affiliation, forKey: .affiliation)
        try c.encode(email, forKey: .email)
        try c.encode(emailValid, forKey: .emailValid)
        try c.encode(phone, forKey: .phone)
        try c.encode(phoneExt, forKey: .phoneExt)
    }
}
