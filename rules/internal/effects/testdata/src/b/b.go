package b

import (
	"a"
	"sync"
)

type I interface{ Done() }

func Use(i I, f func(), mu *sync.Mutex) {
	defer a.Stop()               // want "recovers"
	defer a.Helper()             // want "does not recover"
	defer new(a.G).Done()        // want "recovers"
	defer i.Done()               // want "may recover"
	defer f()                    // want "may recover"
	defer mu.Unlock()            // want "does not recover"
	defer func() { recover() }() // want "recovers"
}
