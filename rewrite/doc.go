// Package rewrite is deferfix's engine: it loads packages, runs the rules on them, applies
// their fixes, proves the result is still good Go, and writes it.
//
// The pipeline: load (go/packages, with syntax and types for the named packages and, for
// their facts only, the packages of the same modules they import; export data for the
// other dependencies) → find (every rule, an analysis.Analyzer, runs on each package;
// packages in parallel, each after those it imports, whose facts it reads: factStore; a
// rule that fails or panics costs only that package) →
// plan (per file, the first allowed fix of each finding; overlapping fixes wait for the next
// round) → rewrite (rules make their fixes with dst on the files that have findings, and
// hand them over as line edits, the form every analysis driver understands) → print (edits
// merged, gofmt) → verify (each file parses and is gofmt-clean; the package type-checks
// again with the new files and the original importer; the rules run again on the result,
// which yields the next round's fixes until nothing fixable remains) → write (atomic, mode
// kept, refused if the file changed on disk since it was loaded) or diff.
//
// Each finding is followed from round to round (verdict.go), so that what is said of it
// is the last round's verdict: fixed by its fix, by a fix found in a later round, or by
// another finding's fix that removed it (Finding.FixedBy), or why not.
//
// Nothing reaches disk until Write, and a failure anywhere is reported with a position and
// drops only the fixes it concerns.
//
// The same pipeline, from find on, runs inside go vet -fix and go fix (RunPass, Composed:
// see host.go), on the package the go command loaded, so they apply what -w applies.
package rewrite
