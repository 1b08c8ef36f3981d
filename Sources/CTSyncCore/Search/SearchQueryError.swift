import Foundation

/// A search query that cannot be understood, with what is wrong and how to write it.
public enum SearchQueryError: Error, LocalizedError, Equatable, Sendable {
    case empty
    case unbalancedQuote
    case emptyPhrase
    case danglingOperator(String, position: String)
    case consecutiveOperators(String, String)
    case bareWildcard
    case noSearchableText(String)

    public var errorDescription: String? {
        switch self {
        case .empty:
            return "the search query is empty: give one or more words, e.g. ctsync search 'covid vaccine'"
        case .unbalancedQuote:
            return "the search query has an unbalanced \" (a phrase must be closed: \"stem cells\")"
        case .emptyPhrase:
            return "the search query has an empty phrase \"\": put words between the quotes"
        case .danglingOperator(let op, let position):
            return op == "NOT" && position == "start"
                ? "NOT needs a term on each side: write 'covid NOT children', not 'NOT children'"
                : "\(op) at the \(position) of the query has nothing on that side: write 'a \(op) b'"
        case .consecutiveOperators(let a, let b):
            return "\(a) followed by \(b): an operator needs a term on each side"
        case .bareWildcard:
            return "a * must end a word (prefix search: 'cardio*'), not stand alone"
        case .noSearchableText(let text):
            return "'\(text)' has no letters or digits to search for"
        }
    }
}
