package push

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// DefaultHosts are the push services browsers use: Google's FCM (Chrome,
// Edge on Android), Mozilla's autopush (Firefox), Apple (Safari, iOS) and
// Windows (WNS). A host matches itself and its subdomains.
func DefaultHosts() []string {
	return []string{
		"fcm.googleapis.com", "android.googleapis.com",
		"push.services.mozilla.com",
		"push.apple.com",
		"notify.windows.com",
	}
}

// InvalidError is a subscription refused for one field.
type InvalidError struct {
	Field, Reason string
}

func (e *InvalidError) Error() string { return e.Field + ": " + e.Reason }

// Guard decides which push endpoints the server will POST to. The URL
// comes from a browser, so without it a user could make the server call
// anything it can reach (SSRF): the endpoint must be https on a host of
// the allow-list, and the addresses a connection is made to are checked
// again when dialling, since a listed name could resolve anywhere.
type Guard struct {
	// Hosts is the allow-list; nil means DefaultHosts.
	Hosts []string
	// Loopback admits http and https endpoints on loopback addresses, for
	// tests only (PUSH_TEST_ENDPOINTS).
	Loopback bool
	// Relays are the addresses of private push relays the operator runs
	// (PUSH_RELAY_ADDRS): https endpoints whose host is a literal address
	// in them are accepted, and connections to them are allowed although
	// they are loopback or private. Empty: none.
	Relays []netip.Prefix
}

// relay reports whether a is the address of a configured relay.
func (g Guard) relay(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range g.Relays {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Check refuses an endpoint the server must not call. It does no DNS
// lookup.
func (g Guard) Check(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || u.User != nil {
		return &InvalidError{"endpoint", "not an absolute URL"}
	}
	host := strings.ToLower(u.Hostname())
	if g.Loopback && isLoopbackHost(host) && (u.Scheme == "https" || u.Scheme == "http") {
		return nil
	}
	if u.Scheme != "https" {
		return &InvalidError{"endpoint", "not https"}
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if g.relay(a) {
			return nil
		}
		if !publicAddr(a) {
			return &InvalidError{"endpoint", "a loopback, link-local or private address"}
		}
		return &InvalidError{"endpoint", "not a known push service"}
	}
	hosts := g.Hosts
	if hosts == nil {
		hosts = DefaultHosts()
	}
	for _, h := range hosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return nil
		}
	}
	return &InvalidError{"endpoint", "not a known push service"}
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// publicAddr reports whether a is an address on the public internet.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	// 100.64.0.0/10 is carrier-grade NAT's shared space (RFC 6598),
	// private in all but name.
	cgnat := netip.PrefixFrom(netip.AddrFrom4([4]byte{100, 64, 0, 0}), 10)
	return a.IsGlobalUnicast() && !a.IsPrivate() && !cgnat.Contains(a)
}

// ErrForbiddenAddr is returned when a push endpoint resolves to an
// address the guard refuses.
var ErrForbiddenAddr = errors.New("push endpoint resolves to a loopback, link-local or private address")

// control is a net.Dialer Control function: it runs after name resolution,
// on the address actually dialled.
func (g Guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("push: dial %s: %w", address, err)
	}
	a := ap.Addr().Unmap()
	if publicAddr(a) || g.Loopback && a.IsLoopback() || g.relay(a) {
		return nil
	}
	return fmt.Errorf("push: dial %s: %w", address, ErrForbiddenAddr)
}

// dialer returns the DialContext of the push HTTP client.
func (g Guard) dialer() func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: dialTimeout, Control: g.control}
	return d.DialContext
}
