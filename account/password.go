package account

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters. The defaults follow the
// OWASP password storage cheat sheet (19 MiB, 2 passes, 1 lane).
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultArgon2 returns the production cost.
func DefaultArgon2() Argon2Params { return Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1} }

const (
	saltLen = 16
	keyLen  = 32
)

// errBadHash: a stored hash that is not an argon2id PHC string we can read.
var errBadHash = errors.New("unreadable password hash")

// Hasher hashes and verifies passwords with argon2id. A semaphore caps how
// many hashes run at once, so a flood of logins queues instead of
// allocating Memory KiB per request without bound.
type Hasher struct {
	params Argon2Params
	sem    chan struct{}
	rand   io.Reader
	dummy  string // hash of a random password, verified for unknown emails
}

// NewHasher returns a hasher of cost p running at most concurrency hashes
// at once (at least one), drawing salts from rand. It hashes a random
// password once, for the dummy hash that unknown emails are checked
// against.
func NewHasher(p Argon2Params, concurrency int, rand io.Reader) (*Hasher, error) {
	if concurrency < 1 {
		concurrency = 1
	}
	h := &Hasher{params: p, sem: make(chan struct{}, concurrency), rand: rand}
	pw := make([]byte, 16)
	if _, err := io.ReadFull(rand, pw); err != nil {
		return nil, fmt.Errorf("dummy password: %w", err)
	}
	dummy, err := h.Hash(context.Background(), base64.RawStdEncoding.EncodeToString(pw))
	if err != nil {
		return nil, err
	}
	h.dummy = dummy
	return h, nil
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

// Hash returns the PHC string $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := io.ReadFull(h.rand, salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	p := h.params
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches the PHC string encoded. An empty
// encoded hash verifies against the dummy hash, so an unknown account costs
// the same time as a wrong password, and always fails.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (bool, error) {
	unknown := encoded == ""
	if unknown {
		encoded = h.dummy
	}
	p, salt, want, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	ok := subtle.ConstantTimeCompare(got, want) == 1
	return ok && !unknown, nil
}

func parsePHC(s string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, errBadHash
	}
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.Memory > 1<<20 || p.Time > 16 {
		return p, nil, nil, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, errBadHash
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, errBadHash
	}
	return p, salt, key, nil
}
