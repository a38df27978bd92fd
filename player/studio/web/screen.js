// The local screen: what the player shows now (drawn by the engine from its status.json) and the
// status.json itself.
import { api } from './api.js';
import { h, fill } from './dom.js';
import { t } from './i18n.js';

let timer = 0;

export function stopScreen() { clearInterval(timer); timer = 0; }

export function renderScreen(main) {
  stopScreen();
  const img = h('img', { class: 'screen-img', id: 'screen-img', alt: t('screen.alt'), hidden: true });
  const note = h('p', { class: 'hint', 'aria-live': 'polite' });
  const status = h('pre', { class: 'status-json', id: 'status-json', tabindex: 0, 'aria-label': t('screen.status') });
  const summary = h('p', { id: 'screen-summary' });

  async function refresh() {
    try {
      const blob = await api('GET', '/api/player/screen.png', { blob: true });
      if (img.src) URL.revokeObjectURL(img.src);
      img.src = URL.createObjectURL(blob);
      img.hidden = false;
      note.textContent = t('screen.updated', { at: new Date().toLocaleTimeString(document.documentElement.lang) });
    } catch (e) {
      img.hidden = true;
      note.textContent = e.status === 404 ? t('screen.no_player') : e.message;
    }
    try {
      const s = await api('GET', '/api/player/status');
      status.textContent = JSON.stringify(s, null, 2);
      const c = s && s.content;
      summary.textContent = c ? t('screen.playing', { r: c.revision, n: c.items, since: c.since ? new Date(c.since).toLocaleString(document.documentElement.lang) : '' }) : t('screen.no_content');
    } catch (e) {
      status.textContent = '';
      summary.textContent = e.status === 404 ? t('screen.no_player') : e.message;
    }
  }

  fill(main, h('section', { class: 'card', 'aria-labelledby': 'screen-title' },
    h('h2', { id: 'screen-title', text: t('screen.title') }),
    summary,
    h('div', { class: 'buttons' }, h('button', { type: 'button', text: t('screen.refresh'), onclick: refresh })),
    note, img,
    h('details', {}, h('summary', { text: t('screen.status') }), status)));
  refresh();
  timer = setInterval(() => { if (!document.hidden && document.body.contains(img)) refresh(); else if (!document.body.contains(img)) stopScreen(); }, 5000);
}
