/* readlist: the site's search, by Pagefind (the index the build writes to
   pagefind/ at the site root; src/readlist/site/searchindex.py).

   The header gets a search button in the theme's look (a field on wide
   screens, the magnifier on a phone; `/` or `s` opens it), which opens a
   dialog: a query box, filters (topic, tier, kind, list), an order (best
   match, year, length) and the results, each a title, up to three authors,
   the year and an excerpt. Pagefind is
   loaded on the first open and fetches only the index chunks and result
   fragments a query needs, so what every page loads stays this script.

   The reading a query names comes first: when the query is a reading's exact
   title (or aka), or names one of its authors and its year, that reading is
   moved to the top of Pagefind's results (read from their meta).

   Pagefind fetches its files, which browsers refuse on file:// pages; there
   the dialog says to serve the folder instead. */
(function () {
  "use strict";

  var SHOWN = 10; // results whose fragments are fetched and shown
  var PHRASED = 3; // the phrase search's first results, fetched besides
  var FILTERS = [["topic", "Topic"], ["tier", "Tier"], ["kind", "Kind"], ["list", "List"]];
  // The orders a reader can ask for besides relevance (the index's sort keys;
  // a reading without the key is left out of that order, as Pagefind does).
  var ORDERS = [["", "Best match"], ["year:desc", "Newest first"], ["year:asc", "Oldest first"],
    ["length:asc", "Shortest first"], ["length:desc", "Longest first"]];
  var MAGNIFIER = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" aria-hidden="true" focusable="false">' +
    '<path d="M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 1.5-5-5v-.79l-.27-.27A6.52 ' +
    '6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5"/></svg>';

  var ROOT = (function () {
    var script = document.currentScript;
    var src = script && script.src ? script.src : "";
    var at = src.indexOf("assets/readlist/search.js");
    return at >= 0 ? src.slice(0, at) : null;
  })();

  var loading = null, dialog = null, opener = null, common = {};
  var chosen = {}, order = null, latest = 0, renders = 0, current = null, cursor = 0, spare = [];

  function norm(text) {
    return String(text || "").toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "")
      .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  var ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#x27;": "'" };

  function unescape(text) {
    return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, function (m) { return ENTITIES[m]; });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  /* -- Pagefind ------------------------------------------------------------ */
  function load() {
    if (!loading) {
      var pagefind = import(ROOT + "pagefind/pagefind.js").then(function (pf) {
        return pf.options({ baseUrl: "/", excerptLength: 24 }).then(function () { return pf.init(); })
          .then(function () { return pf; });
      });
      // The words too common to ask for (searchindex.py): a search does
      // without them if it can, and works as before if they are missing.
      var listed = fetch(ROOT + "pagefind/readlist.json").then(function (r) { return r.ok ? r.json() : {}; })
        .then(function (data) { (data.common || []).forEach(function (w) { common[w] = true; }); }, function () {});
      loading = Promise.all([pagefind, listed]).then(function (both) { return both[0]; });
      loading.then(function () { dialog.setAttribute("data-state", "ready"); }, function () {
        status(window.location.protocol === "file:"
          ? "Search needs the site served over HTTP (for example: python -m http.server in the site folder)."
          : "Search could not be loaded.");
        dialog.setAttribute("data-state", "failed");
      });
    }
    return loading;
  }

  /* The filters' values are fetched when the reader opens "Filters" (their
     lists grow with the list: not for every search). */
  var filling = null;

  function fillFilters() {
    if (filling) { return filling; }
    filling = load().then(function (pf) { return pf.filters(); }).then(function (all) {
      FILTERS.forEach(function (pair) {
        var select = dialog.querySelector("select[name='" + pair[0] + "']");
        var values = Object.keys(all[pair[0]] || {}).sort(function (a, b) {
          return a.localeCompare(b, undefined, { numeric: true });
        });
        values.forEach(function (v) { select.add(new Option(v, v)); });
        select.parentNode.hidden = values.length < 2;
      });
      dialog.querySelector(".rl-search__filters").setAttribute("data-state", "ready");
    });
    return filling;
  }

  /* -- ranking ---------------------------------------------------------------- */
  /* 2: the query is the title (or an aka); 1: the query's words are an author's
     name and the year, and the rest are in the title; 0: anything else. */
  function named(query, data) {
    var q = norm(query), meta = data.meta || {};
    if (!q || !meta.year && !meta.authors) { return 0; }
    if (norm(meta.title) === q) { return 2; }
    var aka = (meta.aka || "").split(" | ");
    for (var i = 0; i < aka.length; i += 1) { if (aka[i] && norm(aka[i]) === q) { return 2; } }
    var names = norm(meta.authors).split(" "), title = norm(meta.title).split(" ");
    var year = false, author = false, all = true;
    q.split(" ").forEach(function (w) {
      if (w === String(meta.year)) { year = true; } else if (names.indexOf(w) >= 0) { author = true; } else if (title.indexOf(w) < 0) { all = false; }
    });
    return year && author && all ? 1 : 0;
  }

  function rerank(query, datas) {
    return datas.map(function (d, i) { return { d: d, rank: named(query, d), i: i }; })
      .sort(function (a, b) { return b.rank - a.rank || a.i - b.i; })
      .map(function (x) { return x.d; });
  }

  /* -- the dialog -------------------------------------------------------------- */
  function status(text) { dialog.querySelector(".rl-search__status").textContent = text; }

  function resultItem(data) {
    var meta = data.meta || {};
    var li = el("li", "rl-search__result");
    var a = el("a", "rl-search__link");
    // A page (not a reading) lands on its best matching section: the
    // Authors page on the person, say.
    var sub = !meta.summary && data.sub_results && data.sub_results[0];
    var section = sub && sub.url.indexOf("#") > 0 && sub.title !== meta.title ? sub : null;
    a.href = new URL((section ? section.url : data.url).replace(/^\//, ""), ROOT).href;
    a.appendChild(el("span", "rl-search__title", (meta.title || data.url) + (section ? " › " + section.title : "")));
    var line = [meta.authors, meta.year, meta.kind].filter(Boolean).join(" · ");
    if (line) { a.appendChild(el("span", "rl-search__meta", line)); }
    var excerpt = el("span", "rl-search__excerpt");
    if (meta.summary) {
      // A reading reads as its summary's opening, not as its indexed text
      // (the title again, then the year, the kind, the authors).
      excerpt.textContent = meta.summary;
    } else {
      // Pagefind's excerpt is escaped text with <mark> around the matches:
      // rebuilt from text nodes, nothing else of it becomes markup.
      String(data.excerpt || "").split(/(<mark>.*?<\/mark>)/).forEach(function (part) {
        var found = /^<mark>(.*)<\/mark>$/.exec(part);
        var plain = unescape(found ? found[1] : part);
        excerpt.appendChild(found ? el("mark", "", plain) : document.createTextNode(plain));
      });
    }
    a.appendChild(excerpt);
    a.addEventListener("click", function () { dialog.close(); });
    li.appendChild(a);
    return li;
  }

  function render(query, datas, total) {
    var list = dialog.querySelector(".rl-search__results");
    list.textContent = "";
    datas.slice(0, SHOWN).forEach(function (d) { list.appendChild(resultItem(d)); });
    spare = datas.slice(SHOWN);  // fetched, ranked below the ones shown: "More results" shows them first
    cursor = SHOWN;  // the results fetched so far: the first SHOWN, and the phrase's
    counted(total, list.children.length);
    dialog.setAttribute("data-query", query);
    renders += 1;
    dialog.setAttribute("data-rendered", String(renders));
  }

  function counted(total, shown) {
    status(total ? total + (total === 1 ? " result" : " results") +
      (total > shown ? ", the first " + shown + " shown" : "") : "No results");
    dialog.querySelector(".rl-search__more").hidden = total <= shown;
  }

  /* The next results of the same search, under the ones shown: those
     fetched but ranked below them first, then the next of Pagefind's (a
     result the phrase search put first is not shown twice). */
  function more() {
    var search = current, list = dialog.querySelector(".rl-search__results");
    if (!search) { return; }
    var from = list.children.length, ticket = latest;
    var batch = search.results.slice(cursor, cursor + Math.max(0, SHOWN - spare.length));
    cursor += batch.length;
    Promise.all(batch.map(function (r) { return r.data(); }))
      .then(function (datas) {
        if (ticket !== latest) { return; }
        var listed = {};
        links().forEach(function (a) { listed[a.href] = true; });
        spare.concat(datas).forEach(function (d) {
          var item = resultItem(d);
          if (!listed[item.firstChild.href]) { listed[item.firstChild.href] = true; list.appendChild(item); }
        });
        spare = [];
        counted(search.results.length, list.children.length);
        var next = list.children[from] && list.children[from].querySelector("a");
        if (next) { next.focus(); }
      });
  }

  function activeFilters() {
    var out = {}, any = false;
    Object.keys(chosen).forEach(function (k) { if (chosen[k]) { out[k] = chosen[k]; any = true; } });
    return any ? out : null;
  }

  /* Pagefind fetches an index chunk for every word of a query (20-35 KB each
     at 10,000 readings, and about 100 KB for a word in every reading), and a
     result holds all of them: a long title pasted in would fetch a chunk per
     word. So Pagefind is asked for at most WORDS words: the first ones typed
     that are not common (in more than a fifth of the readings: the largest
     chunks, and the least telling) when there are two or more; otherwise, once
     the reader pauses, those with the first common words, WORDS in all (one
     word alone ranks every reading that mentions it; three in order, as a
     phrase, pin a title). Words asked while the reader types on are the
     uncommon ones typed so far, so their chunks arrive ahead of the pause and
     none is fetched in vain. A word still being typed counts as common while
     a common word starts with it. A reading whose title is typed holds the
     words asked, and the ranking above compares the whole query with its
     title. */
  var WORDS = 3, FEWEST = 2;

  function isCommon(word, typing) {
    return norm(word).split(" ").every(function (part) {
      if (!part || common[part]) { return true; }
      return typing && Object.keys(common).some(function (c) { return c.lastIndexOf(part, 0) === 0; });
    });
  }

  function asked(query, paused) {
    var all = query.replace(/"/g, " ").split(/\s+/), typing = all[all.length - 1] !== "";
    all = all.filter(Boolean);
    var keep = all.map(function (w, i) { return !isCommon(w, typing && i === all.length - 1); });
    var count = keep.filter(Boolean).length;
    if (paused && count < FEWEST) {
      for (var i = 0; i < all.length && count < WORDS; i += 1) { if (!keep[i]) { keep[i] = true; count += 1; } }
    }
    var words = all.filter(function (w, k) { return keep[k]; }).slice(0, WORDS);
    // As a phrase only where the words stand together in the query.
    var together = words.length > 1 && (" " + all.join(" ") + " ").indexOf(" " + words.join(" ") + " ") >= 0;
    return { words: words.join(" "), phrase: together ? '"' + words.join(" ") + '"' : null };
  }

  /* One search at a time: keys typed while one runs are coalesced into the
     newest query, run when it ends (Pagefind's worker answers in order, so a
     search per key would put the last one behind all the others). */
  var running = false, again = false, follow = null, shownSpec = null;

  /* Whether a search is still to come or under way: `data-busy` on the
     dialog says so (what a test waits on), and Enter waits for it. */
  function busy() { return running || pause !== null; }

  function settle() { dialog.setAttribute("data-busy", String(busy())); }

  function run() {
    if (running) { again = true; return; }
    var input = dialog.querySelector(".rl-search__input");
    if (!input.value.trim() && !activeFilters() && !order) {
      latest += 1;
      current = shownSpec = null;
      dialog.querySelector(".rl-search__more").hidden = true;
      dialog.querySelector(".rl-search__results").textContent = "";
      status("");
      dialog.setAttribute("data-query", "");
      follow = null;
      settle();
      return;
    }
    running = true;
    settle();
    var query, ticket, spec;
    load().then(function (pf) {
      // Read once Pagefind is ready: keys typed while it started count.
      query = input.value;
      var filters = activeFilters(), options = filters ? { filters: filters } : {};
      if (order) { options.sort = {}; options.sort[order[0]] = order[1]; }
      var ask = asked(query, pause === null);  // no pause pending: the reader has stopped
      if (order) { ask.phrase = null; }  // the order asked for is the order shown
      spec = JSON.stringify([ask, options, norm(query)]);
      if (spec === shownSpec) {  // shown already
        dialog.setAttribute("data-query", query);
        return null;
      }
      if (!ask.words && query.trim()) { return null; }  // nothing telling typed yet
      ticket = latest += 1;
      // The words as a phrase too: a short title made of common words can
      // rank below ten longer titles that hold its words, but few readings
      // hold them in that order (its own title does).
      return Promise.all([pf.search(ask.words || null, options), ask.phrase ? pf.search(ask.phrase, options) : null]);
    }).then(function (both) {
      var search = both && both[0], phrase = both && both[1];
      if (!search || again) { return null; }  // typing went on: only the newest query fetches fragments
      var top = search.results.slice(0, SHOWN), seen = {};
      top.forEach(function (r) { seen[r.id] = true; });
      (phrase ? phrase.results.slice(0, PHRASED) : []).forEach(function (r) { if (!seen[r.id]) { top.push(r); } });
      return Promise.all(top.map(function (r) { return r.data(); })).then(function (datas) {
        if (ticket === latest && !again) {
          current = search;
          shownSpec = spec;
          render(query, order ? datas : rerank(query, datas), search.results.length);
        }
      });
    }).catch(function () {
      if (dialog.getAttribute("data-state") !== "failed") { status("Search failed: try again."); }
    }).then(function () {
      running = false;
      if (again) { again = false; run(); return; }
      settle();
      // Enter was pressed before these results came: follow the first result
      // of that query, if it is the one now shown and the dialog is open.
      if (follow !== null && !busy()) {
        var first = follow === dialog.getAttribute("data-query") && dialog.open && links()[0];
        follow = null;
        if (first) { first.click(); }
      }
    });
  }

  /* A word still being typed is searched when the reader pauses, not at
     every key: each of its prefixes could fetch another index chunk. A pause
     is twice the time between the reader's last two keys, at most PAUSE (so
     results follow a fast-typed title within tens of ms, and a slow typist's
     within PAUSE); while the word has one or two letters (the prefix of
     thousands of words, in every chunk) it is SHORT_PAUSE. A space also
     searches the words typed at once (their chunks arrive while the next is
     typed), and a paste is searched at once, as typed in full. */
  var SHORT = 3, PAUSE = 150, SHORT_PAUSE = 250, pause = null, lastKey = 0;

  function typed(event) {
    var now = Date.now(), gap = now - lastKey;
    lastKey = now;
    var last = dialog.querySelector(".rl-search__input").value.split(/\s+/).pop();
    window.clearTimeout(pause);
    pause = null;
    follow = null;  // typing on: an Enter pressed before is not for this query
    var pasted = event.inputType === "insertFromPaste";
    if (pasted || !last.length) { run(); }  // it asks once this key's handling is over
    if (!pasted) {
      pause = window.setTimeout(function () { pause = null; run(); },
        last.length && last.length < SHORT ? SHORT_PAUSE : Math.min(2 * gap, PAUSE));
    }
    settle();
  }

  function links() { return Array.prototype.slice.call(dialog.querySelectorAll(".rl-search__link")); }

  function onKey(event) {
    var list = links(), at = list.indexOf(document.activeElement);
    var input = dialog.querySelector(".rl-search__input");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!list.length || (at < 0 && document.activeElement !== input)) { return; }
      var next = event.key === "ArrowDown" ? Math.min(at + 1, list.length - 1) : at - 1;
      (next < 0 ? input : list[next]).focus();
      event.preventDefault();
    } else if (event.key === "Enter" && document.activeElement === input) {
      event.preventDefault();
      if (busy() || dialog.getAttribute("data-query") !== input.value) {
        // The results shown are not yet the query's: search it now, and
        // follow its first result when it comes.
        window.clearTimeout(pause);
        pause = null;
        follow = input.value;
        run();
      } else if (list.length) {
        list[0].click();
      }
    }
  }

  function build() {
    dialog = el("dialog", "rl-search md-typeset");
    dialog.id = "rl-search";
    dialog.setAttribute("aria-label", "Search");
    var bar = el("div", "rl-search__bar");
    bar.insertAdjacentHTML("afterbegin", '<span class="rl-search__icon md-icon">' + MAGNIFIER + "</span>");
    var input = el("input", "rl-search__input");
    input.type = "search";
    input.placeholder = "Search";
    input.setAttribute("aria-label", "Search");
    input.setAttribute("aria-describedby", "rl-search-status");
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("autocapitalize", "off");
    input.addEventListener("input", typed);
    bar.appendChild(input);
    var close = el("button", "rl-search__close", "Close");
    close.type = "button";
    close.addEventListener("click", function () { dialog.close(); });
    bar.appendChild(close);
    dialog.appendChild(bar);

    var filters = el("details", "rl-search__filters");
    filters.appendChild(el("summary", "", "Filters and order"));
    filters.addEventListener("toggle", function () { if (filters.open) { fillFilters(); } });
    FILTERS.forEach(function (pair) {
      var label = el("label", "rl-search__filter");
      label.hidden = true;
      label.appendChild(el("span", "", pair[1]));
      var select = el("select");
      select.name = pair[0];
      select.add(new Option("Any", ""));
      select.addEventListener("change", function () { chosen[pair[0]] = select.value ? [select.value] : null; run(); });
      label.appendChild(select);
      filters.appendChild(label);
    });
    var sortLabel = el("label", "rl-search__filter");
    sortLabel.appendChild(el("span", "", "Order"));
    var sort = el("select");
    sort.name = "order";
    ORDERS.forEach(function (pair) { sort.add(new Option(pair[1], pair[0])); });
    sort.addEventListener("change", function () { order = sort.value ? sort.value.split(":") : null; run(); });
    sortLabel.appendChild(sort);
    filters.appendChild(sortLabel);
    dialog.appendChild(filters);
    var out = el("p", "rl-search__status");
    out.id = "rl-search-status";
    out.setAttribute("role", "status");
    dialog.appendChild(out);
    var list = el("ol", "rl-search__results");
    list.setAttribute("aria-label", "Results");
    dialog.appendChild(list);
    var moreButton = el("button", "rl-search__more", "More results");
    moreButton.type = "button";
    moreButton.hidden = true;
    moreButton.addEventListener("click", more);
    dialog.appendChild(moreButton);
    dialog.addEventListener("keydown", onKey);
    dialog.addEventListener("close", function () {
      follow = null;
      if (opener && document.contains(opener)) { opener.focus(); }
    });
    // A click on the backdrop (outside the box) closes it.
    dialog.addEventListener("click", function (event) { if (event.target === dialog) { dialog.close(); } });
    document.body.appendChild(dialog);
  }

  function open(from) {
    if (!dialog || !document.contains(dialog)) { build(); }
    if (dialog.open) { return; }
    opener = from || document.activeElement;
    dialog.showModal();
    var input = dialog.querySelector(".rl-search__input");
    input.focus();
    input.select();
    load();
  }

  function addButton() {
    var header = document.querySelector(".md-header__inner");
    if (!header || !ROOT || header.querySelector(".rl-search-open")) { return; }
    var button = el("button", "md-header__button rl-search-open");
    button.type = "button";
    button.setAttribute("aria-haspopup", "dialog");
    button.setAttribute("aria-keyshortcuts", "/ s");
    button.innerHTML = '<span class="md-icon">' + MAGNIFIER + '</span><span class="rl-search-open__text">Search</span>' +
      '<kbd class="rl-search-open__key" aria-hidden="true">/</kbd>';
    button.setAttribute("aria-label", "Search");
    button.addEventListener("click", function () { open(button); });
    var after = header.querySelector(".md-header__source");
    header.insertBefore(button, after);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
    if (dialog && dialog.open) { return; }
    var t = event.target;
    if (t && (t.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName))) { return; }
    if (event.key === "/" || event.key === "s" || event.key === "S") {
      event.preventDefault();
      open(document.querySelector(".rl-search-open"));
    }
  });

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(addButton);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", addButton);
  } else {
    addButton();
  }
})();
