// Live KPIs and charts. Charts are drawn by Chart.js (vendored under /static/vendor/, loaded by the page as
// window.Chart; nothing from a CDN); every chart has a table of the same figures for screen readers and for
// anyone who wants the numbers, and its canvas is labelled as an image pointing to that table.
import { subscribe } from "../live.js";
import { announce, day, esc, label, pence, shortDay } from "../ui.js";

const WEEK = "weekly { weekStarting referrals offers placements }";
const QUERY = `subscription($after: String) { dashboard(after: $after) { cursor dashboard {
  council { openByUrgency { urgency count } openWithoutOffer medianHoursToFirstOffer offersPerReferral placementsThisMonth
    shareInsideArea shareWithin20Miles frameworkPlacements spotPlacements averageWeeklyFeeByKind { placementKind averageWeeklyFeePence }
    reviewsOverdue reviewsDueSoon reviewsDue { placementId ipaReference dueOn overdue }
    ${WEEK} }
  provider { referralsReceived responseRate medianResponseHours offersLive acceptanceRate vacanciesOpen ${WEEK} } } } }`;

const percent = (x) => (x === null || x === undefined ? "–" : `${Math.round(x * 100)}%`);
const number = (x) => (x === null || x === undefined ? "–" : String(x));
// GOV.UK colours, distinguishable without colour too: each series also has its own point shape and dash.
const SERIES_STYLE = [
  { colour: "#1d70b8", point: "circle", dash: [] },
  { colour: "#d4351c", point: "rectRot", dash: [6, 3] },
  { colour: "#0f7a52", point: "triangle", dash: [2, 2] },
];

function kpi(title, value, id) {
  return `<div class="kpi"><div class="meta">${esc(title)}</div><div class="value" id="${esc(id)}">${esc(value)}</div></div>`;
}

/** Split a long label into lines of about `width` characters, so an axis label never runs into its bar. */
export function wrap(text, width = 16) {
  const lines = [];
  for (const word of String(text).split(" ")) {
    const last = lines.at(-1);
    if (last !== undefined && (last + " " + word).length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** A chart's frame: caption, canvas (an image for assistive tech, pointing to the table) and the data table. */
function chartFrame(id, title, height) {
  return `<figure class="chart" id="${id}" aria-labelledby="${id}-title">
    <figcaption id="${id}-title">${esc(title)}</figcaption>
    <div class="canvas-box" style="height: ${height}px"><canvas role="img" aria-label="${esc(title)}. The figures are in the table that follows."></canvas></div>
    <details class="chart-data"><summary>Show the figures as a table</summary><div class="table-wrap" id="${id}-table"></div></details>
  </figure>`;
}

function dataTable(caption, headings, rows) {
  const head = headings.map((h, i) => `<th scope="col"${i ? ' class="numeric"' : ""}>${esc(h)}</th>`).join("");
  const body = rows.map(([name, ...values]) =>
    `<tr><th scope="row">${esc(name)}</th>${values.map((v) => `<td class="numeric">${esc(v)}</td>`).join("")}</tr>`).join("");
  return `<table><caption class="visually-hidden">${esc(caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const charts = new Map();

/** Draw or update one chart and its table. `series` is [{ name, values }], one value per label. */
function draw(id, { kind, title, category, labels, axisLabels = labels, series, format = String, horizontal = false, empty, max, tickFormat = format }) {
  const figure = document.getElementById(id);
  document.getElementById(`${id}-table`).innerHTML = dataTable(
    title, [category, ...series.map((s) => s.name)],
    labels.map((name, i) => [name, ...series.map((s) => format(s.values[i]))]),
  );
  // Nothing to chart yet: say so in words rather than draw empty axes.
  const none = figure.querySelector(".chart-empty");
  figure.querySelector(".canvas-box").hidden = labels.length === 0;
  figure.querySelector(".chart-data").hidden = labels.length === 0;
  if (labels.length === 0 && !none) figure.insertAdjacentHTML("beforeend", `<p class="chart-empty meta">${esc(empty)}</p>`);
  if (labels.length > 0) none?.remove();
  const datasets = series.map((s, i) => {
    const style = SERIES_STYLE[i % SERIES_STYLE.length];
    return {
      label: s.name, data: s.values, backgroundColor: style.colour, borderColor: style.colour,
      pointStyle: style.point, pointRadius: 5, borderDash: style.dash, borderWidth: kind === "trend" ? 3 : 0,
      maxBarThickness: 28, categoryPercentage: 0.7, barPercentage: 0.9,
    };
  });
  const existing = charts.get(id);
  if (existing) {
    existing.data.labels = axisLabels.map((l) => wrap(l));
    existing.data.datasets.forEach((dataset, i) => { dataset.data = datasets[i].data; });
    existing.update();
    return;
  }
  const Chart = window.Chart;
  Chart.defaults.color = "#0b0c0c";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  const narrow = window.matchMedia("(max-width: 40rem)").matches;
  const valueAxis = {
    beginAtZero: true, grace: "5%", max,
    ticks: { precision: 0, callback: (v) => tickFormat(v), font: { size: narrow ? 12 : 14 }, maxRotation: 0, autoSkipPadding: 12 },
    grid: { color: "#cecece" },
  };
  // Category labels are never rotated into each other: bars wrap long names over lines; a trend on a phone
  // shows every other week (its table has them all).
  const labelAxis = { ticks: { font: { size: narrow ? 12 : 14 }, autoSkip: kind === "trend", autoSkipPadding: 10, maxRotation: 0 },
    grid: { display: false }, title: kind === "trend" ? { display: true, text: "Week starting (Monday)", font: { size: narrow ? 12 : 14 } } : { display: false } };
  charts.set(id, new Chart(figure.querySelector("canvas"), {
    type: kind === "trend" ? "line" : "bar",
    data: { labels: axisLabels.map((l) => wrap(l)), datasets },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false, indexAxis: horizontal ? "y" : "x",
      layout: { padding: { right: 8 } },
      scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
      plugins: {
        legend: { display: series.length > 1, position: "bottom", labels: { usePointStyle: true, font: { size: narrow ? 12 : 14 } } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${format(item.raw)}` } },
      },
    },
  }));
}

function trend(weekly, names) {
  return {
    kind: "trend",
    category: "Week starting (Monday)",
    labels: weekly.map((w) => day(w.weekStarting)),
    axisLabels: weekly.map((w) => shortDay(w.weekStarting)),
    series: [
      { name: names[0], values: weekly.map((w) => w.referrals) },
      { name: names[1], values: weekly.map((w) => w.offers) },
      { name: names[2], values: weekly.map((w) => w.placements) },
    ],
  };
}

let shown = null;

function render({ council, provider }) {
  const box = document.getElementById("dashboard");
  if (council) {
    const open = council.openByUrgency.reduce((sum, x) => sum + x.count, 0);
    const kpis = `<div class="kpis">
      ${kpi("Open referrals", open, "kpi-open")}${kpi("Open with no offer yet", council.openWithoutOffer, "kpi-no-offer")}
      ${kpi("Median hours to first offer (30 days)", number(council.medianHoursToFirstOffer), "kpi-first-offer")}
      ${kpi("Offers per referral", number(council.offersPerReferral), "kpi-offers-per")}
      ${kpi("Placements this month", council.placementsThisMonth, "kpi-placements")}
      ${kpi("Inside our area", percent(council.shareInsideArea), "kpi-inside")}
      ${kpi("Within 20 miles", percent(council.shareWithin20Miles), "kpi-20")}
      ${kpi("Framework / spot", `${council.frameworkPlacements} / ${council.spotPlacements}`, "kpi-spot")}
      ${kpi("Reviews overdue", council.reviewsOverdue, "kpi-reviews-overdue")}
      ${kpi("Reviews due in 14 days", council.reviewsDueSoon, "kpi-reviews-soon")}</div>
      ${council.reviewsDue.length ? `<h2>Children's reviews due</h2><ul id="reviews-due">${council.reviewsDue.map((r) =>
        `<li><a href="/placements/${esc(r.placementId)}">${esc(r.ipaReference)}</a>: ${r.overdue ? "overdue since" : "due by"} ${esc(day(r.dueOn))}</li>`).join("")}</ul>` : ""}`;
    if (shown !== "council") {
      box.innerHTML = `<div id="kpis"></div><div class="charts">
        ${chartFrame("chart-weekly", "Referrals, offers and placements per week", 300)}
        ${chartFrame("chart-urgency", "Open referrals by urgency", 200)}</div>
        ${chartFrame("chart-fees", "Average weekly fee by placement kind", 380)}`;
      shown = "council";
    }
    document.getElementById("kpis").innerHTML = kpis;
    draw("chart-weekly", { title: "Referrals, offers and placements per week",
      ...trend(council.weekly, ["Referrals published", "Offers received", "Placements made"]) });
    draw("chart-urgency", { kind: "bar", horizontal: true, title: "Open referrals by urgency", category: "Urgency",
      labels: council.openByUrgency.map((x) => label("Urgency", x.urgency)),
      series: [{ name: "Open referrals", values: council.openByUrgency.map((x) => x.count) }] });
    const fees = council.averageWeeklyFeeByKind;
    draw("chart-fees", { kind: "bar", horizontal: true, title: "Average weekly fee by placement kind", format: pence, category: "Placement kind",
      tickFormat: (v) => `£${(v / 100).toLocaleString("en-GB", { maximumFractionDigits: 0 })}`,
      empty: "No placements yet: fees show here once placements are made.",
      labels: fees.map((x) => label("PlacementKind", x.placementKind)),
      series: [{ name: "Average weekly fee", values: fees.map((x) => x.averageWeeklyFeePence) }] });
  } else if (provider) {
    const kpis = `<div class="kpis">
      ${kpi("Referrals received (30 days)", provider.referralsReceived, "kpi-received")}
      ${kpi("Response rate", percent(provider.responseRate), "kpi-response-rate")}
      ${kpi("Median response (hours)", number(provider.medianResponseHours), "kpi-response-hours")}
      ${kpi("Offers live", provider.offersLive, "kpi-offers-live")}
      ${kpi("Acceptance rate", percent(provider.acceptanceRate), "kpi-acceptance")}
      ${kpi("Vacancies open", provider.vacanciesOpen, "kpi-vacancies")}</div>`;
    if (shown !== "provider") {
      box.innerHTML = `<div id="kpis"></div><div class="charts">
        ${chartFrame("chart-weekly", "Referrals, offers and placements per week", 300)}
        ${chartFrame("chart-rates", "Your rates", 170)}</div>`;
      shown = "provider";
    }
    document.getElementById("kpis").innerHTML = kpis;
    draw("chart-weekly", { title: "Referrals, offers and placements per week",
      ...trend(provider.weekly, ["Referrals received", "Offers made", "Placements won"]) });
    draw("chart-rates", { kind: "bar", horizontal: true, title: "Your rates", format: (v) => `${v}%`, category: "Rate", max: 100,
      labels: ["Response rate", "Acceptance rate"],
      series: [{ name: "Rate", values: [Math.round((provider.responseRate ?? 0) * 100), Math.round((provider.acceptanceRate ?? 0) * 100)] }] });
  }
}

subscribe(QUERY, {}, {
  field: "dashboard",
  onData: (message) => render(message.dashboard),
  onError: (errors) => announce(document.getElementById("messages"), errors.map((e) => e.message).join("; "), "error"),
});
