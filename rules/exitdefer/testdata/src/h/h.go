// Package h exits with deferred calls pending that are moot at process exit: the kernel
// closes descriptors and connections, and locks, goroutines and contexts end with the
// process. None is reported.
package h

import (
	"context"
	"database/sql"
	"log"
	"net"
	"os"
	"sync"
)

var mu sync.Mutex

func cancel(ctx context.Context) {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	if ctx.Err() != nil {
		log.Fatal(ctx.Err())
	}
}

func unlock() { // want unlock:"noReturn"
	mu.Lock()
	defer mu.Unlock()
	os.Exit(1)
}

func done(wg *sync.WaitGroup) { // want done:"noReturn"
	defer wg.Done()
	log.Fatal("x")
}

func readOnly(name string) {
	f, err := os.Open(name)
	if err != nil {
		return
	}
	defer f.Close()
	log.Fatal("x")
}

// An *os.File is not buffered: what was written reached the kernel, which closes the file.
func written(name string) {
	f, err := os.Create(name)
	if err != nil {
		return
	}
	defer f.Close()
	if _, err := f.WriteString("x"); err != nil {
		log.Fatal(err)
	}
}

func conn(addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer c.Close()
	log.Fatal("x")
}

func rollback(db *sql.DB) {
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		return
	}
	defer tx.Rollback()
	log.Fatal("x")
}

// A method of the package that only unlocks gets no fact.
type guard struct{ mu sync.Mutex }

func (g *guard) release() { g.mu.Unlock() }

func viaMethod(g *guard) { // want viaMethod:"noReturn"
	g.mu.Lock()
	defer g.release()
	func() {
		defer mu.Unlock() // a literal's own exit is its own
	}()
	os.Exit(1)
}
