package lsp

import (
	"net/url"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A mapper converts between byte offsets in a file's content and LSP positions, whose
// character counts UTF-16 code units unless the client negotiated UTF-8.
type mapper struct {
	src   []byte
	lines []int // offset of the start of each line
	utf8  bool
}

func newMapper(src []byte, utf8 bool) *mapper {
	m := &mapper{src: src, lines: []int{0}, utf8: utf8}
	for i, b := range src {
		if b == '\n' {
			m.lines = append(m.lines, i+1)
		}
	}
	return m
}

// position returns the position of the byte offset off, clamped to the content.
func (m *mapper) position(off int) position {
	off = max(0, min(off, len(m.src)))
	line := sort.Search(len(m.lines), func(i int) bool { return m.lines[i] > off }) - 1
	start := m.lines[line]
	if m.utf8 {
		return position{Line: line, Character: off - start}
	}
	n := 0
	for i := start; i < off; {
		r, size := utf8.DecodeRune(m.src[i:])
		if i+size > off { // off is inside a rune: count up to its start
			break
		}
		n += utf16.RuneLen(r) // DecodeRune yields no surrogates: 1 or 2
		i += size
	}
	return position{Line: line, Character: n}
}

// offset returns the byte offset of p; a character past the end of its line means the
// line's end, and a line past the last means the end of the content, as the protocol says.
func (m *mapper) offset(p position) int {
	if p.Line < 0 {
		return 0
	}
	if p.Line >= len(m.lines) {
		return len(m.src)
	}
	start := m.lines[p.Line]
	end := len(m.src)
	if p.Line+1 < len(m.lines) {
		end = m.lines[p.Line+1] - 1 // the newline
		if end > start && m.src[end-1] == '\r' {
			end--
		}
	}
	if m.utf8 {
		return min(start+max(0, p.Character), end)
	}
	n := 0
	i := start
	for i < end && n < p.Character {
		r, size := utf8.DecodeRune(m.src[i:])
		n += utf16.RuneLen(r)
		i += size
	}
	return i
}

func (m *mapper) rng(start, end int) lspRange {
	return lspRange{Start: m.position(start), End: m.position(end)}
}

// uriPath returns the file name of a file: URI, or "" for other schemes.
func uriPath(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" {
		return ""
	}
	path := u.Path
	if runtime.GOOS == "windows" && len(path) > 2 && path[0] == '/' && path[2] == ':' {
		path = path[1:] // file:///C:/x is C:\x
	}
	return filepath.Clean(filepath.FromSlash(path))
}

// pathURI returns the file: URI of an absolute file name.
func pathURI(path string) string {
	path = filepath.ToSlash(path)
	if !strings.HasPrefix(path, "/") {
		path = "/" + path // a Windows drive letter
	}
	return (&url.URL{Scheme: "file", Path: path}).String()
}
