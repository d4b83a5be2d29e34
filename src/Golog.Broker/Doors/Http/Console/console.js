// Golog console: a hash-routed page over the broker's /api. Every value from the broker (topic names, keys, message
// bodies, client ids) reaches the page as a text node (el() below), never as HTML, so a message such as
// <img src=x onerror=alert(1)> shows as the text it is. No libraries: the broker serves every byte of the console.
"use strict";

const REFRESH_MS = 2000;
const PAGE_ROWS = 200; // rows drawn at once: 1,000 topics stay fast, the filter finds the rest
const view = document.getElementById("view");
const statusLine = document.getElementById("status");
let timer = null;
let generation = 0; // a route change makes late answers of the previous view harmless

// el("td", {class: "num"}, "text", childNode): strings become text nodes, never markup.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

const fmt = new Intl.NumberFormat("en");
const num = n => (n === null || n === undefined) ? "–" : fmt.format(n);
const rate = n => n >= 100 ? fmt.format(Math.round(n)) : (Math.round(n * 10) / 10).toString();
function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
}
function duration(s) {
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
}
const enc = encodeURIComponent;
const link = (href, text, attrs) => el("a", { href, ...attrs }, text);
const topicHref = t => `#/topics/${enc(t)}`;
const messagesHref = (t, p) => `#/topics/${enc(t)}/${p}`;
const groupHref = g => `#/groups/${enc(g)}`;

async function api(path, options) {
  const response = await fetch("/api" + path, options);
  const body = await response.json();
  if (!response.ok) throw new Error(body.message || `HTTP ${response.status}`);
  return body;
}

function card(label, value, testid) {
  return el("div", { class: "card" }, el("div", { class: "label" }, label), el("div", { class: "value", "data-testid": testid }, value));
}

// Fixed layout (long names ellipsize instead of widening the page); a column may ask for a width, the rest share.
function table(headers, rows, testid) {
  const cols = headers.map(h => { const c = el("col"); if (h.width) c.style.width = h.width; return c; });
  return el("table", { "data-testid": testid }, el("colgroup", {}, cols),
    el("thead", {}, el("tr", {}, headers.map(h => el("th", { class: h.num ? "num" : null }, h.label)))),
    el("tbody", {}, rows));
}
const col = (label, num, width) => ({ label, num, width });

// A line chart on a canvas: series = [{points: [[t, v]...], color}]; drawn for the device's pixel ratio.
function chart(series, unit) {
  const canvas = el("canvas", { class: "chart", role: "img", "aria-label": "chart" });
  requestAnimationFrame(() => draw(canvas, series, unit));
  return canvas;
}
function draw(canvas, series, unit) {
  const ratio = window.devicePixelRatio || 1, w = canvas.clientWidth, h = canvas.clientHeight;
  if (!w || !h) return;
  canvas.width = w * ratio; canvas.height = h * ratio;
  const g = canvas.getContext("2d");
  g.scale(ratio, ratio);
  const pad = { l: 56, r: 12, t: 10, b: 24 };
  const all = series.flatMap(s => s.points);
  const now = Date.now(), t0 = all.length ? Math.min(...all.map(p => p[0])) : now - 600000, t1 = Math.max(now, t0 + 1);
  const max = Math.max(1, ...all.map(p => p[1])) * 1.1;
  const x = t => pad.l + (t - t0) / (t1 - t0) * (w - pad.l - pad.r), y = v => h - pad.b - v / max * (h - pad.t - pad.b);
  g.font = "11px system-ui, sans-serif"; g.fillStyle = "#656d76"; g.strokeStyle = "#eaeef2"; g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const v = max * i / 4, yy = Math.round(y(v)) + 0.5;
    g.beginPath(); g.moveTo(pad.l, yy); g.lineTo(w - pad.r, yy); g.stroke();
    g.fillText(rate(v) + unit, 4, yy + 4);
  }
  const minutes = Math.round((t1 - t0) / 60000);
  g.fillText(minutes ? `last ${minutes} min` : "last minute", pad.l, h - 6);
  for (const s of series) {
    if (!s.points.length) continue;
    g.strokeStyle = s.color; g.lineWidth = 2; g.beginPath();
    s.points.forEach(([t, v], i) => i ? g.lineTo(x(t), y(v)) : g.moveTo(x(t), y(v)));
    g.stroke();
  }
}
const css = name => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

// ---- views: each returns a render(data) run on every refresh, or renders once ----

async function overview() {
  const [o, topics, groups] = await Promise.all([api("/overview"), api("/topics"), api("/groups")]);
  const top = topics.slice().sort((a, b) => b.sizeBytes - a.sizeBytes).slice(0, 10);
  return [
    el("h1", {}, "Overview"),
    el("p", { class: "crumbs" }, `Broker ${o.broker.id} · version ${o.broker.version} · up ${duration(o.broker.uptimeSeconds)}`),
    el("div", { class: "cards" },
      card("Topics", num(o.topics), "topics-count"), card("Partitions", num(o.partitions)), card("Messages", num(o.messages), "messages-count"),
      card("Storage", bytes(o.storageBytes)), card("Groups", num(o.groups)), card("Total lag", num(o.totalLag), "total-lag"),
      card("Uptime", duration(o.broker.uptimeSeconds))),
    el("div", { class: "panel" }, el("h2", {}, "Throughput (messages/s)"),
      chart([
        { points: o.throughput.map(p => [p.unixMs, p.inPerSecond]), color: css("--in") },
        { points: o.throughput.map(p => [p.unixMs, p.outPerSecond]), color: css("--out") }], "/s"),
      el("div", { class: "legend" }, el("span", { class: "in" }, "in (produced)"), el("span", { class: "out" }, "out (fetched)"))),
    el("div", { class: "grid2" },
      el("div", { class: "panel" }, el("h2", {}, "Largest topics"), topicTable(top, "overview-topics")),
      el("div", { class: "panel" }, el("h2", {}, "Consumer groups"), groupTable(groups, "overview-groups"))),
  ];
}

function topicTable(topics, testid) {
  return table([col("Topic", 0, "40%"), col("Partitions", 1), col("Messages", 1), col("Size", 1), col("Msgs/s", 1)],
    topics.map(t => el("tr", {},
      el("td", { class: "name", title: t.name }, link(topicHref(t.name), t.name, { "data-testid": "topic-link" })),
      el("td", { class: "num" }, num(t.partitions)), el("td", { class: "num" }, num(t.messages)),
      el("td", { class: "num" }, bytes(t.sizeBytes)), el("td", { class: "num" }, rate(t.messagesPerSecond)))), testid);
}

function groupTable(groups, testid) {
  if (!groups.length) return el("p", { class: "muted" }, "No consumer groups yet.");
  return table([col("Group", 0, "40%"), col("State"), col("Members", 1), col("Lag", 1)],
    groups.map(g => el("tr", {},
      el("td", { class: "name", title: g.name }, link(groupHref(g.name), g.name, { "data-testid": "group-link" })),
      el("td", {}, el("span", { class: "badge " + g.state }, g.state)),
      el("td", { class: "num" }, num(g.members)), el("td", { class: "num" }, num(g.totalLag)))), testid);
}

let topicFilter = "";
async function topics() {
  const all = await api("/topics");
  const shown = () => all.filter(t => t.name.toLowerCase().includes(topicFilter.toLowerCase()));
  const body = el("div", {});
  let limit = PAGE_ROWS;
  const fill = () => {
    const matching = shown();
    body.replaceChildren(topicTable(matching.slice(0, limit), "topics-table"),
      matching.length > limit ? el("button", { class: "more", onclick: () => { limit += PAGE_ROWS; fill(); } }, `Show more (${num(matching.length - limit)} left)`) : null,
      el("p", { class: "muted" }, `${num(matching.length)} of ${num(all.length)} topics`));
  };
  const filter = el("input", { type: "search", placeholder: "Filter topics", value: topicFilter, "aria-label": "Filter topics",
    oninput: e => { topicFilter = e.target.value; limit = PAGE_ROWS; fill(); } });
  fill();
  return [el("h1", {}, "Topics"), el("div", { class: "toolbar" }, filter), createTopicForm(), el("div", { class: "panel" }, body)];
}

function createTopicForm() {
  const name = el("input", { placeholder: "new topic name", "aria-label": "New topic name", "data-testid": "new-topic" });
  const partitions = el("input", { type: "number", min: 1, value: 1, "aria-label": "Partitions" });
  const message = el("span", { class: "muted" });
  const form = el("form", { class: "toolbar", onsubmit: async e => {
    e.preventDefault();
    try {
      await api("/topics", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: name.value, partitions: Number(partitions.value) }) });
      location.hash = topicHref(name.value);
    } catch (err) { message.replaceChildren(el("span", { class: "error" }, err.message)); }
  } }, name, partitions, el("button", { class: "primary", type: "submit" }, "Create topic"), message);
  return form;
}

async function topic(name) {
  const t = await api("/topics/" + enc(name));
  return [
    el("div", { class: "crumbs" }, link("#/topics", "Topics"), " / ", name),
    el("h1", { "data-testid": "topic-name" }, t.name),
    el("div", { class: "panel" }, el("h2", {}, "Partitions"),
      table([col("Partition"), col("Log start", 1), col("High watermark", 1), col("Log end", 1), col("Size", 1), col("Msgs/s", 1), col("")],
        t.partitions.map(p => el("tr", {},
          el("td", {}, String(p.partition)), el("td", { class: "num" }, num(p.logStartOffset)),
          el("td", { class: "num", "data-testid": "partition-hw" }, num(p.highWatermark)), el("td", { class: "num" }, num(p.logEndOffset)),
          el("td", { class: "num" }, bytes(p.sizeBytes)), el("td", { class: "num" }, rate(p.messagesPerSecond)),
          el("td", {}, link(messagesHref(t.name, p.partition), "Messages", { "data-testid": "partition-link" })))), "partitions-table")),
  ];
}

async function messages(name, partition, query) {
  const params = new URLSearchParams(query);
  const offset = params.get("offset");
  const limit = params.get("limit") || "50";
  const data = await api(`/topics/${enc(name)}/partitions/${partition}/messages?` + (offset !== null ? `offset=${enc(offset)}&limit=${enc(limit)}` : `last=${enc(limit)}`));
  const offsetInput = el("input", { type: "number", min: 0, placeholder: "from offset (empty: the last ones)", value: offset ?? "", "aria-label": "From offset" });
  const limitInput = el("select", { "aria-label": "How many" }, ["20", "50", "100", "500"].map(n => el("option", { value: n, selected: n === limit }, n)));
  const go = e => {
    e.preventDefault();
    const q = new URLSearchParams({ limit: limitInput.value });
    if (offsetInput.value !== "") q.set("offset", offsetInput.value);
    location.hash = messagesHref(name, partition) + "?" + q;
  };
  const shown = b => b ? [el("pre", { class: "value" }, b.text), b.format !== "text" ? el("span", { class: "badge " + b.format }, `${b.format} · ${bytes(b.bytes)}`) : null] : el("span", { class: "muted" }, "null");
  return [
    el("div", { class: "crumbs" }, link("#/topics", "Topics"), " / ", link(topicHref(name), name), ` / partition ${partition}`),
    el("h1", {}, `Messages · ${name} [${partition}]`),
    el("p", { class: "muted" }, `log start ${num(data.logStartOffset)} · high watermark ${num(data.highWatermark)} · showing ${num(data.messages.length)} from offset ${num(data.from)}`),
    el("form", { class: "toolbar", onsubmit: go }, offsetInput, limitInput, el("button", { class: "primary", type: "submit" }, "Show")),
    el("div", { class: "panel" }, data.messages.length === 0 ? el("p", { class: "muted" }, "No messages in this range.") :
      table([col("Offset", 1, "90px"), col("Time", 0, "190px"), col("Key", 0, "22%"), col("Value")],
        data.messages.map(m => el("tr", { "data-testid": "message-row" },
          el("td", { class: "num" }, num(m.offset)),
          el("td", { class: "wrap" }, new Date(m.timestamp).toISOString().replace("T", " ").replace("Z", "")),
          el("td", { class: "wrap" }, shown(m.key)),
          el("td", { class: "wrap", "data-testid": "message-value" }, shown(m.value),
            m.headers.length ? el("div", { class: "muted mono" }, m.headers.map(h => `${h.key.text}: ${h.value.text}`).join(" · ")) : null))),
        "messages-table")),
  ];
}

async function groups() {
  return [el("h1", {}, "Consumer groups"), el("div", { class: "panel" }, groupTable(await api("/groups"), "groups-table"))];
}

async function group(name) {
  const g = await api("/groups/" + enc(name));
  return [
    el("div", { class: "crumbs" }, link("#/groups", "Groups"), " / ", name),
    el("h1", { "data-testid": "group-name" }, g.name),
    el("div", { class: "cards" }, card("State", g.state), card("Generation", num(g.generation)), card("Members", num(g.members.length)),
      card("Assignor", g.protocol), card("Total lag", num(g.totalLag), "group-lag")),
    el("div", { class: "grid2" },
      el("div", { class: "panel" }, el("h2", {}, "Lag over time"),
        chart([{ points: g.lagHistory.map(p => [p.unixMs, p.lag]), color: css("--warn") }], ""),
        el("div", { class: "legend" }, el("span", { class: "lag" }, "total lag (messages)"))),
      el("div", { class: "panel" }, el("h2", {}, "Members"), g.members.length === 0 ? el("p", { class: "muted" }, "No members: offsets only.") :
        table([col("Member"), col("Client"), col("Assignment")], g.members.map(m => el("tr", {},
          el("td", { class: "wrap mono" }, m.memberId), el("td", { class: "wrap" }, m.clientId),
          el("td", { class: "wrap" }, m.assignment.map(a => `${a.topic} [${a.partitions.join(", ")}]`).join("; ")))), "members-table"))),
    el("div", { class: "panel" }, el("h2", {}, "Offsets and lag"),
      table([col("Topic", 0, "28%"), col("Partition", 1), col("Committed", 1), col("High watermark", 1), col("Lag", 1), col("Member", 0, "24%")],
        g.offsets.map(o => el("tr", {},
          el("td", { class: "name", title: o.topic }, link(topicHref(o.topic), o.topic)), el("td", { class: "num" }, String(o.partition)),
          el("td", { class: "num" }, num(o.committed)), el("td", { class: "num" }, num(o.highWatermark)),
          el("td", { class: "num" + (o.lag > 1000 ? " lag-high" : ""), "data-testid": "partition-lag" }, num(o.lag)),
          el("td", { class: "wrap mono" }, o.memberId ?? "–"))), "offsets-table")),
  ];
}

// The cluster as this broker's metadata has it (one node is a cluster of one): nodes, then every partition's
// leader, replicas and ISR, the under-replicated and leaderless ones first. Refreshes itself, so a node going down
// shows up within a refresh; it has no text box for the refresh to disturb.
let clusterRows = PAGE_ROWS;
async function cluster() {
  const [c, [self]] = await Promise.all([api("/cluster"), api("/brokers")]);
  const ids = list => list.length ? list.join(", ") : "–";
  const trouble = p => (p.leader === null ? 2 : 0) + (p.underReplicated ? 1 : 0);
  const partitions = c.partitions.slice().sort((a, b) => trouble(b) - trouble(a) || a.topic.localeCompare(b.topic) || a.partition - b.partition);
  const role = b => [b.nodeId === c.controller && c.clustered ? "controller" : null, b.nodeId === c.self ? "this broker" : null].filter(Boolean).join(" · ");
  return [
    el("h1", {}, c.clustered ? "Cluster" : "Cluster · one node"),
    el("p", { class: "crumbs" }, `This broker: node ${c.self} · version ${self.version} · up ${duration(self.uptimeSeconds)} · ` +
      Object.entries(self.doors).map(([d, a]) => `${d} ${a.host}:${a.port}`).join("  ")),
    el("div", { class: "cards" },
      card("Nodes up", `${num(c.brokers.filter(b => b.status === "up").length)} of ${num(c.brokers.length)}`, "nodes-up"),
      card("Controller", c.clustered ? `node ${c.controller}` : "–"), card("Partitions", num(c.partitions.length)),
      card("Under-replicated", num(c.underReplicated), "under-replicated"), card("Without leader", num(c.leaderless), "leaderless")),
    el("div", { class: "panel" }, el("h2", {}, "Nodes"),
      table([col("Node"), col("JSON door"), col("Kafka door"), col("Status"), col("Role"), col("Leads", 1), col("Replicas", 1)],
        c.brokers.map(b => el("tr", { "data-testid": "node-row" },
          el("td", {}, String(b.nodeId)), el("td", { class: "mono" }, `${b.host}:${b.port}`), el("td", { class: "mono" }, b.kafkaPort ? `${b.host}:${b.kafkaPort}` : "–"),
          el("td", {}, el("span", { class: "badge node-" + b.status }, b.status)), el("td", {}, role(b)),
          el("td", { class: "num" }, num(b.leads)), el("td", { class: "num" }, num(b.replicas)))), "cluster-nodes")),
    el("div", { class: "panel" }, el("h2", {}, "Partitions"),
      table([col("Topic", 0, "34%"), col("Partition", 1), col("Leader", 1), col("Epoch", 1), col("Replicas"), col("In sync"), col("Min in sync", 1)],
        partitions.slice(0, clusterRows).map(p => el("tr", { class: p.leader === null || p.underReplicated ? "trouble" : null, "data-testid": "cluster-partition" },
          el("td", { class: "name", title: p.topic }, link(topicHref(p.topic), p.topic)), el("td", { class: "num" }, String(p.partition)),
          el("td", { class: "num" }, p.leader === null ? "none" : String(p.leader)), el("td", { class: "num" }, num(p.leaderEpoch)),
          el("td", {}, ids(p.replicas)), el("td", {}, ids(p.isr)), el("td", { class: "num" }, num(p.minInsyncReplicas)))), "cluster-partitions"),
      partitions.length > clusterRows ? el("button", { class: "more", onclick: () => { clusterRows += PAGE_ROWS; route(); } }, `Show more (${num(partitions.length - clusterRows)} left)`) : null),
  ];
}

let configFilter = "";
async function config() {
  const settings = Object.entries(await api("/config"));
  const body = el("div", {});
  const fill = () => body.replaceChildren(table([col("Setting", 0, "45%"), col("Value")],
    settings.filter(([k]) => k.includes(configFilter)).map(([k, v]) => el("tr", {}, el("td", { class: "wrap mono" }, k), el("td", { class: "wrap mono" }, v))), "config-table"));
  fill();
  return [el("h1", {}, "Effective configuration"),
    el("div", { class: "toolbar" }, el("input", { type: "search", placeholder: "Filter settings", value: configFilter, "aria-label": "Filter settings",
      oninput: e => { configFilter = e.target.value; fill(); } })),
    el("div", { class: "panel" }, body)];
}

// ---- routing: #/, #/topics, #/topics/NAME, #/topics/NAME/P?offset=..., #/groups, #/groups/NAME, #/cluster, #/config ----

function route() {
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const [section, name, partition] = parts;
  let render, nav = section || "overview", refresh = false;
  if (!section) { render = overview; refresh = true; }
  else if (section === "topics" && partition !== undefined) render = () => messages(name, Number(partition), query || "");
  else if (section === "topics" && name !== undefined) { render = () => topic(name); refresh = true; }
  else if (section === "topics") render = topics;
  else if (section === "groups" && name !== undefined) { render = () => group(name); refresh = true; }
  else if (section === "groups") { render = groups; refresh = true; }
  else if (section === "cluster") { render = cluster; refresh = true; }
  else if (section === "config") render = config;
  else render = async () => [el("h1", {}, "Not found"), el("p", {}, link("#/", "Back to the overview"))];
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.dataset.nav === nav);
  show(render, refresh);
}

async function show(render, refresh) {
  clearTimeout(timer);
  const mine = ++generation;
  try {
    const nodes = await render();
    if (mine !== generation) return;
    // only views without text boxes refresh themselves, so a refresh never takes the caret away from someone typing
    view.replaceChildren(...nodes);
    statusLine.textContent = "live · " + new Date().toLocaleTimeString();
    statusLine.classList.remove("bad");
  } catch (err) {
    if (mine !== generation) return;
    statusLine.textContent = "broker unreachable";
    statusLine.classList.add("bad");
    view.replaceChildren(el("div", { class: "error", "data-testid": "error" }, err.message));
  }
  if (refresh && mine === generation) timer = setTimeout(() => show(render, refresh), REFRESH_MS);
}

window.addEventListener("hashchange", route);
route();
