package cases

import "example.com/cases/walk"

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
