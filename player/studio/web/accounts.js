// Accounts and settings (admins): add people with a role, change a role or password, remove;
// the switch that makes editors' publishes wait for an approver.
import { api } from './api.js';
import { h, field, uid, fill } from './dom.js';
import { t } from './i18n.js';
import { attempt, announce, confirmAction } from './ui.js';

export const ROLES = ['editor', 'approver', 'alert_sender', 'admin'];

const roleSelect = (value, name) => h('select', { name }, ROLES.map((r) => h('option', { value: r, text: t('role.' + r), selected: r === value })));

export async function renderAccounts(main, ctx) {
  const [users, settings] = await Promise.all([
    attempt(() => api('GET', '/api/users')),
    attempt(() => api('GET', '/api/settings')),
  ]);
  const rerender = () => renderAccounts(main, ctx);
  const act = async (fn, message) => {
    const res = await attempt(fn);
    if (res === undefined) return;
    announce(message);
    rerender();
  };

  const approval = h('input', { type: 'checkbox', id: 'require-approval', name: 'require_approval', checked: settings && settings.require_approval });
  approval.addEventListener('change', () => act(() => api('PUT', '/api/settings', { json: { require_approval: approval.checked } }),
    approval.checked ? t('acc.approval_on') : t('acc.approval_off')));

  const name = h('input', { type: 'text', name: 'new_name', id: 'new-user-name', autocomplete: 'off', required: true });
  const password = h('input', { type: 'password', name: 'new_password', id: 'new-user-password', autocomplete: 'new-password', required: true, minlength: 8 });
  const role = roleSelect('editor', 'new_role');

  const row = (u) => {
    const r = roleSelect(u.role, 'role');
    r.id = uid('role');
    const pw = h('input', { type: 'password', name: 'password', id: uid('pw'), autocomplete: 'new-password' });
    r.addEventListener('change', () => act(() => api('PUT', `/api/users/${encodeURIComponent(u.name)}`, { json: { role: r.value } }), t('acc.role_changed', { name: u.name })));
    return h('tr', {},
      h('th', { scope: 'row', text: u.name }),
      h('td', {}, h('label', { class: 'sr-only', for: r.id, text: t('acc.role_of', { name: u.name }) }), r),
      h('td', {}, h('label', { class: 'sr-only', for: pw.id, text: t('acc.password_of', { name: u.name }) }), pw,
        h('button', { type: 'button', class: 'small', text: t('acc.set_password'), onclick: () => {
          if (pw.value) act(() => api('PUT', `/api/users/${encodeURIComponent(u.name)}`, { json: { password: pw.value } }), t('acc.password_set', { name: u.name }));
        } })),
      h('td', {}, u.name === ctx.me.name ? null : h('button', { type: 'button', class: 'small danger', text: t('acc.delete'), onclick: async () => {
        if (await confirmAction(t('acc.delete_confirm', { name: u.name }))) act(() => api('DELETE', `/api/users/${encodeURIComponent(u.name)}`), t('acc.deleted', { name: u.name }));
      } })));
  };

  fill(main, 
    h('section', { class: 'card', 'aria-labelledby': 'settings-h' },
      h('h2', { id: 'settings-h', text: t('acc.settings') }),
      h('div', { class: 'check' }, approval, h('label', { for: approval.id, text: t('acc.require_approval') })),
      h('p', { class: 'hint', text: t('acc.require_approval_hint') })),
    h('section', { class: 'card', 'aria-labelledby': 'users-h' },
      h('h2', { id: 'users-h', text: t('acc.users') }),
      h('div', { class: 'table-wrap' }, h('table', { class: 'users' },
        h('thead', {}, h('tr', {}, ['acc.name', 'acc.role', 'acc.password', 'acc.actions'].map((k) => h('th', { scope: 'col', text: t(k) })))),
        h('tbody', {}, (users || []).map(row)))),
      h('h3', { text: t('acc.add') }),
      h('form', { class: 'row3', onsubmit: (e) => {
        e.preventDefault();
        act(() => api('POST', '/api/users', { json: { name: name.value.trim(), password: password.value, role: role.value } }), t('acc.added', { name: name.value.trim() }));
      } },
      field(t('acc.name'), name), field(t('acc.password'), password, { hint: t('acc.password_hint') }), field(t('acc.role'), role),
      h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', text: t('acc.add_button') })))),
    h('section', { class: 'card' }, h('h2', { text: t('acc.roles') }),
      h('dl', { class: 'roles' }, ROLES.map((r) => [h('dt', { text: t('role.' + r) }), h('dd', { text: t('role_help.' + r) })]))));
}
