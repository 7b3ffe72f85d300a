package a

import (
	"errors"
	"sync"
)

var mu sync.Mutex

type db struct{ mu, wmu sync.Mutex }

// Two defers × eight returns: no open-coding.
func (d *db) lookup(key int) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock() // want `defers in lookup are stack-allocated, not open-coded, because of 8 returns × 2 defers > 15`
	d.wmu.Lock()
	defer d.wmu.Unlock()
	// Dispatch on the key.
	switch key {
	case 1:
		return "one", nil
	case 2:
		return "two", nil
	case 3:
		return "three", nil
	case 4:
		return "four", nil
	case 5:
		return "five", nil
	case 6:
		return "six", nil
	}
	if key < 0 {
		return "", errors.New("negative")
	}
	return "", nil
}

// Named results and bare returns.
func classify(x int) (kind string, ok bool) {
	mu.Lock()
	defer mu.Unlock() // want `defers in classify are stack-allocated`
	if x < 0 {
		kind = "negative"
		return
	}
	switch {
	case x == 0:
		return "zero", true
	case x < 10:
		return "small", true
	case x < 100:
		return "medium", true
	case x < 1000:
		return "large", true
	case x < 10000:
		return "huge", true
	case x < 100000:
		return "vast", true
	case x < 1000000:
		return "immense", true
	case x < 10000000:
		return "enormous", true
	case x < 100000000:
		return "colossal", true
	case x < 1000000000:
		return "gigantic", true
	case x < 10000000000:
		return "titanic", true
	case x < 100000000000:
		return "galactic", true
	case x < 1000000000000:
		return "cosmic", true
	case x < 10000000000000:
		return "universal", true
	}
	return
}

func f() {}

// Reported without a fix: nine defers.
func nine() {
	defer f() // want `defers in nine are stack-allocated, not open-coded, because of more than 8 defer statements`
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
}

// A defer inside an if: the split goes after the if.
func nested(x int) int {
	defer f() // want `defers in nested are stack-allocated`
	if x > 0 {
		defer f()
	}
	switch x {
	case 1:
		return 1
	case 2:
		return 2
	case 3:
		return 3
	case 4:
		return 4
	case 5:
		return 5
	case 6:
		return 6
	case 7:
		return 7
	}
	return 0
}

// Fine: open-coded.
func small() int {
	mu.Lock()
	defer mu.Unlock()
	return 1
}

// Two defers × nine returns, and 49 lines after the last defer: the split would re-indent
// all of them, so it is refused.
func big(x int) int {
	mu.Lock()
	defer mu.Unlock() // want `defers in big are stack-allocated, not open-coded, because of 9 returns × 2 defers > 15`
	x++               // not adjacent: no merge
	defer f()
	if x == 0 {
		x++
		x *= 2
		x--
		return x
	}
	if x == 1 {
		x++
		x *= 2
		x--
		return x
	}
	if x == 2 {
		x++
		x *= 2
		x--
		return x
	}
	if x == 3 {
		x++
		x *= 2
		x--
		return x
	}
	if x == 4 {
		x++
		x *= 2
		x--
		return x
	}
	if x == 5 {
		x++
		x *= 2
		x--
		return x
	}
	if x == 6 {
		x++
		x *= 2
		x--
		return x
	}
	if x == 7 {
		x++
		x *= 2
		x--
		return x
	}
	return 0
}

// Adjacent defers with stable operands merge into one: 8 returns × 1 defer.
func (d *db) merged(key int) string {
	d.mu.Lock()
	d.wmu.Lock()
	defer d.wmu.Unlock() // want `defers in merged are stack-allocated, not open-coded, because of 8 returns × 2 defers > 15`
	defer d.mu.Unlock()
	switch key {
	case 1:
		return "one"
	case 2:
		return "two"
	case 3:
		return "three"
	case 4:
		return "four"
	case 5:
		return "five"
	case 6:
		return "six"
	case 7:
		return "seven"
	}
	return ""
}

// A deferred literal that recovers would not, nested in the merged literal: split instead.
func recovers(key int) (s string) {
	mu.Lock()
	defer mu.Unlock() // want `defers in recovers are stack-allocated`
	defer func() {
		if recover() != nil {
			s = "panic"
		}
	}()
	switch key {
	case 1:
		return "one"
	case 2:
		return "two"
	case 3:
		return "three"
	case 4:
		return "four"
	case 5:
		return "five"
	case 6:
		return "six"
	case 7:
		return "seven"
	}
	return ""
}

// Not merged: d is not dereferenced before the defers, so a nil d would panic at the
// return instead of at the defer. Split instead.
func (d *db) unlocked(key int) string {
	defer d.wmu.Unlock() // want `defers in unlocked are stack-allocated`
	defer d.mu.Unlock()
	switch key {
	case 1:
		return "one"
	case 2:
		return "two"
	case 3:
		return "three"
	case 4:
		return "four"
	case 5:
		return "five"
	case 6:
		return "six"
	case 7:
		return "seven"
	}
	return ""
}

type closer interface{ Close() error }

// Not merged: a nil interface panics at the defer. Split instead.
func closes(c closer, key int) string {
	mu.Lock()
	defer mu.Unlock() // want `defers in closes are stack-allocated`
	defer c.Close()
	switch key {
	case 1:
		return "one"
	case 2:
		return "two"
	case 3:
		return "three"
	case 4:
		return "four"
	case 5:
		return "five"
	case 6:
		return "six"
	case 7:
		return "seven"
	}
	return ""
}
