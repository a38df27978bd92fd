// Schedules: a one-line summary for the bundle's rows and the editor for an item's windows
// (valid from/until in the playlist's time zone, weekdays, daily times).
import { h, field, uid } from './dom.js';
import { t } from './i18n.js';
import { zonedIso, localFromIso } from './time.js';

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function shortDate(iso, zone) {
  return localFromIso(iso, zone).replace('T', ' ');
}

export function scheduleSummary(schedule, zone) {
  if (!schedule || Object.keys(schedule).length === 0) return t('sched.always');
  const parts = [];
  if (schedule.valid_from || schedule.valid_until) {
    const from = schedule.valid_from ? shortDate(schedule.valid_from, zone) : '…';
    const until = schedule.valid_until ? shortDate(schedule.valid_until, zone) : '…';
    parts.push(`${from} – ${until}`);
  }
  if (Array.isArray(schedule.days) && schedule.days.length && schedule.days.length < 7) {
    parts.push(schedule.days.map((d) => t('day.' + d)).join(t('list.sep')));
  }
  if (Array.isArray(schedule.times) && schedule.times.length) {
    parts.push(schedule.times.map((w) => `${w.from}–${w.until}`).join(t('list.sep')));
  }
  return parts.join('; ');
}

// The schedule's form. `get()` returns the schedule object (undefined when nothing is set).
// `pointer` is the JSON pointer of the schedule ("/items/3/schedule") for diagnostics.
export function scheduleEditor(schedule, zone, pointer, onChange) {
  const s = structuredClone(schedule || {});
  const from = h('input', { type: 'datetime-local', name: 'valid_from', value: localFromIso(s.valid_from, zone) });
  const until = h('input', { type: 'datetime-local', name: 'valid_until', value: localFromIso(s.valid_until, zone) });
  const dayBoxes = DAYS.map((d) => h('input', {
    type: 'checkbox', name: 'day', value: d, id: uid('day'),
    checked: Array.isArray(s.days) ? s.days.includes(d) : false,
  }));
  const times = h('div', { class: 'times' });
  const addTime = (w = { from: '08:00', until: '18:00' }) => {
    const a = h('input', { type: 'time', name: 'time_from', value: w.from });
    const b = h('input', { type: 'time', name: 'time_until', value: w.until === '24:00' ? '23:59' : w.until });
    if (w.until === '24:00') b.dataset.midnight = '1';
    const row = h('div', { class: 'time-row' },
      field(t('sched.time_from'), a), field(t('sched.time_until'), b),
      h('button', { type: 'button', class: 'small', text: t('remove'),
        onclick: () => { row.remove(); onChange(); } }));
    a.addEventListener('input', onChange);
    b.addEventListener('input', () => { delete b.dataset.midnight; onChange(); });
    times.append(row);
  };
  (s.times || []).forEach((w) => addTime(w));
  for (const el of [from, until, ...dayBoxes]) el.addEventListener('input', onChange);

  const zoneNote = h('p', { class: 'hint', text: t('sched.zone', { zone: zone || t('sched.zone_system') }) });
  const element = h('fieldset', { class: 'schedule' },
    h('legend', { text: t('sched.title') }),
    zoneNote,
    h('div', { class: 'row2' },
      field(t('sched.from'), from, { pointer: pointer + '/valid_from' }),
      field(t('sched.until'), until, { pointer: pointer + '/valid_until' })),
    h('fieldset', { class: 'days' },
      h('legend', { text: t('sched.days') }),
      dayBoxes.map((box) => h('span', { class: 'day' }, box, h('label', { for: box.id, text: t('day.' + box.value) }))),
      h('div', { class: 'notes', 'data-pointer': pointer + '/days' })),
    h('div', { class: 'notes', 'data-pointer': pointer + '/times' }),
    times,
    h('button', { type: 'button', class: 'small', text: t('sched.add_time'), onclick: () => { addTime(); onChange(); } }),
    h('div', { class: 'notes', 'data-pointer': pointer }));

  function get() {
    const out = {};
    if (from.value) out.valid_from = zonedIso(from.value, zone);
    if (until.value) out.valid_until = zonedIso(until.value, zone);
    const days = dayBoxes.filter((b) => b.checked).map((b) => b.value);
    if (days.length && days.length < 7) out.days = days;
    const windows = [...times.querySelectorAll('.time-row')].map((row) => {
      const [a, b] = row.querySelectorAll('input');
      return { from: a.value, until: b.dataset.midnight ? '24:00' : b.value };
    }).filter((w) => w.from && w.until);
    if (windows.length) out.times = windows;
    return Object.keys(out).length ? out : undefined;
  }
  return { element, get };
}
