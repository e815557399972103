// Behaviour of the flow steps. No inline script anywhere (the CSP forbids it): each step's markup
// carries data-* attributes and this file wires them up, on first load and after every htmx swap.
(() => {
  'use strict';

  // Every text this file shows comes from the flow definition, through data-* attributes of the
  // step's markup (the PIN form's data-text-*, a countdown's data-countdown-format): none lives here.
  const PIN_CLIENT_TEXT_KEYS = {
    TOKEN_NOT_PRESENT: 'textTokenNotPresent',
    CERTIFICATE_NOT_FOUND: 'textCertificateNotFound',
    BAD_REQUEST: 'textBadRequest',
    FORBIDDEN: 'textForbidden',
    unreachable: 'textUnreachable',
    'lna-denied': 'textLnaDenied',
  };
  const pinClientText = (form, error, kind) =>
    form.dataset[PIN_CLIENT_TEXT_KEYS[error] || PIN_CLIENT_TEXT_KEYS[kind] || 'textUnreachable'];

  // ---- countdowns: grey button with seconds left, or an automatic return ----------------------
  let printsDone = 0; // receipts printed on this page (see printReceipt)
  function countdown(el) {
    let left = parseInt(el.dataset.countdown, 10) || 0;
    const text = el.dataset.countdownText;
    const format = el.dataset.countdownFormat || '{text}';
    const href = el.dataset.countdownHref;
    const returns = Boolean(href || el.dataset.countdownSubmit); // an automatic return, not a button's wait
    // A countdown that ends the visit submits the frame's end form (a finished flow's auto-return).
    const go = () => {
      const form = el.dataset.countdownSubmit && document.getElementById(el.dataset.countdownSubmit);
      if (form) form.requestSubmit();
      else if (href) window.location.assign(href);
    };
    const show = () => {
      if (el.tagName === 'BUTTON') {
        el.textContent = left > 0 ? format.split('{text}').join(text).split('{seconds}').join(String(left)) : text;
        el.disabled = left > 0;
      } else {
        el.textContent = String(Math.max(left, 0));
      }
    };
    show();
    if (left <= 0) {
      go();
      return;
    }
    const initial = left;
    let printsSeen = printsDone;
    const timer = setInterval(() => {
      if (!el.isConnected) { clearInterval(timer); return; }
      // Printing a receipt holds an automatic return; after each print the full time starts again
      // (a blocking print() freezes the timers, so a finished print is counted, not sampled).
      if (returns && document.documentElement.hasAttribute('data-printing')) return;
      if (returns && printsSeen !== printsDone) { printsSeen = printsDone; left = initial; show(); return; }
      left -= 1;
      show();
      if (left <= 0) {
        clearInterval(timer);
        go();
      }
    }, 1000);
  }

  // ---- receipt: print /r/{code}/print in a hidden frame; data-printing holds auto-returns ------
  const setPrinting = (on) => {
    if (!on && document.documentElement.hasAttribute('data-printing')) printsDone += 1;
    document.documentElement.toggleAttribute('data-printing', on);
    document.querySelectorAll('[data-printing-note]').forEach((n) => { n.hidden = !on; });
  };
  window.addEventListener('beforeprint', () => setPrinting(true));
  window.addEventListener('afterprint', () => setPrinting(false));

  function printReceipt(link) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      document.querySelectorAll('iframe[data-receipt-frame]').forEach((f) => f.remove());
      setPrinting(true);
      const frame = document.createElement('iframe');
      frame.dataset.receiptFrame = '';
      // Out of sight but laid out (CSSOM styles are not inline markup, so the CSP allows them).
      Object.assign(frame.style, { position: 'fixed', right: '0', bottom: '0', width: '0', height: '0', border: '0' });
      frame.setAttribute('aria-hidden', 'true');
      frame.tabIndex = -1;
      frame.addEventListener('load', () => {
        const win = frame.contentWindow;
        // Chromium's print() returns when the dialog closes; afterprint says so too (either ends the hold).
        win.addEventListener('afterprint', () => setPrinting(false));
        try { win.focus(); win.print(); } catch { window.location.assign(link.href); }
        setPrinting(false);
      }, { once: true });
      frame.src = link.href;
      document.body.appendChild(frame);
    });
  }

  // ---- 插入USBKEY: read the helper, post its answer; then follow its change events -------------
  function showHelperState(form, state) {
    form.querySelectorAll('[data-helper-state]').forEach((el) => {
      if (['unreachable', 'lna-denied', 'reading', 'outdated', 'driver-missing'].includes(el.dataset.helperState)) {
        el.hidden = el.dataset.helperState !== state;
      }
    });
  }

  function detectKey(form) {
    const field = form.querySelector('input[name="tokens"]');
    let version = null;
    let stopped = false;
    const controller = new AbortController();

    const post = (answer) => {
      stopped = true;
      controller.abort();
      field.value = JSON.stringify(answer);
      htmx.trigger(form, 'submit');
    };

    const read = async () => {
      showHelperState(form, 'reading');
      try {
        // Version handshake first: an outdated helper or one without its USBKEY driver is named as
        // such, not reported as "no key". The refresh button checks again.
        const problem = await window.ESealKeyHelper.check(form.dataset.minHelperVersion, controller.signal);
        if (problem) { showHelperState(form, problem); return; }
        const answer = await window.ESealKeyHelper.tokens(null, controller.signal);
        post(answer);
      } catch (e) {
        if (e && e.name === 'AbortError') return;
        showHelperState(form, e.kind || 'unreachable');
        setTimeout(() => { if (!stopped && form.isConnected) watch(); }, 5000);
      }
    };

    // Long poll: the helper answers when a key is inserted or removed (or after ~25 s unchanged).
    const watch = async () => {
      while (!stopped && form.isConnected) {
        try {
          const answer = await window.ESealKeyHelper.tokens(version, controller.signal);
          showHelperState(form, 'none');
          if (version !== null && answer.version !== version) { post(answer); return; }
          version = answer.version;
        } catch (e) {
          if (e && e.name === 'AbortError') return;
          showHelperState(form, e.kind || 'unreachable');
          await new Promise((r) => setTimeout(r, 5000));
          if (version === null) { read(); return; } // the helper came back: read once more
        }
      }
    };

    form.querySelector('[data-detect-refresh]')?.addEventListener('click', () => { stopped = false; read(); });
    if (form.dataset.detectAuto === 'true') read(); else watch();
  }

  // ---- certificate list: a removed or changed key sends the flow back to 插入USBKEY -----------
  function watchKey(form) {
    let version = null;
    const controller = new AbortController();
    const loop = async () => {
      while (form.isConnected) {
        try {
          const answer = await window.ESealKeyHelper.tokens(version, controller.signal);
          if (version !== null && answer.version !== version) {
            const refresh = document.createElement('input');
            refresh.type = 'hidden'; refresh.name = 'refresh'; refresh.value = 'true';
            form.appendChild(refresh);
            htmx.trigger(form, 'submit');
            return;
          }
          version = answer.version;
        } catch (e) {
          if (e && e.name === 'AbortError') return;
          await new Promise((r) => setTimeout(r, 5000));
        }
      }
      controller.abort();
    };
    loop();
  }

  // ---- PIN: nonce from the server, signature from the helper, the helper's answer to the server --
  function pinProof(form) {
    const input = form.querySelector('[data-pin-input]');
    const toggle = form.querySelector('[data-pin-toggle]');
    const submit = form.querySelector('[data-pin-submit]');
    const clientError = form.querySelector('[data-pin-client-error]');
    const set = (name, value) => { form.querySelector(`input[name="${name}"]`).value = value || ''; };
    const fail = (text) => { clientError.textContent = text; clientError.hidden = false; if (submit) submit.disabled = false; };

    let rehide = 0;
    const showPin = (show) => {
      input.type = show ? 'text' : 'password';
      toggle.setAttribute('aria-pressed', String(show));
      toggle.setAttribute('aria-label', show ? form.dataset.textHidePin : form.dataset.textShowPin);
    };
    toggle?.addEventListener('click', () => {
      const show = input.type !== 'text';
      showPin(show);
      // On a kiosk's public screen a shown PIN hides itself again after a few seconds.
      clearTimeout(rehide);
      const seconds = parseInt(toggle.dataset.pinRehide, 10);
      if (show && seconds > 0) rehide = setTimeout(() => showPin(false), seconds * 1000);
    });

    form.addEventListener('submit', async (event) => {
      // htmx posts this form only on "eseal:proof", i.e. once the helper has answered.
      event.preventDefault();
      clientError.hidden = true;
      if (!input.value) { fail(form.dataset.textPinRequired); input.focus(); return; }
      submit.disabled = true;

      const body = new URLSearchParams(new FormData(form));
      let challenge;
      try {
        const response = await fetch(form.dataset.challengeUrl, { method: 'POST', body, credentials: 'same-origin' });
        challenge = await response.json();
        if (!response.ok || challenge.refused) { fail(challenge.message || form.dataset.textPageExpired); return; }
      } catch (_) { fail(form.dataset.textNetworkError); return; }
      if (challenge.locked) { set('result', 'pinLocked'); set('nonce', ''); send(); return; }

      const pin = input.value;
      input.value = ''; // the PIN is not kept on the page longer than the call to the helper
      try {
        const signed = await window.ESealKeyHelper.sign({
          tokenSerial: challenge.tokenSerial, certificateId: challenge.certificateId,
          pin, nonce: challenge.nonce, context: challenge.context,
        });
        set('result', 'signed'); set('nonce', challenge.nonce);
        set('algorithm', signed.algorithm); set('signature', signed.signature); set('certificate', signed.certificate);
      } catch (e) {
        // The helper's signed report (kiosk helpers enrolled with the portal) goes on unchanged:
        // only then does the portal count the wrong PIN for the key beyond this session.
        const report = (e.report && typeof e.report === 'object') ? e.report : {};
        set('attemptsLeft', Number.isInteger(e.attemptsLeft) ? String(e.attemptsLeft) : '');
        set('reportKeyId', report.keyId); set('reportSignature', report.signature);
        if (e.error === 'PIN_INCORRECT') { set('result', 'pinIncorrect'); set('nonce', challenge.nonce); }
        else if (e.error === 'PIN_LOCKED') { set('result', 'pinLocked'); set('nonce', challenge.nonce); }
        else { fail(pinClientText(form, e.error, e.kind)); return; }
      }
      send();
    });

    function send() {
      htmx.trigger(form, 'eseal:proof');
    }
  }

  // After a swap, put focus where the new step begins (screen readers and keyboards follow it):
  // an autofocus field, else the first live button of an open dialog, else the first error, else
  // the step's heading.
  function focusStep(root) {
    const target = root.querySelector('[autofocus]:not([disabled])')
      || root.querySelector('.modal-backdrop:not([hidden]) [aria-modal="true"] button:not([disabled])')
      || root.querySelector('.error-summary a')
      || root.querySelector('h1');
    if (!target) return;
    if (target.tagName === 'H1') target.setAttribute('tabindex', '-1');
    target.focus({ preventScroll: false });
  }

  function init(root) {
    root.querySelectorAll('[data-countdown]').forEach(countdown);
    root.querySelectorAll('a[data-print-receipt]').forEach(printReceipt);
    root.querySelectorAll('form[data-detect-key]').forEach(detectKey);
    root.querySelectorAll('form[data-watch-key]').forEach(watchKey);
    root.querySelectorAll('form[data-pin-proof]').forEach(pinProof);
    root.querySelectorAll('[data-dialog-close]').forEach((b) => b.addEventListener('click', () => {
      const form = b.closest('form');
      b.closest('[data-dialog]')?.remove();
      // Back where the user was: the choice the dialog asked about.
      (form?.querySelector('input[type=radio]:checked') || form?.querySelector('input[type=radio]'))?.focus();
    }));
  }

  htmx.onLoad(init);
  document.body.addEventListener('htmx:afterSettle', (event) => {
    const frame = document.getElementById('flow');
    if (frame && (event.target === frame || frame.contains(event.target))) focusStep(frame);
  });
})();
