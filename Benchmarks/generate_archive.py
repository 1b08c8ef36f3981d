#!/usr/bin/env python3
"""Synthetic bulk archive for the import benchmark, from the real records.

usage: generate_archive.py RECORDS_DIR N OUT.zip [--level L]

Writes OUT.zip in the layout of the registry's ctg-studies.json.zip: one entry per study named
NN/NCTxxxxxxxx.json (NN = the id's last two digits), deflated. Every study is a clone of a real v2 record
from RECORDS_DIR/v2 and RECORDS_DIR/pages (complete records only: those with protocolSection and
derivedSection), cycled in id order, with:
  - a new NCT id NCT9xxxxxxx (90000000 + i, so never a real one), also in nctIdAliases if present;
  - briefTitle suffixed " [synthetic i]";
  - overallStatus cycled through 6 real statuses;
  - enrollmentInfo.count set to i % 5000 when the record has one;
  - lastUpdatePostDateStruct.date moved back i % 3650 days from 2026-11-24;
  - derivedSection.miscInfoModule.versionHolder set to 2026-11-24.
The JSON is written compact (as the API sends it). Deterministic: the same N gives the same archive.
"""
import datetime, glob, json, os, sys, zipfile

def load(records):
    by_id = {}
    for f in sorted(glob.glob(os.path.join(records, "v2", "*.json")) + glob.glob(os.path.join(records, "pages", "*.json"))):
        doc = json.load(open(f, encoding="utf-8"))
        items = doc if isinstance(doc, list) else (doc["studies"] if "studies" in doc and "protocolSection" not in doc else [doc])
        for s in items:
            if not isinstance(s, dict) or "protocolSection" not in s or "derivedSection" not in s:
                continue
            i = s["protocolSection"].get("identificationModule", {}).get("nctId")
            if i and (i not in by_id or len(json.dumps(s)) > len(json.dumps(by_id[i]))):
                by_id[i] = s
    return [by_id[k] for k in sorted(by_id)]

STATUSES = ["RECRUITING", "COMPLETED", "ACTIVE_NOT_RECRUITING", "NOT_YET_RECRUITING", "TERMINATED", "UNKNOWN"]

def main():
    records, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    level = int(sys.argv[sys.argv.index("--level") + 1]) if "--level" in sys.argv else 6
    pool = load(records)
    base = datetime.date(2026, 11, 24)
    raw = 0
    tmp = out + ".part"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for i in range(n):
            s = json.loads(json.dumps(pool[i % len(pool)]))  # a deep copy
            nct = "NCT%08d" % (90000000 + i)
            p = s["protocolSection"]
            p["identificationModule"]["nctId"] = nct
            p["identificationModule"]["briefTitle"] = p["identificationModule"].get("briefTitle", "") + " [synthetic %d]" % i
            st = p.setdefault("statusModule", {})
            st["overallStatus"] = STATUSES[i % len(STATUSES)]
            st["lastUpdatePostDateStruct"] = {"date": (base - datetime.timedelta(days=i % 3650)).isoformat(), "type": "ACTUAL"}
            e = p.get("designModule", {}).get("enrollmentInfo")
            if isinstance(e, dict):
                e["count"] = i % 5000
            s["derivedSection"].setdefault("miscInfoModule", {})["versionHolder"] = base.isoformat()
            text = json.dumps(s, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            raw += len(text)
            z.writestr("%s/%s.json" % (nct[-2:], nct), text)
    os.replace(tmp, out)
    print(json.dumps({"studies": n, "templates": len(pool), "rawBytes": raw, "zipBytes": os.path.getsize(out)}))

if __name__ == "__main__":
    main()
