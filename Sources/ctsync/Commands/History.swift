import ArgumentParser
import CTSyncCore
import Foundation

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the stored versions of a study.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The study's NCT id.") var nctId: String
    @Flag(help: "Print the versions as JSON.") var json = false

    func validate() throws { _ = try parseNCTID(nctId) }

    func run() async throws {
        try await reportingErrors {
            let store = try global.openStore(mustExist: true)
            let versions = try store.versions(of: try parseNCTID(nctId))
            if json {
                try printJSON(versions)
                return
            }
            print("version  fetched at            last update posted  overall status")
            for v in versions {
                let n = String(v.version).padding(toLength: 9, withPad: " ", startingAt: 0)
                let f = v.fetchedAt.padding(toLength: 22, withPad: " ", startingAt: 0)
                let l = (v.lastUpdatePosted ?? "-").padding(toLength: 20, withPad: " ", startingAt: 0)
                print("\(n)\(f)\(l)\(v.overallStatus ?? "-")")
            }
        }
    }
}
