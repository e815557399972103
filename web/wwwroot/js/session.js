// The end of a visit (SPEC §9): the idle warning, 取消办理 with its confirmation, the dialogs' Esc
// and focus trap, and the on-screen keypads. No inline script (the CSP forbids it) and no text:
// every word shown comes from the flow definition through the frame's markup (_Flow.cshtml).
// The server enforces the same idle limit, so a page whose script died cannot keep a flow alive.
(() => {
  'use strict';

  const KEEPALIVE_EVERY_MS = 30000;

  // ---- dialogs: open over the page, Esc, focus kept inside, focus back where it was -----------
  const openers = new WeakMap();

  function openDialog(backdrop, opener) {
    openers.set(backdrop, opener || document.activeElement);
    backdrop.hidden = false;
    backdrop.querySelector('button:not([disabled])')?.focus();
  }

  function closeDialog(backdrop) {
    backdrop.hidden = true;
    const opener = openers.get(backdrop);
    if (opener && opener.isConnected) opener.focus();
  }

  // The dialog on top: the last open one in document order (the frame's dialogs follow the step's).
  function topDialog() {
    const open = [...document.querySelectorAll('.modal-backdrop:not([hidden]) [aria-modal="true"]')];
    return open[open.length - 1] || null;
  }

  const focusables = (root) => [...root.querySelectorAll('button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])')]
    .filter((el) => !el.disabled && !el.closest('[hidden]') && el.getClientRects().length > 0);

  document.addEventListener('keydown', (event) => {
    const dialog = topDialog();
    if (!dialog) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      escape(dialog);
    } else if (event.key === 'Tab') {
      const items = focusables(dialog);
      if (items.length === 0) { event.preventDefault(); return; }
      const first = items[0];
      const last = items[items.length - 1];
      if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && (document.activeElement === last || !dialog.contains(document.activeElement))) { event.preventDefault(); first.focus(); }
    }
  });

  // Focus that lands outside the dialog on top (a click on the backdrop, a script) goes back inside.
  document.addEventListener('focusin', (event) => {
    const dialog = topDialog();
    if (dialog && !dialog.contains(event.target)) focusables(dialog)[0]?.focus();
  });

  // Esc is the dialog's 取消: each dialog names what that is.
  function escape(dialog) {
    const backdrop = dialog.closest('.modal-backdrop');
    if (dialog.dataset.modalEscape) { dialog.querySelector(dialog.dataset.modalEscape)?.click(); return; }
    if (backdrop.hasAttribute('data-idle-dialog')) { backdrop.querySelector('[data-idle-continue]')?.click(); return; }
    if (backdrop.hasAttribute('data-cancel-dialog')) { closeDialog(backdrop); return; }
    dialog.querySelector('[data-dialog-close]')?.click();
  }

  // ---- the session: idle warning, keep-alive, end ------------------------------------------
  const session = {
    idleTimer: 0,
    countdownTimer: 0,
    lastKeepAlive: 0,
    warning: false,
  };

  const frame = () => document.getElementById('flow');
  const endForm = () => document.getElementById('flow-end');

  function end() {
    clearTimeout(session.idleTimer);
    clearInterval(session.countdownTimer);
    const form = endForm();
    if (form) form.requestSubmit(); else window.location.assign('/');
  }

  async function keepAlive() {
    const flow = frame();
    const url = flow?.dataset.sessionKeepalive;
    const form = endForm();
    if (!url || !form) return;
    session.lastKeepAlive = Date.now();
    try {
      const response = await fetch(url, { method: 'POST', body: new URLSearchParams(new FormData(form)), credentials: 'same-origin' });
      // 410: the server has already ended the flow (its own idle limit): nothing left to continue.
      if (response.status === 410) end();
    } catch (_) { /* offline for a moment: the next input tries again */ }
  }

  function startIdleTimer() {
    clearTimeout(session.idleTimer);
    const seconds = parseInt(frame()?.dataset.sessionIdle, 10);
    if (!seconds || !endForm()) return;
    session.idleTimer = setTimeout(warn, seconds * 1000);
  }

  function warn() {
    // A receipt being printed is the visitor still at work: ask again later.
    if (document.documentElement.hasAttribute('data-printing')) { startIdleTimer(); return; }
    const dialog = document.querySelector('[data-idle-dialog]');
    if (!dialog) { end(); return; }
    let left = parseInt(frame().dataset.sessionWarning, 10) || 30;
    const text = dialog.querySelector('[data-idle-countdown]');
    const show = () => { text.textContent = text.dataset.countdownFormat.split('{seconds}').join(String(left)); };
    session.warning = true;
    show();
    openDialog(dialog);
    session.countdownTimer = setInterval(() => {
      left -= 1;
      if (left <= 0) { end(); return; }
      show();
    }, 1000);
  }

  function stopWarning() {
    session.warning = false;
    clearInterval(session.countdownTimer);
    const dialog = document.querySelector('[data-idle-dialog]');
    if (dialog && !dialog.hidden) closeDialog(dialog);
  }

  // Any input counts as presence, except while the warning is up: then only its buttons answer.
  const activity = () => {
    if (session.warning) return;
    startIdleTimer();
    if (Date.now() - session.lastKeepAlive > KEEPALIVE_EVERY_MS) keepAlive();
  };
  ['pointerdown', 'keydown', 'touchstart', 'input'].forEach((type) => document.addEventListener(type, activity, { capture: true, passive: true }));

  document.addEventListener('click', (event) => {
    const target = event.target.closest('button');
    if (!target) return;
    if (target.matches('[data-idle-continue]')) {
      stopWarning();
      startIdleTimer();
      keepAlive();
    } else if (target.matches('[data-cancel-flow]')) {
      // 取消办理 asks first; without this script the same button ends the flow at once.
      const dialog = document.querySelector('[data-cancel-dialog]');
      if (!dialog) return;
      event.preventDefault();
      openDialog(dialog, target);
    } else if (target.matches('[data-dialog-dismiss]')) {
      closeDialog(target.closest('.modal-backdrop'));
    }
  });

  // ---- on-screen keypads: PIN (shuffled on kiosks), ID number, phone ----------------------------
  function shuffle(keypad) {
    const digits = [...keypad.querySelectorAll('[data-key]')].filter((k) => /^[0-9]$/.test(k.dataset.key));
    const order = digits.map((k) => k.dataset.key);
    const random = new Uint32Array(order.length);
    crypto.getRandomValues(random);
    for (let i = order.length - 1; i > 0; i -= 1) {
      const j = random[i] % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    // Same buttons, new faces: the layout (and the edit keys' places) stays, the digits move.
    digits.forEach((k, i) => { k.dataset.key = order[i]; k.textContent = order[i]; });
  }

  function keypad(pad) {
    if (pad.dataset.keypadShuffle === 'true') shuffle(pad);
    // A tap on a key must not take the focus from the field it types into.
    pad.addEventListener('pointerdown', (event) => { if (event.target.closest('button')) event.preventDefault(); });
    pad.addEventListener('click', (event) => {
      const key = event.target.closest('[data-key]')?.dataset.key;
      const input = document.getElementById(pad.dataset.keypad);
      if (!key || !input || input.disabled) return;
      unmask(input);
      const max = input.maxLength > 0 ? input.maxLength : Infinity;
      if (key === 'delete') input.value = input.value.slice(0, -1);
      else if (key === 'clear') input.value = '';
      else if (input.value.length < max) input.value += key;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
  }

  // ---- the holder form on kiosks: ID number and phone masked once entered -----------------------
  // The same rules as the server's Masking (db/Domain/Masking.cs), so a value looks alike on every page.
  const masks = {
    id: (v) => (v.length <= 8 ? '*'.repeat(Math.max(v.length - 2, 0)) + v.slice(-2)
      : v.slice(0, v.length >= 15 ? 6 : 2) + '*'.repeat(v.length - (v.length >= 15 ? 6 : 2) - 4) + v.slice(-4)),
    phone: (v) => (v.length < 7 ? '*'.repeat(v.length) : v.slice(0, 3) + '*'.repeat(v.length - 7) + v.slice(-4)),
  };
  const realValues = new WeakMap();

  function mask(input) {
    const kind = input.dataset.keypadField;
    if (!masks[kind] || !input.value || input.dataset.masked === 'true') return;
    realValues.set(input, input.value);
    input.value = masks[kind](input.value);
    input.dataset.masked = 'true';
  }

  function unmask(input) {
    if (input.dataset.masked !== 'true') return;
    input.value = realValues.get(input) || '';
    delete input.dataset.masked;
  }

  function holderForm(form) {
    if (form.dataset.kiosk !== 'true') return;
    const fields = [...form.querySelectorAll('[data-keypad-field]')];
    fields.forEach((input) => {
      input.addEventListener('focus', () => unmask(input));
      input.addEventListener('blur', () => mask(input));
      if (document.activeElement !== input) mask(input);
    });
    // The real values go to the server: put them back before htmx reads the form.
    form.addEventListener('submit', () => fields.forEach(unmask), { capture: true });
  }

  // The seam for a hall's ID-card reader (二代证读卡器): its local bridge calls
  // window.ESealHolderForm.fill({ name, idType, idNumber }) while the holder form is shown; the
  // visitor checks the values and adds the phone number. Returns whether a form was there to fill.
  window.ESealHolderForm = {
    fill({ name, idType, idNumber } = {}) {
      const form = document.querySelector('form[data-holder-form]');
      if (!form) return false;
      const set = (id, value) => {
        const el = form.querySelector(`#${id}`);
        if (!el || value == null) return;
        if (el.tagName === 'INPUT') unmask(el);
        el.value = String(value);
        el.dispatchEvent(new Event('input', { bubbles: true }));
        if (el.tagName === 'INPUT' && document.activeElement !== el && form.dataset.kiosk === 'true') mask(el);
      };
      set('holderName', name);
      set('holderIdType', idType);
      set('holderIdNumber', idNumber);
      return true;
    },
  };

  // A field with data-keypad-field shows the shared pad under it while it has focus (kiosks only).
  function fieldPads(root) {
    root.querySelectorAll('[data-field-keypad]').forEach((pad) => {
      keypad(pad);
      const show = (input) => {
        pad.dataset.keypad = input.id;
        pad.querySelector('[data-key="X"]')?.toggleAttribute('hidden', input.dataset.keypadField !== 'id');
        input.closest('.field').appendChild(pad);
        pad.hidden = false;
      };
      root.querySelectorAll('[data-keypad-field]').forEach((input) => input.addEventListener('focus', () => show(input)));
      // Another field (the name, the ID type) takes the physical keyboard or its own picker.
      pad.closest('form')?.addEventListener('focusin', (event) => {
        if (!event.target.matches('[data-keypad-field]') && !pad.contains(event.target)) pad.hidden = true;
      });
      pad.querySelector('[data-keypad-done]')?.addEventListener('click', () => {
        pad.hidden = true;
        document.getElementById(pad.dataset.keypad)?.blur();
      });
    });
  }

  function init(root) {
    root.querySelectorAll('[data-keypad]:not([data-field-keypad])').forEach(keypad);
    fieldPads(root);
    root.querySelectorAll('form[data-holder-form]').forEach(holderForm);
  }

  htmx.onLoad((root) => {
    init(root);
    // A new step (a post reached the server, which moved its own limit on): start counting again.
    // A page load saved nothing on the server, so the first input sends a keep-alive; a swapped step
    // was a post, which moved the server's limit on by itself.
    if (root === document.body || root.id === 'flow') {
      stopWarning();
      session.lastKeepAlive = root === document.body ? 0 : Date.now();
      startIdleTimer();
    }
  });
})();
