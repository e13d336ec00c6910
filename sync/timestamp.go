package sync

import (
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// MaxWall is the largest wall-clock value a Timestamp can carry: 48 bits of
// milliseconds since the Unix epoch (about the year 10889).
const MaxWall = 1<<48 - 1

// maxIDLen bounds document ids, node ids and batch ids.
const maxIDLen = 64

// Timestamp is a hybrid logical clock reading: wall-clock milliseconds, a
// counter that orders events within one millisecond, and the id of the node
// that made it, which breaks ties.
//
// Its wire form (contract) is 16 lower-case hex digits of Wall<<16|Counter,
// a '-', then the node id, e.g. "018c2b3f9a000003-phone1". Comparing wire
// forms as strings orders timestamps by (Wall, Counter, Node).
type Timestamp struct {
	Wall    int64 // milliseconds since the Unix epoch, 0..MaxWall
	Counter uint16
	Node    string // 1–64 of [A-Za-z0-9_-]
}

// ParseTimestamp parses the wire form of a timestamp. It accepts exactly 16
// lower-case hex digits, '-' and a valid node id, nothing else.
func ParseTimestamp(s string) (Timestamp, error) {
	if len(s) < 18 || s[16] != '-' {
		return Timestamp{}, fmt.Errorf("timestamp %q: want 16 hex digits, '-', node id", truncate(s))
	}
	var v uint64
	for i := 0; i < 16; i++ {
		c := s[i]
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		default:
			return Timestamp{}, fmt.Errorf("timestamp %q: want 16 lower-case hex digits", truncate(s))
		}
		v = v<<4 | uint64(d)
	}
	node := s[17:]
	if err := checkID(node); err != nil {
		return Timestamp{}, fmt.Errorf("timestamp %q: node id: %w", truncate(s), err)
	}
	return Timestamp{Wall: int64(v >> 16), Counter: uint16(v), Node: node}, nil
}

// String returns the wire form. A Wall outside 0..MaxWall is clamped into
// that range so the result always parses.
func (t Timestamp) String() string {
	w := min(max(t.Wall, 0), MaxWall)
	b := make([]byte, 0, 17+len(t.Node))
	hex := strconv.AppendUint(nil, uint64(w)<<16|uint64(t.Counter), 16)
	for range 16 - len(hex) {
		b = append(b, '0')
	}
	b = append(b, hex...)
	b = append(b, '-')
	b = append(b, t.Node...)
	return string(b)
}

// Time returns the wall-clock part as a UTC time.
func (t Timestamp) Time() time.Time {
	return time.UnixMilli(t.Wall).UTC()
}

// Compare orders timestamps as their wire forms do: by Wall, then Counter,
// then Node. It returns -1, 0 or +1.
func (t Timestamp) Compare(u Timestamp) int {
	switch {
	case t.Wall < u.Wall:
		return -1
	case t.Wall > u.Wall:
		return 1
	case t.Counter < u.Counter:
		return -1
	case t.Counter > u.Counter:
		return 1
	case t.Node < u.Node:
		return -1
	case t.Node > u.Node:
		return 1
	}
	return 0
}

// errBadID explains an id that is not 1–64 of [A-Za-z0-9_-].
var errBadID = errors.New("want 1–64 characters of A–Z, a–z, 0–9, '_' or '-'")

// checkID reports whether s is a valid document, node or batch id.
func checkID(s string) error {
	if len(s) == 0 || len(s) > maxIDLen {
		return errBadID
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return errBadID
		}
	}
	return nil
}

// truncate shortens s for an error message, cutting between characters.
func truncate(s string) string {
	n := 80
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
