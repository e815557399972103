// The receipt page's print button (its text is in the page, none here).
(() => {
  'use strict';
  document.querySelectorAll('[data-print]').forEach((b) => b.addEventListener('click', () => window.print()));
})();
