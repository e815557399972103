// 长辈版 switch (SPEC §9): flips the class on <html> and the session cookie the server reads for the
// next page, without a reload, so nothing typed is lost. Labels come from the button's data-*.
(() => {
  'use strict';
  const COOKIE = 'eseal.elder';
  const CLASS = 'elder';

  function apply(form, on) {
    document.documentElement.classList.toggle(CLASS, on);
    const secure = window.location.protocol === 'https:' ? '; secure' : '';
    document.cookie = on
      ? COOKIE + '=1; path=/; samesite=lax' + secure
      : COOKIE + '=; path=/; max-age=0; samesite=lax' + secure;
    const button = form.querySelector('[data-elder-toggle]');
    button.textContent = on ? button.dataset.labelStandard : button.dataset.labelElder;
    button.title = on ? button.dataset.titleStandard : button.dataset.titleElder;
    form.querySelector('input[name="on"]').value = on ? '0' : '1';
  }

  document.addEventListener('submit', (event) => {
    const form = event.target.closest && event.target.closest('[data-elder-switch]');
    if (!form) return;
    event.preventDefault();
    apply(form, !document.documentElement.classList.contains(CLASS));
  });
})();
