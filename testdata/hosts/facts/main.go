package main

import "example.com/m/store"

// Fill writes each chunk to its own file.
func Fill(names []string, chunks [][]byte) error {
	for i, name := range names {
		w, err := store.Open(name)
		if err != nil {
			return err
		}
		defer w.Close()
		w.Write(chunks[i])
	}
	return nil
}

// FillGuarded does the same with writers that recover.
func FillGuarded(names []string, chunks [][]byte) error {
	for i, name := range names {
		w, err := store.OpenGuarded(name)
		if err != nil {
			return err
		}
		defer w.Close()
		w.Write(chunks[i])
	}
	return nil
}

// FillAll does the same with writers it is given: their Close is not known here.
func FillAll(open func(string) (interface {
	Write([]byte)
	Close() error
}, error), names []string, chunks [][]byte) error {
	for i, name := range names {
		w, err := open(name)
		if err != nil {
			return err
		}
		defer w.Close()
		w.Write(chunks[i])
	}
	return nil
}

func main() {
	Fill([]string{"a"}, [][]byte{[]byte("x")})
}
