// Live KPIs with charts drawn as inline SVG by our own code (no chart library, nothing from a CDN).
import { subscribe } from "../live.js";
import { announce, esc, label, pence } from "../ui.js";

const QUERY = `subscription($after: String) { dashboard(after: $after) { cursor dashboard {
  council { openByUrgency { urgency count } openWithoutOffer medianHoursToFirstOffer offersPerReferral placementsThisMonth
    shareInsideArea shareWithin20Miles frameworkPlacements spotPlacements averageWeeklyFeeByKind { placementKind averageWeeklyFeePence } }
  provider { referralsReceived responseRate medianResponseHours offersLive acceptanceRate vacanciesOpen } } } }`;

const percent = (x) => (x === null || x === undefined ? "–" : `${Math.round(x * 100)}%`);
const number = (x) => (x === null || x === undefined ? "–" : String(x));

function kpi(title, value, id) {
  return `<div class="kpi"><div class="meta">${esc(title)}</div><div class="value" id="${esc(id)}">${esc(value)}</div></div>`;
}

/** A horizontal bar chart: one labelled bar per item, scaled to the largest. */
export function barChart(title, items, format = String) {
  const max = Math.max(1, ...items.map((i) => i.value));
  const rowHeight = 28, labelWidth = 190, width = 560, height = items.length * rowHeight + 10;
  const bars = items.map((item, index) => {
    const y = index * rowHeight + 5, barWidth = ((width - labelWidth - 90) * item.value) / max;
    return `<text x="0" y="${y + 17}" font-size="13">${esc(item.label)}</text>
      <rect x="${labelWidth}" y="${y + 3}" width="${barWidth.toFixed(1)}" height="18" fill="#1d4f91" rx="2"></rect>
      <text x="${(labelWidth + barWidth + 6).toFixed(1)}" y="${y + 17}" font-size="13">${esc(format(item.value))}</text>`;
  }).join("");
  return `<figure class="card chart"><figcaption><strong>${esc(title)}</strong></figcaption>
    <svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}: ${esc(items.map((i) => `${i.label} ${format(i.value)}`).join(", "))}">${bars}</svg></figure>`;
}

function render({ council, provider }) {
  const box = document.getElementById("dashboard");
  if (council) {
    const open = council.openByUrgency.reduce((sum, x) => sum + x.count, 0);
    box.innerHTML = `<div class="kpis">
      ${kpi("Open referrals", open, "kpi-open")}${kpi("Open with no offer yet", council.openWithoutOffer, "kpi-no-offer")}
      ${kpi("Median hours to first offer (30 days)", number(council.medianHoursToFirstOffer), "kpi-first-offer")}
      ${kpi("Offers per referral", number(council.offersPerReferral), "kpi-offers-per")}
      ${kpi("Placements this month", council.placementsThisMonth, "kpi-placements")}
      ${kpi("Inside our area", percent(council.shareInsideArea), "kpi-inside")}
      ${kpi("Within 20 miles", percent(council.shareWithin20Miles), "kpi-20")}
      ${kpi("Framework / spot", `${council.frameworkPlacements} / ${council.spotPlacements}`, "kpi-spot")}</div>
      ${barChart("Open referrals by urgency", council.openByUrgency.map((x) => ({ label: label("Urgency", x.urgency), value: x.count })))}
      ${barChart("Average weekly fee by placement kind", council.averageWeeklyFeeByKind.map((x) => ({ label: label("PlacementKind", x.placementKind), value: x.averageWeeklyFeePence })), pence)}`;
  } else if (provider) {
    box.innerHTML = `<div class="kpis">
      ${kpi("Referrals received (30 days)", provider.referralsReceived, "kpi-received")}
      ${kpi("Response rate", percent(provider.responseRate), "kpi-response-rate")}
      ${kpi("Median response (hours)", number(provider.medianResponseHours), "kpi-response-hours")}
      ${kpi("Offers live", provider.offersLive, "kpi-offers-live")}
      ${kpi("Acceptance rate", percent(provider.acceptanceRate), "kpi-acceptance")}
      ${kpi("Vacancies open", provider.vacanciesOpen, "kpi-vacancies")}</div>
      ${barChart("Your rates", [{ label: "Response rate", value: Math.round((provider.responseRate ?? 0) * 100) }, { label: "Acceptance rate", value: Math.round((provider.acceptanceRate ?? 0) * 100) }], (v) => `${v}%`)}`;
  }
}

subscribe(QUERY, {}, {
  field: "dashboard",
  onData: (message) => render(message.dashboard),
  onError: (errors) => announce(document.getElementById("messages"), errors.map((e) => e.message).join("; "), "error"),
});
