// Alerts (停水通知 and the like): title, body, how many minutes; shown at once on the screens;
// cancelled with one click.
import { api } from './api.js';
import { h, field, fill } from './dom.js';
import { t } from './i18n.js';
import { draft, loadDraft } from './draft.js';
import { attempt, announce, confirmAction } from './ui.js';

// The API has no list of running alerts (the published content holds them, not the draft), so
// the alerts sent from this browser are remembered here (localStorage) until they end.
const KEY = 'studio.alerts';
function sentAlerts() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || '[]').filter((a) => Date.parse(a.until) > Date.now());
  } catch {
    return [];
  }
}
function keepAlerts(list) { localStorage.setItem(KEY, JSON.stringify(list)); }

// Alerts still running: those sent from here and alert items in the draft.
function activeAlerts() {
  const now = Date.now();
  const fromDraft = ((draft.playlist && draft.playlist.items) || [])
    .filter((i) => i.type === 'alert' && i.id && (!i.schedule || !i.schedule.valid_until || Date.parse(i.schedule.valid_until) > now))
    .map((i) => ({ id: i.id, title: i.title, until: i.schedule && i.schedule.valid_until }));
  const all = [...sentAlerts(), ...fromDraft];
  return all.filter((a, i) => all.findIndex((b) => b.id === a.id) === i);
}

export function renderAlerts(main) {
  const title = h('input', { type: 'text', name: 'alert_title', id: 'alert-title', required: true, placeholder: t('alert.title_example') });
  const body = h('textarea', { name: 'alert_body', id: 'alert-body', rows: 4, placeholder: t('alert.body_example') });
  const minutes = h('input', { type: 'number', name: 'alert_minutes', id: 'alert-minutes', min: 1, max: 10080, value: 120, required: true });
  // Sent alerts are urgent: emergency unless the sender says otherwise (docs/studio-api.md).
  const priority = h('select', { name: 'alert_priority', id: 'alert-priority' },
    [3, 2, 1].map((n) => h('option', { value: String(n), text: t('priority.' + n), selected: n === 3 })));
  const rerender = () => renderAlerts(main);

  async function send() {
    if (!title.value.trim()) { title.focus(); announce(t('alert.need_title')); return; }
    const res = await attempt(() => api('POST', '/api/alerts', { json: { title: title.value.trim(), body: body.value, minutes: Number(minutes.value), priority: Number(priority.value) } }));
    if (!res) return;
    keepAlerts([...sentAlerts(), { id: res.id, title: title.value.trim(), until: new Date(Date.now() + Number(minutes.value) * 60000).toISOString() }]);
    announce(t('alert.sent', { r: res.revision }));
    await loadDraft().catch(() => {});
    rerender();
  }

  async function cancel(alert) {
    if (!(await confirmAction(t('alert.cancel_confirm', { title: alert.title })))) return;
    const res = await attempt(() => api('DELETE', `/api/alerts/${encodeURIComponent(alert.id)}`));
    if (res === undefined) return;
    keepAlerts(sentAlerts().filter((a) => a.id !== alert.id));
    announce(t('alert.cancelled'));
    await loadDraft().catch(() => {});
    rerender();
  }

  const active = activeAlerts();
  fill(main, 
    h('section', { class: 'card alert-form', 'aria-labelledby': 'alerts-title' },
      h('h2', { id: 'alerts-title', text: t('alert.heading') }),
      h('p', { text: t('alert.intro') }),
      h('form', { onsubmit: (e) => { e.preventDefault(); send(); } },
        field(t('alert.title'), title),
        field(t('alert.body'), body),
        field(t('alert.minutes'), minutes, { hint: t('alert.minutes_hint') }),
        field(t('field.priority'), priority, { hint: t('hint.priority') }),
        h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary danger-fill', id: 'alert-send', text: t('alert.send') })))),
    h('section', { class: 'card', 'aria-labelledby': 'active-title' },
      h('h2', { id: 'active-title', text: t('alert.active') }),
      active.length ? h('ul', { class: 'plain-list' }, active.map((a) => h('li', {},
        h('span', { text: t('alert.line', { title: a.title, until: a.until ? new Date(a.until).toLocaleString(document.documentElement.lang) : '—' }) }),
        h('button', { type: 'button', class: 'small danger', text: t('alert.cancel'), onclick: () => cancel(a) }))))
        : h('p', { class: 'empty', text: t('alert.none') })));
}
