/* The score sheet as the unit types: field subtotals, the total and the percent of the applicable
   maximum, recomputed with the rules of chiso.core.scoring (a parent adds its contributing children; a
   "capped" parent clips the sum to [min, max]; bonus points add to the score, not to the maximum; a
   criterion marked not applicable leaves both). Enter moves to the next input instead of submitting.
   Without JavaScript the page works the same and the totals follow after saving. */
(function () {
  "use strict";
  var form = document.getElementById("sheet-form");
  var dataNode = document.getElementById("sheet-data");
  if (!form || !dataNode) return;
  var data = JSON.parse(dataNode.textContent);
  var english = (document.documentElement.lang || "vi").indexOf("en") === 0;
  var EPS = 1e-9;

  function parseNumber(text) {
    if (text === null || text === undefined) return null;
    var t = String(text).replace(/\s|\u00a0/g, "").replace(/%$/, "");
    if (t === "" || t === "-" || t === "–") return null;
    if (t.indexOf(",") >= 0 && t.indexOf(".") >= 0) {
      t = t.lastIndexOf(",") > t.lastIndexOf(".") ? t.replace(/\./g, "").replace(",", ".") : t.replace(/,/g, "");
    } else if (t.indexOf(",") >= 0) {
      t = t.replace(",", ".");
    }
    var x = Number(t);
    return isFinite(x) ? x : NaN;
  }

  function format(x, decimals) {
    if (x === null || x === undefined || !isFinite(x)) return "–";
    var places = decimals === undefined ? 4 : decimals;
    var factor = Math.pow(10, places);
    var r = Math.round(Math.abs(x) * factor + EPS) / factor;
    var parts = r.toFixed(places).split(".");
    var frac = parts[1] || "";
    if (decimals === undefined) frac = frac.replace(/0+$/, "");
    var intPart = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, english ? "," : ".");
    var sign = x < 0 && (r !== 0) ? "-" : "";
    return sign + intPart + (frac ? (english ? "." : ",") + frac : "");
  }

  /* The score a rule gives for the figures of a row (null: cannot be computed yet). */
  function ruleScore(rule, row) {
    if (rule.kind === "choice") {
      var sel = row.querySelector("[data-role=choice]");
      if (!sel || !sel.value) return null;
      var s = rule.choices[sel.value];
      return s === undefined ? null : s;
    }
    var values = [];
    for (var i = 0; i < rule.inputs.length; i++) {
      var el = row.querySelector("[data-role=figure][data-input='" + rule.inputs[i] + "']");
      var v = el ? parseNumber(el.value) : null;
      if (v === null || isNaN(v) || v < 0) return null;
      values.push(v);
    }
    var measure;
    if (rule.on === "value") {
      measure = values[0];
    } else {
      if (!values[1] || values[0] > values[1]) return null;
      measure = 100 * values[0] / values[1];
    }
    if (rule.kind === "bands") {
      for (var b = 0; b < rule.bands.length; b++) {
        var lower = rule.bands[b][0];
        if (lower === null || measure >= lower - EPS) return rule.bands[b][1];
      }
      return null;
    }
    return Math.min(rule.max, rule.max * measure / rule.full_at);
  }

  var rows = form.querySelectorAll("tr.crit-row");

  /* Each leaf's current value ({code: number}) and the codes not applicable. */
  function read() {
    var values = {}, na = {};
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i], code = row.getAttribute("data-code");
      var editing = row.getAttribute("data-editable") === data.stage;
      var naBox = row.querySelector("[data-role=na]");
      if (naBox ? naBox.checked : row.getAttribute("data-na") === "1") na[code] = true;
      var value = null;
      var typed = row.querySelector("[data-role=score]");
      var rule = data.rules[code];
      if (editing && typed) {
        value = parseNumber(typed.value);
        if (value !== null && isNaN(value)) value = null;
      } else if (editing && rule && (row.querySelector("[data-role=choice]") || row.querySelector("[data-role=figure]"))) {
        value = ruleScore(rule, row);
        var out = row.querySelector("[data-role=computed]");
        if (out) out.textContent = format(value);
      } else {
        value = parseNumber(row.getAttribute("data-fixed"));
      }
      if (value !== null && !isNaN(value)) values[code] = value;
    }
    return { values: values, na: na };
  }

  function totals(state) {
    var items = data.items, byCode = {}, kids = {}, i;
    for (i = 0; i < items.length; i++) { byCode[items[i].code] = items[i]; kids[items[i].code] = []; }
    for (i = 0; i < items.length; i++) {
      if (items[i].parent !== null && kids[items[i].parent]) kids[items[i].parent].push(items[i].code);
    }
    var score = {}, applicable = {}, missing = [];
    function visit(code, excluded) {
      var item = byCode[code];
      excluded = excluded || (state.na[code] === true && item.may_be_na);
      var children = kids[code].filter(function (c) { return byCode[c].contributes; });
      kids[code].forEach(function (c) { visit(c, excluded); });
      if (excluded) { score[code] = 0; applicable[code] = 0; return; }
      if (!children.length) {
        var v = state.values[code];
        if (v === undefined) { missing.push(code); v = 0; }
        score[code] = v;
        applicable[code] = item.bonus ? 0 : Math.max(item.max || 0, 0);
        return;
      }
      var total = 0, app = 0;
      children.forEach(function (c) { total += score[c]; app += applicable[c] || 0; });
      if (item.aggregation === "capped") {
        if (item.max !== null) { total = Math.min(total, item.max); app = Math.min(app, item.max); }
        if (item.min !== null) total = Math.max(total, item.min);
      }
      score[code] = total;
      applicable[code] = item.bonus ? 0 : app;
    }
    visit(data.root, false);
    return { score: score, applicable: applicable, missing: missing };
  }

  function update() {
    var state = read();
    var t = totals(state);
    var root = data.root;
    document.getElementById("sum-total").textContent = format(t.score[root]);
    document.getElementById("sum-max").textContent = format(t.applicable[root]);
    var pct = t.applicable[root] ? 100 * t.score[root] / t.applicable[root] : null;
    document.getElementById("sum-percent").textContent = pct === null ? "–" : format(pct, 2) + " %";
    var typedMissing = t.missing.filter(function (c) { return !data.survey[c]; }).length;
    var missingEl = document.getElementById("sum-missing");
    if (missingEl) missingEl.textContent = missingEl.getAttribute("data-template").replace("{n}", typedMissing);
    var subs = document.querySelectorAll(".subtotal[data-field]");
    for (var i = 0; i < subs.length; i++) {
      var code = subs[i].getAttribute("data-field");
      var tpl = subs[i].getAttribute("data-template");
      if (!tpl) continue;
      subs[i].textContent = tpl.replace("{score}", format(t.score[code])).replace("{max}", format(t.applicable[code]));
    }
  }

  /* A typed score outside its bounds or off its step is pointed out at once (the server decides). */
  function check(input) {
    var hint = input.parentNode.querySelector("[data-role=hint]");
    var v = parseNumber(input.value), problem = "";
    var min = parseFloat(input.getAttribute("data-min")), max = parseFloat(input.getAttribute("data-max"));
    var step = parseFloat(input.getAttribute("data-step"));
    var msg = function (key, x) { return (form.getAttribute("data-msg-" + key) || key).replace("{x}", format(x)); };
    if (v !== null && isNaN(v)) problem = msg("nan");
    else if (v !== null && !isNaN(max) && v > max + EPS) problem = msg("max", max);
    else if (v !== null && !isNaN(min) && v < min - EPS) problem = msg("min", min);
    else if (v !== null && step > 0) {
      var k = (v - (isNaN(min) ? 0 : min)) / step;
      if (Math.abs(k - Math.round(k)) > 1e-6) problem = msg("step", step);
    }
    if (problem) input.setAttribute("aria-invalid", "true"); else if (!input.closest("tr.has-error")) input.removeAttribute("aria-invalid");
    if (hint) hint.textContent = problem;
  }

  form.addEventListener("input", function (ev) {
    if (ev.target.getAttribute && ev.target.getAttribute("data-role") === "score") check(ev.target);
  });
  form.addEventListener("input", update);
  form.addEventListener("change", update);

  /* Enter in an input moves to the next input of the sheet (a spreadsheet's habit), never submits. */
  form.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" || ev.isComposing) return;
    var el = ev.target;
    if (!el || el.tagName === "TEXTAREA" || el.tagName === "BUTTON") return;
    if (el.tagName !== "INPUT" && el.tagName !== "SELECT") return;
    ev.preventDefault();
    var fields = Array.prototype.filter.call(
      form.querySelectorAll("input:not([type=hidden]):not([disabled]), select, textarea"),
      function (f) { return f.tabIndex >= 0 && f.offsetParent !== null; }
    );
    var next = fields[fields.indexOf(el) + 1];
    if (next) next.focus();
  });

  /* Leaving with unsaved changes asks first. */
  var dirty = false, submitting = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (ev) {
    if (dirty && !submitting) { ev.preventDefault(); ev.returnValue = ""; }
  });

  update();
})();
