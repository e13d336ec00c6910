// Package fakepush is a push service for tests: an HTTPS server on
// loopback that checks every message the way FCM or autopush would — the
// VAPID JWT (ES256, aud the endpoint's origin, exp at most 24 h ahead, a
// sub) against the server's public key, the TTL and Topic headers — and decrypts the
// aes128gcm body (RFC 8291) with the test subscription's private key, so
// a test asserts on the text the phone would show. It answers 201, or
// the statuses a test queues (404, 410, 429, 500).
package fakepush

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Message is one delivered push, decrypted.
type Message struct {
	Endpoint string // the path the push was posted to
	Plain    []byte // the payload the browser would get
	TTL      int
	Topic    string
	Urgency  string
	Subject  string // the JWT's sub
	Padded   int    // plaintext length with its padding
}

// Text decodes the payload as the app's JSON notification.
func (m Message) Text() (title, body string) {
	var v struct{ Title, Body string }
	_ = json.Unmarshal(m.Plain, &v)
	return v.Title, v.Body
}

// Subscription is a browser's side of a subscription: its keys, and the
// endpoint the fake service gave it.
type Subscription struct {
	Endpoint string
	P256dh   string // base64url
	Auth     string // base64url
	private  *ecdh.PrivateKey
	secret   []byte
}

// Service is the fake push service.
type Service struct {
	t         testing.TB
	srv       *httptest.Server
	vapid     string // the server's VAPID public key, base64url
	mu        gosync.Mutex
	subs      map[string]*Subscription // by path
	queued    map[string][]int         // statuses to answer, by path
	delivered []Message
	attempts  map[string]int
	failures  []string
	posts     int // messages a sink took
	now       func() time.Time
}

// Start starts a fake push service that accepts messages signed with the
// VAPID public key vapid. It stops when the test ends.
func Start(t testing.TB, vapid string) *Service {
	s := &Service{t: t, vapid: vapid, subs: map[string]*Subscription{}, queued: map[string][]int{},
		attempts: map[string]int{}, now: time.Now}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// RootCAs is the pool that trusts the service's certificate.
func (s *Service) RootCAs() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(s.srv.Certificate())
	return pool
}

// CertPEM is the service's certificate in PEM, for a process that is to
// trust it from a file (the server's PUSH_CA_FILE).
func (s *Service) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
}

// URL is the service's origin.
func (s *Service) URL() string { return s.srv.URL }

// StartSink starts a push service that answers 201 to every POST without
// checking or decrypting it, and counts them: for benchmarks, where the
// checks would spend the machine's CPU on the fake instead of the server.
func StartSink(t testing.TB) *Service {
	s := &Service{t: t, subs: map[string]*Subscription{}, queued: map[string][]int{}, attempts: map[string]int{}, now: time.Now}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		s.mu.Lock()
		s.attempts[r.URL.Path]++
		s.posts++
		s.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// Posts is how many messages a sink has taken.
func (s *Service) Posts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.posts
}

// Subscribe makes a new browser subscription with fresh keys.
func (s *Service) Subscribe(name string) *Subscription {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		s.t.Fatal(err)
	}
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	sub := &Subscription{
		Endpoint: s.srv.URL + "/push/" + name,
		P256dh:   base64.RawURLEncoding.EncodeToString(priv.PublicKey().Bytes()),
		Auth:     base64.RawURLEncoding.EncodeToString(secret),
		private:  priv, secret: secret,
	}
	s.mu.Lock()
	s.subs["/push/"+name] = sub
	s.mu.Unlock()
	return sub
}

// Answer queues statuses for the next posts to the subscription, in
// order; after them it answers 201 again.
func (s *Service) Answer(sub *Subscription, statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := strings.TrimPrefix(sub.Endpoint, s.srv.URL)
	s.queued[p] = append(s.queued[p], statuses...)
}

// Delivered returns the messages accepted so far.
func (s *Service) Delivered() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.delivered...)
}

// Attempts is how many posts reached the subscription's endpoint.
func (s *Service) Attempts(sub *Subscription) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts[strings.TrimPrefix(sub.Endpoint, s.srv.URL)]
}

// Failures lists the posts the service refused as malformed, with why.
func (s *Service) Failures() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.failures...)
}

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	sub := s.subs[r.URL.Path]
	s.attempts[r.URL.Path]++
	var status int
	if q := s.queued[r.URL.Path]; len(q) > 0 {
		status, s.queued[r.URL.Path] = q[0], q[1:]
	}
	s.mu.Unlock()
	if sub == nil {
		http.NotFound(w, r)
		return
	}
	msg, err := s.check(r, body, sub)
	if err != nil {
		s.mu.Lock()
		s.failures = append(s.failures, r.URL.Path+": "+err.Error())
		s.mu.Unlock()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if status != 0 {
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "7")
		}
		w.WriteHeader(status)
		return
	}
	s.mu.Lock()
	s.delivered = append(s.delivered, msg)
	s.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
}

// check verifies the headers and the VAPID token and decrypts the body.
func (s *Service) check(r *http.Request, body []byte, sub *Subscription) (Message, error) {
	m := Message{Endpoint: r.URL.Path, Topic: r.Header.Get("Topic"), Urgency: r.Header.Get("Urgency")}
	if r.Method != http.MethodPost || r.Header.Get("Content-Encoding") != "aes128gcm" {
		return m, errors.New("want a POST with Content-Encoding aes128gcm")
	}
	ttl, err := strconv.Atoi(r.Header.Get("TTL"))
	if err != nil || ttl <= 0 {
		return m, fmt.Errorf("TTL %q: want a positive number of seconds", r.Header.Get("TTL"))
	}
	m.TTL = ttl
	if !validTopic(m.Topic) {
		return m, fmt.Errorf("Topic %q: want at most 32 characters of base64url (RFC 8030)", m.Topic)
	}
	sub2, err := s.checkVAPID(r.Header.Get("Authorization"))
	if err != nil {
		return m, err
	}
	m.Subject = sub2
	plain, padded, err := decrypt(body, sub)
	if err != nil {
		return m, err
	}
	m.Plain, m.Padded = plain, padded
	return m, nil
}

// validTopic reports whether a Topic header is absent or at most 32
// characters of the URL-safe base64 alphabet, as push services demand.
func validTopic(t string) bool {
	if len(t) > 32 {
		return false
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func (s *Service) checkVAPID(h string) (string, error) {
	rest, ok := strings.CutPrefix(h, "vapid ")
	if !ok {
		return "", errors.New("Authorization: want the vapid scheme")
	}
	var tok, key string
	for part := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			tok = v
		case "k":
			key = v
		}
	}
	if key != s.vapid {
		return "", errors.New("VAPID k is not the server's public key")
	}
	raw, err := base64.RawURLEncoding.DecodeString(key)
	if err != nil || len(raw) != 65 {
		return "", errors.New("VAPID k is not an uncompressed P-256 point")
	}
	pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(raw[1:33]), Y: new(big.Int).SetBytes(raw[33:])}
	var claims jwt.RegisteredClaims
	_, err = jwt.ParseWithClaims(tok, &claims, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithAudience(s.srv.URL), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.now))
	if err != nil {
		return "", fmt.Errorf("VAPID JWT: %w", err)
	}
	if claims.ExpiresAt.Sub(s.now()) > 24*time.Hour {
		return "", errors.New("VAPID JWT expires more than 24 h ahead")
	}
	if !strings.HasPrefix(claims.Subject, "mailto:") && !strings.HasPrefix(claims.Subject, "https://") ||
		strings.HasPrefix(claims.Subject, "mailto:mailto:") {
		return "", fmt.Errorf("VAPID sub %q: want mailto: or https:", claims.Subject)
	}
	return claims.Subject, nil
}

// decrypt opens an aes128gcm body (RFC 8188) with the keys of RFC 8291.
func decrypt(body []byte, sub *Subscription) (plain []byte, padded int, err error) {
	if len(body) < 21 {
		return nil, 0, errors.New("body shorter than the aes128gcm header")
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if len(body) < 21+idlen || idlen != 65 {
		return nil, 0, errors.New("key id is not a P-256 public key")
	}
	asPublic, ciphertext := body[21:21+idlen], body[21+idlen:]
	if uint32(len(ciphertext)) > rs {
		return nil, 0, fmt.Errorf("one record of %d bytes is larger than rs %d", len(ciphertext), rs)
	}
	as, err := ecdh.P256().NewPublicKey(asPublic)
	if err != nil {
		return nil, 0, err
	}
	shared, err := sub.private.ECDH(as)
	if err != nil {
		return nil, 0, err
	}
	info := append(append([]byte("WebPush: info\x00"), sub.private.PublicKey().Bytes()...), asPublic...)
	ikm, err := hkdf.Key(sha256.New, shared, sub.secret, string(info), 32)
	if err != nil {
		return nil, 0, err
	}
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, 0, err
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, 0, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, 0, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, 0, err
	}
	out, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("decrypt: %w", err)
	}
	end := bytes.LastIndexByte(bytes.TrimRight(out, "\x00"), 2)
	if end < 0 || end != len(bytes.TrimRight(out, "\x00"))-1 {
		return nil, 0, errors.New("no last-record delimiter after the payload")
	}
	return out[:end], len(out), nil
}
