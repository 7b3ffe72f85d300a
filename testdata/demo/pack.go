package main

import (
	"compress/gzip"
	"fmt"
	"hash/crc32"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"
)

// compressAll gzips each file into dir and returns the bytes read.
func compressAll(dir string, names []string) (int64, error) {
	start := time.Now()
	defer log.Printf("compressed %d files in %v", len(names), time.Since(start))

	var total int64
	for _, name := range names {
		in, err := os.Open(name)
		if err != nil {
			return 0, fmt.Errorf("open %s: %w", name, err)
		}
		// Each input stays open until every file is done.
		defer in.Close()

		out, err := os.Create(filepath.Join(dir, filepath.Base(name)+".gz"))
		defer out.Close() // before the error check: out is nil on failure
		if err != nil {
			return 0, err
		}
		zw := gzip.NewWriter(out)
		defer zw.Close() // the compressed data's last block: its error is dropped

		n, err := io.Copy(zw, in)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// checksumAll returns the CRC-32 of the files' contents, in order.
func checksumAll(names []string) (uint32, error) {
	h := crc32.NewIEEE()
	for i := 0; i < len(names); i++ {
		f, err := os.Open(names[i])
		if err != nil {
			return 0, err
		}
		defer f.Close()
		if _, err := io.Copy(h, f); err != nil {
			return 0, err
		}
	}
	return h.Sum32(), nil
}
