// Resumable picture uploads: POST /api/uploads, PUT the file in chunks at their offset; after a
// lost connection ask the server where it is (GET) and go on from there; then finish.
import { api } from './api.js';
import { h, uid } from './dom.js';
import { t } from './i18n.js';
import { announce } from './ui.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Words for a refused upload, by the reason the server gave (its own words when it had some).
function uploadWords(e) {
  if (e.status === 0) return t('up.lost');
  if (e.status === 413) return e.data && e.data.error ? e.data.error : t('up.too_large');
  if (e.status === 415) return e.data && e.data.error ? e.data.error : t('up.not_picture');
  return e.message;
}

export async function uploadFile(file, as, onProgress = () => {}) {
  try {
    const start = await api('POST', '/api/uploads', { json: { name: file.name, size: file.size } });
    const id = start.id;
    const chunk = Math.max(1, start.chunk_bytes || 1 << 20);
    let offset = start.offset || 0;
    let failures = 0;
    while (offset < file.size) {
      onProgress(offset / file.size);
      try {
        const end = Math.min(file.size, offset + chunk);
        const answer = await api('PUT', `/api/uploads/${encodeURIComponent(id)}?offset=${offset}`,
          { body: file.slice(offset, end) });
        offset = answer.offset;
        failures = 0;
      } catch (e) {
        if (e.status === 409 && e.data && Number.isInteger(e.data.offset)) {
          offset = e.data.offset;  // the server is elsewhere: go on from there
        } else if (e.status === 0 || e.status >= 500) {
          failures += 1;
          if (failures > 8) throw e;
          announce(t('up.retrying'));
          await sleep(Math.min(8000, 500 * 2 ** failures));
          const where = await api('GET', `/api/uploads/${encodeURIComponent(id)}`).catch(() => null);
          if (where && Number.isInteger(where.offset)) offset = where.offset;
        } else {
          throw e;
        }
      }
    }
    onProgress(1);
    return await api('POST', `/api/uploads/${encodeURIComponent(id)}/finish`, { json: { as } });
  } catch (e) {
    e.message = uploadWords(e);
    throw e;
  }
}

// A file picker with a progress bar and a line for what happened. `done(result)` gets
// {path, width, height, bytes}.
export function pictureInput(labelText, as, done) {
  const input = h('input', { type: 'file', id: uid('file'), accept: 'image/png,image/jpeg,.png,.jpg,.jpeg', name: 'picture_file' });
  const bar = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': t('up.progress') });
  const line = h('div', { class: 'notes', 'aria-live': 'polite' });
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    bar.hidden = false;
    line.textContent = t('up.sending', { name: file.name });
    line.className = 'notes';
    try {
      const result = await uploadFile(file, as, (p) => { bar.value = p; });
      line.textContent = t('up.done', { path: result.path, w: result.width, h: result.height });
      done(result);
    } catch (e) {
      line.textContent = e.message;
      line.className = 'notes error';
    } finally {
      bar.hidden = true;
      input.value = '';
    }
  });
  return h('div', { class: 'field upload' },
    h('label', { for: input.id, text: labelText }), input, bar, line);
}
