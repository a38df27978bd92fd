// Publishing: a note and an optional time; the last revisions (restore with one click), publishes
// waiting for an approver, scheduled publishes and the history.
import { api } from './api.js';
import { h, field, fill } from './dom.js';
import { t } from './i18n.js';
import { draft, loadDraft } from './draft.js';
import { attempt, announce, confirmAction } from './ui.js';
import { zonedIso } from './time.js';

let lastResult = '';  // what the last publish did, kept across redraws

// Times come as ISO text or as Unix seconds (pending and scheduled publishes).
const when = (at) => (at === undefined || at === null || at === '' ? ''
  : new Date(typeof at === 'number' ? at * 1000 : at).toLocaleString(document.documentElement.lang));

function list(title, id, rows, empty) {
  return h('section', { class: 'card', 'aria-labelledby': id },
    h('h2', { id, text: title }),
    rows.length ? h('ul', { class: 'plain-list' }, rows) : h('p', { class: 'empty', text: empty }));
}

export async function renderPublish(main, ctx) {
  const zone = draft.playlist && draft.playlist.timezone;
  const [revisions, pending, scheduled, history] = await Promise.all([
    api('GET', '/api/revisions').catch(() => []),
    api('GET', '/api/pending').catch(() => []),
    api('GET', '/api/scheduled').catch(() => []),
    api('GET', '/api/history').catch(() => []),
  ]);
  const rerender = () => renderPublish(main, ctx);
  const note = h('input', { type: 'text', name: 'publish_note', id: 'publish-note', placeholder: t('pub.note_example') });
  const at = h('input', { type: 'datetime-local', name: 'publish_at', id: 'publish-at' });
  const errors = (draft.diagnostics || []).filter((d) => d.severity === 'error').length;

  async function publish() {
    const body = { base: draft.version, note: note.value };
    if (at.value) body.at = zonedIso(at.value, zone);
    const res = await attempt(() => api('POST', '/api/publish', { json: body }));
    if (!res) return;
    if (res.revision !== undefined) lastResult = t('pub.done', { r: res.revision });
    else if (res.pending !== undefined) lastResult = t('pub.pending');
    else lastResult = t('pub.scheduled', { at: when(res.at) });
    announce(lastResult);
    await loadDraft().catch(() => {});
    rerender();
  }

  const act = async (method, path, done, question) => {
    if (question && !(await confirmAction(question))) return;
    const res = await attempt(() => api(method, path));
    if (res === undefined) return;
    announce(done(res || {}));
    await loadDraft().catch(() => {});
    rerender();
  };

  fill(main, 
    h('section', { class: 'card publish', 'aria-labelledby': 'pub-title' },
      h('h2', { id: 'pub-title', text: t('pub.title') }),
      h('p', { text: errors ? t('pub.has_errors', { n: errors }) : t('pub.intro') }),
      h('form', { onsubmit: (e) => { e.preventDefault(); publish(); } },
        field(t('pub.note'), note),
        field(t('pub.at'), at, { hint: t('pub.at_hint', { zone: zone || t('sched.zone_system') }) }),
        h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'publish', text: t('pub.button'), disabled: !ctx.canEdit }))),
      h('p', { id: 'publish-result', class: 'result', text: lastResult })),
    list(t('rev.title'), 'rev-title', (revisions || []).map((r) => h('li', { class: r.current ? 'current' : '' },
      h('span', { text: t('rev.line', { r: r.revision, at: when(r.published_at), by: r.by || '', n: r.items ?? '', note: r.note || '' }) }),
      r.current ? h('strong', { text: ' ' + t('rev.current') })
        : ctx.canEdit ? h('button', { type: 'button', class: 'small', text: t('rev.restore', { r: r.revision }),
          onclick: () => act('POST', `/api/revisions/${r.revision}/restore`, (x) => t('rev.restored', { r: x.revision ?? r.revision }), t('rev.restore_confirm', { r: r.revision })) }) : null)),
    t('rev.none')),
    list(t('pending.title'), 'pending-title', (pending || []).map((p) => h('li', {},
      h('span', { text: t('pending.line', { by: p.by || '', at: when(p.at), note: p.note || '' }) + (p.publish_at ? ' ' + t('pending.for', { at: when(p.publish_at) }) : '') }),
      ctx.canApprove ? h('button', { type: 'button', class: 'small primary', text: t('pending.approve'),
        onclick: () => act('POST', `/api/pending/${encodeURIComponent(p.id)}/approve`, () => t('pending.approved')) }) : null,
      ctx.canApprove ? h('button', { type: 'button', class: 'small', text: t('pending.reject'),
        onclick: () => act('POST', `/api/pending/${encodeURIComponent(p.id)}/reject`, () => t('pending.rejected'), t('pending.reject_confirm')) }) : null)),
    t('pending.none')),
    list(t('sched_pub.title'), 'scheduled-title', (scheduled || []).map((s) => h('li', {},
      h('span', { text: t('sched_pub.line', { at: when(s.at), by: s.by || '', note: s.note || '' }) }),
      ctx.canEdit ? h('button', { type: 'button', class: 'small', text: t('sched_pub.cancel'),
        onclick: () => act('DELETE', `/api/scheduled/${encodeURIComponent(s.id)}`, () => t('sched_pub.cancelled'), t('sched_pub.cancel_confirm')) }) : null)),
    t('sched_pub.none')),
    h('section', { class: 'card', 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title', text: t('history.title') }),
      (history || []).length ? h('table', { class: 'history' },
        h('thead', {}, h('tr', {}, ['history.at', 'history.by', 'history.what', 'history.revision', 'history.note'].map((k) => h('th', { scope: 'col', text: t(k) })))),
        h('tbody', {}, [...history].reverse().map((e) => h('tr', {},
          h('td', { text: when(e.at) }), h('td', { text: e.by || '' }), h('td', { text: t.has('what.' + e.what) ? t('what.' + e.what) : e.what }),
          h('td', { text: e.revision ?? '' }), h('td', { text: e.note || '' })))))
        : h('p', { class: 'empty', text: t('history.none') })));
}
