package cases

import (
	"sort"

	"example.com/cases/walk"
)

// A literal passed to another package's function that only calls it stays on the stack
// (its escape tag says so; hotdefer learns it from that package's facts): the named
// result it captures too (nats-server's filteredPendingLocked).

func otherPackageEach(t *walk.Tree[int]) (total int, err error) {
	defer f()
	t.Each(func(v int) bool { total += v; return true })
	return
}

func otherPackageVisit() (total int) {
	defer f()
	walk.Visit(3, func(i int) { total += i })
	return
}

func otherPackageKeep() (total int) { // Keep keeps it: total moves to the heap
	defer f()
	walk.Keep(func() { total++ })
	return
}

// A local literal called only inside a literal that a callee only calls runs in place
// (nats-server's filteredPendingLocked: update called in MatchUntil's callback).
func localInOtherPackageCallback(t *walk.Tree[int]) (total int, err error) {
	defer f()
	update := func(v int) { total += v }
	t.Each(func(v int) bool { update(v); return true })
	return
}

func localInSortCallback(xs []int) (total int) {
	defer f()
	update := func(x int) { total += x }
	sort.Slice(xs, func(i, j int) bool { update(xs[i]); return xs[i] < xs[j] })
	return
}
