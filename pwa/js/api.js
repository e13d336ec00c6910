// HTTP client for /api/v1. The access token lives only in memory (never in
// storage); the refresh token is an HttpOnly cookie the page cannot read.
// Refreshing rotates that cookie, so it is single-flight: one promise per
// tab, and a Web Lock so two tabs (or the service worker) never rotate at
// the same moment, which the server would treat as token reuse.

const BASE = '/api/v1';
const LOCK = 'dagbok-auth-refresh';

/**
 * ApiError is an error answer from the server; retryAfter is its
 * Retry-After in seconds (0 without one).
 */
export class ApiError extends Error {
  constructor(status, body, retryAfter = 0) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.retryAfter = retryAfter;
    this.code = e.code || 'http_' + status;
    this.details = e.details || [];
    this.serverTime = body && (body.serverTime ?? e.serverTime);
    this.body = body;
  }
}

/** OfflineError means the server could not be reached at all. */
export class OfflineError extends Error {
  constructor(cause) {
    super('offline');
    this.cause = cause;
  }
}

/**
 * createApi returns the client. onSignedOut is called when the session can
 * no longer be refreshed (the user must sign in again).
 */
export function createApi({ onSignedOut = () => {} } = {}) {
  const auth = { token: null, expiresAt: 0, gotAt: 0 };
  let inflight = null;
  const channel = 'BroadcastChannel' in globalThis ? new BroadcastChannel('dagbok-auth') : null;
  if (channel) {
    channel.onmessage = (ev) => {
      const m = ev.data || {};
      if (m.type === 'token' && m.expiresAt > auth.expiresAt) Object.assign(auth, { token: m.token, expiresAt: m.expiresAt, gotAt: Date.now() });
      if (m.type === 'signout') Object.assign(auth, { token: null, expiresAt: 0 });
    };
  }

  function setToken(data, share) {
    auth.token = data.accessToken;
    auth.expiresAt = Date.now() + (Number(data.expiresIn) || 900) * 1000;
    auth.gotAt = Date.now();
    if (share && channel) channel.postMessage({ type: 'token', token: auth.token, expiresAt: auth.expiresAt });
  }

  async function raw(method, path, body, headers = {}) {
    let res;
    try {
      res = await fetch(BASE + path, {
        method,
        headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (e) {
      throw new OfflineError(e);
    }
    let data = null;
    const text = await res.text().catch(() => '');
    if (text) {
      // A body that is no JSON (a CSV export) is handed over as text.
      try { data = JSON.parse(text); } catch { data = res.ok ? text : null; }
    }
    if (!res.ok) {
      // A gateway or the service worker answering for an unreachable server.
      if (res.status === 502 || res.status === 503 || res.status === 504) {
        if (!data || !data.error) throw new OfflineError(new Error(`HTTP ${res.status}`));
      }
      throw new ApiError(res.status, data, Number(res.headers.get('Retry-After')) || 0);
    }
    return data;
  }

  async function doRefresh() {
    const asked = Date.now();
    const run = async () => {
      // Another tab may have refreshed while we waited for the lock.
      if (auth.token && auth.gotAt >= asked && auth.expiresAt - Date.now() > 30_000) return true;
      try {
        const data = await raw('POST', '/auth/refresh', undefined, { 'X-Requested-With': 'dagbok' });
        setToken(data, true);
        return data;
      } catch (e) {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
          auth.token = null;
          return false;
        }
        throw e;
      }
    };
    if (navigator.locks && navigator.locks.request) return navigator.locks.request(LOCK, run);
    return run();
  }

  /** refresh obtains a fresh access token; false when signed out. */
  function refresh() {
    if (!inflight) inflight = doRefresh().finally(() => { inflight = null; });
    return inflight;
  }

  /** request calls the API with the access token, refreshing it once on 401. */
  async function request(method, path, body) {
    if (!auth.token || auth.expiresAt - Date.now() < 10_000) {
      const ok = await refresh();
      if (!ok) {
        onSignedOut();
        throw new ApiError(401, { error: { code: 'unauthenticated', message: 'signed out' } });
      }
    }
    try {
      return await raw(method, path, body, { Authorization: 'Bearer ' + auth.token });
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) throw e;
      auth.token = null;
      const ok = await refresh();
      if (!ok) {
        onSignedOut();
        throw e;
      }
      return raw(method, path, body, { Authorization: 'Bearer ' + auth.token });
    }
  }

  return {
    /** close stops listening for tokens from other tabs (for short-lived users such as the service worker). */
    close() {
      if (channel) channel.close();
    },
    request,
    refresh,
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body ?? {}),
    patch: (path, body) => request('PATCH', path, body),
    hasToken: () => Boolean(auth.token),
    async login(email, password) {
      const data = await raw('POST', '/auth/login', { email, password });
      setToken(data, true);
      return data;
    },
    async register(body) {
      return raw('POST', '/auth/register', body);
    },
    /** send calls an endpoint that needs no sign-in (first-run setup, password reset). */
    send: (method, path, body) => raw(method, path, body),
    async logout() {
      try {
        await raw('POST', '/auth/logout', undefined, { 'X-Requested-With': 'dagbok' });
      } finally {
        auth.token = null;
        auth.expiresAt = 0;
        if (channel) channel.postMessage({ type: 'signout' });
      }
    },
  };
}
