// The fix writes nil, which another build configuration of the package declares
// (b_plan9.go): no fix.
package b

import "os"

func save(name string, data []byte) error {
	f, err := os.Create(name)
	if err != os.ErrClosed && f == f {
		return err
	}
	defer f.Close() // want `deferred Close of a file opened for writing drops its error`
	_, err = f.Write(data)
	return err
}
