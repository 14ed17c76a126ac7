// The console's one door to the API: the same public endpoints every client uses, authenticated by the HttpOnly
// session cookie the browser sends by itself. No token is ever read or stored here; unsafe requests carry the
// session's CSRF token, which lives only in this module's memory.
let csrf = null;

export function setCsrf(token) { csrf = token; }

/** A refusal of the API: RFC 9457 problem with a stable code and a detail to show. */
export class Problem extends Error {
  constructor(status, body) {
    super(body?.detail || body?.title || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code || 'http_' + status;
    this.title = body?.title || '';
    this.detail = body?.detail || '';
    this.errors = body?.errors || null;
  }
}

const unsafe = (method) => !['GET', 'HEAD', 'OPTIONS'].includes(method);

export async function call(method, path, body, headers = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (unsafe(method) && csrf) h['X-CSRF-Token'] = csrf;
  const response = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) throw new Problem(response.status, typeof data === 'object' ? data : { detail: data });
  return data;
}

export const get = (path) => call('GET', path);
export const post = (path, body, headers) => call('POST', path, body, headers);
export const put = (path, body) => call('PUT', path, body);
export const del = (path) => call('DELETE', path);

/** PUT of a file with upload progress (fetch cannot report it; XMLHttpRequest's upload events can). */
export function upload(path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', path);
    xhr.setRequestHeader('Accept', 'application/json');
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); };
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { data = { detail: xhr.responseText }; }
      if (xhr.status >= 200 && xhr.status < 300) { onProgress(file.size, file.size); resolve(data); } else reject(new Problem(xhr.status, data));
    };
    xhr.onerror = () => reject(new Problem(0, { detail: 'network error' }));
    xhr.send(file);
  });
}

/** URL of a dataset file, each path segment escaped. */
export const fileUrl = (id, version, path) =>
  `/v1/datasets/${id}/versions/${version}/files/${path.split('/').map(encodeURIComponent).join('/')}`;
