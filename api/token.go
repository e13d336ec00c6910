package api

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	gosync "sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	// AccessTokenTTL is how long an access token is valid.
	AccessTokenTTL = 15 * time.Minute
	// Audience is the aud claim of access tokens.
	Audience = "dagbok-api"
	// DefaultIssuer is the iss claim when no public URL is configured.
	DefaultIssuer = "dagbok"
	// tokenLeeway is the clock skew allowed on exp and iat.
	tokenLeeway = 30 * time.Second
	// verifiedTokens is how many checked tokens Parse remembers.
	verifiedTokens = 1024
)

// tokens issues and checks access tokens (JWT, HS256, per RFC 8725: the
// algorithm is pinned and iss, aud, exp, iat, sub and jti are required).
// Refresh tokens are the account package's (account.Sessions).
type tokens struct {
	secret []byte
	issuer string
	now    func() time.Time
	rand   io.Reader
	parser *jwt.Parser // immutable once built: shared by every request

	// Tokens whose signature and claims have been checked, by their text:
	// reading a token's JSON costs about as much as the user lookup
	// (docs/benchmarks.md), and a phone sends the same token for 15
	// minutes. A remembered token is still held to its exp and iat on
	// every request. Cleared when full.
	mu       gosync.Mutex
	verified map[string]verifiedToken
}

// verifiedToken is what Parse keeps of a checked token.
type verifiedToken struct {
	sub      string
	exp, iat time.Time
}

// newTokens returns the token service for secret and issuer, with its
// parser built once (jwt.Parser is only read after construction).
func newTokens(secret []byte, issuer string, now func() time.Time, rand io.Reader) *tokens {
	return &tokens{secret: secret, issuer: issuer, now: now, rand: rand, verified: map[string]verifiedToken{}, parser: jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(now),
		jwt.WithLeeway(tokenLeeway),
	)}
}

// accessClaims carries only the user id: role and memberships are read
// from the store on every request, so a token never grants what the store
// no longer does.
type accessClaims struct {
	jwt.RegisteredClaims
}

// Issue returns a signed access token for the user.
func (t *tokens) Issue(userID string) (string, error) {
	id := make([]byte, 16)
	if _, err := io.ReadFull(t.rand, id); err != nil {
		return "", fmt.Errorf("random token id: %w", err)
	}
	now := t.now()
	claims := accessClaims{jwt.RegisteredClaims{
		Issuer:    t.issuer,
		Subject:   userID,
		Audience:  jwt.ClaimStrings{Audience},
		ExpiresAt: jwt.NewNumericDate(now.Add(AccessTokenTTL)),
		IssuedAt:  jwt.NewNumericDate(now),
		ID:        base64.RawURLEncoding.EncodeToString(id),
	}}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.secret)
	if err != nil {
		return "", fmt.Errorf("sign access token: %w", err)
	}
	return s, nil
}

// Parse verifies an access token and returns its subject (the user id).
func (t *tokens) Parse(raw string) (string, error) {
	t.mu.Lock()
	v, ok := t.verified[raw]
	t.mu.Unlock()
	// The time checks of the parser (jwt v5's validator), again.
	if now := t.now(); ok && now.Before(v.exp.Add(tokenLeeway)) && !now.Before(v.iat.Add(-tokenLeeway)) {
		return v.sub, nil
	}
	var claims accessClaims
	_, err := t.parser.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return t.secret, nil })
	if err != nil {
		return "", err
	}
	if claims.Subject == "" || claims.IssuedAt == nil || claims.ID == "" {
		return "", errors.New("token lacks sub, iat or jti")
	}
	if claims.NotBefore == nil { // the tokens Issue makes; others are checked each time
		t.mu.Lock()
		if len(t.verified) >= verifiedTokens {
			clear(t.verified)
		}
		t.verified[raw] = verifiedToken{sub: claims.Subject, exp: claims.ExpiresAt.Time, iat: claims.IssuedAt.Time}
		t.mu.Unlock()
	}
	return claims.Subject, nil
}
