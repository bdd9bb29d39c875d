// Small behaviours of forms, declared in the markup (no inline script: the Content-Security-Policy
// allows scripts only from chiso's static files). Every page works without this file.
//   <select data-autosubmit data-clear="node">  submits its form when changed (clearing the named field)
//   <form data-confirm="Question?">             asks before submitting
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!(el instanceof HTMLSelectElement) || !el.hasAttribute("data-autosubmit") || !el.form) return;
    var clear = el.getAttribute("data-clear");
    if (clear && el.form.elements[clear]) el.form.elements[clear].value = "";
    el.form.submit();
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
