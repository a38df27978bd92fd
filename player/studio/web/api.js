// The one place the page talks to the studio: adds the CSRF token to every change, sends the
// page's language, and turns failures into plain words (ApiError.message) for people.
import { t, lang } from './i18n.js';

let csrfToken = '';
let onSignedOut = () => {};

export function setCsrf(token) { csrfToken = token || ''; }
export function whenSignedOut(fn) { onSignedOut = fn; }

export class ApiError extends Error {
  constructor(status, message, data) {
    super(message);
    this.status = status;  // 0: no answer (connection lost)
    this.data = data;      // the parsed JSON body, when there was one
  }
}

// Words for a failed request: the server's own (already in our language) when it gave some.
function plainWords(status, data) {
  const said = data && typeof data.error === 'string' ? data.error : '';
  if (status === 429) {
    const wait = data && data.retry_after_s ? data.retry_after_s : 60;
    return (said ? said + ' ' : '') + t('err.429', { s: wait });
  }
  if (said) return said;
  const known = [400, 401, 403, 404, 409, 413, 415, 422];
  if (known.includes(status)) return t('err.' + status);
  if (status >= 500) return t('err.500');
  return t('err.other', { status });
}

// api('PUT', '/api/draft', {json: {...}}) -> parsed JSON. {body, type}: raw bytes.
// {blob: true}: the body as a Blob (pictures). Throws ApiError.
export async function api(method, path, { json, body, type, blob } = {}) {
  const headers = { 'Accept-Language': lang() === 'zh' ? 'zh-CN,zh' : 'en' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (body !== undefined) {
    headers['Content-Type'] = type || 'application/octet-stream';
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, t('err.network'), null);
  }
  if (res.ok && blob) return res.blob();
  const isJson = (res.headers.get('content-type') || '').includes('json');
  const data = isJson ? await res.json().catch(() => null) : null;
  if (res.ok) return data;
  if (res.status === 401 && path !== '/api/login' && path !== '/api/me') onSignedOut();
  throw new ApiError(res.status, plainWords(res.status, data), data);
}
