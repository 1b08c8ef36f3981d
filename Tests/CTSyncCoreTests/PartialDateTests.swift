import CTSyncCore
import Foundation
import Testing

/// Partial dates and age limits.
@Suite struct PartialDateTests {
    @Test(arguments: [("2018", 2018, nil, nil), ("2018-03", 2018, 3, nil), ("2018-03-27", 2018, 3, 27),
                      ("2024-02-29", 2024, 2, 29)] as [(String, Int, Int?, Int?)])
    func readsISODates(text: String, year: Int, month: Int?, day: Int?) throws {
        let date = try #require(PartialDate(iso: text))
        #expect(date == PartialDate(year: year, month: month, day: day))
        #expect(date.text == text)
    }

    @Test(arguments: [(" 2018-03-27T10:00:00Z ", "2018-03-27"), ("2018-03T", "2018-03"), ("\u{A0}2018\n", "2018")])
    func readsISODatesWithATimeOrWhiteSpace(text: String, iso: String) throws {
        #expect(try #require(PartialDate(iso: text)).text == iso)
    }

    @Test(arguments: ["", "18", "2018-3", "2018-13", "2023-02-29", "2018-03-32", "March 2018", "2018/03",
                      "2018-03-27-01", "2018--03", "2018-", "-2018", "２０１８", "2018-03-27\u{301}", "20\r\n8"])
    func rejectsOtherText(_ text: String) {
        #expect(PartialDate(iso: text) == nil)
    }

    @Test(arguments: [("March 27, 2018", "2018-03-27"), ("March 2018", "2018-03"), ("September 1, 2014", "2014-09-01"),
                      ("Sept 2014", "2014-09"), ("2011", "2011")])
    func readsLegacyDates(text: String, iso: String) throws {
        #expect(try #require(PartialDate(legacy: text)).text == iso)
    }

    @Test(arguments: ["Unknown", "March 32, 2018", "Smarch 2018", "27 March"])
    func rejectsOtherLegacyText(_ text: String) {
        #expect(PartialDate(legacy: text) == nil)
    }

    @Test func encodesDateAndType() throws {
        let date = PartialDate(year: 2018, month: 3, type: .known(.actual))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(date), as: UTF8.self)
        #expect(json == #"{"date":"2018-03","type":"ACTUAL"}"#)
        #expect(try JSONDecoder().decode(PartialDate.self, from: Data(json.utf8)) == date)
        #expect(String(decoding: try encoder.encode(PartialDate(year: 2019)), as: UTF8.self)
                == #"{"date":"2019","type":null}"#)
    }

    @Test(arguments: [("18 Years", 18, Age.Unit.years, 18.0), ("1 Year", 1, .years, 1.0), ("6 Months", 6, .months, 0.5),
                      ("3 months", 3, .months, 0.25), ("5 Days", 5, .days, 0.0137), ("2 Weeks", 2, .weeks, 0.0383),
                      ("18\tYears", 18, .years, 18.0), (" 65  years\n", 65, .years, 65.0)])
    func readsAges(text: String, value: Int, unit: Age.Unit, years: Double) throws {
        let age = try #require(Age(text: text))
        #expect(age.value == value)
        #expect(age.unit == unit)
        #expect(age.years == years)
    }

    @Test(arguments: ["N/A", "18", "eighteen Years", "18 Decades", "-1 Years", "", "18 Years old", "18 Yéars", " "])
    func rejectsOtherAges(_ text: String) {
        #expect(Age(text: text) == nil)
    }

    @Test func agesEncodeValueUnitAndYears() throws {
        let json = try JSONParser.parse(JSONEncoder().encode(Age(value: 6, unit: .months)))
        #expect(json == .object(["value": .int(6), "unit": .string("MONTHS"), "years": .double(0.5)]))
        #expect(Age(value: 1, unit: .years).description == "1 Year")
        #expect(Age(value: 65, unit: .years).description == "65 Years")
    }
}
