// Package hotdefer defines an Analyzer that reports defers the compiler cannot open-code,
// and defers in functions a CPU profile marks hot.
//
// # Analyzer hotdefer
//
// hotdefer: report defers that cost: not open-coded, or in hot functions
//
// Since Go 1.14 most defers are open-coded: the deferred call is inlined at each exit and
// costs about half a nanosecond. A function loses open-coding for all its defers when it
// has more than 8 defer statements, when returns × defers exceeds 15, when a result
// parameter escapes to the heap (a closure that escapes captures it, a range-over-func
// body over an opaque iterator returns values), or when one of its defers is in a loop
// or a range-over-func body; then each defer is stack-allocated (a runtime call, about
// 3× the cost) or, in a loop, heap-allocated.
// The prediction follows cmd/compile for the default build; deferfix -compiler asks the
// compiler instead (go build -gcflags=-d=defer, or go test -c for a package of test files
// only), with the build tags the packages were loaded with (deferfix -tags; under go vet,
// -hotdefer.tags). Whether a literal passed to another package's function escapes comes
// from that package's facts (which parameters it only calls) where the host passes facts
// between packages (go vet, golangci-lint, nogo); deferfix analyses each package alone,
// so there only the standard library's known callbacks keep such a literal on the stack.
//
// A defer costs nanoseconds, which matter only in a function that runs very often, and
// only a CPU profile says which functions do. So with -profile=cpu.pprof (or a main
// package's default.pgo) hotdefer reports only hot functions — those whose stacks hold at
// least -hot percent of the profile's samples — and without a profile it reports nothing
// unless asked: deferfix -rules=hotdefer, or the analyzer flag -hotdefer.unprofiled for
// other hosts (go vet, golangci-lint, nogo).
//
// Reported: functions whose defers are stack-allocated for a reason other than a loop
// (loops are loopdefer's), at their first defer, with the reason and the expected cost;
// and hot functions whose defers are open-coded, which explicit calls would still make
// cheaper (below).
//
// The fix, for returns × defers > 15, is the smallest edit that restores open-coding.
// First choice: merge the adjacent defers into one deferred literal, when one defer then
// keeps returns × defers at 15 or below:
//
//	mu.Lock()                              mu.Lock()
//	defer mu.Unlock()              ⇒       defer func() {
//	defer func() { calls++ }()                 defer mu.Unlock()
//	                                           calls++
//	                                       }()
//
// The calls run in the same order, and the earlier ones stay deferred inside the literal,
// so a panic in one still runs the others. Offered when the calls' functions, receivers
// and arguments have the same values at the return as at the defers (they are evaluated
// later now), a receiver reached through a pointer was already dereferenced before the
// defers (evaluating it can panic), no receiver is an interface, and no deferred call may
// recover (recover works only in a call the panic itself runs); the argument is in package
// rules/internal/explicit (merge.go).
//
// Otherwise: split the function so the deferring part has one exit. The statements after the last defer move into a function literal with the same
// results, called in the return statement:
//
//	func f(x int) (int, error) {          func f(x int) (int, error) {
//		mu.Lock()                              mu.Lock()
//		defer mu.Unlock()                      defer mu.Unlock()
//		if ... { return 0, errA }      ⇒       return func() (int, error) {
//		...                                        if ... { return 0, errA }
//		return n, nil                              ...
//	}                                              return n, nil
//	                                           }()
//	                                       }
//
// Returns inside the literal return the same values to f, which returns them and then
// runs its deferred calls, as before; bare returns of named results become explicit
// returns of those results. A panic in the literal unwinds through f and runs the same
// deferred calls. The split goes after the top-level statement that holds the last defer
// (a defer may sit in an if); it is offered only when the returns before that point keep
// the product at 15 or below, no label or goto crosses the split, the moved code calls no
// recover (in a literal it would stop no panic), and it moves at most 40 lines:
// re-indenting a longer body to save a few nanoseconds per call is a diff nobody
// merges, so it is refused with that reason (return from fewer places, or merge the
// defers, by hand).
//
// The fix for a hot function with one open-coded defer: explicit calls at each exit. The
// deferred call moves to every return (after the returned values are evaluated, held in
// fresh variables when the call could change them), every exit and the end of the
// function:
//
//	func (c *Cache) Len() int {            func (c *Cache) Len() int {
//		c.mu.Lock()                            c.mu.Lock()
//		defer c.mu.Unlock()            ⇒       n := len(c.items)
//		return len(c.items)                    c.mu.Unlock()
//	}                                          return n
//	                                       }
//
// An open-coded defer costs little, but its call is not inlined: on a lock-guarded getter
// the explicit form measured 6.1 ns against 8.4 ns (BenchmarkExplicit). The fix is safe
// when nothing between the defer and the exits can panic — assignments, arithmetic
// without division by a variable, map reads, fields through the pointer the defer itself
// dereferenced, len, cap and the like; the full list is in package
// rules/internal/explicit. Otherwise (a call, an index, a map write, a type assertion) a
// panic would skip the release, and the fix is offered as unsafe (deferfix -unsafe).
// Refused: several defers, a deferred call that recovers or assigns named results, and
// deferred arguments the function changes before it returns.
package hotdefer
