/* readlist: mark entries as read (localStorage), progress per topic and
   overall, filters by kind, tier and length. The pages are complete without
   this script; it only adds controls. Works with Material's instant loading. */
(function () {
  "use strict";

  var KEY = "readlist:read";
  var LENGTHS = [
    ["", "Any length"], ["short", "Under 15 min"], ["medium", "15 min to 1 h"],
    ["long", "1 to 4 h"], ["huge", "Over 4 h"]
  ];
  var KINDS = {
    paper: "Paper", post: "Post", video: "Video", course: "Course", book: "Book",
    chapter: "Chapter", thesis: "Thesis", talk: "Talk", code: "Code", thread: "Thread", notes: "Notes"
  };

  function loadRead() {
    try {
      var value = JSON.parse(window.localStorage.getItem(KEY) || "{}");
      return value && typeof value === "object" ? value : {};
    } catch (e) {
      return {};
    }
  }

  function saveRead(read) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(read));
    } catch (e) { /* storage disabled: marks last for this page only */ }
  }

  var read = loadRead();

  function isRead(id) { return Object.prototype.hasOwnProperty.call(read, id); }

  function setRead(id, value) {
    if (value) { read[id] = new Date().toISOString().slice(0, 10); } else { delete read[id]; }
    saveRead(read);
    refresh();
  }

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll(".rl-entry[data-entry], .rl-row[data-entry]"));
  }

  function headingOf(card) {
    if (!card.classList.contains("rl-entry")) { return null; }
    var prev = card.previousElementSibling;
    return prev && /^H[1-6]$/.test(prev.tagName) ? prev : null;
  }

  function titleOf(item) {
    var given = item.getAttribute("data-title");
    if (given) { return given; }
    var heading = headingOf(item);
    var el = heading ? heading.querySelector("a:not(.headerlink)") || heading : item.querySelector(".rl-row-title");
    return el ? el.textContent.replace(/\u00b6/g, "").trim() : "";
  }

  /* The checkbox sits in a label of its own, outside the heading (a screen
     reader reads the heading as the title alone), named after the entry;
     the name starts with the label's visible text. */
  function makeCheckbox(id, title, visibleText) {
    var label = document.createElement("label");
    label.className = "rl-mark";
    var box = document.createElement("input");
    box.type = "checkbox";
    box.className = "rl-check";
    box.setAttribute("data-rl-check", id);
    box.setAttribute("aria-label", "Mark as read: " + title);
    box.addEventListener("click", function (event) { event.stopPropagation(); });
    box.addEventListener("change", function () { setRead(id, box.checked); });
    label.appendChild(box);
    if (visibleText) {
      var shown = document.createElement("span");
      shown.className = "rl-mark-text";
      shown.textContent = visibleText;
      label.appendChild(shown);
    }
    return label;
  }

  function addCheckboxes() {
    items().forEach(function (item) {
      if (item.querySelector(".rl-check")) { return; }
      var id = item.getAttribute("data-entry");
      if (item.classList.contains("rl-row")) {
        item.insertBefore(makeCheckbox(id, titleOf(item), ""), item.firstChild);
        return;
      }
      var meta = item.querySelector(".rl-meta");
      var mark = makeCheckbox(id, titleOf(item), "Mark as read");
      if (meta) { meta.insertBefore(mark, meta.firstChild); } else { item.insertBefore(mark, item.firstChild); }
    });
  }

  function bar(done, total, name) {
    var pct = total ? Math.round(done * 1000 / total) / 10 : 0;
    var label = String(name).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
    return '<span class="rl-bar" role="progressbar" aria-label="' + label + '" aria-valuemin="0" aria-valuemax="' +
      total + '" aria-valuenow="' + done + '" aria-valuetext="' + done + " of " + total + ' read">' +
      '<span class="rl-bar-fill" style="width:' + pct + '%"></span></span>';
  }

  function count(ids) {
    var list = (ids || "").split(/\s+/).filter(Boolean);
    var done = list.filter(isRead).length;
    return { done: done, total: list.length };
  }

  /* A topic table's row holds its topic's own readings; a topic's count
     adds its subtopics' rows (data-rl-parent), and "all" adds every row. */
  function topicCounts() {
    var byTopic = {}, all = { done: 0, total: 0 }, rows = document.querySelectorAll("tr[data-rl-topic]");
    var parents = {};
    rows.forEach(function (row) {
      var id = row.getAttribute("data-rl-topic");
      parents[id] = row.getAttribute("data-rl-parent");
      if (!byTopic[id]) { byTopic[id] = { done: 0, total: 0 }; }
    });
    var seen = {};
    rows.forEach(function (row) {
      var id = row.getAttribute("data-rl-topic");
      if (seen[id]) { return; }  // one table is enough (home and Topics have one each)
      seen[id] = true;
      var own = count(row.getAttribute("data-entries"));
      all.done += own.done;
      all.total += own.total;
      for (var t = id, guard = 0; t && byTopic[t] && guard < 100; t = parents[t], guard += 1) {
        byTopic[t].done += own.done;
        byTopic[t].total += own.total;
      }
    });
    return { byTopic: byTopic, all: all };
  }

  function refresh() {
    document.querySelectorAll("[data-rl-check]").forEach(function (box) {
      box.checked = isRead(box.getAttribute("data-rl-check"));
    });
    items().forEach(function (item) {
      var done = isRead(item.getAttribute("data-entry"));
      item.classList.toggle("rl-is-read", done);
      var heading = headingOf(item);
      if (heading) { heading.classList.toggle("rl-is-read", done); }
    });
    var topics = topicCounts();
    document.querySelectorAll("[data-rl-progress]").forEach(function (el) {
      if (!el.getAttribute("data-label")) { el.setAttribute("data-label", el.textContent.trim()); }
      var c = el.hasAttribute("data-rl-all-topics") ? topics.all : count(el.getAttribute("data-entries"));
      el.hidden = false;
      el.innerHTML = "";
      var label = document.createElement("span");
      label.className = "rl-progress-label";
      label.textContent = el.getAttribute("data-label") + ": " + c.done + " of " + c.total + " read";
      el.insertAdjacentHTML("afterbegin", bar(c.done, c.total, el.getAttribute("data-label")));
      el.appendChild(label);
    });
    document.querySelectorAll("tr[data-entries]").forEach(function (row) {
      var cell = row.querySelector(".rl-progress-col");
      if (!cell) { return; }
      var topic = row.getAttribute("data-rl-topic");
      var c = topic && topics.byTopic[topic] ? topics.byTopic[topic] : count(row.getAttribute("data-entries"));
      var name = row.querySelector("td, th");
      cell.innerHTML = bar(c.done, c.total, "Read in " + (name ? name.textContent.trim() : "this row")) +
        '<span class="rl-bar-label">' + c.done + "/" + c.total + "</span>";
    });
    applyFilters();
  }

  /* -- filters ------------------------------------------------------------ */
  var state = { kind: "", tiers: {}, length: "", hideRead: false };

  function visible(item) {
    if (state.kind && item.getAttribute("data-kind") !== state.kind) { return false; }
    var anyTier = Object.keys(state.tiers).some(function (t) { return state.tiers[t]; });
    if (anyTier && !state.tiers[item.getAttribute("data-tier")]) { return false; }
    if (state.length && item.getAttribute("data-length") !== state.length) { return false; }
    if (state.hideRead && isRead(item.getAttribute("data-entry"))) { return false; }
    return true;
  }

  function setHidden(el, value) {
    if (el.hidden !== value) { el.hidden = value; }
  }

  function isEntryHeading(el) {
    var next = el.nextElementSibling;
    return !!(next && headingOf(next) === el);
  }

  /* Everything between one <h2> and the next is its section: when a filter
     leaves a section without a visible reading, its heading, descriptions
     and lists go too. The tier 4+ block says how many it holds now. */
  function applySections() {
    document.querySelectorAll(".md-content article h2").forEach(function (h2) {
      var members = [], el = h2.nextElementSibling, has = false, any = false;
      while (el && el.tagName !== "H2") {
        if (!el.classList.contains("rl-filter-slot")) { members.push(el); }
        el = el.nextElementSibling;
      }
      members.forEach(function (m) {
        var inside = m.matches("[data-entry]") ? [m] : Array.prototype.slice.call(m.querySelectorAll("[data-entry]"));
        inside.forEach(function (item) { has = true; if (!item.hidden) { any = true; } });
      });
      if (!has) { return; }
      setHidden(h2, !any);
      members.forEach(function (m) {
        if (m.matches("[data-entry]") || isEntryHeading(m)) { return; }
        if (m.tagName === "DETAILS") {
          var shown = m.querySelectorAll("[data-entry]:not([hidden])").length;
          setHidden(m, shown === 0);
          var summary = m.querySelector("summary");
          if (summary) {
            summary.textContent = shown + " more reading" + (shown === 1 ? "" : "s") + " for going deeper";
          }
          if (state.tiers["4"] && shown) { m.open = true; }
          return;
        }
        setHidden(m, !any);
      });
    });
  }

  function applyFilters() {
    var bars = document.querySelectorAll(".rl-filters");
    if (!bars.length) { return; }
    var all = items(), shown = 0;
    all.forEach(function (item) {
      var show = visible(item);
      if (show) { shown += 1; }
      setHidden(item, !show);
      var heading = headingOf(item);
      if (heading) { setHidden(heading, !show); }
    });
    applySections();
    bars.forEach(function (b) {
      var out = b.querySelector(".rl-filter-count");
      if (out) { out.textContent = shown + " of " + all.length + " shown"; }
      var empty = b.parentNode.querySelector(".rl-empty");
      if (empty) { setHidden(empty, shown > 0); }
    });
  }

  function addFilters() {
    var slot = document.querySelector(".rl-filter-slot");
    var all = items();
    if (!slot || slot.querySelector(".rl-filters") || all.length < 2) { return; }
    state = { kind: "", tiers: {}, length: "", hideRead: false };
    var kinds = {}, tiers = {};
    all.forEach(function (item) {
      var k = item.getAttribute("data-kind");
      if (k) { kinds[k] = true; }
      tiers[item.getAttribute("data-tier")] = true;
    });

    var form = document.createElement("form");
    form.className = "rl-filters";
    form.setAttribute("role", "search");
    form.setAttribute("aria-label", "Filter readings");
    form.addEventListener("submit", function (e) { e.preventDefault(); });

    var kindSelect = document.createElement("select");
    kindSelect.name = "kind";
    kindSelect.setAttribute("aria-label", "Kind");
    kindSelect.add(new Option("Any kind", ""));
    Object.keys(kinds).sort().forEach(function (k) { kindSelect.add(new Option(KINDS[k] || k, k)); });
    kindSelect.addEventListener("change", function () { state.kind = kindSelect.value; applyFilters(); });
    // A choice between one option is noise (a tier page, a list of papers).
    if (Object.keys(kinds).length > 1) { form.appendChild(kindSelect); }

    var fieldset = document.createElement("fieldset");
    var legend = document.createElement("legend");
    legend.textContent = "Tier";
    fieldset.appendChild(legend);
    ["1", "2", "3", "4"].forEach(function (t) {
      if (!tiers[t]) { return; }
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = "tier";
      box.value = t;
      box.addEventListener("change", function () { state.tiers[t] = box.checked; applyFilters(); });
      label.appendChild(box);
      label.appendChild(document.createTextNode(t === "4" ? "4+" : t));
      fieldset.appendChild(label);
    });
    if (fieldset.querySelectorAll("input").length > 1) { form.appendChild(fieldset); }

    var lengthSelect = document.createElement("select");
    lengthSelect.name = "length";
    lengthSelect.setAttribute("aria-label", "Length");
    LENGTHS.forEach(function (pair) { lengthSelect.add(new Option(pair[1], pair[0])); });
    lengthSelect.addEventListener("change", function () { state.length = lengthSelect.value; applyFilters(); });
    form.appendChild(lengthSelect);

    var hide = document.createElement("label");
    var hideBox = document.createElement("input");
    hideBox.type = "checkbox";
    hideBox.name = "hide-read";
    hideBox.addEventListener("change", function () { state.hideRead = hideBox.checked; applyFilters(); });
    hide.appendChild(hideBox);
    hide.appendChild(document.createTextNode("Hide read"));
    form.appendChild(hide);

    var keys = document.createElement("span");
    keys.className = "rl-keys";
    keys.innerHTML = "<kbd>j</kbd> / <kbd>k</kbd>: next / previous reading";
    form.appendChild(keys);

    var out = document.createElement("output");
    out.className = "rl-filter-count";
    out.setAttribute("aria-live", "polite");
    form.appendChild(out);
    slot.appendChild(form);

    var empty = document.createElement("div");
    empty.className = "rl-empty";
    empty.hidden = true;
    var msg = document.createElement("p");
    msg.textContent = "No reading matches these filters.";
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "md-button";
    clear.textContent = "Clear the filters";
    clear.addEventListener("click", function () {
      clearFilters();
      var first = form.querySelector("select, input");
      if (first) { first.focus(); }
    });
    empty.appendChild(msg);
    empty.appendChild(clear);
    slot.appendChild(empty);
  }

  /* -- entry to entry by keyboard ------------------------------------------ */
  /* j / k move the focus to the next / previous reading the filters show
     (opening the tier 4+ block when the next one is in it), so a keyboard
     user need not Tab through every link of every entry. */
  function focusTarget(item) {
    var heading = headingOf(item);
    var target = heading || item.querySelector(".rl-row-title") || item;
    if (target.tagName !== "A" && !target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
    return target;
  }

  function currentIndex(list) {
    var active = document.activeElement;
    for (var i = 0; i < list.length; i += 1) {
      var item = list[i], heading = headingOf(item);
      if (item.contains(active) || (heading && heading.contains(active))) { return i; }
    }
    return -1;
  }

  function moveEntry(step) {
    var list = items().filter(function (item) { return !item.hidden; });
    if (!list.length) { return false; }
    var i = currentIndex(list);
    if (i < 0) {
      // Nothing focused yet: start from what is on screen.
      i = step > 0 ? -1 : list.length;
      for (var n = 0; n < list.length; n += 1) {
        var box = focusTarget(list[n]).getBoundingClientRect();
        if (box.height && box.top >= 0) { i = step > 0 ? n - 1 : n; break; }
      }
    }
    var next = list[Math.max(0, Math.min(list.length - 1, i + step))];
    for (var d = next.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) {
      d.open = true;
    }
    var target = focusTarget(next);
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "center" });
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
    var t = event.target;
    if (t && (t.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName))) { return; }
    var key = event.key;
    if ((key === "j" || key === "k") && moveEntry(key === "j" ? 1 : -1)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  /* -- copy the BibTeX of a reading's page ---------------------------------- */
  /* The button is hidden in the HTML (without this script it could not work)
     and shown here. It is a real <button>: Enter and Space press it. The
     outcome is said in the status next to it (a live region). */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }

  function legacyCopy(text) {
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      var focused = document.activeElement;
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (focused && focused.focus) { focused.focus(); }
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  function addCopyButtons() {
    document.querySelectorAll("button[data-rl-copy]").forEach(function (button) {
      if (button.hasAttribute("data-rl-ready")) { return; }
      button.setAttribute("data-rl-ready", "");
      button.hidden = false;
      var status = button.parentNode.querySelector(".rl-copy-status");
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-rl-copy"));
        if (!source) { return; }
        copyText(source.textContent).then(function () {
          if (status) { status.textContent = "Copied to the clipboard."; }
        }, function () {
          if (status) { status.textContent = "Could not copy: select the text above and copy it."; }
        });
      });
    });
  }

  /* -- landing on an entry ------------------------------------------------ */
  /* Tier 4+ entries sit in a collapsed <details>. When the reader arrives at
     #<entry-id> (a link, a search result, a hash change, instant loading),
     open every enclosing <details>, show the entry if a filter hides it, and
     scroll it into view. */
  function targetOf(hash) {
    var id = (hash || "").replace(/^#/, "");
    if (!id) { return null; }
    try { id = decodeURIComponent(id); } catch (e) { /* keep it raw */ }
    return document.getElementById(id);
  }

  function clearFilters() {
    state = { kind: "", tiers: {}, length: "", hideRead: false };
    document.querySelectorAll(".rl-filters").forEach(function (form) { form.reset(); });
    applyFilters();
  }

  /* An old link to page/#<entry-id> whose reading is now on a later part
     of a split page: go on to the part that holds it. */
  function forward(hash) {
    var id = (hash || "").replace(/^#/, "");
    try { id = decodeURIComponent(id); } catch (e) { /* keep it raw */ }
    if (!id) { return false; }
    var links = document.querySelectorAll("a[data-rl-holds]");
    for (var i = 0; i < links.length; i += 1) {
      if ((" " + links[i].getAttribute("data-rl-holds") + " ").indexOf(" " + id + " ") >= 0) {
        window.location.replace(links[i].href.split("#")[0] + "#" + encodeURIComponent(id));
        return true;
      }
    }
    return false;
  }

  function reveal(hash) {
    var el = targetOf(hash);
    if (!el) { forward(hash); return false; }
    var changed = false;
    for (var d = el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) {
      if (!d.open) { d.open = true; changed = true; }
    }
    var card = el.matches("[data-entry]") ? el : el.nextElementSibling;
    if (el.hidden || (card && card.matches("[data-entry]") && card.hidden)) {
      clearFilters();
      changed = true;
    }
    if (changed) {
      el.scrollIntoView({ block: "start" });
      // Material may restore its own scroll position in the same frame
      // (closing the search overlay); settle on the entry afterwards.
      window.requestAnimationFrame(function () { el.scrollIntoView({ block: "start" }); });
    }
    return changed;
  }

  function revealSoon(hash) {
    reveal(hash);
    window.setTimeout(function () { reveal(hash); }, 0);
  }

  function init() {
    read = loadRead();
    addCheckboxes();
    addFilters();
    addCopyButtons();
    refresh();
    revealSoon(window.location.hash);
  }

  window.addEventListener("hashchange", function () { revealSoon(window.location.hash); });
  // A link to the hash already in the address bar fires no hashchange (e.g.
  // the same search result clicked twice after closing the details).
  document.addEventListener("click", function (event) {
    var a = event.target && event.target.closest ? event.target.closest("a[href*='#']") : null;
    if (!a || !a.hash || a.pathname !== window.location.pathname) { return; }
    window.setTimeout(function () { reveal(a.hash); }, 0);
  });

  window.addEventListener("storage", function (event) {
    if (event.key === KEY) { read = loadRead(); refresh(); }
  });

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
    // Instant loading: a new location may arrive after the new document.
    if (window.location$ && window.location$.subscribe) {
      window.location$.subscribe(function (url) {
        window.setTimeout(function () { reveal(url && url.hash); }, 0);
      });
    }
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
