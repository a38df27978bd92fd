// Rows pasted from Excel/WPS (tab-separated) or a CSV file become headlines, statistics or ticker
// items: the server parses them (POST /api/import), the page shows what will be added, then adds.
import { api } from './api.js';
import { h, field, fill } from './dom.js';
import { t } from './i18n.js';
import { copyPlaylist, saveDraft } from './draft.js';
import { attempt, announce } from './ui.js';

// A CSV saved by Excel on a Chinese Windows is often GB18030 ("ANSI"): read it as that when it is
// not UTF-8.
async function readText(file) {
  const bytes = await file.arrayBuffer();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

const COLUMNS = {
  headline: ['title', 'subtitle', 'body'],
  statistic: ['label', 'value', 'unit', 'comparison'],
};

export function renderImport(main, { kind: initial, go }) {
  let result = null;
  const kind = h('select', { name: 'import_kind', id: 'import-kind' },
    ['headline', 'statistic', 'ticker'].map((k) => h('option', { value: k, text: t('import.kind_' + k), selected: k === initial })));
  const text = h('textarea', { name: 'import_text', id: 'import-text', rows: 8, placeholder: t('import.placeholder') });
  const file = h('input', { type: 'file', name: 'import_file', id: 'import-file', accept: '.csv,.tsv,.txt,text/csv,text/plain' });
  const columns = h('p', { class: 'hint', id: 'import-columns' });
  const out = h('div', { class: 'import-result', 'aria-live': 'polite' });
  const showColumns = () => { columns.textContent = t('import.columns_' + kind.value); };
  kind.addEventListener('input', () => { showColumns(); fill(out); result = null; });
  showColumns();
  file.addEventListener('change', async () => {
    if (file.files[0]) text.value = await readText(file.files[0]);
  });

  function table(res) {
    if (res.ticker) {
      return h('ol', { class: 'import-ticker' }, res.ticker.map((line) => h('li', { text: line })));
    }
    // The fields the server read the columns as (a header row may reorder them).
    const cols = Array.isArray(res.columns) && res.columns.length ? res.columns : COLUMNS[kind.value] || ['title'];
    return h('table', { class: 'import-table' },
      h('caption', { text: t('import.will_add', { n: (res.items || []).length }) }),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: '#' }), cols.map((c) => h('th', { scope: 'col', text: t.has('field.' + c) ? t('field.' + c) : c })))),
      h('tbody', {}, (res.items || []).map((item, i) => h('tr', {}, h('td', { text: i + 1 }),
        cols.map((c) => h('td', { text: item[c] || '' }))))));
  }

  async function previewRows() {
    const res = await attempt(() => api('POST', '/api/import', { json: { kind: kind.value, text: text.value } }));
    if (!res) return;
    result = res;
    const count = res.ticker ? res.ticker.length : (res.items || []).length;
    fill(out, 
      h('h3', { text: t('import.preview_title', { n: count }) }),
      table(res),
      (res.problems || []).length ? h('ul', { class: 'problems' },
        res.problems.map((p) => h('li', { class: 'diag warning', text: t('import.row', { row: p.row }) + t('colon') + p.message }))) : null,
      h('div', { class: 'buttons' },
        h('button', { type: 'button', class: 'primary', id: 'import-add', text: t('import.add'), disabled: count === 0, onclick: add })));
  }

  async function add() {
    if (!result) return;
    const playlist = copyPlaylist();
    if (result.ticker) {
      playlist.ticker = { ...(playlist.ticker || {}) };
      playlist.ticker.items = [...(playlist.ticker.items || []), ...result.ticker];
    } else {
      playlist.items = [...(playlist.items || []), ...result.items];
    }
    const ok = await attempt(() => saveDraft(playlist));
    if (ok) {
      announce(t('import.added', { n: result.ticker ? result.ticker.length : result.items.length }));
      go('bundle');
    }
  }

  fill(main, h('section', { class: 'import card', 'aria-labelledby': 'import-title' },
    h('h2', { id: 'import-title', text: t('import.title') }),
    h('p', { text: t('import.intro') }),
    field(t('import.kind'), kind),
    columns,
    field(t('import.paste'), text),
    field(t('import.file'), file),
    h('div', { class: 'buttons' },
      h('a', { class: 'button', href: '#bundle', text: t('back') }),
      h('button', { type: 'button', class: 'primary', id: 'import-preview', text: t('import.preview'), onclick: previewRows })),
    out));
}
