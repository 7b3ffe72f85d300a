package a

import (
	"log"
	"net/http"
	"os"
	"sync"
)

// Refused: http.Get returns the response together with an error when a redirect is
// refused (Client.Do's CheckRedirect case), so the deferred Close may release it.
func get(url string) (int64, error) { // not NilOnError: it defers a call that drops an error
	resp, err := http.Get(url)
	defer resp.Body.Close() // want `deferred Close is registered before err is checked`
	if err != nil {
		return 0, err
	}
	return resp.ContentLength, nil
}

func open(name string) error {
	f, err := os.Open(name)
	// Close it when done.
	defer f.Close() // want `deferred Close is registered before err is checked`

	if err != nil {
		log.Fatal(err)
	}
	_ = f
	return nil
}

// Unsafe to move: a call stands between the defer and the check.
func logged(name string) (string, error) { // not NilOnError: it defers a call that drops an error
	f, err := os.Open(name)
	defer f.Close() // want `deferred Close is registered before err is checked`
	log.Printf("opened %s", name)
	if err != nil {
		return "", err
	}
	return f.Name(), nil
}

// Refused: another defer in between.
func two(name string, mu *sync.Mutex) error {
	f, e := os.Open(name)
	defer f.Close() // want `deferred Close is registered before e is checked`
	defer mu.Unlock()
	if e != nil {
		return e
	}
	return nil
}

// Fine: the check comes first.
func fine(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return nil
}

// Fine: the check does not leave the block.
func noLeave(name string) {
	f, err := os.Open(name)
	defer f.Close()
	if err != nil {
		log.Print(err)
	}
}

// Fine: the deferred call is not a method of the value.
func other(name string, mu *sync.Mutex) error {
	mu.Lock()
	f, err := os.Open(name)
	defer mu.Unlock()
	if err != nil {
		return err
	}
	_ = f
	return nil
}

// Fine: the error comes from another call.
func otherErr(name string) error {
	f, _ := os.Open(name)
	_, err := os.Stat(name)
	defer f.Close()
	if err != nil {
		return err
	}
	return nil
}
