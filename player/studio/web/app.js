// The studio's page: signs in, then shows one screen at a time by the address's #hash
// (#bundle, #edit/3, #new/headline, #import/ticker, #sheet, #publish, #alerts, #screen, #fleet,
// #accounts).
import { api, setCsrf, whenSignedOut } from './api.js';
import { h, fill } from './dom.js';
import { t, lang, setLang, onLangChange, LANGS } from './i18n.js';
import { draft, loadDraft } from './draft.js';
import { showError, announce, attempt } from './ui.js';
import { renderLogin } from './login.js';
import { renderBundle } from './bundle.js';
import { renderEditor, newItem, TYPES } from './editor.js';
import { renderImport } from './importer.js';
import { renderSheet } from './sheet.js';
import { renderPublish } from './publish.js';
import { renderAlerts } from './alerts.js';
import { renderScreen, stopScreen } from './screen.js';
import { renderFleet, stopFleet } from './fleet.js';
import { renderAccounts } from './accounts.js';

const session = { me: null };
// The item being edited, kept while the page redraws (a language switch, a sign-in again after
// the session ran out), so nothing typed is lost.
let editing = null;

const can = (role) => ({
  canEdit: ['editor', 'approver', 'admin'].includes(role),
  canApprove: ['approver', 'admin'].includes(role),
  canAlert: ['alert_sender', 'admin'].includes(role),
  isAdmin: role === 'admin',
});

const TABS = [
  ['bundle', 'tab.bundle', () => true],
  ['sheet', 'tab.sheet', () => true],
  ['publish', 'tab.publish', () => true],
  ['alerts', 'tab.alerts', (c) => c.canAlert],
  ['screen', 'tab.screen', () => true],
  ['fleet', 'tab.fleet', () => true],
  ['accounts', 'tab.accounts', (c) => c.isAdmin],
];

function go(route) {
  if (location.hash === '#' + route) show();
  else location.hash = route;
}

function header() {
  const top = document.getElementById('top');
  const langSelect = h('select', { id: 'lang', name: 'lang', 'aria-label': t('lang.label') },
    LANGS.map(([code, label]) => h('option', { value: code, text: label, selected: code === lang() })));
  langSelect.addEventListener('change', () => setLang(langSelect.value));
  const rights = session.me ? can(session.me.role) : null;
  const current = (location.hash.slice(1) || 'bundle').split('/')[0];
  fill(top, 
    h('a', { class: 'skip', href: '#main', text: t('skip'), onclick: (e) => { e.preventDefault(); document.getElementById('main').focus(); } }),
    h('div', { class: 'brand' }, h('h1', { text: t('app.title') })),
    session.me ? h('nav', { 'aria-label': t('nav.label') }, h('ul', {}, TABS.filter(([, , ok]) => ok(rights)).map(([route, key]) =>
      h('li', {}, h('a', { href: '#' + route, id: 'tab-' + route, text: t(key),
        'aria-current': route === current || (route === 'bundle' && ['edit', 'new', 'import'].includes(current)) ? 'page' : null }))))) : null,
    h('div', { class: 'who' },
      h('label', { for: 'lang', class: 'sr-only', text: t('lang.label') }), langSelect,
      session.me ? h('span', { class: 'me', text: `${session.me.name} · ${t('role.' + session.me.role)}` }) : null,
      session.me ? h('button', { type: 'button', class: 'link', id: 'logout', text: t('logout'), onclick: logout }) : null));
}

async function logout() {
  await api('POST', '/api/logout').catch(() => {});
  session.me = null;
  editing = null;
  setCsrf('');
  show();
}

async function show() {
  document.title = t('app.title');
  const main = document.getElementById('main');
  stopScreen();
  stopFleet();
  header();
  showError('');
  if (!session.me) {
    renderLogin(main, async (me) => {
      session.me = me;
      announce(t('login.welcome', { name: me.name }));
      show();
    });
    return;
  }
  if (!draft.playlist) {
    const loaded = await attempt(async () => { await loadDraft(); return true; });
    if (!loaded) return;
  }
  const [route, arg] = (location.hash.slice(1) || 'bundle').split('/');
  const ctx = { ...can(session.me.role), me: session.me, go, render: show };
  if (route !== 'edit' && route !== 'new') editing = null;
  switch (route) {
    case 'edit': case 'new': {
      if (!ctx.canEdit) return go('bundle');
      const index = route === 'new' ? draft.playlist.items.length : Number(arg);
      const key = `${route}/${arg}`;
      if (!editing || editing.key !== key) {
        const base = route === 'new' ? newItem(TYPES.includes(arg) ? arg : 'headline', draft.playlist.timezone) : draft.playlist.items[index];
        editing = { key, item: base ? structuredClone(base) : null };
      }
      if (!editing.item) return go('bundle');
      return renderEditor(main, { index, item: editing.item, go });
    }
    case 'import': return ctx.canEdit ? renderImport(main, { kind: arg || 'headline', go }) : go('bundle');
    case 'sheet': return renderSheet(main);
    case 'publish': return attempt(() => renderPublish(main, ctx));
    case 'alerts': return ctx.canAlert ? renderAlerts(main) : go('bundle');
    case 'screen': return renderScreen(main);
    case 'fleet': return renderFleet(main, ctx);
    case 'accounts': return ctx.isAdmin ? renderAccounts(main, ctx) : go('bundle');
    default: return renderBundle(main, ctx);
  }
}

async function start() {
  whenSignedOut(() => {
    session.me = null;
    showError(t('err.401'));
    show();
  });
  onLangChange(show);
  window.addEventListener('hashchange', show);
  try {
    const me = await api('GET', '/api/me');
    session.me = me;
    setCsrf(me.csrf);
  } catch {
    session.me = null;
  }
  show();
}

start();
