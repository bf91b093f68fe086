// The council's placements: find them by status and reference, and end one with the DfE reason and notice date.
import { gql, mutate } from "../api.js";
import { announce, day, esc, label, markFieldErrors, pence, showErrorSummary } from "../ui.js";

const filter = document.getElementById("placement-filter");
const ends = filter.dataset.ends === "yes"; // placement officers end placements; commissioners read
const messages = document.getElementById("messages");
const dialog = document.getElementById("end-dialog");
const form = document.getElementById("end-form");
const summary = document.getElementById("end-errors");
const IDS = { endDate: "endDate", reason: "endReason", planned: "planned", noticeGivenOn: "noticeGivenOn" };
const LINK_IDS = { ...IDS, planned: "planned-yes", placementId: "endDate" };
let placements = [];
let ending = null;

const QUERY = `query($status: PlacementStatus, $search: String) {
  placements(first: 100, status: $status, search: $search) { edges { node { id ipaReference placementType startDate
    weeklyFeePence feeBasis status endDate endReason plannedEnding noticeGivenOn
    referral { id reference } provider { name } madeBy carerHousehold { reference district } childrensHome { name district } } } } }`;

function statusCell(p) {
  if (p.status !== "ENDED") return `<span class="status">${esc(label("PlacementStatus", p.status))}</span>`;
  return `<span class="status">${esc(label("PlacementStatus", p.status))}</span> ${esc(day(p.endDate))}
    <br><span class="meta end-reason">${esc(label("ReasonPlacementChanged", p.endReason))} (${esc(p.endReason)}),
    ${p.plannedEnding ? "planned" : "unplanned"}${p.noticeGivenOn ? `, notice given ${esc(day(p.noticeGivenOn))}` : ", no notice recorded"}</span>`;
}

function render() {
  const count = document.getElementById("placement-count");
  count.textContent = `${placements.length} ${placements.length === 1 ? "placement" : "placements"} shown.`;
  document.querySelector("#placements tbody").innerHTML = placements.map((p) => {
    const resource = p.carerHousehold ? `${p.carerHousehold.reference} (${p.carerHousehold.district})`
      : p.childrensHome ? `${p.childrensHome.name} (${p.childrensHome.district})` : "–";
    return `<tr data-placement-id="${esc(p.id)}" data-ipa="${esc(p.ipaReference)}">
      <td data-label="IPA reference"><a href="/placements/${esc(p.id)}"><strong>${esc(p.ipaReference)}</strong></a><br><a href="/referrals/${esc(p.referral.id)}">Referral ${esc(p.referral.reference)}</a></td>
      <td data-label="Provider">${esc(p.provider.name)}${p.madeBy ? `<br><span class="meta">${esc(p.madeBy)}</span>` : ""}</td>
      <td data-label="Household or home">${esc(resource)}</td>
      <td data-label="Placement type">${esc(label("PlacementType", p.placementType))} (${esc(p.placementType)})</td>
      <td data-label="Start">${esc(day(p.startDate))}</td>
      <td data-label="Weekly fee">${esc(pence(p.weeklyFeePence))}${p.feeBasis === "SPOT" ? ' <span class="badge">Spot</span>' : ""}</td>
      <td data-label="Status">${statusCell(p)}</td>
      <td data-label="Action">${ends && p.status === "ACTIVE" ? `<button type="button" class="danger" data-end>End placement</button>` : ""}</td>
    </tr>`;
  }).join("") || `<tr><td colspan="8">No placements match.</td></tr>`;
}

async function load() {
  const status = document.getElementById("filterStatus").value || null;
  const search = document.getElementById("filterSearch").value.trim() || null;
  const data = await gql(QUERY, { status, search });
  placements = data.placements.edges.map((edge) => edge.node);
  render();
}

filter.addEventListener("submit", (event) => {
  event.preventDefault();
  load().catch((error) => announce(messages, error.message, "error"));
});

function step(confirming) {
  document.getElementById("end-details").hidden = confirming;
  document.getElementById("end-confirm").hidden = !confirming;
  document.getElementById(confirming ? "end-back" : "endDate").focus();
}

function values() {
  const planned = form.querySelector("input[name=planned]:checked")?.value;
  return {
    endDate: document.getElementById("endDate").value,
    reason: document.getElementById("endReason").value,
    planned,
    noticeGivenOn: document.getElementById("noticeGivenOn").value || null,
  };
}

function problems(v) {
  const errors = [];
  if (!v.endDate) errors.push({ field: "endDate", message: "Enter the placement's last day." });
  if (!v.reason) errors.push({ field: "reason", message: "Choose the reason the placement ends." });
  if (!v.planned) errors.push({ field: "planned", message: "Say whether the ending was planned." });
  return errors;
}

function showProblems(errors) {
  step(false);
  markFieldErrors(errors, {}, IDS);
  showErrorSummary(summary, errors, (field) => LINK_IDS[field] ?? field);
}

document.querySelector("#placements tbody").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-end]");
  if (!button) return;
  ending = placements.find((p) => p.id === button.closest("tr").dataset.placementId);
  form.reset();
  markFieldErrors([], {});
  summary.hidden = true;
  document.getElementById("end-placement-text").textContent = `${ending.ipaReference}: ${ending.provider.name}, started ${day(ending.startDate)}.`;
  dialog.showModal();
  step(false);
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const v = values();
  const errors = problems(v);
  if (errors.length) { showProblems(errors); return; }
  markFieldErrors([], {});
  summary.hidden = true;
  document.getElementById("end-summary").textContent = `End ${ending.ipaReference} on ${day(v.endDate)}: `
    + `${label("ReasonPlacementChanged", v.reason)} (${v.reason}), ${v.planned === "yes" ? "planned" : "unplanned"}, `
    + `${v.noticeGivenOn ? `notice given ${day(v.noticeGivenOn)}` : "no notice given"}.`;
  step(true);
});
document.getElementById("end-back").addEventListener("click", () => step(false));
document.querySelector("#end-dialog [data-close]").addEventListener("click", () => dialog.close());
document.getElementById("end-yes").addEventListener("click", async () => {
  const v = values();
  const [, errors] = await mutate(`mutation($input: EndPlacementInput!) { endPlacement(input: $input) { errors { field code message } } }`,
    { id: ending.id, endDate: v.endDate, reason: v.reason, planned: v.planned === "yes", noticeGivenOn: v.noticeGivenOn }, "endPlacement");
  if (errors.length) { showProblems(errors); return; }
  dialog.close();
  announce(messages, `${ending.ipaReference} ended on ${day(v.endDate)}.`, "success");
  await load();
});

load().catch((error) => announce(messages, error.message, "error"));
