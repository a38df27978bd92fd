// Telling people what happened: the status line (polite), the error line (assertive) and dialogs.
import { h, clear } from './dom.js';
import { t } from './i18n.js';

export function announce(message) {
  const el = document.getElementById('status');
  el.textContent = '';
  // A new text node each time, so screen readers read a repeated message again.
  requestAnimationFrame(() => { el.textContent = message; });
  clearTimeout(announce.timer);
  announce.timer = setTimeout(() => { el.textContent = ''; }, 8000);
}

export function showError(message) {
  const el = document.getElementById('errors');
  clear(el);
  if (!message) { el.hidden = true; return; }
  el.hidden = false;
  el.append(h('span', { text: message }),
    h('button', { type: 'button', class: 'link', text: t('close'), onclick: () => showError('') }));
}

// Runs an async action, showing its failure in plain words; returns its result or undefined.
export async function attempt(action) {
  try {
    showError('');
    return await action();
  } catch (e) {
    showError(e.message || String(e));
    return undefined;
  }
}

// A modal choice: resolves to the value of the button pressed (Esc: `cancelValue`).
export function choose(title, text, buttons, cancelValue = null) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'dialog-title' },
      h('h2', { id: 'dialog-title', text: title }),
      h('p', { text: text }),
      h('div', { class: 'buttons' }, buttons.map((b) =>
        h('button', { type: 'button', class: b.primary ? 'primary' : '', text: b.label,
          onclick: () => { dialog.close(); resolve(b.value); } }))));
    dialog.addEventListener('cancel', () => resolve(cancelValue));
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function confirmAction(text) {
  return choose(t('confirm'), text, [
    { label: t('cancel'), value: false },
    { label: t('yes'), value: true, primary: true },
  ], false);
}
