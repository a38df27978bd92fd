// A small helper to build elements without innerHTML (no markup from data is ever parsed).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'value') el.value = value;
    else if (key === 'checked' || key === 'selected' || key === 'disabled') el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

let counter = 0;
export function uid(prefix = 'f') {
  counter += 1;
  return `${prefix}-${counter}`;
}

// A labelled field: <label for> + control + a place for its diagnostics (aria-describedby).
export function field(labelText, control, { hint, pointer } = {}) {
  if (!control.id) control.id = uid();
  const notes = h('div', { class: 'notes', id: control.id + '-notes', 'aria-live': 'polite' });
  if (pointer) notes.dataset.pointer = pointer;
  control.setAttribute('aria-describedby', notes.id);
  return h('div', { class: 'field' },
    h('label', { for: control.id, text: labelText }),
    control,
    hint ? h('div', { class: 'hint', text: hint }) : null,
    notes);
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function debounce(fn, ms) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// Replaces el's children (arrays flattened, null/false left out).
export function fill(el, ...children) {
  clear(el);
  el.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}
