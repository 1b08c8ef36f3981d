import Foundation

/// The `ctsync similar` score of one candidate against a target: a pure function of two profiles and the weights.
public enum Similarity {
    /// Interventions too common to say two studies are alike.
    static let uninformativeNames: Set<String> = ["placebo", "standard of care"]

    /// Scores `candidate` against `target`, returning the points per part and the reasons, weightiest first.
    public static func score(_ target: SimilarityProfile, _ candidate: SimilarityProfile,
                             weights w: SimilarityWeights) -> (score: Double, parts: [String: Double], reasons: [String]) {
        var reasons: [(Double, String)] = []

        // Conditions: MeSH first, then texts not already explained by a shared MeSH term.
        let sharedMesh = Set(target.conditionMesh.keys).intersection(candidate.conditionMesh.keys).sorted()
        let meshNames = sharedMesh.map { target.conditionMesh[$0]! }
        let meshFolded = Set(meshNames.map(InterventionNames.fold))
        let sharedText = Set(target.conditions.keys).intersection(candidate.conditions.keys)
            .subtracting(meshFolded).sorted()
        let sharedAncestors = Set(target.conditionAncestors.keys).intersection(candidate.conditionAncestors.keys)
        var conditions = min(w.conditionCap, Double(sharedMesh.count) * w.conditionMesh
                                + Double(sharedText.count) * w.conditionText)
        conditions += min(w.conditionAncestorCap, Double(sharedAncestors.count) * w.conditionAncestor)

        // Interventions: MeSH terms and normalized names.
        let sharedIMesh = Set(target.interventionMesh.keys).intersection(candidate.interventionMesh.keys).sorted()
        let sharedNames = Set(target.interventionNames.keys).intersection(candidate.interventionNames.keys)
            .subtracting(uninformativeNames).sorted()
        // An intervention's name and its other names map to one display name: they count once.
        let sharedInterventions = distinct(sharedNames.map { target.interventionNames[$0]! })
        var interventions = min(w.interventionCap, Double(sharedIMesh.count) * w.interventionMesh
                                   + Double(sharedInterventions.count) * w.interventionName)
        let sameType = !Set(target.interventionTypes).isDisjoint(with: candidate.interventionTypes)
        if sameType { interventions += w.interventionType }

        // Each name once, however many kinds of evidence share it (a MeSH term and an intervention name often do).
        let shared = distinct(meshNames + sharedText.map { target.conditions[$0]! }
            + sharedIMesh.map { target.interventionMesh[$0]! } + sharedInterventions)
        if !shared.isEmpty { reasons.append((conditions + interventions, "shares " + list(shared))) }
        if sharedMesh.isEmpty, sharedText.isEmpty, !sharedAncestors.isEmpty {
            let names = sharedAncestors.sorted().prefix(3).map { target.conditionAncestors[$0]! }
            reasons.append((conditions, "related conditions (" + list(names) + ")"))
        }

        // Design.
        var design = 0.0
        if !Set(target.phases).isDisjoint(with: candidate.phases) {
            design += w.phase
            reasons.append((w.phase, "same phase"))
        }
        if let t = target.studyType, t == candidate.studyType { design += w.studyType }
        if let a = target.allocation, a == candidate.allocation { design += w.allocation }
        if let p = target.primaryPurpose, p == candidate.primaryPurpose {
            design += w.primaryPurpose
            reasons.append((w.primaryPurpose, "same purpose (\(p.lowercased().replacingOccurrences(of: "_", with: " ")))"))
        }
        if sameType { reasons.append((w.interventionType, "same intervention type")) }

        // Text.
        let jaccard = TextTokens.jaccard(Set(target.textStems), Set(candidate.textStems))
        let text = w.text * jaccard
        if jaccard >= 0.1 { reasons.append((text, String(format: "similar title and summary (%.0f%% shared words)", jaccard * 100))) }

        let parts = ["conditions": conditions, "interventions": interventions, "design": design, "text": text]
        let total = parts.values.reduce(0, +)
        let ordered = reasons.enumerated().sorted { ($0.element.0, -$0.offset) > ($1.element.0, -$1.offset) }
        return (total, parts, ordered.map(\.element.1))
    }

    /// `names` in order without repeats, compared folded ("Candesartan" and "candesartan" are one).
    static func distinct(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert(InterventionNames.fold($0)).inserted }
    }

    /// "A", "A and B", "A, B and C".
    static func list(_ names: [String]) -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + names.last!
    }
}
