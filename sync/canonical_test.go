package sync_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/hit4x4/dagbok/sync"
)

type canonicalVectors struct {
	Valid []struct {
		Name      string `json:"name"`
		Input     string `json:"input"`
		Canonical string `json:"canonical"`
	} `json:"valid"`
	Invalid []struct {
		Name  string `json:"name"`
		Input string `json:"input"`
	} `json:"invalid"`
}

func TestCanonicalVectors(t *testing.T) {
	var v canonicalVectors
	readVectors(t, "canonical.json", &v)
	for _, c := range v.Valid {
		t.Run(c.Name, func(t *testing.T) {
			got, err := sync.CanonicalValue([]byte(c.Input))
			if err != nil {
				t.Fatalf("CanonicalValue(%q): %v", c.Input, err)
			}
			if string(got) != c.Canonical {
				t.Fatalf("CanonicalValue(%q) = %q, want %q", c.Input, got, c.Canonical)
			}
			again, err := sync.CanonicalValue(got)
			if err != nil || string(again) != string(got) {
				t.Errorf("not idempotent: %q → %q, %v", got, again, err)
			}
			// A canonical value survives encoding/json byte for byte.
			wrapped, err := json.Marshal(struct{ V json.RawMessage }{got})
			if err != nil {
				t.Fatal(err)
			}
			var back struct{ V json.RawMessage }
			if err := json.Unmarshal(wrapped, &back); err != nil || string(back.V) != c.Canonical {
				t.Errorf("json round trip: %q, %v; want %q", back.V, err, c.Canonical)
			}
		})
	}
	for _, c := range v.Invalid {
		t.Run(c.Name, func(t *testing.T) {
			if got, err := sync.CanonicalValue([]byte(c.Input)); err == nil {
				t.Errorf("CanonicalValue(%q) = %q, want an error", c.Input, got)
			}
		})
	}
}

// TestCanonicalAgreesWithEncodingJSON: for Go strings and float64s,
// json.Marshal already writes the canonical form, so values made with
// json.Marshal (as other packages' tests do) are canonical.
func TestCanonicalAgreesWithEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("aZ09 \"\\/<>&\b\f\n\r\t\x00\x1f\x7fæøå\u2028\u2029\ufffd\uff01😀")
	for i := range 5000 {
		var sb strings.Builder
		for range r.IntN(12) {
			sb.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		f := math.Float64frombits(r.Uint64())
		if i%2 == 0 {
			f = float64(r.IntN(2000)-1000) / float64(1+r.IntN(64))
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		for _, v := range []any{sb.String(), f, map[string]any{sb.String(): f, "rpe": 15}} {
			want, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if f == 0 && math.Signbit(f) {
				want = []byte(strings.ReplaceAll(string(want), "-0", "0"))
			}
			got, err := sync.EncodeValue(v)
			if err != nil || string(got) != string(want) {
				t.Fatalf("EncodeValue(%#v) = %s, %v; json.Marshal gives %s", v, got, err, want)
			}
		}
	}
}

// TestCanonicalInvalidUTF8: invalid bytes become U+FFFD, as a browser's
// decoder and encoding/json do.
func TestCanonicalInvalidUTF8(t *testing.T) {
	got, err := sync.CanonicalValue([]byte("\"a\xffb\""))
	if err != nil {
		t.Fatal(err)
	}
	if want := "\"a\uFFFDb\""; string(got) != want || !utf8.Valid(got) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCanonicalDepthLimit(t *testing.T) {
	deep := strings.Repeat("[", 100) + strings.Repeat("]", 100)
	if _, err := sync.CanonicalValue([]byte(deep)); err == nil {
		t.Error("100 levels of nesting accepted")
	}
	ok := strings.Repeat("[", 10) + strings.Repeat("]", 10)
	if _, err := sync.CanonicalValue([]byte(ok)); err != nil {
		t.Errorf("10 levels: %v", err)
	}
}

// TestCanonicalLargeObject: an object of many keys, in any order, comes out
// sorted as encoding/json sorts a map, and a key repeated anywhere in it is
// an error.
func TestCanonicalLargeObject(t *testing.T) {
	m := map[string]int{}
	var members []string
	for i := 200; i > 0; i-- { // descending: the worst order for sorting
		k := fmt.Sprintf("k%d", i)
		m[k] = i
		members = append(members, fmt.Sprintf("%q: %d", k, i))
	}
	in := "{ " + strings.Join(members, ", ") + " }"
	got, err := sync.CanonicalValue([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("got %s, want %s", got, want)
	}
	for _, at := range []int{1, 15, 16, 17, 150} {
		dup := "{" + strings.Join(append(slices.Clone(members[:at]), members[0]), ",") + "}"
		if _, err := sync.CanonicalValue([]byte(dup)); !errors.Is(err, jsontext.ErrDuplicateName) || !strings.Contains(err.Error(), `"k200"`) {
			t.Errorf("key repeated after %d others: %v", at, err)
		}
	}
}

// TestNeedsHTMLEscape checks NeedsHTMLEscape against json.HTMLEscape.
func TestNeedsHTMLEscape(t *testing.T) {
	for _, s := range []string{
		``, `"plain"`, `{"a":1}`, `"a<b"`, `"a>b"`, `"a&b"`, "\"\u2028\"", "\"\u2029\"",
		"\"\u2027\"", "\"\u202a\"", "\"…\"", "\"æøå\"", "\"\xe2\"", "\"\xe2\x80\"", "\xe2\x80\xa8",
		"\"…\u2028\"", "\"€\"",
	} {
		var esc bytes.Buffer
		json.HTMLEscape(&esc, []byte(s))
		if got, want := sync.NeedsHTMLEscape([]byte(s)), esc.String() != s; got != want {
			t.Errorf("NeedsHTMLEscape(%q) = %v, want %v", s, got, want)
		}
	}
}
