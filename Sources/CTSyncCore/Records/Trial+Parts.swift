import Foundation

// The parts of a `Trial`. Each writes every key (null or [] when absent), so `--json` keys are stable.

extension Trial {
    // MARK: - Sponsor

    /// A lead sponsor or collaborator.
    public struct Sponsor: Sendable, Hashable, Codable {
        public var name: String?
        /// The kind of organisation (JSON key `class`, as in v2).
        public var agencyClass: RegistryValue<AgencyClass>?

        public init(name: String?, agencyClass: RegistryValue<AgencyClass>?) {
            self.name = name
            self.agencyClass = agencyClass
        }

        private enum CodingKeys: String, CodingKey {
            case name
            case agencyClass = "class"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(agencyClass, forKey: .agencyClass)
        }
    }

    // MARK: - MeSH

    /// A MeSH term; the legacy XML gives the term without its id.
    public struct MeshTerm: Sendable, Hashable, Codable {
        /// The MeSH descriptor id (`D008545`), when known.
        public var id: String?
        public var term: String

        public init(id: String?, term: String) {
            self.id = id
            self.term = term
        }

        private enum CodingKeys: String, CodingKey {
            case id, term
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(term, forKey: .term)
        }
    }

    // MARK: - Interventions and arms

    /// A drug, device, procedure… that the study gives or observes.
    public struct Intervention: Sendable, Hashable, Codable {
        public var type: RegistryValue<InterventionType>?
        public var name: String?
        public var description: String?
        public var otherNames: [String]
        /// The labels of the arms that receive it.
        public var armGroupLabels: [String]

        public init(type: RegistryValue<InterventionType>?, name: String?, description: String? = nil,
                    otherNames: [String] = [], armGroupLabels: [String] = []) {
            self.type = type
            self.name = name
            self.description = description
            self.otherNames = otherNames
            self.armGroupLabels = armGroupLabels
        }

        /// "Drug: Aspirin", as the registry writes an arm's intervention names.
        public var qualifiedName: String {
            let n = name ?? "(unnamed)"
            guard let type else { return n }
            return "\(type.label): \(n)"
        }

        private enum CodingKeys: String, CodingKey {
            case type, name, description, otherNames, armGroupLabels
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(type, forKey: .type)
            try c.encode(name, forKey: .name)
            try c.encode(description, forKey: .description)
            try c.encode(otherNames, forKey: .otherNames)
            try c.encode(armGroupLabels, forKey: .armGroupLabels)
        }
    }

    /// An arm (interventional) or group (observational).
    public struct ArmGroup: Sendable, Hashable, Codable {
        public var label: String?
        public var type: RegistryValue<ArmGroupType>?
        public var description: String?
        /// The interventions it receives, as "Type: Name".
        public var interventionNames: [String]

        public init(label: String?, type: RegistryValue<ArmGroupType>?, description: String? = nil,
                    interventionNames: [String] = []) {
            self.label = label
            self.type = type
            self.description = description
            self.interventionNames = interventionNames
        }

        private enum CodingKeys: String, CodingKey {
            case label, type, description, interventionNames
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(label, forKey: .label)
            try c.encode(type, forKey: .type)
            try c.encode(description, forKey: .description)
            try c.encode(interventionNames, forKey: .interventionNames)
        }
    }

    // MARK: - Design

    /// How the study is designed. Interventional studies fill the first five; observational ones the last two.
    public struct Design: Sendable, Hashable, Codable {
        public var allocation: RegistryValue<DesignAllocation>?
        public var interventionModel: RegistryValue<InterventionModel>?
        public var interventionModelDescription: String?
        public var masking: RegistryValue<DesignMasking>?
        public var whoMasked: [RegistryValue<WhoMasked>]
        public var maskingDescription: String?
        public var primaryPurpose: RegistryValue<PrimaryPurpose>?
        public var observationalModel: RegistryValue<ObservationalModel>?
        public var timePerspective: RegistryValue<TimePerspective>?

        public init() {
            whoMasked = []
        }

        /// "Double (Participant, Investigator)", "None (Open Label)", as the registry's pages show masking.
        public var maskingLabel: String? {
            guard let masking else { return nil }
            if masking.kind == DesignMasking.none || whoMasked.isEmpty { return masking.label }
            return "\(masking.label) (\(whoMasked.map(\.label).joined(separator: ", ")))"
        }

        private enum CodingKeys: String, CodingKey {
            case allocation, interventionModel, interventionModelDescription, masking, whoMasked, maskingDescription
            case primaryPurpose, observationalModel, timePerspective
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(allocation, forKey: .allocation)
            try c.encode(interventionModel, forKey: .interventionModel)
            try c.encode(interventionModelDescription, forKey: .interventionModelDescription)
            try c.encode(masking, forKey: .masking)
            try c.encode(whoMasked, forKey: .whoMasked)
            try c.encode(maskingDescription, forKey: .maskingDescription)
            try c.encode(primaryPurpose, forKey: .primaryPurpose)
            try c.encode(observationalModel, forKey: .observationalModel)
            try c.encode(timePerspective, forKey: .timePerspective)
        }
    }

    /// How many participants, and whether that is the final count (`ACTUAL`) or a target (`ESTIMATED`).
    public struct Enrollment: Sendable, Hashable, Codable {
        public var count: Int?
        public var type: RegistryValue<DateType>?

        public init(count: Int?, type: RegistryValue<DateType>?) {
            self.count = count
            self.type = type
        }

        private enum CodingKeys: String, CodingKey {
            case count, type
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(count, forKey: .count)
            try c.encode(type, forKey: .type)
        }
    }

    // MARK: - Eligibility

    /// Who may take part.
    public struct Eligibility: Sendable, Hashable, Codable {
        public var sex: RegistryValue<Sex>?
        /// Whether eligibility is based on gender identity.
        public var genderBased: Bool?
        /// Nil when there is no lower limit.
        public var minimumAge: Age?
        /// Nil when there is no upper limit.
        public var maximumAge: Age?
        public var healthyVolunteers: Bool?
        /// The standard age groups the limits cover (the registry's, or worked out from the limits for legacy XML).
        public var stdAges: [RegistryValue<StandardAge>]
        public var inclusion: [CriteriaItem]
        public var exclusion: [CriteriaItem]
        /// Criteria text that is neither (a preamble, a cohort's heading, notes); never dropped.
        public var otherCriteria: [CriteriaItem]
        /// True when the text has no headers or list markers: it is then one inclusion item.
        public var criteriaUnstructured: Bool
        /// An observational study's population description.
        public var studyPopulation: String?

        public init() {
            stdAges = []
            inclusion = []
            exclusion = []
            otherCriteria = []
            criteriaUnstructured = false
        }

        /// Splits the criteria text into inclusion, exclusion and other items.
        ///
        /// The text itself is not kept: the items hold every word of it, and a legacy record that NLM merely
        /// re-wrapped then normalizes to the same trial.
        mutating func setCriteria(_ text: String?) {
            guard let text, !text.isBlank else { return }
            let split = CriteriaSplitter.split(text)
            inclusion = split.inclusion
            exclusion = split.exclusion
            otherCriteria = split.other
            criteriaUnstructured = split.unstructured
        }

        /// The standard age groups a range of ages overlaps: child below 18, adult 18–64, older adult from 65.
        public static func standardAges(minimum: Age?, maximum: Age?) -> [RegistryValue<StandardAge>] {
            let low = minimum?.years ?? 0
            let high = maximum?.years ?? .infinity
            var out: [RegistryValue<StandardAge>] = []
            if low < 18 { out.append(.known(.child)) }
            if low < 65, high >= 18 { out.append(.known(.adult)) }
            if high >= 65 { out.append(.known(.olderAdult)) }
            return out
        }

        private enum CodingKeys: String, CodingKey {
            case sex, genderBased, minimumAge, maximumAge, healthyVolunteers, stdAges
            case inclusion, exclusion, otherCriteria, criteriaUnstructured, studyPopulation
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(sex, forKey: .sex)
            try c.encode(genderBased, forKey: .genderBased)
            try c.encode(minimumAge, forKey: .minimumAge)
            try c.encode(maximumAge, forKey: .maximumAge)
            try c.encode(healthyVolunteers, forKey: .healthyVolunteers)
            try c.encode(stdAges, forKey: .stdAges)
            try c.encode(inclusion, forKey: .inclusion)
            try c.encode(exclusion, forKey: .exclusion)
            try c.encode(otherCriteria, forKey: .otherCriteria)
            try c.encode(criteriaUnstructured, forKey: .criteriaUnstructured)
            try c.encode(studyPopulation, forKey: .studyPopulation)
        }
    }

    // MARK: - Locations

    /// A research site.
    public struct Location: Sendable, Hashable, Codable {
        public var facility: String?
        public var city: String?
        public var state: String?
        public var zip: String?
        public var country: String?
        /// The site's recruitment status; often absent on completed studies.
        public var status: OverallStatus?
        public var geoPoint: GeoPoint?
        /// The site's contacts and investigators.
        public var contacts: [Contact]

        public init(facility: String? = nil, city: String? = nil, state: String? = nil, zip: String? = nil,
                    country: String? = nil, status: OverallStatus? = nil, geoPoint: GeoPoint? = nil,
                    contacts: [Contact] = []) {
            self.facility = facility
            self.city = city
            self.state = state
            self.zip = zip
            self.country = country
            self.status = status
            self.geoPoint = geoPoint
            self.contacts = contacts
        }

        private enum CodingKeys: String, CodingKey {
            case facility, city, state, zip, country, status, geoPoint, contacts
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(facility, forKey: .facility)
            try c.encode(city, forKey: .city)
            try c.encode(state, forKey: .state)
            try c.encode(zip, forKey: .zip)
            try c.encode(country, forKey: .country)
            try c.encode(status, forKey: .status)
            try c.encode(geoPoint, forKey: .geoPoint)
            try c.encode(contacts, forKey: .contacts)
        }
    }

    /// A site's latitude and longitude (v2 only).
    public struct GeoPoint: Sendable, Hashable, Codable {
        public var lat: Double
        public var lon: Double

        public init(lat: Double, lon: Double) {
            self.lat = lat
            self.lon = lon
        }
    }
}
