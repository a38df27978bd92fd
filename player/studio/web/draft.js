// The draft bundle as the server last gave it, and saving it (a colleague's save in between is
// told in plain words; the change made here is never dropped without asking).
import { api } from './api.js';
import { t } from './i18n.js';
import { announce, choose } from './ui.js';

export const draft = { version: '', playlist: null, diagnostics: [], loop: null };

function take(answer) {
  draft.version = answer.version;
  draft.playlist = answer.playlist;
  draft.diagnostics = answer.diagnostics || [];
  draft.loop = answer.loop || null;
}

export async function loadDraft() {
  take(await api('GET', '/api/draft'));
}

// A deep copy to edit, so a cancelled edit leaves the draft as it was.
export function copyPlaylist() {
  return structuredClone(draft.playlist || { version: 1, items: [] });
}

// Saves `playlist` over the draft. Resolves true when saved, false when the person chose to
// keep editing (their change is still in `playlist`). Other failures throw ApiError.
export async function saveDraft(playlist) {
  try {
    take(await api('PUT', '/api/draft', { json: { base: draft.version, playlist } }));
    announce(t('saved'));
    return true;
  } catch (e) {
    if (e.status !== 409 || !e.data || !e.data.current) throw e;
    const choice = await choose(t('conflict.title'), t('conflict.text'), [
      { label: t('conflict.keep'), value: 'keep' },
      { label: t('conflict.theirs'), value: 'theirs' },
      { label: t('conflict.mine'), value: 'mine', primary: true },
    ], 'keep');
    if (choice === 'theirs') {
      take(e.data.current);
      announce(t('conflict.loaded'));
      return true;
    }
    if (choice === 'mine') {
      take(await api('PUT', '/api/draft', { json: { base: e.data.current.version, playlist } }));
      announce(t('saved'));
      return true;
    }
    return false;
  }
}

export const itemId = (item, index) => (item && item.id) || `item-${index}`;
