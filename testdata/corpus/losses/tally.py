import json,sys,collections,re
def form(rule,title):
    if title is None: return None
    t=title.replace(" (changes behaviour on panic)","")
    if rule=="loopdefer":
        if t.startswith("Wrap loop body"): f="literal"
        elif "explicitly at the end" in t: f="explicit"
        elif t.startswith("Make the deferred calls"): f="multi-guard"
        elif "with one defer before the loop" in t: f="guard"
        else: f="?"+t
    elif rule=="hotdefer":
        f = "explicit" if "explicitly at each exit" in t else "split" if t.startswith("Move the code") else "merge" if t.startswith("Merge") else "?"+t
    else:
        f = {"Defer a closure so the arguments":"wrap","Defer a closure that calls recover":"wrap-recover","Move the defer after":"move",
             "Check the error of the deferred call and return":"check","Check the error of the deferred call and report":"check-test",
             "Move main's body":"run","Pass the loop variable":"pass","Defer a function that calls recover":"wrap","Defer the helper":"helper"}
        f = next((v for k,v in f.items() if t.startswith(k)), "?"+t)
    if t!=title: f+="(unsafe)"
    return f
def load(name):
    d=json.load(open(name+".json"))
    applied=collections.Counter()
    for l in open(name+".err"):
        if l.startswith("deferfix-applied\t"):
            _,rule,title,pos=l.rstrip("\n").split("\t")
            applied[(rule,form(rule,title))]+=1
    return d,applied
def reason(s):
    s=re.sub(r"\(the defer on line.*","",s)
    s=re.sub(r"\b[a-zA-Z_][\w.]*\b(?= (may|is|are|uses|before))","X",s)
    return s[:150]
if __name__=="__main__":
    for name in sys.argv[1:]:
        d,applied=load(name)
        print("==",name)
        fr=collections.Counter(); ff=collections.Counter(); nf=collections.Counter()
        for f in d["findings"]:
            fr[f["rule"]]+=1
            if f.get("fixed"): ff[(f["rule"],form(f["rule"],f.get("fix")))]+=1
        for r in sorted(fr): print(f"  {r}: {fr[r]} findings")
        print("  first-round findings fixed:", dict(ff))
        print("  applied (all rounds):", dict(sorted(applied.items())))
