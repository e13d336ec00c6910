package account

import (
	"crypto/rand"
	"strings"
	"testing"
)

func TestInviteCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c, err := newInviteCode(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != 12 || !validInviteCode(c) || strings.ContainsAny(c, "0O1IL") {
			t.Fatalf("bad code %q", c)
		}
		seen[c] = true
	}
	if len(seen) < 199 {
		t.Fatalf("only %d distinct codes of 200", len(seen))
	}
	for in, want := range map[string]string{"abcd-efgh": "ABCDEFGH", " ab cd\tef-gh ": "ABCDEFGH"} {
		if got := NormalizeInviteCode(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}
