import Foundation

extension Trial {
    /// The trial written back as an API v2 study object, for records that did not come as v2 JSON (legacy XML).
    ///
    /// The store keeps every version as v2 JSON, so a legacy record is stored as this document: `Trial(v2:)` of it
    /// gives back the same trial (criteria are written as "Inclusion Criteria:" and "Exclusion Criteria:" lists
    /// with nested items indented, which the splitter reads back as they were). The member
    /// `ctsyncSource` says where the document came from; nothing in the model reads it.
    public func v2Document(source: String) -> JSONValue {
        var ident: JSONObject = ["nctId": .string(nctId)]
        ident["nctIdAliases"] = list(nctIdAliases.map(JSONValue.string))
        ident["orgStudyIdInfo"] = orgStudyId.map { .object(["id": .string($0)]) }
        ident["briefTitle"] = text(briefTitle)
        ident["officialTitle"] = text(officialTitle)
        ident["acronym"] = text(acronym)

        var status: JSONObject = [:]
        status["overallStatus"] = overallStatus.map { .string($0.rawValue) }
        status["lastKnownStatus"] = lastKnownStatus.map { .string($0.rawValue) }
        status["whyStopped"] = text(whyStopped)
        status["startDateStruct"] = startDate.map(dateStruct)
        status["primaryCompletionDateStruct"] = primaryCompletionDate.map(dateStruct)
        status["completionDateStruct"] = completionDate.map(dateStruct)
        status["statusVerifiedDate"] = statusVerifiedDate.map { .string($0.text) }
        status["studyFirstPostDateStruct"] = firstPosted.map(dateStruct)
        status["lastUpdatePostDateStruct"] = lastUpdatePosted.map(dateStruct)

        var sponsors: JSONObject = [:]
        sponsors["leadSponsor"] = sponsor.map(sponsorObject)
        sponsors["collaborators"] = list(collaborators.map(sponsorObject))

        var conditionsModule: JSONObject = [:]
        conditionsModule["conditions"] = list(conditions.map(JSONValue.string))
        conditionsModule["keywords"] = list(keywords.map(JSONValue.string))

        var descriptionModule: JSONObject = [:]
        descriptionModule["briefSummary"] = text(briefSummary)
        descriptionModule["detailedDescription"] = text(detailedDescription)

        var armsModule: JSONObject = [:]
        armsModule["interventions"] = list(interventions.map { i in
            object(["type": i.type.map { .string($0.rawValue) }, "name": text(i.name), "description": text(i.description),
                    "otherNames": list(i.otherNames.map(JSONValue.string)),
                    "armGroupLabels": list(i.armGroupLabels.map(JSONValue.string))]) ?? .object([:])
        })
        armsModule["armGroups"] = list(arms.map { a in
            object(["label": text(a.label), "type": a.type.map { .string($0.rawValue) }, "description": text(a.description),
                    "interventionNames": list(a.interventionNames.map(JSONValue.string))]) ?? .object([:])
        })

        var designInfo: JSONObject = [:]
        designInfo["allocation"] = design.allocation.map { .string($0.rawValue) }
        designInfo["interventionModel"] = design.interventionModel.map { .string($0.rawValue) }
        designInfo["interventionModelDescription"] = text(design.interventionModelDescription)
        designInfo["primaryPurpose"] = design.primaryPurpose.map { .string($0.rawValue) }
        designInfo["observationalModel"] = design.observationalModel.map { .string($0.rawValue) }
        designInfo["timePerspective"] = design.timePerspective.map { .string($0.rawValue) }
        designInfo["maskingInfo"] = object([
            "masking": design.masking.map { .string($0.rawValue) },
            "maskingDescription": text(design.maskingDescription),
            "whoMasked": list(design.whoMasked.map { .string($0.rawValue) }),
        ])
        var designModule: JSONObject = [:]
        designModule["studyType"] = studyType.map { .string($0.rawValue) }
        designModule["patientRegistry"] = patientRegistry.map(JSONValue.bool)
        designModule["phases"] = list(phases.map { .string($0.rawValue) })
        designModule["designInfo"] = object(designInfo.mapValues { Optional($0) })
        designModule["enrollmentInfo"] = enrollment.flatMap { e in
            object(["count": e.count.map { .int(Int64($0)) }, "type": e.type.map { .string($0.rawValue) }])
        }

        var elig: JSONObject = [:]
        elig["sex"] = eligibility.sex.map { .string($0.rawValue) }
        elig["genderBased"] = eligibility.genderBased.map(JSONValue.bool)
        elig["minimumAge"] = eligibility.minimumAge.map { .string($0.description) }
        elig["maximumAge"] = eligibility.maximumAge.map { .string($0.description) }
        elig["healthyVolunteers"] = eligibility.healthyVolunteers.map(JSONValue.bool)
        elig["stdAges"] = list(eligibility.stdAges.map { .string($0.rawValue) })
        elig["studyPopulation"] = text(eligibility.studyPopulation)
        elig["eligibilityCriteria"] = criteriaText()

        var contactsModule: JSONObject = [:]
        contactsModule["centralContacts"] = list(centralContacts.map(contactObject))
        contactsModule["overallOfficials"] = list(overallOfficials.map(contactObject))
        contactsModule["locations"] = list(locations.map { l in
            object(["facility": text(l.facility), "city": text(l.city), "state": text(l.state), "zip": text(l.zip),
                    "country": text(l.country), "status": l.status.map { .string($0.rawValue) },
                    "geoPoint": l.geoPoint.map { .object(["lat": .double($0.lat), "lon": .double($0.lon)]) },
                    "contacts": list(l.contacts.map(contactObject))]) ?? .object([:])
        })

        var protocolSection: JSONObject = [:]
        for (key, module) in [
            ("identificationModule", ident), ("statusModule", status), ("sponsorCollaboratorsModule", sponsors),
            ("conditionsModule", conditionsModule), ("descriptionModule", descriptionModule),
            ("armsInterventionsModule", armsModule), ("designModule", designModule), ("eligibilityModule", elig),
            ("contactsLocationsModule", contactsModule),
        ] {
            if let value = object(module.mapValues { Optional($0) }) { protocolSection[key] = value }
        }
        var document: JSONObject = [
            "protocolSection": .object(protocolSection), "hasResults": .bool(hasResults), "ctsyncSource": .string(source),
        ]
        let browse = object([
            "meshes": list(meshTerms.map(meshObject)), "ancestors": list(meshAncestors.map(meshObject)),
        ])
        if let browse { document["derivedSection"] = .object(["conditionBrowseModule": browse]) }
        return .object(document)
    }

    // MARK: - Pieces

    /// The criteria as the registry's v2 markup writes them: other text first, then the two headed lists.
    private func criteriaText() -> JSONValue? {
        func lines(_ items: [CriteriaItem], depth: Int) -> [String] {
            items.flatMap { item in
                [String(repeating: "  ", count: depth) + "* " + item.text] + lines(item.subItems, depth: depth + 1)
            }
        }
        let e = eligibility
        if e.criteriaUnstructured, e.exclusion.isEmpty, e.otherCriteria.isEmpty {
            return e.inclusion.first.map { .string(([$0.text] + lines($0.subItems, depth: 0)).joined(separator: "\n")) }
        }
        var parts: [String] = []
        if !e.otherCriteria.isEmpty { parts.append(e.otherCriteria.map { ([$0.text] + lines($0.subItems, depth: 0)).joined(separator: "\n") }.joined(separator: "\n\n")) }
        if !e.inclusion.isEmpty { parts.append("Inclusion Criteria:\n\n" + lines(e.inclusion, depth: 0).joined(separator: "\n")) }
        if !e.exclusion.isEmpty { parts.append("Exclusion Criteria:\n\n" + lines(e.exclusion, depth: 0).joined(separator: "\n")) }
        return parts.isEmpty ? nil : .string(parts.joined(separator: "\n\n"))
    }

    private func text(_ s: String?) -> JSONValue? { s.map(JSONValue.string) }

    private func list(_ items: [JSONValue]) -> JSONValue? { items.isEmpty ? nil : .array(items) }

    private func object(_ members: [String: JSONValue?]) -> JSONValue? {
        let present = members.compactMapValues { $0 }
        return present.isEmpty ? nil : .object(JSONObject(present))
    }

    private func dateStruct(_ d: PartialDate) -> JSONValue {
        var m: JSONObject = ["date": .string(d.text)]
        if let type = d.type { m["type"] = .string(type.rawValue) }
        return .object(m)
    }

    private func sponsorObject(_ s: Sponsor) -> JSONValue {
        object(["name": text(s.name), "class": s.agencyClass.map { .string($0.rawValue) }]) ?? .object([:])
    }

    private func meshObject(_ m: MeshTerm) -> JSONValue {
        object(["id": text(m.id), "term": .string(m.term)]) ?? .object([:])
    }

    private func contactObject(_ c: Contact) -> JSONValue {
        let name = c.name.map { ([$0] + c.degrees).joined(separator: ", ") }
        return object(["name": text(name), "role": c.role.map { .string($0.rawValue) }, "affiliation": text(c.affiliation),
                       "email": text(c.email), "phone": text(c.phone), "phoneExt": text(c.phoneExt)]) ?? .object([:])
    }
}
