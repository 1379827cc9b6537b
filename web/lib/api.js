// api.js - calls to the JSON API (/api/v1/...): parsed JSON or an ApiError
// whose message is the server's message, written for a person.

export class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code || null;
  }
}

/**
 * api(path, {method, body, signal, query}) -> parsed JSON.
 * path: "/api/v1/runs" or "runs" (prefixed with /api/v1/); query: an object of
 * parameters (null/undefined/'' dropped); body: JSON-encoded for POST/PUT.
 * Throws ApiError (status 0 when the server cannot be reached); an aborted
 * signal rejects with the DOMException AbortError as fetch does.
 */
export async function api(path, opts = {}) {
  let url = path.startsWith('/') ? path : '/api/v1/' + path;
  if (opts.query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query))
      if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
    const s = q.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  const init = {method: opts.method || 'GET', signal: opts.signal, headers: {Accept: 'application/json'}};
  if (opts.body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  let resp;
  try {
    resp = await fetch(url, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(`Cannot reach the ExplaiNER server (${e.message}). Is \`explainer serve\` still running?`, 0);
  }
  const text = await resp.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    if (resp.ok) throw new ApiError(`${url}: the server sent something that is not JSON`, resp.status);
  }
  if (!resp.ok) {
    const e = json && json.error;
    throw new ApiError(e && e.message ? e.message : `${url}: HTTP ${resp.status} ${resp.statusText}`,
      resp.status, e && e.code);
  }
  return json;
}
