/* newsgraph report: draws the page from the JSON in #report-data.
 * The network is vis-network's, the timeline vis-timeline's (vendored, inlined above this script);
 * this script only turns the data into their items and keeps the views and filters in step. */
(function () {
  "use strict";

  const started = performance.now();
  const D = JSON.parse(document.getElementById("report-data").textContent);
  // `timings`: ms since the script started, per step (the bench reports where opening goes).
  const page = { ready: false, data: D, network: null, timeline: null, items: null, timings: {} };
  const took = (step) => { page.timings[step] = Math.round(performance.now() - started); };
  took("data");
  window.newsgraphReport = page; // for tests and for anyone poking at the page in the console

  const $ = (id) => document.getElementById(id);
  const fmt = (n) => n.toLocaleString("en");
  const plural = (n, one, many) => `${fmt(n)} ${n === 1 ? one : many || one + "s"}`;

  /** A DOM element; children are nodes or text (never parsed as HTML). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "class") el.className = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat(Infinity)) {
      if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
    }
    return el;
  }

  /** Text for the libraries' HTML fields (item content, tooltips). */
  const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  /** The views are drawn: <html data-ready="true"> (set again after each change of the filters). */
  function markReady(ready = true) {
    page.ready = ready;
    if (ready && page.readyMs === undefined) page.readyMs = performance.now();
    document.documentElement.dataset.ready = String(ready);
  }

  // ---- header -------------------------------------------------------------------------------
  const C = D.counts;
  $("built").textContent =
    `Built ${D.built.time} from the store ${D.built.store} (${plural(C.articles, "article")}).`;
  const COUNT_LABELS = [["articles", "articles"], ["persons", "persons"], ["meetings", "meetings"],
    ["weaponSystems", "weapon systems"], ["permissions", "permissions"]];
  $("counts").append(...COUNT_LABELS.map(([k, label]) =>
    h("li", { "data-count": k }, h("b", null, fmt(C[k])), label)));

  if (!C.articles) {
    const empty = $("empty");
    empty.textContent = `The store ${D.built.store} holds no articles yet, so there is nothing to draw. ` +
      "Load some with `newsgraph etl ARTICLES/`, then build the report again.";
    empty.hidden = false;
    markReady();
    return;
  }
  $("views").hidden = false;

  // ---- facts --------------------------------------------------------------------------------
  const persons = D.persons;
  const articles = D.articles;
  const facts = [];
  D.meetings.forEach((m, i) => facts.push(Object.assign(m, { kind: "meeting", key: "m" + i })));
  D.permissions.forEach((p, i) => facts.push(Object.assign(p, { kind: "permission", key: "p" + i })));
  const byKey = new Map(facts.map((f) => [f.key, f]));

  /** The fact's own date, else its article's. */
  const when = (f) => f.date || articles[f.article].published || null;
  const datedByArticle = (f) => !f.date && !!articles[f.article].published;
  const byDateDesc = (a, b) => (when(b) || "").localeCompare(when(a) || "");
  const weaponOf = (p) => p.weaponSystemName || p.weapon || "weapons";
  const grantorOf = (p) => p.grantor || p.grantorPerson || "(grantor not named)";

  function summary(f) {
    if (f.kind === "meeting") {
      const who = f.participants.map((i) => persons[i].name).join(" – ");
      return `${who}${f.place ? " in " + f.place : ""}`;
    }
    return `${grantorOf(f)} → ${f.grantee}: ${weaponOf(f)}${f.scope ? " (" + f.scope + ")" : ""}`;
  }

  function terms(f) {
    const names = f.kind === "meeting" ? f.written.concat(f.place || [])
      : [f.grantor, f.grantee, f.grantorPerson, f.weapon, f.weaponSystemName, f.scope];
    const out = [];
    for (const n of names) {
      if (!n) continue;
      out.push(n);
      const words = n.split(/\s+/);
      if (f.kind === "meeting" || n === f.grantorPerson) out.push(words[words.length - 1]); // "Varga said"
    }
    return out;
  }

  /** The sentence with the fact's names and words marked. */
  function marked(text, words) {
    const ts = [...new Set(words.filter((t) => t && t.length >= 3))].sort((a, b) => b.length - a.length);
    if (!ts.length) return [text];
    const re = new RegExp(ts.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "gi");
    const out = [];
    let last = 0;
    for (const m of text.matchAll(re)) {
      out.push(text.slice(last, m.index), h("mark", null, m[0]));
      last = m.index + m[0].length;
    }
    out.push(text.slice(last));
    return out;
  }

  function fileLink(path) {
    if (!path) return null;
    const absolute = path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path);
    const href = absolute ? "file://" + encodeURI(path.replace(/\\/g, "/")).replace(/#/g, "%23").replace(/\?/g, "%3F") : null;
    return href ? h("a", { href, title: "the article file" }, path) : h("code", null, path);
  }

  function articleLine(i) {
    const a = articles[i];
    return [
      h("button", { type: "button", class: "link", onclick: () => articleTable.reveal(i) }, a.title || a.id),
      a.publisher ? ` · ${a.publisher}` : "",
      a.published ? ` · ${a.published}` : " · no publication date",
      a.path ? [" · ", fileLink(a.path)] : "",
    ];
  }

  function factMeta(f) {
    const d = f.date ? f.date : datedByArticle(f) ? `no date in the sentence; article of ${when(f)}` : "no date";
    const bits = [d];
    if (f.kind === "meeting") bits.push(f.place ? `in ${f.place}` : "place not given");
    else {
      if (f.grantorPerson) bits.push(`said by ${f.grantorPerson}`);
      if (f.action) bits.push(`to ${f.action.replace(/^to /, "")}`);
      bits.push(f.scope ? `scope: ${f.scope}` : "no scope given");
    }
    return bits.join(" · ");
  }

  function card(f) {
    return h("div", { class: "fact", "data-fact": f.key },
      h("div", { class: "what" }, h("span", { class: "badge " + f.status }, f.status),
        f.kind === "meeting" ? "Meeting: " : "Permission: ", summary(f)),
      h("div", { class: "meta muted" }, factMeta(f)),
      h("blockquote", { class: "evidence" }, marked(f.evidence, terms(f))),
      h("div", { class: "source" }, "from ", articleLine(f.article)));
  }

  function details(...children) {
    const body = $("details-body");
    body.replaceChildren(...children.flat(Infinity).filter((c) => c != null));
    $("details").scrollTop = 0;
  }

  const CARDS = 200; // more would make the panel slow to draw and no one reads them there

  function showFacts(list, title) {
    const sorted = list.slice().sort(byDateDesc);
    details(title ? h("h3", null, title) : null, sorted.slice(0, CARDS).map(card),
      sorted.length > CARDS ? h("p", { class: "note" }, `The latest ${CARDS} of ${fmt(sorted.length)}: ` +
        "narrow the filters for the others.") : null);
  }

  // ---- filters ------------------------------------------------------------------------------
  const state = { focus: null, from: "", to: "" };
  const focusOptions = new Map(); // label -> {type, id|name}
  {
    const inMeetings = new Set(D.meetings.flatMap((m) => m.participants));
    D.permissions.forEach((p) => p.grantorPersonNode != null && inMeetings.add(p.grantorPersonNode));
    const countries = new Set();
    for (const i of inMeetings) if (persons[i].country) countries.add(persons[i].country);
    for (const p of D.permissions) [p.grantor, p.grantee].forEach((c) => c && countries.add(c));
    const add = (label, value) => {
      let l = label;
      for (let n = 2; focusOptions.has(l); n++) l = `${label} (${n})`;
      focusOptions.set(l, value);
    };
    [...countries].sort().forEach((c) => add(`${c} (country)`, { type: "country", name: c }));
    [...inMeetings].sort((a, b) => persons[a].name.localeCompare(persons[b].name))
      .forEach((i) => add(`${persons[i].name}${persons[i].country ? ", " + persons[i].country : ""}`, { type: "person", id: i }));
    // Filled when first wanted: tens of thousands of options take a while to make.
    $("focus").addEventListener("focus", () => {
      const list = $("focus-options");
      if (!list.children.length) list.append(...[...focusOptions.keys()].map((l) => h("option", { value: l })));
    });
  }

  function matchesFocus(f) {
    const x = state.focus;
    if (!x) return true;
    if (f.kind === "meeting") {
      return x.type === "person" ? f.participants.includes(x.id)
        : f.participants.some((i) => persons[i].country === x.name);
    }
    if (x.type === "person") return f.grantorPersonNode === x.id;
    return f.grantor === x.name || f.grantee === x.name ||
      (f.grantorPersonNode != null && persons[f.grantorPersonNode].country === x.name);
  }

  function inRange(f) {
    if (!state.from && !state.to) return true;
    const d = when(f);
    return !!d && (!state.from || d >= state.from) && (!state.to || d <= state.to);
  }

  let visible = facts;

  function apply() {
    markReady(false);
    visible = facts.filter((f) => matchesFocus(f) && inRange(f));
    const meetings = visible.filter((f) => f.kind === "meeting").length;
    $("showing").textContent = (state.focus || state.from || state.to)
      ? `showing ${fmt(meetings)} of ${plural(D.meetings.length, "meeting")}, ` +
        `${fmt(visible.length - meetings)} of ${plural(D.permissions.length, "permission")}`
      : "";
    drawNetwork();
    took("network");
    drawTimeline();
    took("timeline");
    drawMatrix();
    factTable.setItems(visible.slice().sort(byDateDesc));
    took("tables");
  }

  function setFocus(value) {
    state.focus = value;
    const label = value ? [...focusOptions].find(([, v]) => v.type === value.type && v.id === value.id && v.name === value.name) : null;
    $("focus").value = label ? label[0] : "";
    apply();
  }

  $("focus").addEventListener("input", (e) => {
    const v = e.target.value.trim();
    if (!v) setFocus(null);
    else if (focusOptions.has(v)) setFocus(focusOptions.get(v));
  });
  for (const id of ["from", "to"]) {
    $(id).addEventListener("change", (e) => {
      state[id] = e.target.value;
      apply();
    });
  }
  $("clear").addEventListener("click", () => {
    state.from = state.to = "";
    $("from").value = $("to").value = "";
    setFocus(null);
  });
  $("filters").addEventListener("submit", (e) => e.preventDefault());

  // ---- network ------------------------------------------------------------------------------
  const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#17becf", "#bcbd22", "#8c6bb1", "#d95f02", "#1b9e77", "#e7298a", "#66a61e"];
  const OTHER = "#aab4c3";
  const NO_COUNTRY = "#dfe4ec";
  const colours = new Map(); // country -> colour: the most frequent countries get their own
  {
    const n = new Map();
    for (const m of D.meetings) {
      for (const i of m.participants) {
        const c = persons[i].country;
        if (c) n.set(c, (n.get(c) || 0) + 1);
      }
    }
    [...n].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, PALETTE.length)
      .forEach(([c], k) => colours.set(c, PALETTE[k]));
  }
  const colourOf = (country) => (country ? colours.get(country) || OTHER : NO_COUNTRY);

  /** Plain text (lines kept by the page's style): a thousand tooltip elements take a while to make. */
  function personTip(i, meetings) {
    const p = persons[i];
    return [p.name, p.roles.length ? p.roles.slice(0, 3).join("; ") : "no role given",
      p.country || "no country given", plural(meetings, "meeting")].join("\n");
  }

  let pairs = new Map(); // "a|b" -> meetings of that pair, as drawn

  function drawNetwork() {
    const meetings = visible.filter((f) => f.kind === "meeting");
    const count = new Map();
    for (const m of meetings) for (const i of m.participants) count.set(i, (count.get(i) || 0) + 1);
    let ids = [...count.keys()];
    const total = ids.length;
    ids.sort((a, b) => count.get(b) - count.get(a) || persons[a].name.localeCompare(persons[b].name));
    if (ids.length > D.networkLimit) ids = ids.slice(0, D.networkLimit);
    const shown = new Set(ids);
    pairs = new Map();
    for (const m of meetings) {
      const ps = m.participants.filter((i) => shown.has(i));
      for (let a = 0; a < ps.length; a++) {
        for (let b = a + 1; b < ps.length; b++) {
          const key = ps[a] < ps[b] ? `${ps[a]}|${ps[b]}` : `${ps[b]}|${ps[a]}`;
          if (!pairs.has(key)) pairs.set(key, []);
          pairs.get(key).push(m);
        }
      }
    }
    const nodes = ids.map((i) => ({ id: i, label: persons[i].name, value: count.get(i),
      color: { background: colourOf(persons[i].country), border: "#55607080" }, title: personTip(i, count.get(i)) }));
    const edges = [...pairs].map(([key, ms]) => {
      const [from, to] = key.split("|").map(Number);
      return { id: key, from, to, value: ms.length, title: plural(ms.length, "meeting") };
    });
    const note = $("network-note");
    note.hidden = ids.length === total && total > 0;
    note.textContent = total === 0 ? "No meetings match the filters."
      : `Showing the ${fmt(ids.length)} persons with the most meetings, of ${fmt(total)}: ` +
        "filter by a person or a country to see the others.";
    drawLegend(ids);

    const big = nodes.length > 300;
    page.bigNetwork = big;
    const options = {
      autoResize: true,
      layout: { improvedLayout: nodes.length <= 100, randomSeed: 7 },
      nodes: { shape: "dot", borderWidth: 1, font: { size: 13, color: "#1d2430" },
        scaling: { min: 7, max: 36, label: { enabled: true, min: 11, max: 22, drawThreshold: 7 } } },
      edges: { smooth: false, color: { color: "#9aa5b580", highlight: "#1d5fd6", hover: "#1d5fd6" },
        scaling: { min: 1, max: 8 } },
      interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, hideEdgesOnZoom: big },
      physics: { enabled: true, solver: "forceAtlas2Based",
        forceAtlas2Based: { gravitationalConstant: -45, springLength: 90, avoidOverlap: 0.3 },
        // A large network gets a short head start before it shows, then settles on screen.
        stabilization: { enabled: true, iterations: big ? 30 : 400, updateInterval: 50, fit: true } },
    };
    page.networkReady = false;
    if (!page.network) {
      page.network = new visNetwork.Network($("network"), { nodes, edges }, options);
      page.network.on("click", (e) => {
        if (e.nodes.length) showPerson(e.nodes[0]);
        else if (e.edges.length) showPair(e.edges[0]);
      });
      // Settled: keep the layout still, so what a reader looks at stays where it is.
      const still = () => page.network.setOptions({ physics: { enabled: false } });
      page.network.on("stabilizationIterationsDone", () => {
        took("network laid out");
        if (!page.bigNetwork) still(); // a large one had a head start only: it settles on screen
        page.networkReady = true;
        checkReady();
      });
      page.network.on("stabilized", still);
    } else {
      page.network.setOptions(options);
      page.network.setData({ nodes, edges });
    }
    if (!nodes.length) {
      page.networkReady = true;
      checkReady();
    }
  }

  function drawLegend(ids) {
    const n = new Map();
    for (const i of ids) {
      const c = colours.has(persons[i].country) ? persons[i].country : persons[i].country ? "other countries" : "no country given";
      n.set(c, (n.get(c) || 0) + 1);
    }
    const colourOfKey = (c) => colours.get(c) || (c === "other countries" ? OTHER : NO_COUNTRY);
    $("legend").replaceChildren(...[...n].sort((a, b) => b[1] - a[1]).map(([c, k]) =>
      h("li", null, h("i", { style: `background:${colourOfKey(c)}` }), `${c} (${fmt(k)})`)));
  }

  function showPerson(i) {
    const p = persons[i];
    const ms = visible.filter((f) => f.kind === "meeting" && f.participants.includes(i)).sort(byDateDesc);
    const ps = visible.filter((f) => f.kind === "permission" && f.grantorPersonNode === i).sort(byDateDesc);
    details(
      h("h3", null, p.name),
      h("p", { class: "muted" }, [p.roles.join("; ") || "no role given", p.country || "no country given"].join(" · ")),
      h("p", null, plural(ms.length, "meeting"),
        " · ", h("button", { type: "button", class: "link", onclick: () => setFocus({ type: "person", id: i }) },
          "show only this person's facts")),
      ms.slice(0, CARDS).map(card),
      ms.length > CARDS ? h("p", { class: "note" }, `The latest ${CARDS}; filter by this person for all of them.`) : null,
      ps.length ? [h("h4", null, `Permissions they announced (${fmt(ps.length)})`), ps.map(card)] : null);
  }

  function showPair(key) {
    const [a, b] = key.split("|").map(Number);
    showFacts(pairs.get(key) || [], `${persons[a].name} and ${persons[b].name}: ${plural((pairs.get(key) || []).length, "meeting")}`);
  }

  // ---- timeline -----------------------------------------------------------------------------
  const GROUPS = [{ id: "meeting", content: "Meetings", order: 1 }, { id: "permission", content: "Permissions", order: 2 }];

  /** The window that shows every date (or the date filter's range), with a margin. */
  function span(dates) {
    const days = dates.map((d) => Date.parse(d)).filter((t) => !Number.isNaN(t));
    let lo = state.from ? Date.parse(state.from) : days.reduce((a, b) => Math.min(a, b), Infinity);
    let hi = state.to ? Date.parse(state.to) : days.reduce((a, b) => Math.max(a, b), -Infinity);
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) lo = hi = Date.now();
    // Room for the labels: a box is centred on its date.
    const month = 30 * 864e5;
    const pad = Math.max((hi - lo) * 0.3, 2 * month);
    return { start: new Date(lo - pad), end: new Date(hi + pad) };
  }

  const ONE_BY_ONE = 1000; // more dated facts than this: a bar per month and status instead
  let buckets = new Map(); // a month bar's id -> {facts, label}

  /** One item per fact; past ONE_BY_ONE, one bar per kind, status and month, which stays quick to draw. */
  function timelineItems(dated) {
    buckets = new Map();
    if (dated.length <= ONE_BY_ONE) {
      const points = dated.length > 300;
      return dated.map((f) => ({
        id: f.key, group: f.kind, start: when(f), type: points ? "point" : "box",
        content: escapeHtml(f.kind === "meeting" ? summary(f) : `${grantorOf(f)} → ${f.grantee}: ${weaponOf(f)}`),
        title: escapeHtml(`${f.status}: ${summary(f)} (${factMeta(f)})`),
        className: f.status + (datedByArticle(f) ? " by-article" : ""),
      }));
    }
    for (const f of dated) {
      const id = `${f.kind}|${f.status}|${when(f).slice(0, 7)}`;
      if (!buckets.has(id)) buckets.set(id, { facts: [] });
      buckets.get(id).facts.push(f);
    }
    return [...buckets].map(([id, bucket]) => {
      const [kind, status, month] = id.split("|");
      const [y, m] = month.split("-").map(Number);
      const start = new Date(y, m - 1, 1);
      const name = start.toLocaleString("en", { month: "long", year: "numeric" });
      bucket.label = `${plural(bucket.facts.length, `${status} ${kind}`)} in ${name}`;
      return { id, group: kind, start, end: new Date(y, m, 1), type: "range", className: status,
        content: fmt(bucket.facts.length), title: escapeHtml(bucket.label) };
    });
  }

  function drawTimeline() {
    const dated = [];
    const undated = [];
    for (const f of visible) (when(f) ? dated : undated).push(f);
    const range = span(dated.map(when));
    const items = timelineItems(dated);
    const note = $("timeline-note");
    note.hidden = !buckets.size;
    note.textContent = `${fmt(dated.length)} dated facts: a bar per month and status, labelled with how many ` +
      "(click one for them); narrow the dates or filter by a person or country to see them one by one.";
    if (!page.timeline) {
      page.items = new visTimeline.DataSet(items);
      page.timeline = new visTimeline.Timeline($("timeline"), page.items, GROUPS, {
        start: range.start, end: range.end, groupOrder: "order", orientation: "top", maxHeight: 460,
        zoomMin: 7 * 864e5, margin: { item: 4 }, tooltip: { followMouse: true }, selectable: true, multiselect: false,
        onInitialDrawComplete: () => {
          took("timeline drawn");
          page.timelineReady = true;
          checkReady();
        },
      });
      page.timeline.on("select", (e) => {
        const id = e.items[0];
        if (id === undefined) return;
        if (buckets.has(id)) showFacts(buckets.get(id).facts, buckets.get(id).label);
        else if (byKey.has(id)) showFacts([byKey.get(id)]);
      });
    } else {
      page.items.clear();
      page.items.add(items);
      page.timeline.setWindow(range.start, range.end, { animation: false });
    }
    const box = $("undated");
    box.dataset.count = String(undated.length);
    box.replaceChildren();
    if (undated.length) {
      const SHOWN = 60;
      box.append(h("p", { class: "muted undated" },
        `${plural(undated.length, "fact")} without a date (neither the sentence nor its article gives one):`,
        h("div", null, undated.slice(0, SHOWN).map((f) => h("button", { type: "button", class: "undated-fact " + f.status,
          "data-fact": f.key, onclick: () => showFacts([f]) }, `${f.status} · ${summary(f)}`))),
        undated.length > SHOWN ? `… and ${fmt(undated.length - SHOWN)} more, in the table of facts below.` : null));
    }
  }

  // ---- permissions matrix -------------------------------------------------------------------
  const NO_SYSTEM = "";
  const MATRIX_COLUMNS = 40;

  function drawMatrix() {
    const perms = visible.filter((f) => f.kind === "permission");
    const box = $("matrix");
    if (!perms.length) {
      box.replaceChildren(h("p", { class: "muted" },
        D.permissions.length ? "No permissions match the filters." : "No permissions in this store."));
      return;
    }
    const colKey = (p) => p.weaponSystem || NO_SYSTEM;
    const label = new Map([[NO_SYSTEM, "weapons, no named system"]]);
    const cells = new Map(); // row -> col -> permissions
    const rowCount = new Map();
    const colCount = new Map();
    for (const p of perms) {
      const r = grantorOf(p);
      const c = colKey(p);
      if (c !== NO_SYSTEM) label.set(c, p.weaponSystemName);
      if (!cells.has(r)) cells.set(r, new Map());
      const row = cells.get(r);
      if (!row.has(c)) row.set(c, []);
      row.get(c).push(p);
      rowCount.set(r, (rowCount.get(r) || 0) + 1);
      colCount.set(c, (colCount.get(c) || 0) + 1);
    }
    const rows = [...rowCount.keys()].sort((a, b) => rowCount.get(b) - rowCount.get(a) || a.localeCompare(b));
    let cols = [...colCount.keys()].filter((c) => c !== NO_SYSTEM)
      .sort((a, b) => colCount.get(b) - colCount.get(a) || label.get(a).localeCompare(label.get(b)));
    const hiddenCols = cols.length > MATRIX_COLUMNS ? cols.length - MATRIX_COLUMNS : 0;
    cols = cols.slice(0, MATRIX_COLUMNS);
    if (colCount.has(NO_SYSTEM)) cols.push(NO_SYSTEM);
    const symbol = { granted: "✓", restricted: "◐", refused: "✗" };
    const cell = (r, c) => {
      const list = cells.get(r).get(c);
      if (!list) return h("td");
      const sorted = list.slice().sort((a, b) => (when(a) || "").localeCompare(when(b) || ""));
      const latest = sorted[sorted.length - 1].status;
      const n = {};
      list.forEach((p) => { n[p.status] = (n[p.status] || 0) + 1; });
      const text = ["granted", "restricted", "refused"].filter((s) => n[s]).map((s) => `${symbol[s]}${n[s]}`).join(" ");
      const what = ["granted", "restricted", "refused"].filter((s) => n[s]).map((s) => `${n[s]} ${s}`).join(", ");
      return h("td", null, h("button", { type: "button", class: latest, "data-cell": `${r}\u001f${c}`,
        title: `${r} × ${label.get(c)}: ${what}; latest ${latest}`,
        onclick: () => showFacts(list, `${r} × ${label.get(c)}: ${what}`) }, text));
    };
    box.replaceChildren(
      hiddenCols ? h("p", { class: "note" }, `The ${MATRIX_COLUMNS} weapon systems named most; ${fmt(hiddenCols)} more ` +
        "are in the table of facts below.") : null,
      h("table", null,
        h("thead", null, h("tr", null, h("th", { class: "row" }, "grantor \\ weapon system"),
          cols.map((c) => h("th", { title: label.get(c) }, label.get(c))))),
        h("tbody", null, rows.map((r) => h("tr", null,
          h("th", { class: "row" }, r, h("span", { class: "muted" }, ` (${fmt(rowCount.get(r))})`)),
          cols.map((c) => cell(r, c)))))));
  }

  // ---- tables: facts and articles -----------------------------------------------------------
  /** A table shown a page at a time (thousands of rows would make the page slow to open). */
  function pagedTable(container, headers, renderRow, perPage) {
    let items = [];
    let page0 = 0;
    const body = h("tbody");
    const info = h("span", { class: "muted" });
    const prev = h("button", { type: "button", onclick: () => show(page0 - 1) }, "‹ previous");
    const next = h("button", { type: "button", onclick: () => show(page0 + 1) }, "next ›");
    container.replaceChildren(h("table", null, h("thead", null, h("tr", null, headers.map((x) => h("th", null, x)))), body),
      h("div", { class: "pager" }, prev, info, next));
    function show(p) {
      const pages = Math.max(1, Math.ceil(items.length / perPage));
      page0 = Math.min(Math.max(0, p), pages - 1);
      body.replaceChildren(...items.slice(page0 * perPage, (page0 + 1) * perPage).map(renderRow));
      info.textContent = items.length ? `${fmt(page0 * perPage + 1)}–${fmt(Math.min(items.length, (page0 + 1) * perPage))} of ${fmt(items.length)}` : "none";
      prev.disabled = page0 === 0;
      next.disabled = page0 >= pages - 1;
    }
    return {
      setItems(list) { items = list; show(0); },
      /** Go to the item's page, scroll to its row and flash it. */
      reveal(item) {
        const at = items.indexOf(item);
        if (at < 0) return;
        show(Math.floor(at / perPage));
        const row = body.children[at % perPage];
        row.scrollIntoView({ block: "center" });
        row.classList.remove("flash");
        void row.offsetWidth; // restart the animation
        row.classList.add("flash");
      },
    };
  }

  const factTable = pagedTable($("facts"), ["date", "fact", "evidence", "article"], (f) =>
    h("tr", { "data-fact": f.key, onclick: (e) => { if (!e.target.closest("a, button")) showFacts([f]); } },
      h("td", null, when(f) || "–", datedByArticle(f) ? h("div", { class: "muted" }, "(article)") : null),
      h("td", null, h("span", { class: "badge " + f.status }, f.status), f.kind === "meeting" ? "meeting: " : "permission: ", summary(f)),
      h("td", { class: "evidence" }, marked(f.evidence, terms(f))),
      h("td", null, articleLine(f.article))), 50);
  $("facts").classList.add("facts");

  const factCount = new Map();
  for (const f of facts) factCount.set(f.article, (factCount.get(f.article) || 0) + 1);
  const articleTable = (() => {
    const t = pagedTable($("articles"), ["article", "title", "publisher", "published", "file", "facts"], (i) => {
      const a = articles[i];
      return h("tr", { id: `article-${i}` }, h("td", null, h("code", null, a.id)), h("td", null, a.title || "–"),
        h("td", null, a.publisher || "–"), h("td", null, a.published || "–"), h("td", null, fileLink(a.path) || "–"),
        h("td", null, fmt(factCount.get(i) || 0)));
    }, 50);
    t.setItems(articles.map((_, i) => i));
    return t;
  })();

  // ---- ready --------------------------------------------------------------------------------
  function checkReady() {
    if (page.networkReady && page.timelineReady) markReady();
  }

  apply();
})();
