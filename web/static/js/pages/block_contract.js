// One block contract: its terms, its places, occupancy and voids over a period; commissioners change it.
import { gql, mutate } from "../api.js";
import { announce, day, esc, label, markFieldErrors, pence, showErrorSummary } from "../ui.js";

const messages = document.getElementById("messages");
const container = document.getElementById("contract");
const id = container.dataset.contract;
const editSection = document.getElementById("edit-block");
const ERRORS = "errors { field code message }";
const FIGURES = "openDays occupiedDays voidDays voidCostPence occupiedCostPence totalCostPence utilisationPercent fromDate toDate";
let contract = null;

async function load() {
  const from = document.getElementById("fromDate").value || null;
  const to = document.getElementById("toDate").value || null;
  const data = await gql(`query($id: ID!, $from: Date, $to: Date) { blockContracts(id: $id) {
    id reference name providerId providerName frameworkName partyCouncils startsOn endsOn weeklyPricePence voidBasis
    voidPercent voidWeeklyPence voidWeeklyCostPence callOffWindowHours
    occupancy(fromDate: $from, toDate: $to) { ${FIGURES} }
    places { id resourceKind resourceName councilShare startsOn occupiedToday occupancy(fromDate: $from, toDate: $to) { ${FIGURES} } } } }`,
  { id, from, to });
  [contract] = data.blockContracts;
  container.removeAttribute("aria-busy");
  if (!contract) { container.innerHTML = "<p>This block contract is not available.</p>"; return; }
  document.getElementById("contract-title").textContent = `Block contract ${contract.reference}`;
  const voids = contract.voidBasis === "PERCENT_OF_PRICE" ? `${contract.voidPercent}% of the weekly price` : "a fixed weekly amount";
  container.innerHTML = `<dl class="facts">
    <dt>Name</dt><dd>${esc(contract.name)}</dd>
    <dt>Provider</dt><dd>${esc(contract.providerName)}</dd>
    <dt>Councils party to it</dt><dd>${esc(contract.partyCouncils.join(", "))}${contract.frameworkName ? ` (${esc(contract.frameworkName)})` : ""}</dd>
    <dt>Term</dt><dd>${esc(day(contract.startsOn))} to ${esc(day(contract.endsOn))}</dd>
    <dt>Weekly price per place</dt><dd>${esc(pence(contract.weeklyPricePence))}</dd>
    <dt>Paid for an empty place</dt><dd>${esc(pence(contract.voidWeeklyCostPence))} a week (${esc(voids)})</dd>
    <dt>Call-off window</dt><dd>${esc(contract.callOffWindowHours)} hours with the provider alone, then the market</dd></dl>`;
  const o = contract.occupancy;
  document.getElementById("fromDate").value = o.fromDate;
  document.getElementById("toDate").value = o.toDate;
  document.getElementById("occupancy").innerHTML = `<dl class="facts" id="occupancy-figures">
    <dt>Period</dt><dd>${esc(day(o.fromDate))} to ${esc(day(o.toDate))}</dd>
    <dt>Place-days paid for</dt><dd>${esc(o.openDays)}</dd>
    <dt>Occupied</dt><dd>${esc(o.occupiedDays)} days (${esc(pence(o.occupiedCostPence))})</dd>
    <dt>Void</dt><dd id="void-days">${esc(o.voidDays)} days (${esc(pence(o.voidCostPence))})</dd>
    <dt>Utilisation</dt><dd id="utilisation">${esc(o.utilisationPercent)}%</dd>
    <dt>Cost over the period</dt><dd>${esc(pence(o.totalCostPence))}</dd></dl>`;
  document.querySelector("#places tbody").innerHTML = contract.places.map((p) => `<tr>
    <th scope="row" data-label="Home or household">${esc(p.resourceName)} <span class="meta">(${esc(label("ResourceKind", p.resourceKind))})</span></th>
    <td data-label="Share">${esc(p.councilShare ?? "Any party's")}</td>
    <td data-label="Starts">${esc(day(p.startsOn))}</td>
    <td data-label="Today">${p.occupiedToday ? '<span class="badge">Occupied</span>' : "Free"}</td>
    <td data-label="Open days">${esc(p.occupancy.openDays)}</td>
    <td data-label="Occupied days">${esc(p.occupancy.occupiedDays)}</td>
    <td data-label="Void days">${esc(p.occupancy.voidDays)}</td>
    <td data-label="Void cost">${esc(pence(p.occupancy.voidCostPence))}</td>
    <td data-label="Utilisation">${esc(p.occupancy.utilisationPercent)}%</td></tr>`).join("");
  if (editSection) await prepareEdit();
}

async function prepareEdit() {
  const data = await gql(`query($p: ID!) { blockPlaceOptions(providerId: $p) { resourceKind resourceId name places } me { council { id } }
    frameworks { name memberCouncils { id name } } }`, { p: contract.providerId });
  const resource = document.getElementById("add-resource");
  if (resource.options.length === 1) {
    resource.insertAdjacentHTML("beforeend", data.blockPlaceOptions.map((o) => `<option value="${esc(o.resourceKind)}|${esc(o.resourceId)}">${esc(o.name)} (${esc(label("ResourceKind", o.resourceKind))})</option>`).join(""));
    const framework = data.frameworks.find((f) => f.name === contract.frameworkName);
    document.getElementById("add-share").insertAdjacentHTML("beforeend", (framework?.memberCouncils ?? []).map((c) => `<option value="${esc(c.id)}">${esc(c.name)}</option>`).join(""));
  }
  editSection.hidden = false;
}

function poundsToPence(text) {
  const value = Number(String(text).replace(/[£,\s]/g, ""));
  return text.trim() === "" || Number.isNaN(value) ? null : Math.round(value * 100);
}

async function save(event) {
  event.preventDefault();
  const input = { id };
  const name = document.getElementById("name").value.trim();
  if (name) input.name = name;
  const endsOn = document.getElementById("endsOn").value;
  if (endsOn) input.endsOn = endsOn;
  const price = poundsToPence(document.getElementById("weeklyPrice").value);
  if (price !== null) input.weeklyPricePence = price;
  const hours = document.getElementById("callOffWindowHours").value;
  if (hours) input.callOffWindowHours = Number(hours);
  const [kind, resourceId] = document.getElementById("add-resource").value.split("|");
  const startsOn = document.getElementById("add-startsOn").value;
  const local = [];
  if (resourceId) {
    if (!startsOn) local.push({ field: "addPlaces", message: "Enter when the new place starts" });
    input.addPlaces = [{
      startsOn: startsOn || null,
      childrensHomeId: kind === "CHILDRENS_HOME" ? resourceId : null,
      carerHouseholdId: kind === "CARER_HOUSEHOLD" ? resourceId : null,
      councilId: document.getElementById("add-share").value || null,
    }];
  }
  const map = { weeklyPricePence: "weeklyPrice", addPlaces: "add-resource" };
  const ids = { weeklyPricePence: "weeklyPrice", addPlaces: "addPlaces" };
  let errors = local;
  if (!errors.length) {
    const [, userErrors] = await mutate(`mutation($input: UpdateBlockContractInput!) { updateBlockContract(input: $input) { blockContract { id } ${ERRORS} } }`, input, "updateBlockContract");
    errors = userErrors;
  }
  const summary = document.getElementById("edit-error-summary");
  if (errors.length) {
    markFieldErrors(errors, input, ids);
    showErrorSummary(summary, errors, (field) => map[field.split(".")[0]] ?? field.split(".")[0]);
    return;
  }
  summary.hidden = true;
  markFieldErrors([], {});
  document.getElementById("edit-form").reset();
  announce(messages, "The block contract is changed.");
  await load();
}

document.getElementById("period-form").addEventListener("submit", (event) => {
  event.preventDefault();
  load().catch((error) => announce(messages, error.message, "error"));
});
document.getElementById("edit-form")?.addEventListener("submit", (event) => save(event).catch((error) => announce(messages, error.message, "error")));
if (new URLSearchParams(location.search).has("made")) announce(messages, "The block contract is made.");
load().catch((error) => announce(messages, error.message, "error"));
