import Foundation

// MARK: - CriteriaItem

/// One criterion; nested bullets under it are kept as sub-items.
///
/// `text` is cleaned: hard-wrapped lines are joined with single spaces, the list marker is removed and
/// markdown backslash escapes (`\>=`, `\*`) are undone. A paragraph or list nested under a criterion
/// (by indentation, or under a line ending in ":") becomes a sub-item.
public struct CriteriaItem: Sendable, Equatable, Hashable, Codable {
    /// The cleaned text of the criterion.
    public var text: String
    /// Criteria nested under this one, in document order.
    public var subItems: [CriteriaItem]

    /// Creates an item.
    public init(text: String, subItems: [CriteriaItem] = []) {
        self.text = text
        self.subItems = subItems
    }

    private enum CodingKeys: String, CodingKey {
        case text
        case subItems
    }

    /// Decodes an item; a missing `subItems` key reads as no sub-items.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        text = try container.decode(String.self, forKey: .text)
        subItems = try container.decodeIfPresent([CriteriaItem].self, forKey: .subItems) ?? []
    }

    /// Encodes an item; `subItems` is always written, even when empty, so the keys are stable.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(text, forKey: .text)
        try container.encode(subItems, forKey: .subItems)
    }
}

// MARK: - SplitCriteria

/// Eligibility criteria text split into inclusion and exclusion items.
public struct SplitCriteria: Sendable, Equatable, Codable {
    /// Inclusion criteria. A labelled header ("Patient Inclusion Criteria:", "Inclusion Criteria (Controls):")
    /// becomes one item whose text is the label and whose sub-items are that section's criteria.
    public var inclusion: [CriteriaItem]
    /// Exclusion criteria, labelled sections handled as for `inclusion`.
    public var exclusion: [CriteriaItem]
    /// Text that belongs to neither list (a preamble, a section such as "For the 'Outside' cohort:", notes); never dropped.
    public var other: [CriteriaItem]
    /// True when no structure (no headers and no list markers) was found: the whole text is kept as one inclusion item.
    public var unstructured: Bool

    /// Creates a split; every list defaults to empty.
    public init(
        inclusion: [CriteriaItem] = [],
        exclusion: [CriteriaItem] = [],
        other: [CriteriaItem] = [],
        unstructured: Bool = false
    ) {
        self.inclusion = inclusion
        self.exclusion = exclusion
        self.other = other
        self.unstructured = unstructured
    }

    private enum CodingKeys: String, CodingKey {
        case inclusion
        case exclusion
        case other
        case unstructured
    }

    /// Decodes a split; missing lists read as empty and a missing flag as `false`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inclusion = try container.decodeIfPresent([CriteriaItem].self, forKey: .inclusion) ?? []
        exclusion = try container.decodeIfPresent([CriteriaItem].self, forKey: .exclusion) ?? []
        other = try container.decodeIfPresent([CriteriaItem].self, forKey: .other) ?? []
        unstructured = try container.decodeIfPresent(Bool.self, forKey: .unstructured) ?? false
    }

    /// Encodes a split with all four keys always present.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(inclusion, forKey: .inclusion)
        try container.encode(exclusion, forKey: .exclusion)
        try container.encode(other, forKey: .other)
        try container.encode(unstructured, forKey: .unstructured)
    }
}
