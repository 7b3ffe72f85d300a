//go:build nopanic

package res

func (r *Res) Close() {}
