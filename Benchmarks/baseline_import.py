#!/usr/bin/env python3
"""The import benchmark's baseline: the least work that imports an archive at all.

usage: baseline_import.py ARCHIVE.zip DB.sqlite

Loads each .json entry of the zip (read, decode, json.loads) and inserts its raw text with its NCT id into
one sqlite3 table: no normalization, no versions, no index, one transaction. Prints one JSON line.
"""
import json, sqlite3, sys, time, zipfile

def main():
    archive, db = sys.argv[1], sys.argv[2]
    started = time.time()
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE studies (nct_id TEXT, raw TEXT)")
    n = 0
    raw = 0
    with zipfile.ZipFile(archive) as z:
        for info in z.infolist():
            if not info.filename.endswith(".json"):
                continue
            text = z.read(info).decode("utf-8")
            study = json.loads(text)
            nct = study["protocolSection"]["identificationModule"]["nctId"]
            con.execute("INSERT INTO studies VALUES (?, ?)", (nct, text))
            n += 1
            raw += len(text)
    con.commit()
    con.close()
    print(json.dumps({"studies": n, "rawBytes": raw, "seconds": round(time.time() - started, 3)}))

if __name__ == "__main__":
    main()
