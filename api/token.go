package api

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	// AccessTokenTTL is how long an access token is valid.
	AccessTokenTTL = 15 * time.Minute
	// RefreshTokenTTL is how long a refresh token is valid after it was issued.
	RefreshTokenTTL = 30 * 24 * time.Hour
	// Audience is the aud claim of access tokens.
	Audience = "dagbok-api"
	// DefaultIssuer is the iss claim when no public URL is configured.
	DefaultIssuer = "dagbok"
)

// tokens issues and checks access tokens (JWT, HS256, per RFC 8725: the
// algorithm is pinned and iss, aud, exp, iat and sub are required) and mints
// opaque refresh tokens.
type tokens struct {
	secret []byte
	issuer string
	now    func() time.Time
	rand   io.Reader
	parser *jwt.Parser // immutable once built: shared by every request
}

// newTokens returns the token service for secret and issuer, with its
// parser built once (jwt.Parser is only read after construction).
func newTokens(secret []byte, issuer string, now func() time.Time, rand io.Reader) *tokens {
	return &tokens{secret: secret, issuer: issuer, now: now, rand: rand, parser: jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(now),
		jwt.WithLeeway(30*time.Second),
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
	jti, err := randomToken(t.rand, 16)
	if err != nil {
		return "", err
	}
	now := t.now()
	claims := accessClaims{jwt.RegisteredClaims{
		Issuer:    t.issuer,
		Subject:   userID,
		Audience:  jwt.ClaimStrings{Audience},
		ExpiresAt: jwt.NewNumericDate(now.Add(AccessTokenTTL)),
		IssuedAt:  jwt.NewNumericDate(now),
		ID:        jti,
	}}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.secret)
	if err != nil {
		return "", fmt.Errorf("sign access token: %w", err)
	}
	return s, nil
}

// Parse verifies an access token and returns its subject (the user id).
func (t *tokens) Parse(raw string) (string, error) {
	var claims accessClaims
	_, err := t.parser.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return t.secret, nil })
	if err != nil {
		return "", err
	}
	if claims.Subject == "" || claims.IssuedAt == nil {
		return "", errors.New("token lacks sub or iat")
	}
	return claims.Subject, nil
}

// randomToken returns n random bytes, base64url-encoded without padding.
func randomToken(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// hashRefresh is the stored form of a refresh token. The token carries 256
// bits of randomness, so a plain SHA-256 is enough (no salt, no stretching).
func hashRefresh(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
