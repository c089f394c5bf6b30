package records

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Encoding is a file's character encoding.
type Encoding string

// The encodings the contract allows. Auto takes UTF-8 when every byte of
// the file is valid UTF-8, Windows-1252 otherwise.
const (
	EncodingAuto Encoding = "auto"
	UTF8         Encoding = "utf-8"
	Windows1252  Encoding = "windows-1252"
)

// ParseEncoding reads an encoding name from configuration.
func ParseEncoding(s string) (Encoding, error) {
	switch e := Encoding(strings.ToLower(strings.TrimSpace(s))); e {
	case "", EncodingAuto:
		return EncodingAuto, nil
	case UTF8, "utf8":
		return UTF8, nil
	case Windows1252, "cp1252":
		return Windows1252, nil
	default:
		return "", fmt.Errorf("encoding %q: use auto, utf-8 or windows-1252", s)
	}
}

// Decode returns r read as UTF-8: Windows-1252 is converted, UTF-8 passed on.
func Decode(r io.Reader, e Encoding) io.Reader {
	if e == Windows1252 {
		return charmap.Windows1252.NewDecoder().Reader(r)
	}
	return r
}

// UTF8Scanner is an io.Writer that checks, across writes, that the bytes
// written are valid UTF-8, and remembers the line of the first invalid byte.
type UTF8Scanner struct {
	carry   []byte // an incomplete rune at the end of the last write
	line    int    // lines seen so far, 1-based
	badLine int
}

// Write implements io.Writer; it never fails. Valid text takes the fast
// path of utf8.Valid and bytes.Count; only a chunk with an invalid byte is
// walked rune by rune, to find its line.
func (s *UTF8Scanner) Write(p []byte) (int, error) {
	n := len(p)
	if s.line == 0 {
		s.line = 1
	}
	if s.badLine != 0 {
		return n, nil
	}
	if len(s.carry) > 0 {
		p = append(s.carry, p...)
		s.carry = nil
	}
	// Hold back an incomplete rune at the end for the next write.
	cut := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				cut = i
			}
			break
		}
	}
	body := p[:cut]
	if utf8.Valid(body) {
		s.line += bytes.Count(body, []byte{'\n'})
		if cut < len(p) {
			s.carry = append([]byte(nil), p[cut:]...)
		}
		return n, nil
	}
	for i := 0; i < len(body); {
		c := body[i]
		if c < utf8.RuneSelf {
			if c == '\n' {
				s.line++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(body[i:])
		if r == utf8.RuneError && size == 1 {
			s.badLine = s.line
			return n, nil
		}
		i += size
	}
	return n, nil
}

// Valid reports whether everything written was UTF-8; if not, BadLine is
// the line of the first invalid byte.
func (s *UTF8Scanner) Valid() bool {
	if s.badLine == 0 && len(s.carry) > 0 {
		s.badLine = s.line // the file ends inside a character
	}
	return s.badLine == 0
}

// BadLine is the line of the first byte that is not UTF-8, or 0.
func (s *UTF8Scanner) BadLine() int { return s.badLine }
