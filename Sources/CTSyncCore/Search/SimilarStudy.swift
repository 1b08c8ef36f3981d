/// One study found by `ctsync similar`, with its score and the reasons behind it.
public struct SimilarStudy: Sendable, Equatable, Codable {
    public var nctId: String
    public var title: String?
    public var overallStatus: String?
    public var score: Double
    /// "shares COVID-19 and Pneumonia, Viral", "same phase", …, most weighty first.
    public var reasons: [String]
    /// Points per part: conditions, interventions, design, text.
    public var parts: [String: Double]
}
