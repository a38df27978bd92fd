// Editing one item: a form for every field of its type, the checker's diagnostics beside each
// field (debounced while typing, matched by JSON pointer) and a live preview from the engine.
import { api } from './api.js';
import { h, field, clear, debounce, fill } from './dom.js';
import { t } from './i18n.js';
import { draft, copyPlaylist, saveDraft, itemId } from './draft.js';
import { scheduleEditor } from './schedule.js';
import { pictureInput } from './upload.js';
import { attempt, announce, confirmAction } from './ui.js';
import { nowLocal, zonedIso } from './time.js';

export const TYPES = ['headline', 'statistic', 'statistic_group', 'notice', 'image', 'alert'];

// The fields of each type (playlists/README.md): [key, kind, required].
const SPECS = {
  headline: [['title', 'lines', true], ['subtitle', 'lines'], ['body', 'paragraph'], ['image', 'image'],
    ['fit', 'fit'], ['focus', 'focus']],
  statistic: [['value', 'text', true], ['label', 'text', true], ['unit', 'text'], ['comparison', 'text'],
    ['series', 'series']],
  statistic_group: [['title', 'text'], ['statistics', 'group', true]],
  notice: [['title', 'text'], ['body', 'paragraph', true]],
  image: [['image', 'image', true], ['fit', 'fit'], ['focus', 'focus'], ['caption', 'text']],
  alert: [['title', 'text', true], ['body', 'paragraph'], ['priority', 'priority']],
};
const STAT_SPEC = [['value', 'text', true], ['label', 'text', true], ['unit', 'text'],
  ['comparison', 'text'], ['series', 'series']];

export function newItem(type, zone) {
  switch (type) {
    case 'statistic': return { type, value: '', label: '' };
    case 'statistic_group': return { type, title: '', statistics: [{ value: '', label: '' }, { value: '', label: '' }] };
    case 'notice': return { type, title: '', body: '' };
    case 'image': return { type, image: '' };
    case 'alert': {
      const now = nowLocal(zone);
      const later = new Date(Date.parse(now + ':00Z') + 2 * 3600e3).toISOString().slice(0, 16);
      return { type, title: '', body: '', schedule: { valid_from: zonedIso(now, zone), valid_until: zonedIso(later, zone) } };
    }
    default: return { type: 'headline', title: '' };
  }
}

function setOrDelete(obj, key, value) {
  if (value === '' || value === undefined || (Array.isArray(value) && value.length === 0)) delete obj[key];
  else obj[key] = value;
}

// "2023, 600" per line <-> [{label, value}]
const seriesText = (series) => (series || []).map((b) => `${b.label}, ${b.value}`).join('\n');
function parseSeries(text) {
  return text.split('\n').map((line) => line.trim()).filter(Boolean).map((line) => {
    const m = line.match(/^(.*?)[,，\t ]+(-?[\d.]+(?:e\d+)?)$/i);
    return m ? { label: m[1].trim(), value: Number(m[2]) } : { label: line, value: NaN };
  });
}

// One control for obj[key], its label and a place for diagnostics at `pointer`.
function control(obj, key, kind, required, pointer, changed) {
  const label = t('field.' + key) + (required ? ' *' : '');
  const hint = t.has('hint.' + key) ? t('hint.' + key) : undefined;
  const bind = (el, read) => { el.addEventListener('input', () => { setOrDelete(obj, key, read()); changed(); }); return el; };
  switch (kind) {
    case 'lines': case 'paragraph': {
      const el = h('textarea', { name: key, rows: kind === 'paragraph' ? 5 : 2, value: obj[key] || '', required });
      return field(label, bind(el, () => el.value), { hint, pointer });
    }
    case 'fit': {
      const el = h('select', { name: key },
        h('option', { value: '', text: t('fit.default_' + (obj.type === 'image' ? 'contain' : 'cover')) }),
        h('option', { value: 'cover', text: t('fit.cover'), selected: obj[key] === 'cover' }),
        h('option', { value: 'contain', text: t('fit.contain'), selected: obj[key] === 'contain' }));
      return field(label, bind(el, () => el.value), { pointer });
    }
    case 'priority': {
      // 1 information, 2 warning (the format's default), 3 emergency.
      const el = h('select', { name: key },
        [1, 2, 3].map((n) => h('option', { value: String(n), text: t('priority.' + n), selected: (obj[key] || 2) === n })));
      return field(label, bind(el, () => Number(el.value)), { hint, pointer });
    }
    case 'focus': {
      const [fx, fy] = Array.isArray(obj.focus) ? obj.focus : ['', ''];
      const x = h('input', { type: 'number', name: 'focus_x', min: 0, max: 1, step: 0.05, value: fx });
      const y = h('input', { type: 'number', name: 'focus_y', min: 0, max: 1, step: 0.05, value: fy });
      const read = () => (x.value === '' && y.value === '' ? undefined : [Number(x.value || 0.5), Number(y.value || 0.5)]);
      bind(x, read); bind(y, read);
      return h('fieldset', { class: 'focus' }, h('legend', { text: label }),
        h('div', { class: 'row2' }, field(t('focus.x'), x), field(t('focus.y'), y, { pointer })),
        h('div', { class: 'hint', text: t('hint.focus') }));
    }
    case 'series': {
      const el = h('textarea', { name: key, rows: 3, value: seriesText(obj[key]) });
      return field(label, bind(el, () => parseSeries(el.value)), { hint: t('hint.series'), pointer });
    }
    case 'image': {
      const path = h('input', { type: 'text', name: key, value: obj[key] || '', required, autocomplete: 'off' });
      bind(path, () => path.value.trim());
      const picker = pictureInput(t('up.choose'), 'picture', (result) => {
        path.value = result.path;
        setOrDelete(obj, key, result.path);
        changed();
      });
      return h('div', { class: 'image-field' }, field(label, path, { hint: t('hint.image'), pointer }), picker);
    }
    case 'group': return groupControl(obj, pointer, changed);
    default: {
      const el = h('input', { type: 'text', name: key, value: obj[key] || '', required, autocomplete: 'off' });
      return field(label, bind(el, () => el.value), { hint, pointer });
    }
  }
}

// statistic_group: 2 to 6 statistics, each with its own fields.
function groupControl(item, pointer, changed) {
  item.statistics = item.statistics || [];
  const box = h('div', { class: 'group' });
  const draw = () => {
    clear(box);
    item.statistics.forEach((stat, i) => {
      box.append(h('fieldset', { class: 'member' },
        h('legend', { text: t('group.member', { n: i + 1 }) }),
        STAT_SPEC.map(([key, kind, req]) => control(stat, key, kind, req, `${pointer}/${i}/${key}`, changed)),
        h('div', { class: 'notes', 'data-pointer': `${pointer}/${i}` }),
        h('button', { type: 'button', class: 'small', text: t('group.remove'), disabled: item.statistics.length <= 2,
          onclick: () => { item.statistics.splice(i, 1); draw(); changed(); } })));
    });
    box.append(h('button', { type: 'button', class: 'small', text: t('group.add'), disabled: item.statistics.length >= 6,
      onclick: () => { item.statistics.push({ value: '', label: '' }); draw(); changed(); } }),
    h('div', { class: 'notes', 'data-pointer': pointer }));
  };
  draw();
  return h('fieldset', { class: 'statistics' }, h('legend', { text: t('field.statistics') + ' *' }), box);
}

// Puts each diagnostic beside the field with the longest pointer that contains it.
function showDiagnostics(form, diagnostics, base) {
  const places = [...form.querySelectorAll('[data-pointer]')];
  for (const place of places) { clear(place); place.classList.remove('error', 'warning'); }
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  const general = form.querySelector('.item-notes');
  let errors = 0;
  for (const d of diagnostics) {
    if (d.pointer !== base && !d.pointer.startsWith(base + '/')) continue;
    if (d.severity === 'error') errors += 1;
    let best = null;
    for (const place of places) {
      const p = place.dataset.pointer;
      if ((d.pointer === p || d.pointer.startsWith(p + '/')) && (!best || p.length > best.dataset.pointer.length)) best = place;
    }
    const target = best || general;
    target.append(h('div', { class: 'diag ' + d.severity },
      h('strong', { text: t('sev.' + d.severity) + t('colon') }), d.message));
    if (best && d.severity === 'error') {
      const input = form.querySelector(`[aria-describedby="${best.id}"]`);
      if (input) input.setAttribute('aria-invalid', 'true');
    }
  }
  return errors;
}

// The editor screen for item `index` of the draft (index === items.length: a new item).
export function renderEditor(main, { index, item: given, go }) {
  const playlist = copyPlaylist();
  const zone = playlist.timezone;
  const item = given || structuredClone(playlist.items[index]);
  if (!item) { go('bundle'); return; }
  const base = `/items/${index}`;
  const isNew = index >= playlist.items.length;
  let orientation = 'landscape';
  let previewSeq = 0;
  let previewUrl = '';

  const withItem = () => {
    const p = structuredClone(playlist);
    p.items[index] = structuredClone(item);
    return p;
  };

  const form = h('form', { class: 'editor-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); save(); } });
  const img = h('img', { class: 'preview-img', alt: t('preview.alt'), hidden: true });
  const previewNote = h('p', { class: 'hint', 'aria-live': 'polite', text: t('preview.waiting') });
  const summary = h('p', { class: 'diag-summary', 'aria-live': 'polite' });

  const check = debounce(async () => {
    const answer = await api('POST', '/api/check', { json: { playlist: withItem() } }).catch((e) => {
      summary.textContent = e.message;
      return null;
    });
    if (!answer) return;
    const errors = showDiagnostics(form, answer.diagnostics || [], base);
    summary.textContent = errors ? t('diag.errors', { n: errors }) : t('diag.none');
    preview();
  }, 400);

  async function preview() {
    const seq = ++previewSeq;
    previewNote.textContent = t('preview.drawing');
    try {
      const blob = await api('POST', '/api/preview', {
        json: { playlist: withItem(), item: index, orientation }, blob: true,
      });
      if (seq !== previewSeq) return;
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      previewUrl = URL.createObjectURL(blob);
      img.src = previewUrl;
      img.hidden = false;
      img.dataset.orientation = orientation;
      previewNote.textContent = t('preview.ready', { o: t('orient.' + orientation) });
    } catch (e) {
      if (seq !== previewSeq) return;
      previewNote.textContent = e.status === 422 ? t('preview.fix_errors') : e.message;
    }
  }

  const changed = () => check();
  const common = [];
  const idInput = h('input', { type: 'text', name: 'id', value: item.id || '', autocomplete: 'off', placeholder: itemId(null, index) });
  idInput.addEventListener('input', () => { setOrDelete(item, 'id', idInput.value.trim()); changed(); });
  const duration = h('input', { type: 'number', name: 'duration', min: 1, max: 86400, step: 1, value: item.duration ?? '',
    placeholder: String((playlist.defaults && playlist.defaults.duration) || 8) });
  duration.addEventListener('input', () => { setOrDelete(item, 'duration', duration.value === '' ? '' : Number(duration.value)); changed(); });
  const transition = h('select', { name: 'transition' },
    h('option', { value: '', text: t('transition.default') }),
    ['fade', 'slide', 'cut'].map((v) => h('option', { value: v, text: t('transition.' + v), selected: item.transition === v })));
  transition.addEventListener('input', () => { setOrDelete(item, 'transition', transition.value); changed(); });
  common.push(h('div', { class: 'row3' },
    field(t('field.duration'), duration, { pointer: base + '/duration', hint: t('hint.duration') }),
    field(t('field.transition'), transition, { pointer: base + '/transition' }),
    field(t('field.id'), idInput, { pointer: base + '/id', hint: t('hint.id') })));
  const sched = scheduleEditor(item.schedule, zone, base + '/schedule', () => {
    setOrDelete(item, 'schedule', sched.get());
    changed();
  });

  form.append(
    h('div', { class: 'notes item-notes', 'data-pointer': base }),
    ...SPECS[item.type].map(([key, kind, req]) => control(item, key, kind, req, `${base}/${key}`, changed)),
    ...common,
    sched.element,
    summary,
    h('div', { class: 'buttons sticky' },
      h('button', { type: 'button', text: t('cancel'), onclick: async () => { if (await confirmAction(t('edit.leave'))) go('bundle'); } }),
      h('button', { type: 'submit', class: 'primary', id: 'save-item', text: t('edit.save') })));

  const orientButtons = ['landscape', 'portrait'].map((o) => h('button', {
    type: 'button', 'aria-pressed': String(o === orientation), text: t('orient.' + o),
    onclick: (e) => {
      orientation = o;
      for (const b of e.target.parentNode.children) b.setAttribute('aria-pressed', String(b === e.target));
      preview();
    },
  }));

  async function save() {
    const p = withItem();
    const ok = await attempt(() => saveDraft(p));
    if (ok) {
      announce(isNew ? t('edit.added') : t('saved'));
      go('bundle');
    }
  }

  fill(main, h('section', { class: 'editor', 'aria-labelledby': 'editor-title' },
    h('h2', { id: 'editor-title', text: (isNew ? t('edit.new') : t('edit.edit')) + t('colon') + t('type.' + item.type) }),
    h('div', { class: 'editor-grid' },
      form,
      h('aside', { class: 'preview', 'aria-labelledby': 'preview-title' },
        h('h3', { id: 'preview-title', text: t('preview.title') }),
        h('div', { class: 'segmented', role: 'group', 'aria-label': t('preview.orientation') }, orientButtons),
        previewNote, img))));
  form.querySelector('input, textarea, select').focus();
  check();
}
