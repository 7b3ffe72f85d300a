// Command pack copies files into a directory and gzips them, printing what it did.
//
//	pack OUTDIR FILE...
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: pack OUTDIR FILE...")
		os.Exit(2)
	}
	out, files := os.Args[1], os.Args[2:]
	if err := os.MkdirAll(out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	total, err := compressAll(out, files)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pack:", err)
		os.Exit(1)
	}
	sum, err := checksumAll(files)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pack:", err)
		os.Exit(1)
	}
	fmt.Printf("packed %d files, %d bytes in, checksum %08x\n", len(files), total, sum)
}
