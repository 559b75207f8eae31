// moocast dashboard: each page reads the JSON API (/v1) and draws with plotly.js (served by the app).
"use strict";

const NUMBER = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
const SHARE = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 1, signDisplay: "exceptZero" });
const PLAIN = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });
const PLOT = { displayModeBar: false, responsive: true };
const COLOURS = ["#264653", "#2a9d8f", "#8ab17d", "#e9c46a", "#f4a261", "#6d597a", "#b56576", "#457b9d", "#9c6644",
  "#a8dadc", "#5e548e", "#bc4749"];
const MIN_DEMAND = 100;  // skill groups smaller than this (a year) grow by chance: left out of the growth chart
// German states (AGS prefix) on a tile grid: [column, row, short name]
const STATES = {
  "01": [1, 0, "SH"], "13": [2, 0, "MV"], "04": [0, 1, "HB"], "02": [1, 1, "HH"], "12": [2, 1, "BB"],
  "11": [3, 1, "BE"], "05": [0, 2, "NW"], "03": [1, 2, "NI"], "15": [2, 2, "ST"], "07": [0, 3, "RP"],
  "06": [1, 3, "HE"], "16": [2, 3, "TH"], "14": [3, 3, "SN"], "10": [0, 4, "SL"], "08": [1, 4, "BW"],
  "09": [2, 4, "BY"],
};

let busyCount = 0;
// Runs an async page task; body[data-busy] counts the tasks running (the browser tests wait for "0").
async function busy(task) {
  document.body.dataset.busy = String(++busyCount);
  try {
    await task();
  } catch (error) {
    document.querySelector("main").prepend(el("p", { class: "error", role: "alert" }, String(error.message)));
    throw error;
  } finally {
    document.body.dataset.busy = String(--busyCount);
  }
}

async function api(path, params = {}) {
  const response = await fetch(apiUrl(path, params));
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

function apiUrl(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== ""));
  return query.toString() ? `${path}?${query}` : path;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function fillTable(id, rows, cells) {
  const body = document.querySelector(`#${id} tbody`);
  body.replaceChildren(...rows.map((row) => el("tr", {}, ...cells(row).map(([value, numeric]) =>
    el("td", numeric ? { class: "num" } : {}, value)))));
  if (!rows.length) body.append(el("tr", {}, el("td", { colspan: "9", class: "muted" }, "no data")));
}

function growth(value) {
  return value === null || value === undefined ? "–" : SHARE.format(value);
}

function colour(value, low, high) {  // a light-to-dark teal ramp
  const t = high > low ? Math.max(0, Math.min(1, (value - low) / (high - low))) : 0.5;
  return `hsl(${180 - 10 * t}, ${35 + 35 * t}%, ${88 - 50 * t}%)`;
}

function tileMap(container, values, labels, onPick, selected) {
  const known = Object.values(values).map((v) => v.value);
  const [low, high] = [Math.min(...known), Math.max(...known)];
  container.replaceChildren(...Object.entries(STATES).map(([code, [column, row, short]]) => {
    const value = values[code];
    const tile = el("button", { class: "tile" + (code === selected ? " selected" : ""), role: "listitem",
      "data-code": code, title: labels[code] || short, type: "button" }, el("strong", {}, short),
      el("span", {}, value === undefined ? "no data" : value.text));
    tile.style.gridColumn = String(column + 1);
    tile.style.gridRow = String(row + 1);
    if (value === undefined) tile.disabled = true;
    else tile.style.background = colour(value.value, low, high);
    if (onPick) tile.addEventListener("click", () => busy(() => onPick(code)));
    return tile;
  }));
}

async function freshness() {
  const health = await api("/health");
  const models = health.models.map((m) => `${m.model_name} v${m.model_version}`).join(", ");
  document.getElementById("freshness").textContent = `published ${health.published_at.replace("T", " ")} · ${models}`;
  return health;
}

// ---- overview ----
async function overview() {
  const health = await freshness();
  const cards = document.getElementById("status-cards");
  const latest = health.freshness.reduce((a, b) => (a.latest_change || "") > (b.latest_change || "") ? a : b);
  cards.replaceChildren(
    ...health.models.map((m) => el("div", { class: "card" }, el("span", { class: "muted" }, m.model_name),
      el("strong", {}, `version ${m.model_version}`),
      el("span", {}, `${NUMBER.format(m.series)} series · data to ${m.last_observed} · forecast to ${m.last_ds}`))),
    el("div", { class: "card" }, el("span", { class: "muted" }, "inputs"),
      el("strong", {}, `updated ${(latest.latest_change || latest.latest_run).slice(0, 10)}`),
      el("span", {}, health.freshness.map((f) => `${f.kind}: ${f.sources}`).join(" · "))),
    el("div", { class: "card" }, el("span", { class: "muted" }, "results"),
      el("strong", {}, `published ${health.published_at.slice(0, 10)}`),
      el("span", {}, `ESCO ${health.taxonomy_version}`)));

  const groups = await api("/v1/series",
    { level: "skill_group", region: "DE", order: "growth", min_demand: MIN_DEMAND, limit: 12 });
  const items = groups.items.slice().reverse();
  Plotly.newPlot("growth-chart", [{
    type: "bar", orientation: "h", x: items.map((r) => r.growth),
    y: items.map((r) => `${r.skill_group_label} ${growth(r.growth)}`),
    customdata: items.map((r) => `${growth(r.growth)} (80%: ${growth(r.growth_lo_80)} to `
      + `${growth(r.growth_hi_80)}) · ${NUMBER.format(r.demand)} a year`),
    error_x: { type: "data", symmetric: false, array: items.map((r) => r.growth_hi_80 - r.growth),
      arrayminus: items.map((r) => r.growth - r.growth_lo_80), color: "#8a9ba8", thickness: 1.5 },
    marker: { color: "#2a9d8f" }, hovertemplate: "%{y}: %{customdata}<extra></extra>",
  }], { margin: { l: 10, r: 10, t: 10, b: 30 }, xaxis: { tickformat: "+.0%" }, yaxis: { automargin: true },
    height: 380 }, PLOT);

  const gapQuery = { kind: "skill", order: "score", limit: 10 };
  const gaps = await api("/v1/gaps", gapQuery);
  fillTable("gaps-table", gaps.items, (g) => [[g.label], [NUMBER.format(g.demand), true],
    [SHARE.format(g.uncovered).replace("+", ""), true], [NUMBER.format(g.score), true]]);
  document.getElementById("gaps-export").href = apiUrl("/v1/gaps", { ...gapQuery, limit: 1000, format: "csv" });

  const card = await api("/v1/backtests");
  fillTable("accuracy-table", card.items, (b) => [[`${b.model_name} v${b.model_version}`], [b.model],
    [PLAIN.format(b.mase), true], [PLAIN.format(b.smape), true], [SHARE.format(b.coverage_80).replace("+", ""), true]]);
  const names = [...new Set(card.items.map((b) => b.model_name))];
  if (!names.length) {
    document.getElementById("accuracy-chart").replaceChildren(el("p", { class: "muted pad" },
      "No backtest scorecard was published for the served model versions (`moocast train` saves one)."));
    return;
  }
  Plotly.newPlot("accuracy-chart", names.map((name) => {
    const rows = card.items.filter((b) => b.model_name === name);
    return { type: "bar", name, x: rows.map((b) => b.model), y: rows.map((b) => b.mase) };
  }), { margin: { l: 40, r: 10, t: 10, b: 60 }, yaxis: { title: { text: "MASE" } }, height: 300, barmode: "group" }, PLOT);
  await accuracySteps(names);
}

// Each candidate's MASE (left) and 80% coverage (right) at each step ahead, for the served model picked.
async function accuracySteps(names) {
  const select = document.getElementById("steps-model-select");
  select.replaceChildren(...names.map((name) => el("option", { value: name }, name)));
  const draw = async () => {
    const steps = await api("/v1/backtests/steps", { model_name: select.value, limit: 1000 });
    if (!steps.items.length) {
      document.getElementById("accuracy-steps-chart").replaceChildren(el("p", { class: "muted pad" },
        "This model version's backtest has no scores by step (it predates them): `moocast train` again to add them."));
      return;
    }
    const candidates = [...new Set(steps.items.map((s) => s.model))];
    const traces = candidates.flatMap((model, i) => {
      const rows = steps.items.filter((s) => s.model === model);
      const line = { color: model === "selected" ? "#e76f51" : COLOURS[i % COLOURS.length],
        width: model === "selected" ? 3 : 1.5 };
      const x = rows.map((s) => s.step);
      return [
        { type: "scatter", mode: "lines+markers", name: model, legendgroup: model, x, y: rows.map((s) => s.mase), line },
        { type: "scatter", mode: "lines+markers", name: model, legendgroup: model, showlegend: false, x,
          y: rows.map((s) => s.coverage_80), line, xaxis: "x2", yaxis: "y2" },
      ];
    });
    const step = { title: { text: "step ahead" }, dtick: 1 };
    Plotly.newPlot("accuracy-steps-chart", traces, {
      margin: { l: 50, r: 10, t: 10, b: 40 }, height: 360, grid: { rows: 1, columns: 2, pattern: "independent" },
      xaxis: step, xaxis2: step, yaxis: { title: { text: "MASE" }, rangemode: "tozero" },
      yaxis2: { title: { text: "coverage of the 80% interval" }, tickformat: ".0%", range: [0, 1.02] },
      shapes: [{ type: "line", xref: "x2 domain", x0: 0, x1: 1, yref: "y2", y0: 0.8, y1: 0.8,
        line: { dash: "dash", color: "#8a9ba8" } }],
    }, PLOT);
  };
  select.addEventListener("change", () => busy(draw));
  await draw();
}

// ---- regions ----
async function regions() {
  await freshness();
  const [states, totals] = await Promise.all([
    api("/v1/regions", { level: "state", limit: 100 }),
    api("/v1/series", { level: "total", region_level: "state", limit: 100 }),
  ]);
  const labels = Object.fromEntries(states.items.map((r) => [r.code, r.label]));
  const byState = Object.fromEntries(totals.items.map((s) => [s.region, s]));
  const select = document.getElementById("state-select");
  const metric = document.getElementById("metric-select");
  select.replaceChildren(...states.items.map((r) => el("option", { value: r.code }, r.label)));
  const wanted = new URLSearchParams(location.search).get("state");
  if (wanted && labels[wanted]) select.value = wanted;

  const draw = () => {
    const values = Object.fromEntries(Object.entries(byState).map(([code, s]) => [code, metric.value === "growth"
      ? { value: s.growth ?? 0, text: growth(s.growth) } : { value: s.demand, text: NUMBER.format(s.demand) }]));
    tileMap(document.getElementById("tile-map"), values, labels, (code) => { select.value = code; return show(); },
      select.value);
    document.getElementById("map-legend").textContent = metric.value === "growth"
      ? "Colour: forecast growth of all vacancies against the last observed year (darker = faster)."
      : "Colour: mean forecast vacancies a year (darker = more).";
  };
  const show = async () => {
    const code = select.value;
    history.replaceState(null, "", apiUrl(location.pathname, { state: code }));
    draw();
    const total = byState[code];
    document.getElementById("region-title").textContent = labels[code];
    document.getElementById("region-summary").replaceChildren(
      el("div", { class: "card" }, el("span", { class: "muted" }, "forecast vacancies a year"),
        el("strong", {}, NUMBER.format(total.demand)),
        el("span", {}, `80%: ${NUMBER.format(total.demand_lo_80)}–${NUMBER.format(total.demand_hi_80)}`)),
      el("div", { class: "card" }, el("span", { class: "muted" }, "growth"), el("strong", {}, growth(total.growth)),
        el("span", {}, `vs. ${NUMBER.format(total.last_y)} in ${String(total.last_ds).slice(0, 4)}`)));
    const [groups, gaps, districts] = await Promise.all([
      api("/v1/series", { region: code, level: "skill_group", order: "demand", limit: 10 }),
      api("/v1/gaps", { kind: "skill_group", region: code, limit: 10 }),
      api("/v1/series", { within: code, level: "total", region_level: "district", order: "demand", limit: 25 }),
    ]);
    const rows = groups.items.slice().reverse();
    Plotly.newPlot("region-groups-chart", [{
      type: "bar", orientation: "h", x: rows.map((r) => r.demand), y: rows.map((r) => r.skill_group_label),
      error_x: { type: "data", symmetric: false, array: rows.map((r) => r.demand_hi_80 - r.demand),
        arrayminus: rows.map((r) => r.demand - r.demand_lo_80) },
      marker: { color: "#264653" }, hovertemplate: "%{y}: %{x:,.0f} a year<extra></extra>",
    }], { margin: { l: 10, r: 10, t: 10, b: 30 }, yaxis: { automargin: true }, height: 360 }, PLOT);
    fillTable("region-gaps", gaps.items, (g) => [[g.label], [g.region_label], [NUMBER.format(g.demand), true],
      [SHARE.format(g.uncovered).replace("+", ""), true], [NUMBER.format(g.score), true]]);
    document.getElementById("region-gaps-export").href = apiUrl("/v1/gaps",
      { kind: "skill_group", region: code, limit: 1000, format: "csv" });
    document.getElementById("districts-note").textContent = districts.total > districts.items.length
      ? `the ${districts.items.length} largest of ${districts.total}` : `${districts.total}`;
    fillTable("districts", districts.items, (d) => [[d.region_label], [NUMBER.format(d.last_y), true],
      [NUMBER.format(d.demand), true], [growth(d.growth), true]]);
  };
  select.addEventListener("change", () => busy(show));
  metric.addEventListener("change", draw);
  await show();
}

// ---- skills ----
async function skills() {
  await freshness();
  const form = document.getElementById("skill-search");
  const input = document.getElementById("skill-q");
  const params = new URLSearchParams(location.search);
  const search = async (q) => {
    const found = await api("/v1/skills", { q, limit: 15 });
    document.getElementById("skill-results").replaceChildren(...found.items.map((s) => {
      const link = el("a", { href: apiUrl("/skills", { q, uri: s.uri, kind: s.kind }) }, s.label);
      const note = s.matched === s.label ? `${s.kind}` : `${s.kind} · “${s.matched}” (${s.lang})`;
      return el("li", {}, link, el("span", { class: "muted" }, ` ${note} · ${s.series} series`));
    }));
    if (!found.items.length) document.getElementById("skill-results").append(el("li", { class: "muted" }, "no match"));
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    history.replaceState(null, "", apiUrl("/skills", { q: input.value }));
    busy(() => search(input.value));
  });
  if (params.get("q")) { input.value = params.get("q"); await search(params.get("q")); }
  if (params.get("uri")) await skill(params.get("uri"), params.get("kind"));
}

async function skill(uri, kind) {
  const series = kind === "skill_group"
    ? await api("/v1/series", { skill_group: uri, level: "skill_group", order: "demand", limit: 20 })
    : await api("/v1/series", { skill: uri, limit: 20 });
  const chosen = series.items.find((s) => s.region_level === "country") || series.items[0];
  document.getElementById("skill-view").hidden = false;
  if (!chosen) { document.getElementById("skill-title").textContent = "No forecast series for this skill"; return; }
  const name = chosen.skill !== "ALL" ? chosen.skill_label : chosen.skill_group_label;
  document.getElementById("skill-title").textContent = `${name} · ${chosen.region_label}`;
  document.getElementById("skill-series-note").textContent = `${chosen.unit}, ${chosen.source} · series ${chosen.series_id}`;
  const [observed, forecast, accuracy, past] = await Promise.all([
    api("/v1/history", { series_id: chosen.series_id, limit: 1000 }),
    api("/v1/forecasts", { series_id: chosen.series_id, limit: 1000 }),
    api("/v1/backtests", { series_id: chosen.series_id }),
    api("/v1/backtests/forecasts", { series_id: chosen.series_id, limit: 1000 }),
  ]);
  // each backtest window's forecasts as a segment of their own (a gap where the next window starts again at step 1)
  const segments = past.items.flatMap((p, i) => (i && p.step === 1 ? [null, p] : [p]));
  const f = forecast.items;
  const band = (lo, hi, label, fill) => ({ x: [...f.map((p) => p.ds), ...f.map((p) => p.ds).reverse()],
    y: [...f.map((p) => p[hi]), ...f.map((p) => p[lo]).reverse()], fill: "toself", fillcolor: fill,
    line: { width: 0 }, name: label, hoverinfo: "skip", type: "scatter" });
  Plotly.newPlot("skill-chart", [
    band("lo_95", "hi_95", "95% interval", "rgba(42,157,143,0.15)"),
    band("lo_80", "hi_80", "80% interval", "rgba(42,157,143,0.3)"),
    { x: observed.items.map((p) => p.ds), y: observed.items.map((p) => p.y), name: "observed", mode: "lines+markers",
      line: { color: "#264653" }, type: "scatter" },
    { x: f.map((p) => p.ds), y: f.map((p) => p.yhat), name: "forecast", mode: "lines+markers",
      line: { color: "#e76f51", dash: "dot" }, type: "scatter" },
    { x: segments.map((p) => p && p.ds), y: segments.map((p) => p && p.yhat), name: "past forecasts (backtest)",
      mode: "lines+markers", line: { color: "#b56576", dash: "dash" }, marker: { symbol: "diamond" }, type: "scatter",
      error_y: { type: "data", symmetric: false, array: segments.map((p) => p && p.hi_80 - p.yhat),
        arrayminus: segments.map((p) => p && p.yhat - p.lo_80), color: "#b56576", thickness: 1 },
      visible: past.items.length ? true : "legendonly" },
  ], { margin: { l: 60, r: 10, t: 10, b: 40 }, height: 360, yaxis: { title: { text: chosen.unit } },
    legend: { orientation: "h" } }, PLOT);
  fillTable("skill-accuracy", accuracy.items, (b) => [[b.model], [PLAIN.format(b.mase), true],
    [PLAIN.format(b.smape), true], [SHARE.format(b.coverage_80).replace("+", ""), true]]);
  document.getElementById("skill-chosen").textContent = f.length ? `Served: ${f[0].chosen_model} (chosen per series `
    + `on earlier backtest windows), ${f[0].model_name} v${f[0].model_version}.` : "";

  const group = chosen.skill_group;
  const gaps = await api("/v1/gaps", { kind: "skill_group", uri: group, order: "demand", limit: 1000 });
  document.getElementById("where-note").textContent = chosen.skill !== "ALL"
    ? `(its skill group “${chosen.skill_group_label}”, by district)` : "(by district)";
  const byState = {};
  for (const g of gaps.items) byState[g.region.slice(0, 2)] = (byState[g.region.slice(0, 2)] || 0) + g.demand;
  tileMap(document.getElementById("skill-tiles"), Object.fromEntries(Object.entries(byState).map(([code, v]) =>
    [code, { value: v, text: NUMBER.format(v) }])), {}, null, null);
  fillTable("skill-regions", gaps.items.slice(0, 10), (g) => [[g.region_label], [NUMBER.format(g.demand), true],
    [SHARE.format(g.uncovered).replace("+", ""), true]]);
}

// ---- priorities ----
async function priorities() {
  await freshness();
  const lists = (await api("/v1/priorities/lists", { limit: 1000 })).items;
  const provider = document.getElementById("provider-select");
  const level = document.getElementById("level-select");
  const top = document.getElementById("top-select");
  const providers = [...new Set(lists.map((l) => l.provider))];
  provider.replaceChildren(...providers.map((p) => el("option", { value: p }, p === "ALL" ? "all providers" : p)));
  const load = async () => {
    const query = { provider: provider.value, level: level.value, top: top.value };
    const ranked = await api("/v1/priorities", query);
    fillTable("priorities-table", ranked.items, (p) => [[p.rank, true], [p.topic], [p.language], [p.level],
      [NUMBER.format(p.score), true],
      [`${NUMBER.format(p.demand)} (${NUMBER.format(p.demand_lo_80)}–${NUMBER.format(p.demand_hi_80)})`, true],
      [growth(p.growth), true], [PLAIN.format(p.need), true], [SHARE.format(p.uncovered).replace("+", ""), true]]);
    document.getElementById("priorities-note").textContent = `${ranked.items.length} of ${ranked.total} topics`
      + (provider.value === "ALL" ? ", against every catalogue together" : `, against ${provider.value}'s catalogue`)
      + (ranked.items.length ? ` · ${ranked.items[0].model_name} v${ranked.items[0].model_version}` : "");
    const exported = document.getElementById("priorities-export");
    exported.href = apiUrl("/v1/priorities", { ...query, format: "csv" });
  };
  for (const control of [provider, level, top]) control.addEventListener("change", () => busy(load));
  await load();
}

const PAGES = { overview, regions, skills, priorities };
document.addEventListener("DOMContentLoaded", () => busy(PAGES[document.body.dataset.page]));
