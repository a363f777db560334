// Polls the badge sheet's status while the worker builds it, and offers the download when ready.
(function () {
  "use strict";
  var root = document.getElementById("sheet-job");
  if (!root) { return; }
  var url = root.dataset.statusUrl;
  var bar = document.getElementById("sheet-progress");
  var done = document.getElementById("sheet-done");
  var label = document.getElementById("sheet-status");
  var download = document.getElementById("sheet-download");
  var link = document.getElementById("sheet-download-link");
  var error = document.getElementById("sheet-error");
  var delay = 700;

  function show(state) {
    bar.max = state.total || 1;
    bar.value = state.status === "done" ? bar.max : state.done;
    bar.textContent = state.percent + "%";
    done.textContent = state.status === "done" ? state.total : state.done;
    label.textContent = state.status_label;
    root.dataset.status = state.status;
    if (state.download_url) {
      link.href = state.download_url;
      download.hidden = false;
    }
    if (state.error) {
      error.textContent = state.error;
      error.hidden = false;
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.error && !state.status) { label.textContent = state.error; return; }
        show(state);
        if (state.status === "queued" || state.status === "running") {
          setTimeout(poll, delay);
        }
      })
      .catch(function () { setTimeout(poll, delay * 3); });
  }

  if (root.dataset.status === "queued" || root.dataset.status === "running") {
    setTimeout(poll, 300);
  }
})();
