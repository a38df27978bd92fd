// The bundle: every item as a row (thumbnail, type, title, schedule, start in the loop) with
// edit/duplicate/move/delete; the ticker; the theme and logo; the bundle's own settings.
import { h, field, fill } from './dom.js';
import { t } from './i18n.js';
import { draft, copyPlaylist, saveDraft, itemId } from './draft.js';
import { scheduleSummary } from './schedule.js';
import { TYPES } from './editor.js';
import { pictureInput } from './upload.js';
import { attempt, confirmAction } from './ui.js';

export function clockText(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(seconds);
  const hours = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60));
  const ss = String(s % 60).padStart(2, '0');
  return hours ? `${hours}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

// Why an item is not in the loop (GET /api/loop's "reason"), in words.
export function reasonWords(reason) {
  return t.has('reason.' + reason) ? t('reason.' + reason) : reason;
}

export function itemTitle(item) {
  const text = item.title || item.label || item.caption || item.value || item.image || '';
  if (item.type === 'statistic') return [item.value, item.unit, item.label].filter(Boolean).join(' ');
  return String(text).split('\n')[0];
}

async function change(mutate, render) {
  const playlist = copyPlaylist();
  mutate(playlist);
  const ok = await attempt(() => saveDraft(playlist));
  if (ok !== undefined) render();
}

function itemRow(item, index, count, ctx) {
  const id = itemId(item, index);
  const loop = draft.loop || { slots: [], absent: [] };
  const slot = (loop.slots || []).find((s) => s.index === index);
  const absent = (loop.absent || []).find((a) => a.index === index);
  const when = slot ? t('row.starts', { at: clockText(slot.start_s), d: clockText(slot.duration_s) })
    : absent ? t('row.absent', { why: reasonWords(absent.reason) }) : '';
  const errors = (draft.diagnostics || []).filter((d) => d.pointer === `/items/${index}` || d.pointer.startsWith(`/items/${index}/`));
  const title = itemTitle(item) || t('row.untitled');
  const thumb = h('img', { class: 'thumb', loading: 'lazy', width: 160, height: 90, alt: t('row.thumb_alt', { title }),
    src: `/api/thumbnail?item=${encodeURIComponent(id)}&version=${encodeURIComponent(draft.version)}&width=320` });
  thumb.addEventListener('error', () => { thumb.replaceWith(h('div', { class: 'thumb missing', text: t('row.no_thumb') })); });
  const move = (delta) => change((p) => {
    const [moved] = p.items.splice(index, 1);
    p.items.splice(index + delta, 0, moved);
  }, () => { ctx.render(); document.querySelector(`[data-row="${index + delta}"] .move-${delta < 0 ? 'up' : 'down'}`)?.focus(); });
  return h('li', { class: 'item-row', 'data-row': index, 'data-type': item.type },
    thumb,
    h('div', { class: 'item-text' },
      h('div', { class: 'item-meta' },
        h('span', { class: 'badge type-' + item.type, text: t('type.' + item.type) }),
        h('span', { class: 'start', text: when })),
      h('h3', { class: 'item-title', text: `${index + 1}. ${title}` }),
      h('div', { class: 'item-sched', text: t('row.schedule') + t('colon') + scheduleSummary(item.schedule, draft.playlist.timezone) }),
      errors.length ? h('div', { class: 'diag ' + (errors.some((d) => d.severity === 'error') ? 'error' : 'warning'),
        text: errors.map((d) => d.message).join(' · ') }) : null),
    ctx.canEdit ? h('div', { class: 'item-actions', role: 'group', 'aria-label': t('row.actions', { title }) },
      h('button', { type: 'button', class: 'edit', text: t('row.edit'), onclick: () => ctx.go('edit/' + index) }),
      h('button', { type: 'button', class: 'dup', text: t('row.duplicate'), onclick: () => change((p) => {
        const copy = structuredClone(p.items[index]);
        delete copy.id;
        p.items.splice(index + 1, 0, copy);
      }, ctx.render) }),
      h('button', { type: 'button', class: 'move-up', text: '↑', 'aria-label': t('row.up'), title: t('row.up'), disabled: index === 0, onclick: () => move(-1) }),
      h('button', { type: 'button', class: 'move-down', text: '↓', 'aria-label': t('row.down'), title: t('row.down'), disabled: index === count - 1, onclick: () => move(1) }),
      h('button', { type: 'button', class: 'danger', text: t('row.delete'), onclick: async () => {
        if (await confirmAction(t('row.delete_confirm', { title }))) change((p) => p.items.splice(index, 1), ctx.render);
      } })) : null);
}

function tickerForm(ctx) {
  const ticker = (draft.playlist.ticker) || {};
  const lines = h('textarea', { name: 'ticker_items', rows: 5, value: (ticker.items || []).join('\n') });
  const sep = h('input', { type: 'text', name: 'ticker_separator', value: ticker.separator ?? '', placeholder: '　◆　' });
  const speed = h('input', { type: 'number', name: 'ticker_speed', min: 5, max: 1000, value: ticker.speed ?? '', placeholder: '120' });
  const pos = h('select', { name: 'ticker_position' },
    ['bottom', 'top'].map((v) => h('option', { value: v, text: t('ticker.' + v), selected: (ticker.position || 'bottom') === v })));
  const save = () => change((p) => {
    const items = lines.value.split('\n').map((s) => s.trim()).filter(Boolean);
    if (!items.length) { delete p.ticker; return; }
    p.ticker = { ...(p.ticker || {}), items };
    if (sep.value) p.ticker.separator = sep.value; else delete p.ticker.separator;
    if (speed.value) p.ticker.speed = Number(speed.value); else delete p.ticker.speed;
    p.ticker.position = pos.value;
  }, ctx.render);
  return h('form', { class: 'card', id: 'ticker-form', 'aria-labelledby': 'ticker-title', onsubmit: (e) => { e.preventDefault(); save(); } },
    h('h2', { id: 'ticker-title', text: t('ticker.title') }),
    field(t('ticker.items'), lines, { hint: t('ticker.items_hint'), pointer: '/ticker/items' }),
    h('div', { class: 'row3' },
      field(t('ticker.separator'), sep, { pointer: '/ticker/separator' }),
      field(t('ticker.speed'), speed, { pointer: '/ticker/speed' }),
      field(t('ticker.position'), pos)),
    h('div', { class: 'buttons' },
      ctx.canEdit ? h('a', { class: 'button', href: '#import/ticker', text: t('import.paste_ticker') }) : null,
      ctx.canEdit ? h('button', { type: 'submit', text: t('ticker.save') }) : null));
}

function themeForm(ctx) {
  const theme = draft.playlist.theme || {};
  const current = theme.preset || 'navy';
  const presets = ['navy', 'light', 'contrast'].map((name) => {
    const input = h('input', { type: 'radio', name: 'theme_preset', value: name, id: 'preset-' + name, checked: current === name });
    return h('div', { class: 'preset preset-' + name }, input,
      h('label', { for: input.id }, h('span', { class: 'swatch', 'aria-hidden': 'true' }), t('theme.' + name)));
  });
  const logo = h('p', { class: 'hint', text: theme.logo ? t('theme.logo_is', { path: theme.logo }) : t('theme.no_logo') });
  const setTheme = (mutate) => change((p) => { p.theme = { ...(p.theme || {}) }; mutate(p.theme); }, ctx.render);
  return h('form', { class: 'card', id: 'theme-form', 'aria-labelledby': 'theme-title', onsubmit: (e) => {
    e.preventDefault();
    const chosen = e.target.querySelector('input[name=theme_preset]:checked');
    setTheme((th) => { th.preset = chosen ? chosen.value : 'navy'; });
  } },
  h('h2', { id: 'theme-title', text: t('theme.title') }),
  h('fieldset', { class: 'presets' }, h('legend', { text: t('theme.preset') }), presets,
    h('div', { class: 'notes', 'data-pointer': '/theme/preset' })),
  ctx.canEdit ? h('div', { class: 'buttons' }, h('button', { type: 'submit', text: t('theme.save') })) : null,
  h('h3', { text: t('theme.logo') }), logo,
  ctx.canEdit ? pictureInput(t('theme.upload_logo'), 'logo', (r) => setTheme((th) => { th.logo = r.path; })) : null,
  ctx.canEdit && theme.logo ? h('button', { type: 'button', class: 'small', text: t('theme.remove_logo'),
    onclick: () => setTheme((th) => { delete th.logo; }) }) : null);
}

function settingsForm(ctx) {
  const p = draft.playlist;
  const title = h('input', { type: 'text', name: 'bundle_title', value: p.title || '' });
  const zone = h('input', { type: 'text', name: 'timezone', value: p.timezone || '', placeholder: 'Asia/Shanghai', list: 'zones' });
  const zones = h('datalist', { id: 'zones' },
    ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Urumqi', 'Europe/London', 'UTC'].map((z) => h('option', { value: z })));
  const lang = h('select', { name: 'lang' },
    [['zh-Hans', '简体中文'], ['zh-Hant', '繁體中文'], ['en', 'English'], ['ja', '日本語'], ['ug', 'ئۇيغۇرچە']]
      .map(([v, label]) => h('option', { value: v, text: label, selected: (p.lang || 'zh-Hans') === v })));
  const clock = h('input', { type: 'checkbox', name: 'clock', id: 'clock-box', checked: p.clock !== false });
  const duration = h('input', { type: 'number', name: 'default_duration', min: 1, max: 86400, value: (p.defaults && p.defaults.duration) || '', placeholder: '8' });
  const transition = h('select', { name: 'default_transition' },
    ['fade', 'slide', 'cut'].map((v) => h('option', { value: v, text: t('transition.' + v), selected: ((p.defaults && p.defaults.transition) || 'fade') === v })));
  const save = () => change((pl) => {
    if (title.value) pl.title = title.value; else delete pl.title;
    if (zone.value.trim()) pl.timezone = zone.value.trim(); else delete pl.timezone;
    pl.lang = lang.value;
    pl.clock = clock.checked;
    pl.defaults = { ...(pl.defaults || {}), transition: transition.value };
    if (duration.value) pl.defaults.duration = Number(duration.value); else delete pl.defaults.duration;
  }, ctx.render);
  return h('form', { class: 'card', id: 'settings-form', 'aria-labelledby': 'settings-title', onsubmit: (e) => { e.preventDefault(); save(); } },
    h('h2', { id: 'settings-title', text: t('bundle.settings') }),
    field(t('bundle.title_field'), title, { pointer: '/title' }),
    h('div', { class: 'row2' },
      field(t('bundle.timezone'), zone, { pointer: '/timezone', hint: t('bundle.timezone_hint') }),
      field(t('bundle.lang'), lang, { pointer: '/lang' })),
    zones,
    h('div', { class: 'row2' },
      field(t('bundle.default_duration'), duration, { pointer: '/defaults/duration' }),
      field(t('bundle.default_transition'), transition, { pointer: '/defaults/transition' })),
    h('div', { class: 'check' }, clock, h('label', { for: clock.id, text: t('bundle.clock') })),
    ctx.canEdit ? h('div', { class: 'buttons' }, h('button', { type: 'submit', text: t('bundle.save_settings') })) : null);
}

// Puts the draft's diagnostics that are not about items beside the fields of the forms above.
function placeGeneralDiagnostics(root) {
  for (const d of draft.diagnostics || []) {
    if (d.pointer.startsWith('/items/')) continue;
    const place = [...root.querySelectorAll('[data-pointer]')].find((p) => d.pointer === p.dataset.pointer || d.pointer.startsWith(p.dataset.pointer + '/'));
    const target = place || root.querySelector('.general-notes');
    target.append(h('div', { class: 'diag ' + d.severity }, h('strong', { text: t('sev.' + d.severity) + t('colon') }), d.message));
  }
}

export function renderBundle(main, ctx) {
  const p = draft.playlist || { items: [] };
  const loop = draft.loop || {};
  const type = h('select', { id: 'new-type', name: 'new_type' }, TYPES.map((ty) => h('option', { value: ty, text: t('type.' + ty) })));
  const items = p.items || [];
  const root = h('section', { class: 'bundle', 'aria-labelledby': 'bundle-title' },
    h('div', { class: 'bundle-head' },
      h('h2', { id: 'bundle-title', text: p.title || t('bundle.untitled') }),
      h('p', { class: 'loop-length', id: 'loop-length' },
        t('bundle.summary', { n: items.length, ticker: ((p.ticker && p.ticker.items) || []).length }),
        ' ', loop.length_s === null || loop.length_s === undefined ? t('bundle.loop_varies') : t('bundle.loop', { loop: clockText(loop.length_s) }))),
    h('div', { class: 'notes general-notes', 'aria-live': 'polite' }),
    ctx.canEdit ? h('div', { class: 'add-bar card' },
      field(t('bundle.new_type'), type),
      h('button', { type: 'button', class: 'primary', id: 'add-item', text: t('bundle.add'), onclick: () => ctx.go('new/' + type.value) }),
      h('a', { class: 'button', href: '#import/headline', id: 'open-import', text: t('import.open') })) : null,
    items.length ? h('ol', { class: 'items', 'aria-label': t('bundle.items') }, items.map((item, i) => itemRow(item, i, items.length, ctx)))
      : h('p', { class: 'empty', text: t('bundle.empty') }),
    h('div', { class: 'cards3' }, tickerForm(ctx), themeForm(ctx), settingsForm(ctx)));
  fill(main, root);
  placeGeneralDiagnostics(root);
  if (!ctx.canEdit) for (const el of root.querySelectorAll('input, select, textarea')) el.disabled = true;
}
