/* Portal form helpers: live unit filter, staff list of the chosen unit, contact toggle, one submit. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d").toLowerCase().trim();
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var form = document.getElementById("portal-form");
  if (!form) { return; }

  var unitSelect = form.querySelector("#unit");
  var unitSearch = form.querySelector("#unit_q");
  var liveCount = document.getElementById("unit-live-count");
  if (unitSearch && unitSelect) {
    unitSearch.addEventListener("input", function () {
      var needle = fold(unitSearch.value), shown = 0, firstMatch = null;
      Array.prototype.forEach.call(unitSelect.options, function (option) {
        if (!option.value) { return; }
        var match = !needle || (option.getAttribute("data-fold") || "").indexOf(needle) !== -1;
        option.hidden = !match;
        option.disabled = !match && option.value !== unitSelect.value;
        if (match) { shown += 1; if (!firstMatch) { firstMatch = option; } }
      });
      // A commune whose offices are all filtered out loses its heading too.
      Array.prototype.forEach.call(unitSelect.querySelectorAll("optgroup"), function (group) {
        group.hidden = !Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
      });
      if (liveCount) { liveCount.textContent = needle ? liveCount.dataset.template.replace("%n", shown) : ""; }
      if (needle && shown === 1 && firstMatch && unitSelect.value !== firstMatch.value) {
        unitSelect.value = firstMatch.value;
        unitSelect.dispatchEvent(new Event("change"));
      }
    });
    unitSearch.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); unitSelect.focus(); }
    });
  }

  // What the citizen writes pre-fills the unit and category they have not chosen yet.
  var description = form.querySelector("#description");
  var categorySelect = form.querySelector("#category");
  var suggestUrl = form.getAttribute("data-suggest-url");
  var note = document.getElementById("suggested-note");
  var suggestTimer = null;
  // Only an empty choice, or one this script made, is ever changed: never what the citizen picked.
  var suggested = { unit: null, category: null };
  if (description && suggestUrl && window.fetch) {
    description.addEventListener("input", function () {
      clearTimeout(suggestTimer);
      suggestTimer = setTimeout(function () {
        var token = form.querySelector("input[name=csrf_token]");
        fetch(suggestUrl, { method: "POST", credentials: "same-origin",
                            headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
                            body: JSON.stringify({ text: description.value }) })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (s) {
            if (!s) { return; }
            var changed = false;
            if (s.unit && unitSelect && (!unitSelect.value || unitSelect.value === suggested.unit) &&
                unitSelect.value !== s.unit && unitSelect.querySelector('option[value="' + s.unit + '"]')) {
              unitSelect.value = suggested.unit = s.unit;
              unitSelect.dispatchEvent(new Event("change"));
              changed = true;
            }
            if (s.category && categorySelect && (!categorySelect.value || categorySelect.value === suggested.category) &&
                categorySelect.querySelector('option[value="' + s.category + '"]')) {
              categorySelect.value = suggested.category = s.category;
              changed = true;
            }
            if (changed && note) { note.hidden = false; }
          });
      }, 700);
    });
  }

  var staffField = form.querySelector(".staff-field");
  var staffSelect = form.querySelector("#staff");
  if (unitSelect && staffField && staffSelect) {
    unitSelect.addEventListener("change", function () {
      var code = unitSelect.value;
      var placeholder = staffSelect.options[0].cloneNode(true);
      staffSelect.innerHTML = "";
      staffSelect.appendChild(placeholder);
      if (!code) { return; }
      var url = staffField.dataset.staffUrl.replace("__CODE__", encodeURIComponent(code));
      fetch(url, { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { staff: [] }; })
        .then(function (data) {
          (data.staff || []).forEach(function (member) {
            var option = document.createElement("option");
            option.value = member.public_ref;
            var extra = [];
            if (member.counter_number) { extra.push(staffField.dataset.counterLabel.replace("%n", member.counter_number)); }
            if (member.unit_name && data.unit && member.unit_name !== data.unit.name) { extra.push(member.unit_name); }
            option.textContent = member.full_name + " — " + member.position + (extra.length ? " (" + extra.join(", ") + ")" : "");
            staffSelect.appendChild(option);
          });
        })
        .catch(function () { /* the no-JavaScript button still works */ });
    });
  }

  var modeInputs = form.querySelectorAll("input[name=contact_mode]");
  var contactFields = form.querySelector(".contact-fields");
  var anonymousNote = form.querySelector(".anonymous-note");
  function syncContact() {
    var anonymous = form.querySelector("input[name=contact_mode]:checked");
    anonymous = anonymous && anonymous.value === "anonymous";
    if (contactFields) { contactFields.hidden = anonymous; }
    if (anonymousNote) { anonymousNote.hidden = !anonymous; }
  }
  modeInputs.forEach(function (input) { input.addEventListener("change", syncContact); });
  syncContact();

  var submitted = false;
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.name !== "submit") { return; }
    if (submitted) { event.preventDefault(); return; }
    submitted = true;
    if (submitter) {
      // Keep the button's name/value in the request, then block a second tap.
      window.setTimeout(function () { submitter.disabled = true; }, 0);
    }
  });
})();
