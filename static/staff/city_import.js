// Polls the city import's status while the worker reads, checks or applies the file; once the
// worker is done with a step, reloads so that the page shows the preview or the outcome.
(function () {
  "use strict";
  var root = document.getElementById("city-import");
  if (!root || !root.dataset.working) { return; }
  var url = root.dataset.statusUrl;
  var bar = document.getElementById("import-progress");
  var label = document.getElementById("import-status");
  var count = document.getElementById("import-count");
  var done = document.getElementById("import-done");
  var total = document.getElementById("import-total");
  var delay = 700;

  function show(state) {
    label.textContent = state.status_label;
    count.hidden = !state.counting;
    if (state.counting) {
      bar.max = state.total;
      bar.value = state.done;
      done.textContent = state.done;
      total.textContent = state.total;
    } else {
      bar.removeAttribute("value");
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.error && !state.status) { label.textContent = state.error; return; }
        show(state);
        if (state.working) {
          setTimeout(poll, delay);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(poll, delay * 3); });
  }

  setTimeout(poll, 300);
})();
