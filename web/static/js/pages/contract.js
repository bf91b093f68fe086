// A quarter's contract-management figures: a framework's (lead commissioners), a member council's, or a provider's
// scorecard. Every KPI is a table from the API's `tables` (the same the CSV, XLSX and printed report give), with
// the references behind each figure linked where the reader may open them; trends are drawn by the vendored
// Chart.js with the figures in a table too. The current quarter's figures move live.
import { gql } from "../api.js";
import { subscribe } from "../live.js";
import { announce, esc, pence } from "../ui.js";

const root = document.getElementById("contract");
const { kind, frameworkId, councilId, providerId, base, ownPrefix, providerReader } = root.dataset;
const current = root.dataset.current;
let quarter = root.dataset.quarter;
const messages = document.getElementById("messages");

const TREND = "trend { quarter placementsStarted placementsActive placementsEnded unplannedEndings endingsWithoutNotice allegations spendPence }";
const TABLES = "tables { key title columns rows { label cells referralReferences placementReferences } }";
const QUERIES = {
  framework: `query($f: ID!, $q: String!) { view: frameworkQuarter(frameworkId: $f, quarter: $q) { quarter label ${TREND}
    councils { id name } providers { id name } ${TABLES} } }`,
  council: `query($f: ID!, $c: ID!, $q: String!) { view: councilQuarter(councilId: $c, frameworkId: $f, quarter: $q) { quarter label ${TREND} ${TABLES} } }`,
  provider: `query($f: ID!, $p: ID!, $q: String!) { view: providerScorecard(providerId: $p, frameworkId: $f, quarter: $q) { quarter label ${TREND} ${TABLES} } }`,
};
const SERIES_STYLE = [
  { colour: "#1d70b8", point: "circle", dash: [] },
  { colour: "#d4351c", point: "rectRot", dash: [6, 3] },
  { colour: "#0f7a52", point: "triangle", dash: [2, 2] },
];
const charts = new Map();

/** A reference as a link where the reader may open it (its own council's, or any of a provider's), else text. */
function reference(ref, isPlacement) {
  const own = providerReader === "yes" || (ownPrefix && ref.startsWith(isPlacement ? `IPA-${ownPrefix}` : ownPrefix));
  if (!own) return `<li>${esc(ref)}</li>`;
  const path = isPlacement ? "placements" : "referrals";
  return `<li><a href="/${path}/by-reference/${encodeURIComponent(ref)}">${esc(ref)}</a></li>`;
}

function drill(row) {
  const placements = row.placementReferences, referrals = row.referralReferences;
  if (!placements.length && !referrals.length) return "–";
  const words = [placements.length && `${placements.length} placement${placements.length === 1 ? "" : "s"}`,
    referrals.length && `${referrals.length} referral${referrals.length === 1 ? "" : "s"}`].filter(Boolean).join(", ");
  return `<details class="drill"><summary>${esc(words)}<span class="visually-hidden"> behind ${esc(row.label)}</span></summary>
    ${placements.length ? `<p class="meta">Placements (IPA)</p><ul class="placement-refs">${placements.map((r) => reference(r, true)).join("")}</ul>` : ""}
    ${referrals.length ? `<p class="meta">Referrals</p><ul class="referral-refs">${referrals.map((r) => reference(r, false)).join("")}</ul>` : ""}</details>`;
}

function kpiTable(table) {
  const head = table.columns.map((c, i) => `<th scope="col"${i ? ' class="numeric"' : ""}>${esc(c)}</th>`).join("");
  const body = table.rows.map((row) => `<tr><th scope="row">${esc(row.label)}</th>${row.cells.map((c) => `<td class="numeric">${esc(c || "–")}</td>`).join("")}
    <td class="references">${drill(row)}</td></tr>`).join("");
  return `<section class="kpi-table" id="table-${esc(table.key)}" aria-labelledby="table-${esc(table.key)}-title">
    <h3 id="table-${esc(table.key)}-title">${esc(table.title)}</h3>
    <p class="no-print"><a href="${esc(base)}/quarters/${esc(quarter)}/${esc(table.key)}.csv" download class="csv-link">Download this table (CSV)<span class="visually-hidden">: ${esc(table.title)}</span></a></p>
    <div class="table-wrap" tabindex="0" role="region" aria-label="${esc(table.title)} (scrolls sideways)"><table><caption class="visually-hidden">${esc(table.title)}</caption>
    <thead><tr>${head}<th scope="col">Behind the figure</th></tr></thead><tbody>${body || `<tr><td colspan="${table.columns.length + 1}">Nothing this quarter.</td></tr>`}</tbody></table></div></section>`;
}

function chartFrame(id, title) {
  return `<figure class="chart" id="${id}" aria-labelledby="${id}-title"><figcaption id="${id}-title">${esc(title)}</figcaption>
    <div class="canvas-box" style="height: 260px"><canvas role="img" aria-label="${esc(title)}. The figures are in the table that follows."></canvas></div>
    <details class="chart-data"><summary>Show the figures as a table</summary><div class="table-wrap" id="${id}-table" tabindex="0" role="region" aria-label="${esc(title)}: figures"></div></details></figure>`;
}

function draw(id, title, labels, series, format = String) {
  const head = ["Quarter", ...series.map((s) => s.name)].map((h, i) => `<th scope="col"${i ? ' class="numeric"' : ""}>${esc(h)}</th>`).join("");
  const body = labels.map((l, i) => `<tr><th scope="row">${esc(l)}</th>${series.map((s) => `<td class="numeric">${esc(format(s.values[i]))}</td>`).join("")}</tr>`).join("");
  document.getElementById(`${id}-table`).innerHTML = `<table><caption class="visually-hidden">${esc(title)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  const existing = charts.get(id);
  if (existing) {
    existing.data.labels = labels;
    existing.data.datasets.forEach((d, i) => { d.data = series[i].values; });
    existing.update();
    return;
  }
  const Chart = window.Chart;
  Chart.defaults.color = "#0b0c0c";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  const narrow = window.matchMedia("(max-width: 40rem)").matches;
  const size = narrow ? 12 : 14;
  charts.set(id, new Chart(document.querySelector(`#${id} canvas`), {
    type: "line",
    data: { labels, datasets: series.map((s, i) => ({ label: s.name, data: s.values, borderColor: SERIES_STYLE[i].colour,
      backgroundColor: SERIES_STYLE[i].colour, pointStyle: SERIES_STYLE[i].point, pointRadius: 5, borderDash: SERIES_STYLE[i].dash, borderWidth: 3 })) },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
      scales: { x: { ticks: { font: { size }, maxRotation: 0, autoSkipPadding: 10 }, grid: { display: false } },
        y: { beginAtZero: true, grace: "5%", ticks: { precision: 0, font: { size }, callback: (v) => format(v) }, grid: { color: "#cecece" } } },
      plugins: { legend: { position: "bottom", labels: { usePointStyle: true, font: { size } } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${format(item.raw)}` } } } },
  }));
}

function drawTrends(trend) {
  const box = document.getElementById("charts");
  if (!box.children.length) {
    box.innerHTML = chartFrame("chart-placements", "Placements started, active and ended, by quarter")
      + chartFrame("chart-endings", "Unplanned endings, endings without 28 days' notice and allegations, by quarter")
      + chartFrame("chart-spend", "Spend on placements, by quarter");
  }
  const labels = trend.map((p) => p.quarter);
  const series = (pairs) => pairs.map(([name, key]) => ({ name, values: trend.map((p) => p[key]) }));
  draw("chart-placements", "Placements started, active and ended, by quarter", labels,
    series([["Started", "placementsStarted"], ["Active", "placementsActive"], ["Ended", "placementsEnded"]]));
  draw("chart-endings", "Unplanned endings, endings without 28 days' notice and allegations, by quarter", labels,
    series([["Unplanned endings", "unplannedEndings"], ["Without 28 days' notice", "endingsWithoutNotice"], ["Allegations", "allegations"]]));
  draw("chart-spend", "Spend on placements, by quarter", labels, series([["Spend", "spendPence"]]),
    (v) => (typeof v === "number" ? pence(v).replace(/\.\d\d$/, "") : String(v)));
}

function organisations(view) {
  if (kind !== "framework") return;
  const link = (path, id, text) => `<li><a href="/frameworks/${esc(frameworkId)}/${path}/${esc(id)}/${path === "councils" ? "quarter" : "scorecard"}?quarter=${esc(quarter)}">${esc(text)}</a></li>`;
  document.getElementById("organisations").innerHTML = `<section aria-labelledby="orgs-title"><h2 id="orgs-title">Member councils and providers</h2>
    <div class="form-grid"><div><h3>Member councils' quarters</h3><ul class="govuk-list" id="council-links">${view.councils.map((c) => link("councils", c.id, c.name)).join("")}</ul></div>
    <div><h3>Providers' scorecards</h3><ul class="govuk-list" id="provider-links">${view.providers.map((p) => link("providers", p.id, p.name)).join("")}</ul></div></div></section>`;
}

function downloads() {
  document.getElementById("download-xlsx").href = `${base}/quarters/${quarter}.xlsx`;
  document.getElementById("download-report").href = `${base}/quarters/${quarter}/report`;
  const year = Number(quarter.slice(0, 4));
  const placements = document.getElementById("download-placements");
  if (placements) placements.href = `/frameworks/${frameworkId}/placements/${year}-${String((year + 1) % 100).padStart(2, "0")}.xlsx`;
}

let loading = null;

async function load() {
  const tables = document.getElementById("tables");
  tables.setAttribute("aria-busy", "true");
  const asked = quarter;
  try {
    const data = await gql(QUERIES[kind], { f: frameworkId, c: councilId || undefined, p: providerId || undefined, q: quarter });
    if (asked !== quarter) return; // the reader has moved on to another quarter
    const view = data.view;
    if (!view) { announce(messages, "These figures are not available to you.", "error"); return; }
    tables.innerHTML = view.tables.map(kpiTable).join("");
    tables.dataset.quarter = view.quarter;
    drawTrends(view.trend);
    organisations(view);
    downloads();
    document.getElementById("quarter-state").textContent = `Showing ${view.label}${view.quarter === current ? ": this quarter, updated live as placements start and end" : ""}.`;
  } catch (error) {
    announce(messages, error.message, "error");
  } finally {
    tables.setAttribute("aria-busy", "false");
  }
}

function refresh() {
  clearTimeout(loading);
  loading = setTimeout(load, 250);
}

document.getElementById("quarter-form").addEventListener("submit", (event) => {
  event.preventDefault();
  quarter = document.getElementById("quarter").value;
  const url = new URL(location.href);
  url.searchParams.set("quarter", quarter);
  history.replaceState(null, "", url);
  load();
});
document.getElementById("quarter").addEventListener("change", () => document.getElementById("quarter-form").requestSubmit());

// Live: the framework's own feed for its lead commissioners, the dashboard's for a council's or provider's staff.
const onError = (errors) => announce(messages, errors.map?.((e) => e.message).join("; ") ?? String(errors), "error");
if (kind === "framework") {
  subscribe("subscription($f: ID!, $after: String) { contractFiguresChanged(frameworkId: $f, after: $after) { cursor event quarter } }",
    { f: frameworkId }, { field: "contractFiguresChanged", onData: (m) => { if (m.quarter === quarter) refresh(); }, onError });
} else {
  let first = true;
  subscribe("subscription($after: String) { dashboard(after: $after) { cursor } }", {},
    { field: "dashboard", onData: () => { if (first) { first = false; return; } if (quarter === current) refresh(); }, onError });
}
load();
