// The only code that talks to the key helper (电子印章PC客户端) on the PC's loopback.
// Plain fetch, not htmx: htmx keeps selfRequestsOnly on. The PIN goes to the helper and nowhere else.
(() => {
  'use strict';
  const meta = document.querySelector('meta[name="eseal-keyhelper"]');
  const base = meta ? meta.content : 'http://127.0.0.1:18848';

  // Chrome/Edge 142+ ask before a page may reach loopback (Local Network Access). A refused
  // permission looks like a network error to fetch; the permission state tells the two apart.
  async function localNetworkDenied() {
    for (const name of ['local-network-access', 'loopback-network']) {
      try {
        const status = await navigator.permissions.query({ name });
        return status.state === 'denied';
      } catch (_) { /* this browser does not know the name */ }
    }
    return false;
  }

  async function call(path, init) {
    let response;
    try {
      response = await fetch(base + path, Object.assign({ mode: 'cors', credentials: 'omit', cache: 'no-store' }, init));
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      throw { kind: (await localNetworkDenied()) ? 'lna-denied' : 'unreachable' };
    }
    let body = {};
    try { body = await response.json(); } catch (_) { /* empty or not JSON */ }
    if (!response.ok) throw Object.assign({ kind: 'helper-error', status: response.status }, body);
    return body;
  }

  // "1.2.3-dev.abc+sha" → [1, 2, 3]; what is not a number counts as 0.
  const versionParts = (v) => String(v || '').split(/[-+]/)[0].split('.').slice(0, 3).map((p) => parseInt(p, 10) || 0);
  const olderThan = (v, minimum) => {
    const [a, b] = [versionParts(v), versionParts(minimum)];
    for (let i = 0; i < 3; i += 1) {
      if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) < (b[i] || 0);
    }
    return false;
  };

  window.ESealKeyHelper = {
    /**
     * Asks the helper who it is before using it: 'outdated' below the portal's minimum version,
     * 'driver-missing' when every configured PKCS#11 module failed to load, else null.
     */
    async check(minimum, signal) {
      const info = await call('/v1/info', { signal });
      if (minimum && olderThan(info.version, minimum)) return 'outdated';
      const modules = Array.isArray(info.modules) ? info.modules : [];
      if (modules.length > 0 && modules.every((m) => m && m.status === 'failed')) return 'driver-missing';
      return null;
    },
    /** The tokens now; with a version, waits (long poll) until the set differs from it. */
    tokens(changedSince, signal) {
      const query = changedSince ? '?changedSince=' + encodeURIComponent(changedSince) : '';
      return call('/v1/tokens' + query, { signal });
    },
    /** { tokenSerial, certificateId, pin, nonce, context } → { algorithm, signature, certificate } */
    sign(request) {
      return call('/v1/sign', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request) });
    },
  };
})();
