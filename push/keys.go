package push

import (
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Keys is the server's VAPID key pair, both halves base64url without
// padding: Public is the uncompressed P-256 point browsers take as
// applicationServerKey, Private the 32-byte scalar.
type Keys struct {
	Public  string `json:"publicKey"`
	Private string `json:"privateKey"`
}

// ParseKeys checks that private is a P-256 scalar and public its point.
func ParseKeys(public, private string) (Keys, error) {
	raw, err := base64.RawURLEncoding.DecodeString(private)
	if err != nil {
		return Keys{}, fmt.Errorf("VAPID private key: not base64url: %w", err)
	}
	key, err := ecdh.P256().NewPrivateKey(raw)
	if err != nil {
		return Keys{}, fmt.Errorf("VAPID private key: %w", err)
	}
	want := base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes())
	if public != want {
		return Keys{}, errors.New("VAPID public key does not belong to the private key")
	}
	return Keys{Public: public, Private: private}, nil
}

// GenerateKeys makes a new key pair from r.
func GenerateKeys(r io.Reader) (Keys, error) {
	key, err := ecdh.P256().GenerateKey(r)
	if err != nil {
		return Keys{}, fmt.Errorf("generate VAPID keys: %w", err)
	}
	return Keys{
		Public:  base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()),
		Private: base64.RawURLEncoding.EncodeToString(key.Bytes()),
	}, nil
}

// LoadOrCreateKeys reads the key pair kept in path, creating the file
// (mode 0600) with a new pair when it does not exist. Browsers subscribe
// with the public key, so it must outlive restarts: a new pair would
// silence every subscription. created tells whether the file was made now.
func LoadOrCreateKeys(path string, r io.Reader) (k Keys, created bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		k, err := GenerateKeys(r)
		if err != nil {
			return Keys{}, false, err
		}
		created, err := writeKeys(path, k)
		if err != nil || created {
			return k, created, err
		}
		// Another instance wrote the file first: use its pair.
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return Keys{}, false, fmt.Errorf("VAPID keys: %w", err)
	}
	var stored Keys
	if err := json.Unmarshal(data, &stored); err != nil {
		return Keys{}, false, fmt.Errorf("VAPID keys %s: %w", path, err)
	}
	k, err = ParseKeys(stored.Public, stored.Private)
	if err != nil {
		return Keys{}, false, fmt.Errorf("VAPID keys %s: %w", path, err)
	}
	return k, false, nil
}

// writeKeys creates path exclusively; false when it exists already.
func writeKeys(path string, k Keys) (bool, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("create VAPID keys: %w", err)
	}
	data, err := json.MarshalIndent(k, "", "  ")
	if err == nil {
		_, err = f.Write(append(data, '\n'))
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, fmt.Errorf("write VAPID keys: %w", err)
	}
	return true, nil
}
