// Flow editor (back office): draws the Mermaid text the server wrote (MermaidDiagram.cs) as a
// diagram. Without JavaScript, or if Mermaid fails, the step list beside it says the same.
// Mermaid runs with securityLevel "strict" (labels are text, no click handlers) and its theme
// comes from admin.css: the CSP (style-src 'self') blocks the <style> it puts into the SVG.
(function () {
  'use strict';
  function draw() {
    var source = document.getElementById('flow-mermaid');
    var target = document.getElementById('flow-diagram');
    if (!source || !target || !window.mermaid || !source.textContent.trim()) {
      return;
    }
    window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral', flowchart: { htmlLabels: false, useMaxWidth: false } });
    window.mermaid.render('flow-diagram-svg', source.textContent).then(function (result) {
      var holder = document.createElement('div');
      holder.className = 'flow-diagram-svg';
      holder.setAttribute('role', 'img');
      holder.setAttribute('aria-label', '流程图（步骤见下方列表）');
      holder.innerHTML = result.svg;
      target.appendChild(holder);
      source.classList.add('visually-hidden');
    }).catch(function () {
      // Mermaid leaves its error picture in the body; the text and the step list stay instead.
      var leftover = document.getElementById('dflow-diagram-svg');
      if (leftover) {
        leftover.remove();
      }
      target.classList.add('flow-diagram-failed');
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', draw);
  } else {
    draw();
  }
})();
