package account_test

import (
	"crypto/rand"
	"strings"
	"testing"

	"github.com/hit4x4/dagbok/account"
)

func TestPasswordHash(t *testing.T) {
	h, err := account.NewHasher(account.Argon2Params{Memory: 1024, Time: 1, Threads: 1}, 2, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	enc, err := h.Hash(ctx, "hemmelig passord")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("not a PHC string: %s", enc)
	}
	cases := []struct {
		name, enc, pw string
		ok            bool
	}{
		{"right", enc, "hemmelig passord", true},
		{"wrong", enc, "hemmelig passord!", false},
		{"unknown account", "", "hemmelig passord", false},
	}
	for _, tc := range cases {
		ok, err := h.Verify(ctx, tc.enc, tc.pw)
		if err != nil || ok != tc.ok {
			t.Errorf("%s: %v %v", tc.name, ok, err)
		}
	}
	for _, bad := range []string{"plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$a2V5a2V5a2V5a2V5a2V5"} {
		if _, err := h.Verify(ctx, bad, "x"); err == nil {
			t.Errorf("accepted hash %q", bad)
		}
	}
}
