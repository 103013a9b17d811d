// Polls the report's status and shows the download link when the file is ready.
(function () {
  var box = document.getElementById("report");
  if (!box) return;
  var bar = document.getElementById("progress");
  var state = document.getElementById("state");
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        bar.value = data.progress;
        if (data.download) {
          state.innerHTML = "";
          var link = document.createElement("a");
          link.href = data.download; link.className = "button primary"; link.textContent = "Tải báo cáo";
          state.appendChild(link);
        } else if (data.error) {
          state.textContent = data.error;
        } else {
          setTimeout(poll, 1000);
        }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  if (!state.querySelector("a")) poll();
})();
