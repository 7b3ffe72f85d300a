import json,sys,collections,glob,os,re
from tally import form
# report.py std|rw RUN...: markdown table of findings fixed / fixes applied per rule and form
def runs(kind,name):
    if kind=="std": return [(name,name)]
    return [(os.path.join("rwjson",name,os.path.basename(p)[:-5]),os.path.basename(p)[:-5]) for p in sorted(glob.glob(f"rwjson/{name}/*.json"))]
def stats(kind,name):
    fixed=collections.Counter(); applied=collections.Counter(); findings=collections.Counter()
    for base,_ in runs(kind,name):
        try: d=json.load(open(base+".json"))
        except Exception as e: print("skip",base,e,file=sys.stderr); continue
        for f in d["findings"]:
            findings[f["rule"]]+=1
            if f.get("fixed"): fixed[(f["rule"],form(f["rule"],f.get("fix")))]+=1
        for l in open(base+".err"):
            if l.startswith("deferfix-applied\t"):
                _,rule,title,pos=l.rstrip("\n").split("\t"); applied[(rule,form(rule,title))]+=1
    return findings,fixed,applied
kind=sys.argv[1]; names=sys.argv[2:]
S={n:stats(kind,n) for n in names}
keys=sorted(set(k for n in names for k in list(S[n][1])+list(S[n][2])))
print("| rule | form | "+" | ".join(names)+" |")
print("|---|---|"+"---|"*len(names))
for k in keys:
    print(f"| {k[0]} | {k[1]} | "+" | ".join(f"{S[n][1][k]} ({S[n][2][k]})" for n in names)+" |")
print("| **all** | | "+" | ".join(f"**{sum(S[n][1].values())} ({sum(S[n][2].values())})**" for n in names)+" |")
rules=sorted(set(r for n in names for r in S[n][0]))
print("\nfindings reported: "+"; ".join(n+": "+", ".join(f"{r} {S[n][0][r]}" for r in rules) for n in names))
