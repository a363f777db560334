/* The venue desk. One field takes both scanner input (a code, then Enter) and typed searches.
   The field keeps the focus so that a scanner always types into it; Enter on an empty field
   checks in the delegate on the card. Every request carries the desk name chosen once per
   browser (localStorage). */
(function () {
  "use strict";

  var root = document.getElementById("desk");
  var T = JSON.parse(document.getElementById("desk-strings").textContent);
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var urls = root.dataset;
  var searchLimit = parseInt(urls.searchLimit || "20", 10);
  var DESK_KEY = "excom.desk.name";
  // A badge token: 22 URL-safe base64 characters (128 random bits), never a name.
  var TOKEN_RE = /^[A-Za-z0-9_-]{16,32}$/;

  var scan = document.getElementById("scan");
  var results = document.getElementById("results");
  var searchStatus = document.getElementById("search-status");
  var outcome = document.getElementById("outcome");
  var card = document.getElementById("card");
  var printStatus = document.getElementById("print-status");
  var printFrame = document.getElementById("print-frame");
  var deskDialog = document.getElementById("desk-dialog");
  var walkInDialog = document.getElementById("walk-in-dialog");

  var current = null; // the card on screen: {id, state, checked_in, ...}
  var found = [];
  var active = -1;
  var searchTimer = null;
  var searchSeq = 0;
  var busy = false;

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  // --- Desk name ---------------------------------------------------------------------------

  function deskName() { return localStorage.getItem(DESK_KEY) || ""; }

  function showDeskName() {
    document.getElementById("desk-name-label").textContent = deskName() || T.choose_desk;
  }

  var PRINT_KEY = "excom.desk.print";
  function printMode() {
    var mode = localStorage.getItem(PRINT_KEY);
    if (mode) { return mode; }
    // Without a PDF viewer a frame cannot print: the badge opens in a tab instead.
    return navigator.pdfViewerEnabled === false ? "tab" : "frame";
  }

  function askDeskName() {
    document.getElementById("desk-name").value = deskName();
    var radio = document.querySelector("input[name=print_mode][value=" + printMode() + "]");
    if (radio) { radio.checked = true; }
    deskDialog.showModal();
  }

  document.getElementById("desk-form").addEventListener("submit", function () {
    var name = document.getElementById("desk-name").value.trim().slice(0, 40);
    if (name) { localStorage.setItem(DESK_KEY, name); }
    var mode = document.querySelector("input[name=print_mode]:checked");
    if (mode) { localStorage.setItem(PRINT_KEY, mode.value); }
    showDeskName();
  });
  deskDialog.addEventListener("close", function () {
    if (!deskName()) { askDeskName(); } else { focusScan(); }
  });
  document.getElementById("desk-name-button").addEventListener("click", askDeskName);

  // --- Requests ----------------------------------------------------------------------------

  // A urlencoded body, not multipart: the server reads it with a split instead of the
  // multipart parser, on every scan and check-in.
  function post(url, fields) {
    var body = new URLSearchParams();
    body.append("desk", deskName());
    Object.keys(fields).forEach(function (key) { body.append(key, fields[key]); });
    return send(url, { method: "POST", body: body, headers: { "X-CSRFToken": csrf } });
  }

  function send(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        data._status = response.status;
        if (!response.ok && !data.error) { data.error = T.server_error; }
        return data;
      });
    }, function () {
      return { _status: 0, error: T.network };
    });
  }

  // --- Outcome and card --------------------------------------------------------------------

  function setOutcome(kind, title, message) {
    outcome.className = "outcome outcome-" + kind;
    outcome.dataset.outcome = kind;
    document.getElementById("outcome-title").textContent = title;
    document.getElementById("outcome-message").textContent = message || "";
  }

  function resetOutcome() {
    setOutcome("idle", T.idle_title, T.idle_message);
    showCard(null);
    printStatus.textContent = "";
  }

  function text(id, value) {
    var el = document.getElementById(id);
    el.textContent = value || "";
    el.hidden = !value;
    return el;
  }

  function showCard(c) {
    current = c;
    if (!c) { card.hidden = true; return; }
    card.hidden = false;
    card.className = "card state-" + c.state + (c.checked_in ? " is-in" : "");
    var photo = document.getElementById("card-photo");
    // The same photo again (a re-scan) keeps the picture shown instead of loading it afresh.
    if (c.photo_url) { if (photo.getAttribute("src") !== c.photo_url) photo.src = c.photo_url; photo.hidden = false; } else { photo.removeAttribute("src"); photo.hidden = true; }
    document.getElementById("card-no-photo").hidden = !!c.photo_url;
    var category = text("card-category", c.category_label);
    category.className = "category cat-" + c.category;
    text("card-name", [c.honorific, c.given_name, c.family_name].filter(Boolean).join(" "));
    var native = text("card-native", c.native_name);
    if (c.native_lang) { native.lang = c.native_lang; } else { native.removeAttribute("lang"); }
    native.dir = c.native_dir || "auto";
    text("card-org", [c.job_title, c.organisation].filter(Boolean).join(", "));
    text("card-city", c.city);
    text("card-country", c.country ? " · " + c.country : "");
    var state = text("card-state", c.state_label);
    state.className = "state state-" + c.state;
    text("card-checked", c.checked_in ? fmt(T.at_desk, { time: c.checked_in_at, desk: c.checked_in_desk }) : T.not_yet);
    text("card-badge", c.badge_status);
    var notes = document.getElementById("card-notes");
    notes.replaceChildren();
    c.notes.forEach(function (note) {
      var li = document.createElement("li");
      li.className = "note note-" + note.kind;
      li.dir = "auto";
      li.textContent = note.text;
      notes.appendChild(li);
    });
    notes.hidden = !c.notes.length;
    var confirmed = c.state === "confirmed";
    document.getElementById("check-in-button").hidden = !confirmed || c.checked_in;
    document.getElementById("reprint-button").hidden = !confirmed || !c.checked_in;
    var link = document.getElementById("badge-link");
    link.hidden = !confirmed || !c.checked_in;
    link.href = c.badge_url;
    document.getElementById("reprint-form").hidden = true;
  }

  function showResult(data) {
    if (data.error) {
      setOutcome("error", data.error, "");
      if (data.field === "desk") { askDeskName(); }
      return;
    }
    setOutcome(data.outcome, data.title, data.message);
    showCard(data.card || null);
    printStatus.textContent = "";
  }

  // --- Scan, check in, print -----------------------------------------------------------------

  function doScan(token) {
    busy = true;
    return post(urls.scanUrl, { token: token }).then(function (data) {
      busy = false;
      showResult(data);
    });
  }

  function doCheckIn() {
    if (!current || current.state !== "confirmed" || current.checked_in || busy) { return; }
    busy = true;
    post(urls.checkInUrl, { registration: current.id }).then(function (data) {
      busy = false;
      showResult(data);
      if (data.outcome === "checked_in") {
        printBadge(data.card, data.printed, "");
        refreshCounters();
      }
    });
  }

  function printBadge(c, alreadyCounted, reason) {
    printStatus.textContent = T.printing;
    var ready = alreadyCounted
      ? Promise.resolve({ badge_url: c.badge_url, print_count: c.print_count, badge_status: c.badge_status })
      : post(urls.printUrl, { registration: c.id, reason: reason });
    return ready.then(function (data) {
      if (data.error) {
        printStatus.textContent = fmt(T.print_failed, { error: data.error });
        return data;
      }
      current.print_count = data.print_count;
      current.badge_ready = true;
      current.badge_status = data.badge_status;
      text("card-badge", data.badge_status);
      // A new address each time so that the frame loads (and prints) again.
      var address = data.badge_url + "?print=" + Date.now();
      if (printMode() === "tab") {
        window.open(address, "excom-badge");
      } else {
        printFrame.src = address;
      }
      printStatus.textContent = data.message || T.printed;
      document.getElementById("badge-link").hidden = false;
      return data;
    });
  }

  printFrame.addEventListener("load", function () {
    if (!printFrame.src || printFrame.src === "about:blank") { return; }
    try { printFrame.contentWindow.focus(); printFrame.contentWindow.print(); } catch (e) { /* the link opens it instead */ }
    setTimeout(focusScan, 0);
  });

  document.getElementById("check-in-button").addEventListener("click", doCheckIn);

  document.getElementById("reprint-button").addEventListener("click", function () {
    var form = document.getElementById("reprint-form");
    form.hidden = false;
    document.getElementById("reprint-reason").focus();
  });
  function closeReprint() {
    document.getElementById("reprint-form").hidden = true;
    focusScan();
  }
  document.getElementById("reprint-cancel").addEventListener("click", closeReprint);
  document.getElementById("reprint-reason").addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); closeReprint(); }
  });
  document.getElementById("reprint-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var reason = document.getElementById("reprint-reason").value.trim();
    if (!reason) { printStatus.textContent = T.reason_needed; return; }
    printBadge(current, false, reason).then(function (data) {
      if (!data.error) {
        document.getElementById("reprint-form").hidden = true;
        document.getElementById("reprint-reason").value = "";
        focusScan();
      }
    });
  });

  // --- Search ------------------------------------------------------------------------------

  function clearResults() {
    found = [];
    active = -1;
    results.replaceChildren();
    results.hidden = true;
    scan.setAttribute("aria-expanded", "false");
    scan.removeAttribute("aria-activedescendant");
    searchStatus.textContent = "";
  }

  function renderResults() {
    results.replaceChildren();
    found.forEach(function (c, i) {
      var li = document.createElement("li");
      li.id = "result-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", i === active ? "true" : "false");
      li.className = "result state-" + c.state + (c.checked_in ? " is-in" : "");
      var name = document.createElement("span");
      name.className = "result-name";
      name.dir = "auto";
      name.textContent = [c.given_name, c.family_name].filter(Boolean).join(" ");
      li.appendChild(name);
      if (c.native_name) {
        var native = document.createElement("span");
        native.className = "result-native";
        native.dir = "auto";
        if (c.native_lang) { native.lang = c.native_lang; }
        native.textContent = c.native_name;
        li.appendChild(native);
      }
      var where = document.createElement("span");
      where.className = "result-where";
      where.dir = "auto";
      where.textContent = [c.city, c.category_label].filter(Boolean).join(" · ");
      li.appendChild(where);
      var badge = document.createElement("span");
      badge.className = "result-state";
      badge.textContent = c.checked_in ? "✓ " + fmt(T.at_desk, { time: c.checked_in_at, desk: c.checked_in_desk }) : c.state_label;
      li.appendChild(badge);
      li.addEventListener("mousedown", function (event) { event.preventDefault(); });
      li.addEventListener("click", function () { pick(i); });
      results.appendChild(li);
    });
    results.hidden = !found.length;
    scan.setAttribute("aria-expanded", found.length ? "true" : "false");
    if (active >= 0) {
      scan.setAttribute("aria-activedescendant", "result-" + active);
      var el = document.getElementById("result-" + active);
      if (el) { el.scrollIntoView({ block: "nearest" }); }
    } else {
      scan.removeAttribute("aria-activedescendant");
    }
  }

  function search(query, thenPick) {
    var seq = ++searchSeq;
    searchStatus.textContent = T.searching;
    return send(urls.searchUrl + "?q=" + encodeURIComponent(query)).then(function (data) {
      if (seq !== searchSeq) { return; }
      if (data.error) { searchStatus.textContent = data.error; return; }
      found = data.results || [];
      active = found.length ? 0 : -1;
      renderResults();
      if (!found.length) { searchStatus.textContent = T.none_found; }
      else if (found.length >= searchLimit) { searchStatus.textContent = fmt(T.too_many, { count: searchLimit }); }
      else if (found.length === 1) { searchStatus.textContent = T.found_one; }
      else { searchStatus.textContent = fmt(T.found_many, { count: found.length }); }
      if (thenPick && found.length === 1) { pick(0); }
    });
  }

  function pick(i) {
    var c = found[i];
    if (!c) { return; }
    scan.value = "";
    clearResults();
    // The server says what the card means now (and logs a refusal or a second check-in).
    busy = true;
    post(urls.scanUrl, { registration: c.id }).then(function (data) {
      busy = false;
      showResult(data);
    });
    focusScan();
  }

  scan.addEventListener("input", function () {
    clearTimeout(searchTimer);
    var value = scan.value.trim();
    if (value.length < 2 || TOKEN_RE.test(value) && value.length >= 20) { clearResults(); return; }
    // A new search is about someone else: the last outcome no longer applies.
    if (outcome.dataset.outcome !== "idle") { resetOutcome(); }
    searchTimer = setTimeout(function () { search(value, false); }, 220);
  });

  scan.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!found.length) { return; }
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : found.length - 1)) % found.length;
      renderResults();
      return;
    }
    if (event.key === "Escape") { scan.value = ""; clearResults(); return; }
    if (event.key !== "Enter") { return; }
    event.preventDefault();
    clearTimeout(searchTimer);
    var value = scan.value.trim();
    if (!value) { doCheckIn(); return; }
    if (TOKEN_RE.test(value) && value.indexOf(" ") < 0 && value.length >= 20) {
      scan.value = "";
      clearResults();
      doScan(value);
    } else if (found.length && active >= 0) {
      pick(active);
    } else {
      search(value, true);
    }
  });

  // --- Focus: the scanner must always find the field ---------------------------------------

  function focusScan() {
    if (deskDialog.open || walkInDialog.open) { return; }
    if (!document.getElementById("reprint-form").hidden) { return; }
    scan.focus({ preventScroll: true });
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("input, select, textarea, dialog, a")) { return; }
    setTimeout(focusScan, 0);
  });
  window.addEventListener("focus", focusScan);

  // --- Walk-in -----------------------------------------------------------------------------

  var walkInForm = document.getElementById("walk-in-form");
  document.getElementById("walk-in-button").addEventListener("click", function () {
    walkInForm.reset();
    walkInForm.querySelectorAll(".field-error").forEach(function (el) { el.hidden = true; el.textContent = ""; });
    walkInForm.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    document.getElementById("walk-in-error").hidden = true;
    walkInDialog.showModal();
    document.getElementById("wi-given_name").focus();
  });
  document.getElementById("walk-in-cancel").addEventListener("click", function () { walkInDialog.close(); });
  walkInDialog.addEventListener("close", focusScan);

  walkInForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var submit = document.getElementById("walk-in-submit");
    submit.disabled = true;
    var body = new FormData(walkInForm);
    body.append("desk", deskName());
    send(urls.walkInUrl, { method: "POST", body: body, headers: { "X-CSRFToken": csrf } }).then(function (data) {
      submit.disabled = false;
      walkInForm.querySelectorAll(".field-error").forEach(function (el) { el.hidden = true; el.textContent = ""; });
      walkInForm.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
      if (data.error) {
        var summary = document.getElementById("walk-in-error");
        summary.textContent = data.error;
        summary.hidden = false;
        var first = null;
        Object.keys(data.fields || {}).forEach(function (name) {
          var err = document.getElementById("wi-" + name + "-error");
          var input = document.getElementById("wi-" + name);
          if (err) { err.textContent = data.fields[name].join(" "); err.hidden = false; }
          if (input) { input.setAttribute("aria-invalid", "true"); first = first || input; }
        });
        (first || summary).focus();
        return;
      }
      walkInDialog.close();
      showResult(data);
      printBadge(data.card, false, "");
      refreshCounters();
    });
  });

  // --- Counters ----------------------------------------------------------------------------

  function refreshCounters() {
    if (document.hidden) { return; }
    send(urls.countersUrl).then(function (data) {
      if (data.error || data._status !== 200) { return; }
      document.getElementById("count-in").textContent = data.checked_in;
      document.getElementById("count-expected").textContent = data.expected;
      document.getElementById("counters-at").textContent = data.at;
      document.getElementById("bar-count").textContent = fmt(T.counter, { in: data.checked_in, expected: data.expected });
      var meter = document.getElementById("count-meter");
      meter.className = "fill-" + (data.expected ? Math.round(20 * data.checked_in / data.expected) * 5 : 0);
      var rows = document.getElementById("count-rows");
      rows.replaceChildren();
      data.by_category.forEach(function (row) {
        var tr = document.createElement("tr");
        var th = document.createElement("th");
        th.scope = "row";
        var dot = document.createElement("span");
        dot.className = "dot cat-" + row.category;
        th.appendChild(dot);
        th.appendChild(document.createTextNode(row.label));
        tr.appendChild(th);
        [row.checked_in, row.expected].forEach(function (n) {
          var td = document.createElement("td");
          td.textContent = n;
          tr.appendChild(td);
        });
        rows.appendChild(tr);
      });
    });
  }

  // --- Camera (where the browser can read barcodes itself) -----------------------------------

  var cameraButton = document.getElementById("camera-button");
  if ("BarcodeDetector" in window) {
    cameraButton.hidden = false;
    var stream = null;
    var video = document.getElementById("camera-video");
    var stopCamera = function () {
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
      stream = null;
      document.getElementById("camera").hidden = true;
      focusScan();
    };
    cameraButton.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
        stream = s;
        video.srcObject = s;
        document.getElementById("camera").hidden = false;
        return video.play();
      }).then(function () {
        var tick = function () {
          if (!stream) { return; }
          detector.detect(video).then(function (codes) {
            var code = codes.length && codes[0].rawValue.trim();
            if (code && !busy) {
              stopCamera();
              doScan(code.split("/").pop());
            } else {
              setTimeout(tick, 150);
            }
          }, function () { setTimeout(tick, 300); });
        };
        tick();
      }).catch(function (error) {
        setOutcome("error", fmt(T.camera_failed, { error: error.message || error.name }), "");
        stopCamera();
      });
    });
    document.getElementById("camera-stop").addEventListener("click", stopCamera);
  }

  // --- Start -------------------------------------------------------------------------------

  showDeskName();
  if (!deskName()) { askDeskName(); } else { focusScan(); }
  refreshCounters();
  setInterval(refreshCounters, 5000);
})();
