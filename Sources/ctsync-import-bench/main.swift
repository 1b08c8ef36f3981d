import Foundation
#if canImport(Glibc)
import Glibc
#endif

// The import benchmark (not a test): `ctsync import` of a synthetic bulk archive against a minimal Python baseline.
//
//   swift build -c release --product ctsync --product ctsync-import-bench
//   .build/release/ctsync-import-bench [--sizes 10000,100000] [--rounds 3] [--work DIR] [--records DIR]
//
// For each size it generates (once, cached in --work) an archive in the bulk layout with
// Benchmarks/generate_archive.py from the real records, then runs, alternating, `ctsync import ARCHIVE --json`
// on a fresh database and `python3 Benchmarks/baseline_import.py ARCHIVE DB`, each as a child process measured
// with wait4 (wall time, CPU time = user + system, peak RSS = ru_maxrss). It prints medians over the rounds:
// studies/s, MB/s (uncompressed JSON), CPU µs per study, peak RSS, database bytes per study, and the ratio to the
// baseline (which the noise of a shared machine hits alike, though not quite: the baseline runs on one core,
// ctsync on two, and a neighbour taking part of the second core slows ctsync alone; the CPU per study shows what
// each does whatever the wall clock says). Output: a Markdown table on stdout, progress on stderr.

struct Options {
    var sizes = [10_000, 100_000]
    var rounds = 3
    var work = FileManager.default.temporaryDirectory.appendingPathComponent("ctsync-import-bench").path
    var root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    var records: String?
    var keep = false
}

/// One child run: wall seconds, CPU seconds (user + system), peak RSS in bytes, exit status and stdout.
struct Run {
    var seconds: Double
    var cpu: Double = 0
    var peakRSS: Int
    var status: Int32
    var stdout: String
}

func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

/// Runs a program to the end with posix_spawn and wait4, capturing stdout into a file.
func spawn(_ argv: [String], stdoutPath: String) -> Run {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var cargs = argv.map { strdup($0) }
    cargs.append(nil)
    defer { for p in cargs { free(p) } }
    var pid: pid_t = 0
    let start = Date()
    let rc = posix_spawnp(&pid, argv[0], &actions, nil, cargs, environ)
    guard rc == 0 else { return Run(seconds: 0, peakRSS: 0, status: -1, stdout: "spawn failed: \(rc)") }
    var status: Int32 = 0
    var usage = rusage()
    _ = wait4(pid, &status, 0, &usage)
    let seconds = Date().timeIntervalSince(start)
    let out = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
    func time(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return Run(seconds: seconds, cpu: time(usage.ru_utime) + time(usage.ru_stime), peakRSS: Int(usage.ru_maxrss) * 1024,
               status: (status >> 8) & 0xFF, stdout: out)
}

func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
}

func remove(_ paths: [String]) { for p in paths { try? FileManager.default.removeItem(atPath: p) } }

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? 0 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func jsonNumber(_ text: String, _ key: String) -> Double? {
    guard let data = text.split(separator: "\n").last.map({ Data($0.utf8) }),
          let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
    return (object[key] as? NSNumber)?.doubleValue
}

var options = Options()
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--sizes": options.sizes = (args.popFirst() ?? "").split(separator: ",").compactMap { Int($0) }
    case "--rounds": options.rounds = Int(args.popFirst() ?? "") ?? 3
    case "--work": options.work = args.popFirst() ?? options.work
    case "--records": options.records = args.popFirst()
    case "--keep": options.keep = true
    default:
        log("usage: ctsync-import-bench [--sizes 10000,100000] [--rounds 3] [--work DIR] [--records DIR] [--keep]")
        exit(64)
    }
}
let root = options.root
let records = options.records ?? ProcessInfo.processInfo.environment["CTSYNC_RECORDS"]
    ?? URL(fileURLWithPath: root).deletingLastPathComponent().appendingPathComponent("shared/ctgov/records").path
let ctsync = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ctsync").path
guard FileManager.default.isExecutableFile(atPath: ctsync) else {
    log("no ctsync beside the benchmark (\(ctsync)): swift build -c release --product ctsync")
    exit(1)
}
try FileManager.default.createDirectory(atPath: options.work, withIntermediateDirectories: true)
let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
    .first { $0.hasPrefix("model name") }.map { String($0.split(separator: ":", maxSplits: 1)[1]).trimmingCharacters(in: .whitespaces) } ?? "?"
let load = { (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?" }
log("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu), load \(load())")

var rows: [String] = []
for n in options.sizes {
    let archive = "\(options.work)/ctg-synthetic-\(n).json.zip"
    let out = "\(options.work)/out.txt"
    if !FileManager.default.fileExists(atPath: archive) {
        log("generating \(archive) …")
        let g = spawn(["python3", "\(root)/Benchmarks/generate_archive.py", records, "\(n)", archive], stdoutPath: out)
        guard g.status == 0 else { log("generator failed: \(g.stdout)"); exit(1) }
        log("generated in \(String(format: "%.0f", g.seconds)) s: \(g.stdout.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
    let zipBytes = fileSize(archive)
    var ours: [Double] = [], base: [Double] = [], ourRSS: [Double] = [], baseRSS: [Double] = []
    var ourCPU: [Double] = [], baseCPU: [Double] = []
    var dbPerStudy: [Double] = [], basePerStudy: [Double] = [], rawBytes = 0.0
    for round in 1...options.rounds {
        let db = "\(options.work)/bench.sqlite"
        remove([db, db + "-wal", db + "-shm", db + ".lock"])
        let r = spawn([ctsync, "import", archive, "--db", db, "--json"], stdoutPath: out)
        let imported = jsonNumber(r.stdout, "imported") ?? 0
        guard r.status == 0, Int(imported) == n else { log("ctsync import failed (\(r.status)): \(r.stdout.prefix(400))"); exit(1) }
        rawBytes = jsonNumber(r.stdout, "bytes") ?? 0
        ours.append(r.seconds)
        ourCPU.append(r.cpu)
        ourRSS.append(Double(r.peakRSS))
        dbPerStudy.append(Double(fileSize(db) + fileSize(db + "-wal")) / Double(n))
        remove([db, db + "-wal", db + "-shm", db + ".lock"])

        let bdb = "\(options.work)/baseline.sqlite"
        remove([bdb])
        let b = spawn(["python3", "\(root)/Benchmarks/baseline_import.py", archive, bdb], stdoutPath: out)
        guard b.status == 0 else { log("baseline failed: \(b.stdout)"); exit(1) }
        base.append(b.seconds)
        baseCPU.append(b.cpu)
        baseRSS.append(Double(b.peakRSS))
        basePerStudy.append(Double(fileSize(bdb)) / Double(n))
        remove([bdb])
        log(String(format: "%d studies, round %d: ctsync %.1f s (%.0f/s, CPU %.1f s, %.0f MB RSS), baseline %.1f s (%.0f/s, CPU %.1f s, %.0f MB RSS), load %@",
                   n, round, r.seconds, Double(n) / r.seconds, r.cpu, Double(r.peakRSS) / 1e6, b.seconds, Double(n) / b.seconds,
                   b.cpu, Double(b.peakRSS) / 1e6, load()))
    }
    let t = median(ours), tb = median(base)
    rows.append(String(format: "| %d | %.0f MB / %.0f MB | %.1f s | **%.0f** | %.1f | %.0f µs | %.0f MB | %.0f B | %.1f s | %.0f | %.0f µs | %.0f MB | %.0f B | **%.2f×** |",
                       n, rawBytes / 1e6, Double(zipBytes) / 1e6, t, Double(n) / t, rawBytes / 1e6 / t,
                       median(ourCPU) / Double(n) * 1e6, median(ourRSS) / 1e6, median(dbPerStudy), tb, Double(n) / tb,
                       median(baseCPU) / Double(n) * 1e6, median(baseRSS) / 1e6, median(basePerStudy), tb / t))
    if !options.keep { remove([archive]) }
}
print("Machine: \(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu)), medians of \(options.rounds) rounds, load at the end \(load()).")
print("")
print("| studies | JSON / zip | ctsync time | studies/s | MB/s | CPU/study | peak RSS | DB bytes/study | baseline time | baseline studies/s | baseline CPU/study | baseline RSS | baseline DB bytes/study | ctsync ÷ baseline speed |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows { print(r) }
