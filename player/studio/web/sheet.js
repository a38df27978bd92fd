// The contact sheet: the whole loop as a player started at a chosen date and time plays it
// ("what Monday 9:30 shows"), each card drawn at its own time by the engine.
import { api } from './api.js';
import { h, field, fill } from './dom.js';
import { t } from './i18n.js';
import { draft } from './draft.js';
import { attempt } from './ui.js';
import { nowLocal, zonedIso } from './time.js';
import { clockText, reasonWords, itemTitle } from './bundle.js';

export function renderSheet(main) {
  const zone = draft.playlist && draft.playlist.timezone;
  const at = h('input', { type: 'datetime-local', id: 'sheet-at', name: 'sheet_at', value: nowLocal(zone) });
  const out = h('div', { class: 'sheet', 'aria-live': 'polite' });

  // The slot's title, or what the page shows for its item (statistics have no title).
  const slotTitle = (s) => s.title || (s.index !== null && s.index !== undefined && draft.playlist.items[s.index]
    ? itemTitle(draft.playlist.items[s.index]) : s.id) || '';

  async function show() {
    const iso = zonedIso(at.value, zone);
    const shown = at.value.replace('T', ' ');
    const res = await attempt(() => api('GET', `/api/contact-sheet?at=${encodeURIComponent(iso)}&width=320`));
    if (!res) return;
    fill(out, 
      h('p', { class: 'loop-length', text: res.length_s === null || res.length_s === undefined ? t('sheet.length_varies', { at: shown, n: (res.slots || []).length }) : t('sheet.length', { at: shown, loop: clockText(res.length_s), n: (res.slots || []).length }) }),
      (res.slots || []).length ? h('ol', { class: 'sheet-grid' }, res.slots.map((s) => h('li', { class: 'sheet-card' + (s.alert ? ' alert' : '') },
        s.thumbnail ? h('img', { src: s.thumbnail, alt: slotTitle(s), width: 320, height: 180, loading: 'lazy' }) : h('div', { class: 'thumb missing', text: t('sheet.fallback') }),
        h('div', { class: 'sheet-text' },
          h('strong', { text: `+${clockText(s.start_s)} ` }), `${t.has('type.' + s.type) ? t('type.' + s.type) : s.type} · ${slotTitle(s)} (${clockText(s.duration_s)})`))))
      : h('p', { class: 'empty', text: t('sheet.nothing') }),
      (res.absent || []).length ? h('div', {},
        h('h3', { text: t('sheet.absent') }),
        h('ul', {}, res.absent.map((a) => h('li', { text: `#${a.index + 1} ${a.id}${t('colon')}${reasonWords(a.reason)}` })))) : null);
  }

  fill(main, h('section', { class: 'card', 'aria-labelledby': 'sheet-title' },
    h('h2', { id: 'sheet-title', text: t('sheet.title') }),
    h('p', { text: t('sheet.intro', { zone: zone || t('sched.zone_system') }) }),
    h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); show(); } },
      field(t('sheet.at'), at),
      h('button', { type: 'submit', class: 'primary', id: 'sheet-show', text: t('sheet.show') })),
    out));
  show();
}
