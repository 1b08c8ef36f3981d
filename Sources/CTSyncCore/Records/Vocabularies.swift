import Foundation

// The registry's smaller enums (OAS 2.0.5 `components.schemas`), each with the label its pages and the legacy XML use.
// Each is read through `RegistryValue`, so a value added by the registry later is kept raw, never an error.

// MARK: - Phase

/// A study phase. A phase 1/2 study has two: `[PHASE1, PHASE2]` (the legacy XML wrote one "Phase 1/Phase 2").
public enum Phase: String, RegistryVocabulary {
    case na = "NA"
    case earlyPhase1 = "EARLY_PHASE1"
    case phase1 = "PHASE1"
    case phase2 = "PHASE2"
    case phase3 = "PHASE3"
    case phase4 = "PHASE4"

    public var label: String {
        switch self {
        case .na: return "Not Applicable"
        case .earlyPhase1: return "Early Phase 1"
        case .phase1: return "Phase 1"
        case .phase2: return "Phase 2"
        case .phase3: return "Phase 3"
        case .phase4: return "Phase 4"
        }
    }

    public static let legacySynonyms: [String: Phase] = [
        "N_A": .na, "NOT_APPLICABLE": .na, "EARLY_PHASE_1": .earlyPhase1, "PHASE_0": .earlyPhase1,
        "PHASE_1": .phase1, "PHASE_2": .phase2, "PHASE_3": .phase3, "PHASE_4": .phase4,
    ]
}

// MARK: - Study type

/// Interventional, observational or expanded access.
public enum StudyType: String, RegistryVocabulary {
    case interventional = "INTERVENTIONAL"
    case observational = "OBSERVATIONAL"
    case expandedAccess = "EXPANDED_ACCESS"

    public var label: String {
        switch self {
        case .interventional: return "Interventional"
        case .observational: return "Observational"
        case .expandedAccess: return "Expanded Access"
        }
    }
}

// MARK: - Arms and interventions

/// The kind of an intervention.
public enum InterventionType: String, RegistryVocabulary {
    case behavioral = "BEHAVIORAL"
    case biological = "BIOLOGICAL"
    case combinationProduct = "COMBINATION_PRODUCT"
    case device = "DEVICE"
    case diagnosticTest = "DIAGNOSTIC_TEST"
    case dietarySupplement = "DIETARY_SUPPLEMENT"
    case drug = "DRUG"
    case genetic = "GENETIC"
    case procedure = "PROCEDURE"
    case radiation = "RADIATION"
    case other = "OTHER"

    public var label: String {
        switch self {
        case .behavioral: return "Behavioral"
        case .biological: return "Biological"
        case .combinationProduct: return "Combination Product"
        case .device: return "Device"
        case .diagnosticTest: return "Diagnostic Test"
        case .dietarySupplement: return "Dietary Supplement"
        case .drug: return "Drug"
        case .genetic: return "Genetic"
        case .procedure: return "Procedure"
        case .radiation: return "Radiation"
        case .other: return "Other"
        }
    }

    public static let legacySynonyms: [String: InterventionType] = [
        "PROCEDURE_SURGERY": .procedure, "BEHAVIOURAL": .behavioral,
    ]
}

/// The role of an arm or group.
public enum ArmGroupType: String, RegistryVocabulary {
    case experimental = "EXPERIMENTAL"
    case activeComparator = "ACTIVE_COMPARATOR"
    case placeboComparator = "PLACEBO_COMPARATOR"
    case shamComparator = "SHAM_COMPARATOR"
    case noIntervention = "NO_INTERVENTION"
    case other = "OTHER"

    public var label: String {
        switch self {
        case .experimental: return "Experimental"
        case .activeComparator: return "Active Comparator"
        case .placeboComparator: return "Placebo Comparator"
        case .shamComparator: return "Sham Comparator"
        case .noIntervention: return "No Intervention"
        case .other: return "Other"
        }
    }
}

// MARK: - Design

/// How participants are allocated to arms.
public enum DesignAllocation: String, RegistryVocabulary {
    case randomized = "RANDOMIZED"
    case nonRandomized = "NON_RANDOMIZED"
    case na = "NA"

    public var label: String {
        switch self {
        case .randomized: return "Randomized"
        case .nonRandomized: return "Non-Randomized"
        case .na: return "N/A"
        }
    }

    public static let legacySynonyms: [String: DesignAllocation] = ["N_A": .na, "NOT_APPLICABLE": .na]
}

/// The interventional model (v2 `InterventionalAssignment`).
public enum InterventionModel: String, RegistryVocabulary {
    case singleGroup = "SINGLE_GROUP"
    case parallel = "PARALLEL"
    case crossover = "CROSSOVER"
    case factorial = "FACTORIAL"
    case sequential = "SEQUENTIAL"

    public var label: String {
        switch self {
        case .singleGroup: return "Single Group Assignment"
        case .parallel: return "Parallel Assignment"
        case .crossover: return "Crossover Assignment"
        case .factorial: return "Factorial Assignment"
        case .sequential: return "Sequential Assignment"
        }
    }

    public static let legacySynonyms: [String: InterventionModel] = [
        "SINGLE_GROUP_ASSIGNMENT": .singleGroup, "PARALLEL_ASSIGNMENT": .parallel,
        "CROSSOVER_ASSIGNMENT": .crossover, "CROSS_OVER_ASSIGNMENT": .crossover,
        "FACTORIAL_ASSIGNMENT": .factorial, "SEQUENTIAL_ASSIGNMENT": .sequential,
    ]
}

/// The level of masking (blinding).
public enum DesignMasking: String, RegistryVocabulary {
    case none = "NONE"
    case single = "SINGLE"
    case double = "DOUBLE"
    case triple = "TRIPLE"
    case quadruple = "QUADRUPLE"

    public var label: String {
        switch self {
        case .none: return "None (Open Label)"
        case .single: return "Single"
        case .double: return "Double"
        case .triple: return "Triple"
        case .quadruple: return "Quadruple"
        }
    }

    public static let legacySynonyms: [String: DesignMasking] = [
        "NONE_OPEN_LABEL": .none, "OPEN_LABEL": .none, "NO_MASKING": .none,
        "SINGLE_BLIND": .single, "DOUBLE_BLIND": .double, "TRIPLE_BLIND": .triple, "QUADRUPLE_BLIND": .quadruple,
    ]
}

/// Who is masked.
public enum WhoMasked: String, RegistryVocabulary {
    case participant = "PARTICIPANT"
    case careProvider = "CARE_PROVIDER"
    case investigator = "INVESTIGATOR"
    case outcomesAssessor = "OUTCOMES_ASSESSOR"

    public var label: String {
        switch self {
        case .participant: return "Participant"
        case .careProvider: return "Care Provider"
        case .investigator: return "Investigator"
        case .outcomesAssessor: return "Outcomes Assessor"
        }
    }

    public static let legacySynonyms: [String: WhoMasked] = ["SUBJECT": .participant, "CAREGIVER": .careProvider]
}

/// The main reason for the study.
public enum PrimaryPurpose: String, RegistryVocabulary {
    case treatment = "TREATMENT"
    case prevention = "PREVENTION"
    case diagnostic = "DIAGNOSTIC"
    case ect = "ECT"
    case supportiveCare = "SUPPORTIVE_CARE"
    case screening = "SCREENING"
    case healthServicesResearch = "HEALTH_SERVICES_RESEARCH"
    case basicScience = "BASIC_SCIENCE"
    case deviceFeasibility = "DEVICE_FEASIBILITY"
    case other = "OTHER"

    public var label: String {
        switch self {
        case .treatment: return "Treatment"
        case .prevention: return "Prevention"
        case .diagnostic: return "Diagnostic"
        case .ect: return "Educational/Counseling/Training"
        case .supportiveCare: return "Supportive Care"
        case .screening: return "Screening"
        case .healthServicesResearch: return "Health Services Research"
        case .basicScience: return "Basic Science"
        case .deviceFeasibility: return "Device Feasibility"
        case .other: return "Other"
        }
    }

    public static let legacySynonyms: [String: PrimaryPurpose] = ["EDUCATIONAL_COUNSELING_TRAINING": .ect]
}

/// The design of an observational study.
public enum ObservationalModel: String, RegistryVocabulary {
    case cohort = "COHORT"
    case caseControl = "CASE_CONTROL"
    case caseOnly = "CASE_ONLY"
    case caseCrossover = "CASE_CROSSOVER"
    case ecologicOrCommunity = "ECOLOGIC_OR_COMMUNITY"
    case familyBased = "FAMILY_BASED"
    case definedPopulation = "DEFINED_POPULATION"
    case naturalHistory = "NATURAL_HISTORY"
    case other = "OTHER"

    public var label: String {
        switch self {
        case .cohort: return "Cohort"
        case .caseControl: return "Case-Control"
        case .caseOnly: return "Case-Only"
        case .caseCrossover: return "Case-Crossover"
        case .ecologicOrCommunity: return "Ecologic or Community"
        case .familyBased: return "Family-Based"
        case .definedPopulation: return "Defined Population"
        case .naturalHistory: return "Natural History"
        case .other: return "Other"
        }
    }

    public static let legacySynonyms: [String: ObservationalModel] = [
        "ECOLOGIC_COMMUNITY": .ecologicOrCommunity,
    ]
}

/// When an observational study looks at its data.
public enum TimePerspective: String, RegistryVocabulary {
    case retrospective = "RETROSPECTIVE"
    case prospective = "PROSPECTIVE"
    case crossSectional = "CROSS_SECTIONAL"
    case other = "OTHER"

    public var label: String {
        switch self {
        case .retrospective: return "Retrospective"
        case .prospective: return "Prospective"
        case .crossSectional: return "Cross-Sectional"
        case .other: return "Other"
        }
    }
}

// MARK: - Eligibility

/// The sexes eligible.
public enum Sex: String, RegistryVocabulary {
    case female = "FEMALE"
    case male = "MALE"
    case all = "ALL"

    public var label: String {
        switch self {
        case .female: return "Female"
        case .male: return "Male"
        case .all: return "All"
        }
    }

    public static let legacySynonyms: [String: Sex] = ["BOTH": .all]
}

/// The registry's standard age groups: child (birth–17), adult (18–64), older adult (65+).
public enum StandardAge: String, RegistryVocabulary {
    case child = "CHILD"
    case adult = "ADULT"
    case olderAdult = "OLDER_ADULT"

    public var label: String {
        switch self {
        case .child: return "Child"
        case .adult: return "Adult"
        case .olderAdult: return "Older Adult"
        }
    }
}

// MARK: - People and organisations

/// The role of a contact, an official or a site investigator (v2 `ContactRole`; officials use all but `CONTACT`).
public enum ContactRole: String, RegistryVocabulary {
    case studyChair = "STUDY_CHAIR"
    case studyDirector = "STUDY_DIRECTOR"
    case principalInvestigator = "PRINCIPAL_INVESTIGATOR"
    case subInvestigator = "SUB_INVESTIGATOR"
    case contact = "CONTACT"

    public var label: String {
        switch self {
        case .studyChair: return "Study Chair"
        case .studyDirector: return "Study Director"
        case .principalInvestigator: return "Principal Investigator"
        case .subInvestigator: return "Sub-Investigator"
        case .contact: return "Contact"
        }
    }

    public static let legacySynonyms: [String: ContactRole] = ["SUBINVESTIGATOR": .subInvestigator, "PI": .principalInvestigator]
}

/// The kind of organisation of a sponsor or collaborator.
public enum AgencyClass: String, RegistryVocabulary {
    case nih = "NIH"
    case fed = "FED"
    case otherGov = "OTHER_GOV"
    case indiv = "INDIV"
    case industry = "INDUSTRY"
    case network = "NETWORK"
    case ambig = "AMBIG"
    case other = "OTHER"
    case unknown = "UNKNOWN"

    public var label: String {
        switch self {
        case .nih: return "NIH"
        case .fed: return "U.S. Fed"
        case .otherGov: return "Other U.S. Government"
        case .indiv: return "Individual"
        case .industry: return "Industry"
        case .network: return "Network"
        case .ambig: return "Ambiguous"
        case .other: return "Other"
        case .unknown: return "Unknown"
        }
    }

    public static let legacySynonyms: [String: AgencyClass] = [
        "U_S_FED": .fed, "US_FED": .fed, "OTHER_U_S_GOVERNMENT": .otherGov, "INDIVIDUAL": .indiv, "AMBIGUOUS": .ambig,
    ]
}

// MARK: - Dates and counts

/// Whether a date or an enrollment count is what happened or what is planned.
///
/// The legacy XML's "Anticipated" and "Estimate" both mean `ESTIMATED`.
public enum DateType: String, RegistryVocabulary {
    case actual = "ACTUAL"
    case estimated = "ESTIMATED"

    public var label: String {
        switch self {
        case .actual: return "Actual"
        case .estimated: return "Estimated"
        }
    }

    public static let legacySynonyms: [String: DateType] = ["ANTICIPATED": .estimated, "ESTIMATE": .estimated]
}
