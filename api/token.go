package api

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
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
	var claims accessClaims
	_, err := t.parser.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return t.secret, nil })
	if err != nil {
		return "", err
	}
	if claims.Subject == "" || claims.IssuedAt == nil || claims.ID == "" {
		return "", errors.New("token lacks sub, iat or jti")
	}
	return claims.Subject, nil
}
