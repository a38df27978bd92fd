// The fleet: every screen the broker knows (online or not, the revision it plays against the one
// published here, last seen, downloads, display), a screenshot on request, and for each alert
// which screens have shown it. Refreshed every few seconds while the page is open.
import { api } from './api.js';
import { h, fill } from './dom.js';
import { t } from './i18n.js';
import { announce, showError } from './ui.js';

const REFRESH_MS = 3000;
let timer = 0;
// player -> {received, url}: the last picture fetched, kept across redraws.
const pictures = new Map();

export function stopFleet() { clearInterval(timer); timer = 0; }

function ago(ms, now) {
  if (!ms) return t('fleet.never');
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 120) return t('fleet.ago_s', { n: s });
  if (s < 7200) return t('fleet.ago_min', { n: Math.round(s / 60) });
  if (s < 172800) return t('fleet.ago_h', { n: Math.round(s / 3600) });
  return t('fleet.ago_d', { n: Math.round(s / 86400) });
}

function revisionWords(p, expected) {
  if (p.revision === null) return t('fleet.rev_none');
  if (p.revision_state === 'current') return t('fleet.rev_current', { r: p.revision });
  if (p.revision_state === 'behind') return t('fleet.rev_behind', { r: p.revision, want: expected });
  if (p.revision_state === 'newer') return t('fleet.rev_newer', { r: p.revision, want: expected });
  return String(p.revision);
}

function syncWords(p) {
  if (!p.online) return '—';
  if (p.download && p.download.total) {
    const pct = Math.floor((100 * p.download.done) / p.download.total);
    return t('fleet.downloading', { pct, mb: (p.download.total / 1e6).toFixed(1) });
  }
  if (p.sync_error) return t('fleet.sync_error', { why: p.sync_error });
  const key = p.sync_state === 'error' ? 'fleet.sync_error_state' : 'fleet.sync_' + p.sync_state;
  return p.sync_state && t.has(key) ? t(key) : p.sync_state || '—';
}

const cell = (label, ...content) => h('td', { 'data-label': label }, ...content);

function playerRow(p, data, ask) {
  const lags = p.revision_state === 'behind';
  const cls = ['fleet-row', p.online ? '' : 'offline', lags ? 'lags' : ''].join(' ').trim();
  const shot = p.screenshot;
  const shotNote = !shot ? null : shot.state === 'waiting' ? t('fleet.shot_waiting')
    : shot.state === 'failed' ? t('fleet.shot_failed', { why: shot.error })
      : shot.state === 'no_answer' ? t('fleet.shot_no_answer') : null;
  return h('tr', { class: cls, 'data-player': p.name },
    h('th', { scope: 'row', 'data-label': t('fleet.col_player') }, p.name,
      p.groups.length ? h('span', { class: 'hint fleet-groups', text: ' ' + t('fleet.groups', { g: p.groups.join(t('list.sep')) }) }) : null),
    cell(t('fleet.col_online'), h('span', { class: 'badge ' + (p.online ? 'ok' : 'bad'), text: p.online ? t('fleet.online') : t('fleet.offline') })),
    cell(t('fleet.col_revision'), h('span', { class: lags ? 'warn-text' : '', text: revisionWords(p, data.expected_revision) })),
    cell(t('fleet.col_seen'), ago(p.last_seen_ms, data.now_ms)),
    cell(t('fleet.col_sync'), syncWords(p)),
    cell(t('fleet.col_display'), !p.online ? '—' : p.display === 'on' ? t('fleet.display_on') : p.display === 'off' ? t('fleet.display_off') : '—'),
    cell(t('fleet.col_shot'),
      h('button', { type: 'button', class: 'fleet-shot', disabled: !p.online, text: t('fleet.shot_button'),
        'aria-label': t('fleet.shot_for', { name: p.name }), onclick: () => ask(p.name) }),
      shotNote ? h('div', { class: 'hint', text: shotNote }) : null));
}

function alertBlock(a) {
  const names = (list) => (list.length ? list.join(t('list.sep')) : t('fleet.nobody'));
  const acked = a.acked.map((x) => (x.shown_after_s === null ? x.player
    : t('fleet.ack_after', { name: x.player, s: x.shown_after_s.toFixed(1) })));
  return h('section', { class: 'card fleet-alert', 'data-alert': a.id },
    h('h3', { text: a.title ? `${a.title} (${a.id})` : a.id }),
    a.groups.length ? h('p', { class: 'hint', text: t('fleet.alert_groups', { g: a.groups.join(t('list.sep')), until: a.expires ? new Date(a.expires).toLocaleString(document.documentElement.lang) : '—' }) }) : null,
    h('dl', { class: 'fleet-acks' },
      h('dt', { text: t('fleet.acked', { n: acked.length }) }), h('dd', { class: 'acked', text: names(acked) }),
      a.holding.length ? [h('dt', { text: t('fleet.holding', { n: a.holding.length }) }), h('dd', { class: 'holding', text: names(a.holding) })] : null,
      h('dt', { text: t('fleet.not_acked', { n: a.waiting.length + a.offline.length }) }),
      h('dd', { class: 'not-acked', text: names([...a.waiting, ...a.offline.map((n) => t('fleet.name_offline', { name: n }))]) })));
}

function notConfigured() {
  return h('section', { class: 'card', id: 'fleet-setup' },
    h('h2', { id: 'fleet-title', text: t('fleet.title') }),
    h('p', { text: t('fleet.setup_intro') }),
    h('pre', { class: 'status-json', text: 'mqtt_broker = mqtts://broker.example.org:8883\nmqtt_fleet = district\nmqtt_ca_file = /etc/signage-player/broker-ca.pem\nmqtt_username = studio\nmqtt_password_file = /etc/signage-player/broker-password' }),
    h('p', { class: 'hint', text: t('fleet.setup_more') }));
}

export function renderFleet(main, ctx) {
  stopFleet();
  const summary = h('p', { id: 'fleet-summary', 'aria-live': 'polite' });
  const connection = h('p', { class: 'hint', id: 'fleet-connection' });
  const push = h('p', { class: 'hint', id: 'fleet-push' });
  const body = h('tbody');
  const shots = h('div', { class: 'fleet-shots', id: 'fleet-shots' });
  const alerts = h('div', { id: 'fleet-alerts' });

  async function ask(name) {
    try {
      await api('POST', `/api/fleet/players/${encodeURIComponent(name)}/screenshot`);
      announce(t('fleet.shot_asked', { name }));
      refresh();
    } catch (e) {
      showError(e.message);
    }
  }

  async function picture(p) {
    const s = p.screenshot;
    if (!s || !s.has_image) return null;
    let kept = pictures.get(p.name);
    if (!kept || kept.received !== s.received_ms) {
      try {
        const blob = await api('GET', `/api/fleet/players/${encodeURIComponent(p.name)}/screenshot`, { blob: true });
        if (kept) URL.revokeObjectURL(kept.url);
        kept = { received: s.received_ms, url: URL.createObjectURL(blob) };
        pictures.set(p.name, kept);
      } catch {
        return null;
      }
    }
    return h('figure', { class: 'fleet-shot-figure', 'data-player': p.name },
      h('img', { src: kept.url, alt: t('fleet.shot_alt', { name: p.name }) }),
      h('figcaption', { text: t('fleet.shot_caption', { name: p.name, at: new Date(s.received_ms).toLocaleTimeString(document.documentElement.lang) }) }));
  }

  async function refresh() {
    if (!document.body.contains(body)) return stopFleet();
    let data;
    try {
      data = await api('GET', '/api/fleet');
    } catch (e) {
      connection.textContent = e.message;
      return;
    }
    if (!data.configured) {
      stopFleet();
      fill(main, notConfigured());
      return;
    }
    const ps = data.players;
    const offline = ps.filter((p) => !p.online).length;
    const behind = ps.filter((p) => p.online && p.revision_state === 'behind').length;
    summary.textContent = t('fleet.summary', { n: ps.length, on: ps.length - offline, off: offline })
      + (data.expected_revision ? ' ' + t('fleet.summary_behind', { b: behind, r: data.expected_revision }) : ' ' + t('fleet.nothing_published'));
    connection.textContent = data.connected ? t('fleet.connected', { broker: data.broker, fleet: data.fleet })
      : t('fleet.disconnected', { broker: data.broker, why: data.error || '…' });
    connection.classList.toggle('error-text', !data.connected);
    const g = data.push.groups.join(', ');
    push.textContent = data.push.error ? t('fleet.push_error', { why: data.push.error })
      : t(data.push.alerts ? 'fleet.push_alerts' : 'fleet.push_updates', { g });
    push.classList.toggle('error-text', !!data.push.error);
    fill(body, ps.length ? ps.map((p) => playerRow(p, data, ctx.canEdit ? ask : () => showError(t('err.403')))) :
      h('tr', {}, h('td', { colspan: 7, class: 'empty', text: t('fleet.no_players') })));
    fill(shots, (await Promise.all(ps.map(picture))).filter(Boolean));
    fill(alerts, data.alerts.length ? [h('h2', { text: t('fleet.alerts_title') }), data.alerts.map(alertBlock)] : null);
  }

  fill(main, h('section', { class: 'card', 'aria-labelledby': 'fleet-title' },
    h('h2', { id: 'fleet-title', text: t('fleet.title') }),
    summary, connection, push,
    h('table', { class: 'fleet-table', id: 'fleet-table' },
      h('caption', { class: 'sr-only', text: t('fleet.title') }),
      h('thead', {}, h('tr', {}, ['col_player', 'col_online', 'col_revision', 'col_seen', 'col_sync', 'col_display', 'col_shot']
        .map((k) => h('th', { scope: 'col', text: t('fleet.' + k) })))),
      body),
    h('p', { class: 'hint', text: t('fleet.refresh_note', { s: REFRESH_MS / 1000 }) })),
  shots, alerts);
  refresh();
  timer = setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_MS);
}
