package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hit4x4/dagbok/push"
)

// Config is every setting of the server, read once at start from flags and
// environment variables. A flag given on the command line wins over the
// environment variable of the same setting, which wins over the default.
type Config struct {
	Addr              string // listen address
	DataDir           string // SQLite database, signing key, VAPID keys
	MongoURI          string // use MongoDB instead of SQLite when set
	MongoDB           string // MongoDB database name
	JWTSecret         string // access-token signing secret
	JWTSecretFile     string // where the generated secret is kept
	VAPIDSubject      string // contact for Web Push (mailto: or https:)
	VAPIDPublicKey    string // VAPID key pair from config; empty: kept in VAPIDKeyFile
	VAPIDPrivateKey   string
	VAPIDKeyFile      string         // where the generated VAPID key pair is kept
	PushHosts         []string       // push services subscriptions may point at
	PublicURL         *url.URL       // the origin users open; nil: each request's own host
	AdminEmail        string         // first admin account
	AdminPassword     string         // its password
	PushTestEndpoints bool           // allow loopback/private push endpoints (tests only)
	PushRelays        []netip.Prefix // addresses of private push relays the server may POST to
	PushCAFile        string         // PEM certificates trusted for push services besides the system's
	TrustedProxies    []netip.Prefix // networks whose X-Forwarded-For is believed
	TombstoneTTL      time.Duration  // how long deleted documents are kept for devices to see
	RefreshGrace      time.Duration  // how long a rotated refresh token may come back (0: never)
	QuotaDocs         int64          // documents one user may keep
	QuotaBytes        int64          // bytes one user may keep (documents and change log)
	MaxDBBytes        int64          // cap on app.db's size; 0: none
	InviteOnly        bool           // registrations need an invite code
	LogFormat         string         // auto, text or json
	BackupTo          string         // "backup FILE": write an online copy of the SQLite database and exit
	Check             bool           // "check": run the full integrity check of the SQLite database and exit
}

// setting describes one configuration value: its flag, environment
// variable, default and help text.
type setting struct {
	flag, env, def, help string
	set                  func(*Config, string) error
}

func str(f func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *f(c) = v; return nil }
}

// prefixes sets a list of IPs/CIDRs (parsePrefixes).
func prefixes(f func(*Config) *[]netip.Prefix) func(*Config, string) error {
	return func(c *Config, v string) error {
		ps, err := parsePrefixes(v)
		*f(c) = ps
		return err
	}
}

func settings() []setting {
	return []setting{
		{flag: "addr", env: "ADDR", def: "127.0.0.1:8080", help: "address to listen on (port 0: any free port)",
			set: str(func(c *Config) *string { return &c.Addr })},
		{flag: "data-dir", env: "DATA_DIR", def: "./data", help: "data folder: SQLite database app.db, signing key",
			set: str(func(c *Config) *string { return &c.DataDir })},
		{flag: "mongodb-uri", env: "MONGODB_URI", help: "MongoDB connection string; when set, MongoDB is used instead of SQLite",
			set: str(func(c *Config) *string { return &c.MongoURI })},
		{flag: "mongodb-db", env: "MONGODB_DB", help: "MongoDB database name (default: the URI's, else dagbok)",
			set: str(func(c *Config) *string { return &c.MongoDB })},
		{flag: "jwt-secret", env: "JWT_SECRET", help: "access-token signing secret, at least 32 bytes (default: generated into JWT_SECRET_FILE)",
			set: str(func(c *Config) *string { return &c.JWTSecret })},
		{flag: "jwt-secret-file", env: "JWT_SECRET_FILE", def: "DATA_DIR/jwt.key", help: "file holding the signing secret; created (mode 0600) when missing",
			set: str(func(c *Config) *string { return &c.JWTSecretFile })},
		{flag: "vapid-subject", env: "VAPID_SUBJECT", help: "contact for Web Push (mailto:… or https://…)",
			set: str(func(c *Config) *string { return &c.VAPIDSubject })},
		{flag: "vapid-public-key", env: "VAPID_PUBLIC_KEY", help: "VAPID public key, base64url (default: generated into VAPID_KEY_FILE)",
			set: str(func(c *Config) *string { return &c.VAPIDPublicKey })},
		{flag: "vapid-private-key", env: "VAPID_PRIVATE_KEY", help: "VAPID private key, base64url; give both keys or neither",
			set: str(func(c *Config) *string { return &c.VAPIDPrivateKey })},
		{flag: "vapid-key-file", env: "VAPID_KEY_FILE", def: "DATA_DIR/vapid.json", help: "file holding the generated VAPID key pair; created (mode 0600) when missing",
			set: str(func(c *Config) *string { return &c.VAPIDKeyFile })},
		{flag: "push-hosts", env: "PUSH_HOSTS", def: strings.Join(push.DefaultHosts(), ","),
			help: "comma-separated push service hosts (and their subdomains) subscriptions may point at",
			set: func(c *Config, v string) error {
				c.PushHosts = nil
				for h := range strings.SplitSeq(v, ",") {
					if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
						c.PushHosts = append(c.PushHosts, h)
					}
				}
				if len(c.PushHosts) == 0 {
					return errors.New("name at least one host")
				}
				return nil
			}},
		{flag: "public-url", env: "PUBLIC_URL", help: "origin users open, e.g. https://dagbok.example (token issuer, allowed origin, Secure cookies, HSTS)",
			set: func(c *Config, v string) error {
				u, err := parsePublicURL(v)
				c.PublicURL = u
				return err
			}},
		{flag: "admin-email", env: "ADMIN_EMAIL", help: "email of the first admin account, created at start when missing",
			set: str(func(c *Config) *string { return &c.AdminEmail })},
		{flag: "admin-password", env: "ADMIN_PASSWORD", help: "password of that account (at least 8 characters)",
			set: str(func(c *Config) *string { return &c.AdminPassword })},
		{flag: "push-test-endpoints", env: "PUSH_TEST_ENDPOINTS", def: "false", help: "allow push endpoints on loopback/private addresses (tests only)",
			set: func(c *Config, v string) error {
				b, err := strconv.ParseBool(v)
				c.PushTestEndpoints = b
				return err
			}},
		{flag: "push-relay-addrs", env: "PUSH_RELAY_ADDRS", help: "comma-separated IPs/CIDRs of private push relays you run: https endpoints on these addresses are accepted although private or loopback (default: none)",
			set: prefixes(func(c *Config) *[]netip.Prefix { return &c.PushRelays })},
		{flag: "push-ca-file", env: "PUSH_CA_FILE", help: "PEM file of CA certificates trusted for push services besides the system's (a relay with a private CA)",
			set: str(func(c *Config) *string { return &c.PushCAFile })},
		{flag: "trusted-proxies", env: "TRUSTED_PROXIES", help: "comma-separated IPs/CIDRs of reverse proxies whose X-Forwarded-For is believed (default: none)",
			set: prefixes(func(c *Config) *[]netip.Prefix { return &c.TrustedProxies })},
		{flag: "tombstone-ttl", env: "TOMBSTONE_TTL", def: "90d", help: "how long deleted entries are kept for devices to sync (days like 90d, or a Go duration like 2160h)",
			set: func(c *Config, v string) error {
				d, err := parseDays(v)
				if err == nil && d < time.Hour {
					err = errors.New("must be at least 1h")
				}
				c.TombstoneTTL = d
				return err
			}},
		{flag: "refresh-reuse-grace", env: "REFRESH_REUSE_GRACE", def: "30s", help: "how long a just-rotated refresh token may be sent again without signing the device out (0s to 30s)",
			set: func(c *Config, v string) error {
				d, err := time.ParseDuration(v)
				if err == nil && (d < 0 || d > 30*time.Second) {
					err = errors.New("must be between 0s and 30s")
				}
				c.RefreshGrace = d
				return err
			}},
		{flag: "user-quota-docs", env: "USER_QUOTA_DOCS", def: "50000", help: "documents one user may keep on the server (a year of training is about 150)",
			set: func(c *Config, v string) error {
				n, err := strconv.ParseInt(v, 10, 64)
				if err == nil && n < 1 {
					err = errors.New("must be at least 1")
				}
				c.QuotaDocs = n
				return err
			}},
		{flag: "user-quota-mb", env: "USER_QUOTA_MB", def: "128", help: "MiB one user may keep on the server, change log included (a year of training is about 0.3)",
			set: func(c *Config, v string) error {
				n, err := strconv.ParseInt(v, 10, 64)
				if err == nil && (n < 1 || n > 1<<20) {
					err = errors.New("must be between 1 and 1048576")
				}
				c.QuotaBytes = n << 20
				return err
			}},
		{flag: "max-db-mb", env: "MAX_DB_MB", def: "0", help: "largest size app.db may grow to, in MiB; writes beyond answer 507 storage_full as on a full disk (0: no cap)",
			set: func(c *Config, v string) error {
				n, err := strconv.ParseInt(v, 10, 64)
				if err == nil && (n < 0 || n > 1<<30) {
					err = errors.New("must be between 0 and 1073741824")
				}
				c.MaxDBBytes = n << 20
				return err
			}},
		{flag: "registration", env: "REGISTRATION", def: "open", help: `"open": a patient may register without an invite code; "invite": every registration needs one`,
			set: func(c *Config, v string) error {
				if v != "open" && v != "invite" {
					return errors.New(`must be "open" or "invite"`)
				}
				c.InviteOnly = v == "invite"
				return nil
			}},
		{flag: "log-format", env: "LOG_FORMAT", def: "auto", help: "auto (text on a terminal, else JSON), text or json",
			set: func(c *Config, v string) error {
				if v != "auto" && v != "text" && v != "json" {
					return errors.New(`must be "auto", "text" or "json"`)
				}
				c.LogFormat = v
				return nil
			}},
	}
}

// parsePublicURL parses the origin users open: empty, or an absolute
// http(s) URL.
func parsePublicURL(v string) (*url.URL, error) {
	if v == "" {
		return nil, nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q: want an absolute http(s) URL", v)
	}
	return u, nil
}

// parsePrefixes parses a comma-separated list of CIDR ranges or
// single addresses.
func parsePrefixes(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for part := range strings.SplitSeq(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if !strings.Contains(part, "/") {
			var a netip.Addr
			a, err = netip.ParseAddr(part)
			a = a.Unmap()
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if err != nil {
			return nil, fmt.Errorf("%s: not an IP address or CIDR range", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// parseDays parses "90d" as 90 days and anything else as a Go duration.
func parseDays(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 100*365 {
			return 0, fmt.Errorf("%q: not a number of days", v)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
}

// parseConfig reads the settings: defaults, then environment, then flags.
// It returns flag.ErrHelp after printing the usage for -help.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	var cfg Config
	ss := settings()
	values := make(map[string]string, len(ss))
	for _, s := range ss {
		values[s.flag] = s.def
		if v := getenv(s.env); v != "" {
			values[s.flag] = v
		}
	}
	fs := flag.NewFlagSet("dagbok", flag.ContinueOnError)
	fs.SetOutput(out)
	for _, s := range ss {
		fs.Func(s.flag, s.help+" (env "+s.env+")", func(v string) error { values[s.flag] = v; return nil })
	}
	fs.Usage = func() { usage(out, ss) }
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	switch {
	case fs.NArg() == 0:
	case fs.Arg(0) == "backup" && fs.NArg() == 2:
		cfg.BackupTo = fs.Arg(1)
	case fs.Arg(0) == "backup":
		return cfg, errors.New("usage: dagbok [flags] backup FILE")
	case fs.Arg(0) == "check" && fs.NArg() == 1:
		cfg.Check = true
	default:
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, s := range ss {
		v := values[s.flag]
		if (s.flag == "jwt-secret-file" || s.flag == "vapid-key-file") && v == s.def {
			v = "" // derived from the data folder below
		}
		if err := s.set(&cfg, v); err != nil {
			return cfg, fmt.Errorf("%s (-%s): %w", s.env, s.flag, err)
		}
	}
	return cfg, cfg.check()
}

// check validates what can be checked without touching the disk.
func (c Config) check() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("ADDR %q: %w", c.Addr, err)
	}
	if c.DataDir == "" {
		return errors.New("DATA_DIR must not be empty")
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < 32 {
		return errors.New("JWT_SECRET must be at least 32 bytes")
	}
	if (c.VAPIDPublicKey == "") != (c.VAPIDPrivateKey == "") {
		return errors.New("set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or neither")
	}
	if s := c.VAPIDSubject; s != "" && !strings.HasPrefix(s, "mailto:") && !strings.HasPrefix(s, "https://") {
		return errors.New("VAPID_SUBJECT must be mailto:address or an https:// URL")
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		return errors.New("set both ADMIN_EMAIL and ADMIN_PASSWORD, or neither")
	}
	return nil
}

func usage(out io.Writer, ss []setting) {
	fmt.Fprintf(out, "Usage: dagbok [flags]\n       dagbok [flags] backup FILE\n       dagbok [flags] check\n\n"+
		"Runs the 4x4 training diary: the web app and its API.\n"+
		"backup writes a consistent copy of the SQLite database to FILE while the server runs.\n"+
		"check runs SQLite's full integrity check of the database (also while the server runs).\n"+
		"Every setting can be given as a flag or an environment variable; a flag wins.\n\n")
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FLAG\tENV\tDEFAULT\tMEANING")
	for _, s := range ss {
		def := s.def
		if def == "" {
			def = "-"
		}
		fmt.Fprintf(tw, "-%s\t%s\t%s\t%s\n", s.flag, s.env, def, s.help)
	}
	tw.Flush()
	fmt.Fprintln(out, "\nSecrets (JWT_SECRET, VAPID_PRIVATE_KEY, ADMIN_PASSWORD, MONGODB_URI) are better given as environment\n"+
		"variables: flags are visible to other users in the process list.")
}
