/* Operator console: find a unit by typing (accents optional), then load that unit's staff. */
(function () {
  "use strict";

  function fold(value) {
    return (value || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  document.querySelectorAll("form.console-form").forEach(function (form) {
    var unit = form.querySelector("select[name=unit_id]");
    var staff = form.querySelector("select[name=staff_id]");
    var filter = form.querySelector("input[data-filter-for=unit_id]");
    if (!unit) { return; }
    var options = Array.prototype.slice.call(unit.options).map(function (o) {
      return { value: o.value, text: o.text, folded: fold(o.text) };
    });

    if (filter) {
      filter.addEventListener("input", function () {
        var words = fold(filter.value).trim().split(/\s+/).filter(Boolean);
        var current = unit.value;
        unit.innerHTML = "";
        options.forEach(function (o) {
          var match = !o.value || words.every(function (w) { return o.folded.indexOf(w) !== -1; });
          if (match || o.value === current) { unit.add(new Option(o.text, o.value, false, o.value === current)); }
        });
        var firstMatch = Array.prototype.slice.call(unit.options).filter(function (o) { return o.value; });
        if (words.length && firstMatch.length === 1 && unit.value !== firstMatch[0].value) {
          unit.value = firstMatch[0].value;
          unit.dispatchEvent(new Event("change"));
        }
      });
    }

    // Triage's suggestion as the operator types what the caller says: fills what is still empty.
    var description = form.querySelector("textarea[name=description]");
    var hint = form.querySelector("#triage-hint");
    var category = form.querySelector("select[name=category_id]");
    var suggestUrl = form.getAttribute("data-suggest-url");
    var timer = null;
    function askTriage() {
      var token = form.querySelector("input[name=csrf_token]");
      fetch(suggestUrl, { method: "POST", credentials: "same-origin",
                          headers: { "Content-Type": "application/json", Accept: "application/json",
                                     "X-CSRFToken": token ? token.value : "" },
                          body: JSON.stringify({ text: description.value }) })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s || !hint) { return; }
          var parts = [];
          if (s.unit) {
            parts.push(s.unit.label + " (" + Math.round(s.unit.confidence * 100) + "%)");
            if (!unit.value) {
              if (s.staff && staff) { staff.setAttribute("data-suggested", String(s.staff.id)); }
              unit.value = String(s.unit.id);
              unit.dispatchEvent(new Event("change"));
            }
          }
          if (s.staff) { parts.push(s.staff.label + " (" + Math.round(s.staff.confidence * 100) + "%)"); }
          if (s.category) {
            parts.push(s.category.label + " (" + Math.round(s.category.confidence * 100) + "%)");
            if (category && !category.value) { category.value = String(s.category.id); }
          }
          hint.hidden = !parts.length;
          hint.textContent = parts.length ? form.getAttribute("data-suggest-label") + ": " + parts.join(" · ") : "";
        });
    }
    if (description && suggestUrl) {
      description.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(askTriage, 500);
      });
      // A queue item's text (an SMS, a typed voicemail) is there already: suggest at once.
      if (description.value.trim()) { askTriage(); }
    }

    if (staff) {
      unit.addEventListener("change", function () {
        var first = staff.options[0];
        staff.innerHTML = "";
        staff.add(first);
        if (!unit.value) { return; }
        var url = form.getAttribute("data-staff-url").replace(/\/0\/staff\.json$/, "/" + unit.value + "/staff.json");
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { staff: [] }; })
          .then(function (data) {
            data.staff.forEach(function (s) { staff.add(new Option(s.label, String(s.id))); });
            var suggested = staff.getAttribute("data-suggested");
            if (suggested) { staff.value = suggested; staff.removeAttribute("data-suggested"); }
          });
      });
    }
  });
})();
