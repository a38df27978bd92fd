// Signing in. Wrong passwords are rate-limited by the server; the page says how long to wait.
import { api, setCsrf } from './api.js';
import { h, field, fill } from './dom.js';
import { t } from './i18n.js';

export function renderLogin(main, signedIn) {
  const name = h('input', { type: 'text', name: 'name', id: 'login-name', autocomplete: 'username', required: true, autocapitalize: 'none' });
  const password = h('input', { type: 'password', name: 'password', id: 'login-password', autocomplete: 'current-password', required: true });
  const problem = h('p', { class: 'notes error', id: 'login-problem', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary', id: 'login-button', text: t('login.button') });
  const form = h('form', { class: 'card login', 'aria-labelledby': 'login-title', onsubmit: async (e) => {
    e.preventDefault();
    problem.textContent = '';
    if (!name.value || !password.value) { problem.textContent = t('login.missing'); return; }
    button.disabled = true;
    try {
      const me = await api('POST', '/api/login', { json: { name: name.value.trim(), password: password.value } });
      setCsrf(me.csrf);
      signedIn(me);
    } catch (err) {
      problem.textContent = err.status === 401 || err.status === 403 ? (err.data && err.data.error) || t('login.wrong') : err.message;
      password.select();
    } finally {
      button.disabled = false;
    }
  } },
  h('h2', { id: 'login-title', text: t('login.title') }),
  h('p', { class: 'hint', text: t('login.intro') }),
  field(t('login.name'), name),
  field(t('login.password'), password),
  problem,
  h('div', { class: 'buttons' }, button));
  fill(main, form);
  name.focus();
}
