// Package pwa serves the patient-facing web app (HTML, CSS, ES modules,
// service worker, manifest, icons and translations) from files embedded in
// the binary.
//
// The app is plain JavaScript with no build step. What the server adds at
// run time is a version: a hash of every embedded file, computed once when
// Handler is called. It is injected into index.html (as ?v= on asset URLs)
// and into sw.js (cache name and precache list), so a new binary means a
// new service worker and fresh caches, while versioned URLs can be cached
// forever. The package never does anything but serve these files.
package pwa

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed index.html sw.js manifest.webmanifest css js i18n icons
var files embed.FS

// versionPlaceholder is replaced by the content hash in index.html and sw.js.
const versionPlaceholder = "__VERSION__"

// assetsPlaceholder in sw.js is replaced by the JSON list of files to precache.
const assetsPlaceholder = "[/*ASSETS*/]"

// asset is one file ready to serve.
type asset struct {
	body        []byte
	gz          []byte // gzip of body, nil when not worth it
	contentType string
	etag        string
}

// handler serves the embedded app; it is immutable after construction.
type handler struct {
	version string
	assets  map[string]asset // keyed by URL path, e.g. "/js/app.js"
	modTime time.Time
}

// Handler returns an http.Handler serving the embedded app:
//
//   - "/" and any path that looks like an app route (no file extension,
//     not under /api/) → index.html, never cached long;
//   - "/sw.js" with Cache-Control: no-cache and its cache version injected;
//   - static assets with their content type; URLs carrying ?v=<version>
//     are cached for a year as immutable, others are revalidated by ETag;
//   - a missing asset → 404.
func Handler() http.Handler {
	h, err := newHandler(files)
	if err != nil {
		// The files are compiled in, so this only happens with a broken
		// binary; answer every request with the reason instead of crashing.
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "web app unavailable: "+err.Error(), http.StatusInternalServerError)
		})
	}
	return h
}

func newHandler(fsys fs.FS) (*handler, error) {
	raw := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if strings.HasSuffix(p, ".go") || strings.HasPrefix(path.Base(p), ".") {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		raw["/"+p] = b
		return nil
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(raw))
	for n := range raw {
		names = append(names, n)
	}
	sort.Strings(names)

	sum := sha256.New()
	for _, n := range names {
		sum.Write([]byte(n))
		sum.Write([]byte{0})
		sum.Write(raw[n])
		sum.Write([]byte{0})
	}
	version := hex.EncodeToString(sum.Sum(nil))[:12]

	// Precache list for the service worker: everything except the worker
	// itself and the large icon, which the browser fetches on install only.
	var precache []string
	for _, n := range names {
		switch {
		case n == "/sw.js", n == "/index.html":
			continue
		case strings.HasSuffix(n, "-512.png"):
			continue
		}
		precache = append(precache, n)
	}
	precache = append([]string{"/"}, precache...)
	list, err := json.Marshal(precache)
	if err != nil {
		return nil, err
	}

	h := &handler{version: version, assets: map[string]asset{}, modTime: time.Now()}
	for _, n := range names {
		b := raw[n]
		switch n {
		case "/index.html":
			b = bytes.ReplaceAll(b, []byte(versionPlaceholder), []byte(version))
		case "/sw.js":
			b = bytes.ReplaceAll(b, []byte(versionPlaceholder), []byte(version))
			b = bytes.ReplaceAll(b, []byte(assetsPlaceholder), list)
		}
		es := sha256.Sum256(b)
		gz, err := compress(b)
		if err != nil {
			return nil, err
		}
		h.assets[n] = asset{
			body:        b,
			gz:          gz,
			contentType: contentType(n),
			etag:        hex.EncodeToString(es[:8]),
		}
	}
	return h, nil
}

// compress returns the gzip form of b, or nil when it does not shrink it
// by a tenth (images are compressed already).
func compress(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if buf.Len() > len(b)*9/10 {
		return nil, nil
	}
	return buf.Bytes(), nil
}

// contentType names the media type by extension, with the few the
// platform's table may lack or get wrong pinned here.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".webmanifest":
		return "application/manifest+json"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".json":
		return "application/json; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".png":
		return "image/png"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := path.Clean("/" + r.URL.Path)
	if p == "/" || p == "/index.html" {
		h.serveIndex(w, r)
		return
	}
	a, ok := h.assets[p]
	if !ok {
		if looksLikeRoute(p) {
			h.serveIndex(w, r)
			return
		}
		http.NotFound(w, r)
		return
	}
	switch {
	case p == "/sw.js":
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Service-Worker-Allowed", "/")
	case r.URL.Query().Get("v") == h.version:
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	default:
		w.Header().Set("Cache-Control", "no-cache")
	}
	h.write(w, r, a)
}

func (h *handler) serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	h.write(w, r, h.assets["/index.html"])
}

// write sends an asset, gzip-compressed (precomputed) when the client
// accepts it. Put no other compression in front of this handler.
func (h *handler) write(w http.ResponseWriter, r *http.Request, a asset) {
	hd := w.Header()
	hd.Set("Content-Type", a.contentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	body := a.body
	etag := a.etag
	if a.gz != nil {
		hd.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			body = a.gz
			etag += "-gz"
			hd.Set("Content-Encoding", "gzip")
		}
	}
	hd.Set("ETag", `"`+etag+`"`)
	// ServeContent handles If-None-Match, Range and HEAD.
	http.ServeContent(w, r, "", h.modTime, bytes.NewReader(body))
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// (listed, and not with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(k, "q") {
				q, err := strconv.ParseFloat(v, 64)
				return err == nil && q > 0
			}
		}
		return true
	}
	return false
}

// looksLikeRoute reports whether p is a client-side route of the app
// (e.g. /history or /join) rather than a file: no extension in the last
// segment and not an API path.
func looksLikeRoute(p string) bool {
	if p == "/api" || strings.HasPrefix(p, "/api/") {
		return false
	}
	return path.Ext(path.Base(p)) == ""
}
