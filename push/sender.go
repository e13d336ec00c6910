package push

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/hit4x4/dagbok/store"
)

// Message is what a notification shows. The service worker (pwa/sw.js)
// displays it as it is: the server writes the text in the user's language.
type Message struct {
	Title   string   `json:"title"`
	Body    string   `json:"body"`
	URL     string   `json:"url"` // the app path a click opens
	Tag     string   `json:"tag"` // a newer notification with the tag replaces an older one
	Actions []Action `json:"actions,omitempty"`
}

// Action is a button on the notification.
type Action struct {
	Action string `json:"action"`
	Title  string `json:"title"`
}

// Outcome of sending to one subscription.
type Outcome string

const (
	Sent   Outcome = "sent"
	Gone   Outcome = "gone"   // the push service said 404/410: the subscription is dead
	Failed Outcome = "failed" // refused or unreachable, after the retries
)

// Result of sending to one subscription. Reason says why it was not sent.
type Result struct {
	Endpoint string
	Outcome  Outcome
	Status   int // the push service's last answer; 0 when there was none
	Reason   string
}

// SenderConfig is what NewSender needs; zero fields take the defaults.
type SenderConfig struct {
	Keys Keys
	// Subject is VAPID_SUBJECT, "mailto:…" or "https://…".
	Subject string
	Guard   Guard
	// TLS configures the connections to push services; nil: the system's
	// roots. Tests pass their fake push service's root here.
	TLS *tls.Config
	// Timeout bounds one request; 0: 30 s.
	Timeout time.Duration
	// TTL is how long a push service keeps a message for a phone that is
	// offline; 0: 12 h.
	TTL time.Duration
	// Retries after a 429 or 5xx answer or a network error; 0: 3.
	Retries int
	// Sleep waits d or until ctx ends; nil: a timer. Tests pass one that
	// records the waits and returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now reads the clock for Retry-After dates; nil: time.Now.
	Now func() time.Time
}

// Defaults of SenderConfig.
const (
	dialTimeout    = 10 * time.Second
	requestTimeout = 30 * time.Second
	defaultTTL     = 12 * time.Hour
	defaultRetries = 3
	firstBackoff   = time.Second
	// maxRetryWait is the longest Retry-After the sender waits out; a push
	// service asking for more gets the message on a later tick instead.
	maxRetryWait = time.Minute
	// paddingBlock: payloads are padded to a multiple of this, so their
	// length tells a network observer nothing but the rough size of a
	// short text, without webpush-go's default padding to 4,096 bytes.
	paddingBlock = 256
	// recordOverhead is what webpush-go subtracts from the record size
	// before padding: the 16-byte tag and the 86-byte header.
	recordOverhead = 16 + 86
)

// Sender posts encrypted messages to push services through webpush-go,
// working around its defaults (see the comments in send): it is safe for
// concurrent use.
type Sender struct {
	client     *http.Client
	keys       Keys
	subscriber string
	ttl        int
	retries    int
	sleep      func(ctx context.Context, d time.Duration) error
	now        func() time.Time
}

// NewSender checks the subject and builds the HTTP client: a timeout
// (webpush-go's default client has none), connections only to addresses
// the guard allows, and no proxy from the environment (a proxy would dial
// for us, past the guard).
func NewSender(cfg SenderConfig) (*Sender, error) {
	sub, err := subscriber(cfg.Subject)
	if err != nil {
		return nil, err
	}
	if _, err := ParseKeys(cfg.Keys.Public, cfg.Keys.Private); err != nil {
		return nil, err
	}
	s := &Sender{keys: cfg.Keys, subscriber: sub, ttl: int(cfg.TTL / time.Second), retries: cfg.Retries, sleep: cfg.Sleep, now: cfg.Now}
	if cfg.Timeout == 0 {
		cfg.Timeout = requestTimeout
	}
	if s.ttl == 0 {
		s.ttl = int(defaultTTL / time.Second)
	}
	if s.retries == 0 {
		s.retries = defaultRetries
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.sleep == nil {
		s.sleep = sleep
	}
	s.client = &http.Client{
		Timeout: cfg.Timeout,
		Transport: &http.Transport{
			DialContext:         cfg.Guard.dialer(),
			TLSClientConfig:     cfg.TLS,
			TLSHandshakeTimeout: dialTimeout,
			ForceAttemptHTTP2:   true,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
		},
		// A push service answers; it never redirects us elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return s, nil
}

// subscriber is the VAPID "sub" as webpush-go wants it: it prefixes
// "mailto:" to anything not starting "https:", so a mailto subject must
// be passed as a bare address.
func subscriber(subject string) (string, error) {
	switch {
	case strings.HasPrefix(subject, "https://") && len(subject) > len("https://"):
		return subject, nil
	case strings.HasPrefix(subject, "mailto:") && strings.Contains(subject, "@"):
		return strings.TrimPrefix(subject, "mailto:"), nil
	}
	return "", fmt.Errorf("VAPID subject %q: want mailto:address or an https:// URL", subject)
}

// PublicKey is the VAPID public key browsers subscribe with.
func (s *Sender) PublicKey() string { return s.keys.Public }

// Send delivers m to one subscription, retrying on 429, 5xx and network
// errors with backoff (a Retry-After answer sets the wait).
func (s *Sender) Send(ctx context.Context, sub store.Subscription, m Message, topic string) Result {
	payload, err := json.Marshal(m)
	if err != nil {
		return Result{Endpoint: sub.Endpoint, Outcome: Failed, Reason: err.Error()}
	}
	return s.send(ctx, sub, payload, topic)
}

func (s *Sender) send(ctx context.Context, sub store.Subscription, payload []byte, topic string) Result {
	r := Result{Endpoint: sub.Endpoint, Outcome: Failed}
	wait := firstBackoff
	for attempt := 0; ; attempt++ {
		status, retryAfter, err := s.post(ctx, sub, payload, topic)
		r.Status = status
		switch {
		case err != nil:
			r.Reason = err.Error()
		case status >= 200 && status < 300:
			r.Outcome, r.Reason = Sent, ""
			return r
		case status == http.StatusNotFound || status == http.StatusGone:
			r.Outcome, r.Reason = Gone, "subscription expired"
			return r
		case status == http.StatusTooManyRequests || status >= 500:
			r.Reason = "push service answered " + strconv.Itoa(status)
		default:
			r.Reason = "push service refused the message: " + strconv.Itoa(status)
			return r
		}
		if errors.Is(err, ErrForbiddenAddr) || attempt == s.retries || ctx.Err() != nil {
			return r
		}
		if retryAfter > 0 {
			wait = retryAfter
		}
		if wait > maxRetryWait {
			r.Reason += "; asked to wait " + wait.String()
			return r
		}
		if err := s.sleep(ctx, wait); err != nil {
			return r
		}
		wait *= 2
	}
}

// post makes one attempt. webpush-go returns 4xx and 5xx answers as a
// response, not an error: the status is read here and the body drained
// and closed so the connection is reused.
func (s *Sender) post(ctx context.Context, sub store.Subscription, payload []byte, topic string) (status int, retryAfter time.Duration, err error) {
	resp, err := webpush.SendNotificationWithContext(ctx,
		// webpush-go appends the padding to the slice it is given, in
		// place when it has room: every send gets its own copy.
		bytes.Clone(payload),
		&webpush.Subscription{Endpoint: sub.Endpoint, Keys: webpush.Keys{P256dh: sub.P256dh, Auth: sub.Auth}},
		&webpush.Options{
			HTTPClient: s.client,
			Subscriber: s.subscriber,
			// TTL 0 (its default) drops the message when the phone is offline.
			TTL:     s.ttl,
			Topic:   topic,
			Urgency: webpush.UrgencyNormal,
			// Its default pads every message to 4,096 bytes.
			RecordSize:      uint32(recordSize(len(payload))),
			VAPIDPublicKey:  s.keys.Public,
			VAPIDPrivateKey: s.keys.Private,
			// VapidExpiration is ignored by v1.4.0: every token gets
			// now + 12 h, signed anew for each message.
		})
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, parseRetryAfter(resp.Header.Get("Retry-After"), s.now()), nil
}

// recordSize makes webpush-go pad the plaintext (payload and its one
// delimiter byte) to the next multiple of paddingBlock.
func recordSize(payload int) int {
	padded := (payload + 1 + paddingBlock - 1) / paddingBlock * paddingBlock
	return padded + recordOverhead
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
