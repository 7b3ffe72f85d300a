package lsp

import "testing"

// TestLSPMapper: byte offsets and positions convert both ways in UTF-16 and UTF-8, across
// 2-, 3- and 4-byte runes (a 4-byte rune is two UTF-16 units), CRLF line ends and a last
// line without a newline.
func TestLSPMapper(t *testing.T) {
	src := []byte("a\r\nnaïve 😀 x\nend")
	for _, tc := range []struct {
		off      int
		utf16    position
		utf8     position
		roundTrp bool
	}{
		{0, position{0, 0}, position{0, 0}, true},
		{1, position{0, 1}, position{0, 1}, true},
		{3, position{1, 0}, position{1, 0}, true},
		{5, position{1, 2}, position{1, 2}, true},   // ï (2 bytes, 1 unit)
		{7, position{1, 3}, position{1, 4}, true},   // after it
		{10, position{1, 6}, position{1, 7}, true},  // 😀 (4 bytes, 2 units)
		{14, position{1, 8}, position{1, 11}, true}, // after it
		{15, position{1, 9}, position{1, 12}, true},
		{12, position{1, 6}, position{1, 9}, false}, // inside 😀: its start in UTF-16
		{len(src), position{2, 3}, position{2, 3}, true},
	} {
		for _, enc := range []struct {
			utf8 bool
			want position
		}{{false, tc.utf16}, {true, tc.utf8}} {
			m := newMapper(src, enc.utf8)
			if got := m.position(tc.off); got != enc.want {
				t.Errorf("utf8=%v: position(%d) = %v, want %v", enc.utf8, tc.off, got, enc.want)
			}
			if got := m.offset(enc.want); tc.roundTrp && got != tc.off {
				t.Errorf("utf8=%v: offset(%v) = %d, want %d", enc.utf8, enc.want, got, tc.off)
			}
		}
	}
	m := newMapper(src, false)
	// Past the end of a line is its end (before \r\n); past the last line is the end.
	if got := m.offset(position{0, 99}); got != 1 {
		t.Errorf("offset past the end of line 0 = %d, want 1", got)
	}
	if got := m.offset(position{9, 0}); got != len(src) {
		t.Errorf("offset past the last line = %d, want %d", got, len(src))
	}
}
