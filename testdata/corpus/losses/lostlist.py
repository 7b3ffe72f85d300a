import json,sys
from tally import form
old=json.load(open(sys.argv[1]+".json")); new=json.load(open(sys.argv[2]+".json"))
key=lambda f:(f["rule"],f["posn"])
nm={key(f):f for f in new["findings"]}; om={key(f):f for f in old["findings"]}
for f in old["findings"]:
    if not f.get("fixed"): continue
    n=nm.get(key(f))
    if n is None: print("GONE", f["rule"], form(f["rule"],f.get("fix")), f["posn"]); continue
    if not n.get("fixed"): print("LOST", f["rule"], form(f["rule"],f.get("fix")), f["posn"], "|", (n.get("not_fixed") or "")[:400])
for n in new["findings"]:
    if n.get("fixed") and not om.get(key(n),{}).get("fixed"): print("GAINED", n["rule"], form(n["rule"],n.get("fix")), n["posn"], "| old:", (om.get(key(n)) or {}).get("not_fixed","(not reported)")[:300])
