import json,sys,collections,os
from tally import form
# causes.py OLD DEFAULT PROOF (json bases, or directories of them): why each finding OLD fixed is not fixed by DEFAULT
def load(b):
    if os.path.isdir(b):
        out={}
        for p in os.listdir(b):
            if p.endswith(".json"):
                for f in json.load(open(os.path.join(b,p)))["findings"]: out[(p,f["rule"],f["posn"])]=f
        return out
    return {("",f["rule"],f["posn"]):f for f in json.load(open(b+".json"))["findings"]}
old,dflt,proof=map(load,sys.argv[1:4])
c=collections.Counter()
for k,f in old.items():
    if not f.get("fixed"): continue
    rule=f["rule"]; fo=form(rule,f.get("fix"))
    d=dflt.get(k); p=proof.get(k)
    if d and d.get("fixed"): c[(rule,fo,"still fixed")]+=1; continue
    if p and p.get("fixed"): c[(rule,fo,"lost to intent/precision only (the proof would fix it)")]+=1; continue
    if p is None: c[(rule,fo,"no longer reported at all")]+=1; continue
    why=p.get("not_fixed","")
    cat="proof: may recover + may panic" if "may recover" in why else "proof: used before its error check" if "before" in why and "checked" in why else "proof: may be nil" if "may be nil" in why else "intent not switched off: "+why[:60] if why.startswith("looks intended") else "other: "+why[:80]
    c[(rule,fo,cat)]+=1
for k,v in sorted(c.items()): print(v,*k,sep="\t")
