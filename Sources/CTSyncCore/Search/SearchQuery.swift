import Foundation

/// A user's search query, parsed and translated into a safe FTS5 expression.
///
/// Syntax: plain words (all must match; an upper-case `AND` between them is allowed), `"quoted phrases"`, `OR`,
/// `NOT` (upper case; lower-case `or`/`not`/`and` are words), and `prefix*`. `NOT` binds tightest, then the implicit AND, then `OR`, as in FTS5. Everything the user
/// types ends up inside FTS5 double-quoted strings, so column filters (`title:`), `NEAR(`, `^`, parentheses and
/// quotes are never FTS5 syntax; punctuation inside a word is left to the tokenizer (`covid-19` is the phrase
/// `covid 19`).
public struct SearchQuery: Sendable, Equatable {
    /// The user's text.
    public let text: String
    /// The FTS5 expression to give to `MATCH`.
    public let expression: String

    /// Parses `text`, throwing a `SearchQueryError` that says what is wrong.
    public init(_ text: String) throws(SearchQueryError) {
        self.text = text
        let tokens = try SearchQuery.lex(text)
        expression = try SearchQuery.parse(tokens)
    }

    enum Token: Equatable {
        case term(String)  // already an FTS5 string or prefix: "word" or "word" *
        case or, not
    }

    /// Splits the text into terms and operators.
    static func lex(_ text: String) throws(SearchQueryError) -> [Token] {
        var tokens: [Token] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "\"" {
                guard let close = chars[(i + 1)...].firstIndex(of: "\"") else { throw .unbalancedQuote }
                let phrase = String(chars[(i + 1)..<close])
                guard hasSearchable(phrase) else {
                    if phrase.trimmingCharacters(in: .whitespaces).isEmpty { throw .emptyPhrase }
                    throw .noSearchableText(phrase)
                }
                var token = quoted(phrase)
                i = close + 1
                if i < chars.count, chars[i] == "*" { token += " *"; i += 1 }
                tokens.append(.term(token))
                continue
            }
            var j = i
            while j < chars.count, !chars[j].isWhitespace, chars[j] != "\"" { j += 1 }
            let word = String(chars[i..<j])
            i = j
            switch word {
            case "OR": tokens.append(.or)
            case "NOT": tokens.append(.not)
            case "AND": continue  // AND is implicit; an explicit one is allowed and changes nothing
            default:
                var body = word
                var prefix = false
                if body.hasSuffix("*") {
                    while body.hasSuffix("*") { body.removeLast() }
                    prefix = true
                }
                if !hasSearchable(body) {
                    if prefix, body.isEmpty { throw .bareWildcard }
                    // Lone punctuation (`;`, `^`, `(`) between words carries nothing: skip it.
                    if body.contains("*") { throw .bareWildcard }
                    continue
                }
                if body.contains("*") {
                    // An inner `*` is not a prefix marker: let the tokenizer drop it.
                    body = body.replacingOccurrences(of: "*", with: " ")
                }
                tokens.append(.term(quoted(body) + (prefix ? " *" : "")))
            }
        }
        return tokens
    }

    /// Builds the expression: OR of AND-groups of NOT-chains, fully parenthesized.
    static func parse(_ tokens: [Token]) throws(SearchQueryError) -> String {
        if tokens.isEmpty { throw .empty }
        if !tokens.contains(where: { if case .term = $0 { return true } else { return false } }) {
            throw .danglingOperator(tokens[0] == .or ? "OR" : "NOT", position: "start")
        }
        func name(_ t: Token) -> String { t == .or ? "OR" : "NOT" }
        if let first = tokens.first, first == .or || first == .not {
            throw .danglingOperator(name(first), position: "start")
        }
        if let last = tokens.last, last == .or || last == .not {
            throw .danglingOperator(name(last), position: "end")
        }
        for (a, b) in zip(tokens, tokens.dropFirst()) where (a == .or || a == .not) && (b == .or || b == .not) {
            throw .consecutiveOperators(name(a), name(b))
        }
        // Groups separated by OR; inside a group, terms joined by AND, with NOT binding to its neighbours.
        var groups: [[Token]] = [[]]
        for t in tokens {
            if t == .or { groups.append([]) } else { groups[groups.count - 1].append(t) }
        }
        let orParts = groups.map { group -> String in
            var andParts: [String] = []
            var k = 0
            while k < group.count {
                guard case .term(var chain) = group[k] else { k += 1; continue }
                k += 1
                while k + 1 < group.count, group[k] == .not, case .term(let right) = group[k + 1] {
                    chain = "(\(chain) NOT \(right))"
                    k += 2
                }
                andParts.append(chain)
            }
            return andParts.count == 1 ? andParts[0] : "(" + andParts.joined(separator: " AND ") + ")"
        }
        return orParts.count == 1 ? orParts[0] : "(" + orParts.joined(separator: " OR ") + ")"
    }

    /// An FTS5 string: the text in double quotes, inner double quotes doubled.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func hasSearchable(_ text: String) -> Bool {
        text.unicodeScalars.contains { CharacterSet.alphanumerics.contains($0) }
    }
}
