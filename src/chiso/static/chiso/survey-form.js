// The public survey form: simple skip logic (a block with data-if is shown when the named question has one of
// the data-v values) and focus on the error summary. A static file: the CSP allows no inline script.
(function () {
  var f = document.forms[0];
  if (!f) return;
  function u() {
    document.querySelectorAll("[data-if]").forEach(function (b) {
      var c = f.querySelector("[name=" + b.dataset.if + "]:checked");
      b.hidden = !(c && b.dataset.v.split(",").indexOf(c.value) >= 0);
    });
  }
  f.addEventListener("change", u);
  u();
  var l = document.getElementById("loi");
  if (l) l.focus();
})();
