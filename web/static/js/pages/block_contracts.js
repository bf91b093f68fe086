// Block contracts the organisation is party to, with their voids to date; commissioners make new ones.
import { gql, mutate } from "../api.js";
import { announce, day, esc, label, markFieldErrors, pence, showErrorSummary } from "../ui.js";

const messages = document.getElementById("messages");
const form = document.getElementById("create-form");
const ERRORS = "errors { field code message }";

async function load() {
  const data = await gql(`{ blockContracts { id reference name providerName partyCouncils startsOn endsOn weeklyPricePence
    places { id } occupancy { voidDays voidCostPence utilisationPercent } } }`);
  document.querySelector("#block-contracts tbody").innerHTML = data.blockContracts.map((c) => `<tr>
    <th scope="row" data-label="Contract"><a href="/block-contracts/${esc(c.id)}">${esc(c.reference)}</a><br><span class="meta">${esc(c.name)}</span></th>
    <td data-label="Provider">${esc(c.providerName)}</td>
    <td data-label="Councils">${esc(c.partyCouncils.join(", "))}</td>
    <td data-label="Term">${esc(day(c.startsOn))} to ${esc(day(c.endsOn))}</td>
    <td data-label="Places">${esc(c.places.length)}</td>
    <td data-label="Weekly price">${esc(pence(c.weeklyPricePence))}</td>
    <td data-label="Void days to date">${esc(c.occupancy.voidDays)} (${esc(pence(c.occupancy.voidCostPence))})</td>
    <td data-label="Utilisation">${esc(c.occupancy.utilisationPercent)}%</td></tr>`).join("")
    || `<tr><td colspan="8">No block contracts yet.</td></tr>`;
}

// --- make one (commissioners, platform admins) --------------------------------------------------------

let options = [];  // the chosen provider's homes and households
let shares = [];  // [id, name] of the councils a place can be the share of
let rows = 0;

function placeRow(i) {
  const choices = options.map((o) => `<option value="${esc(o.resourceKind)}|${esc(o.resourceId)}">${esc(o.name)} (${esc(label("ResourceKind", o.resourceKind))}, ${esc(o.places)} places)</option>`).join("");
  return `<div class="form-grid place-row" data-row="${i}">
    <div><label for="place-${i}-resource">Place ${i + 1}: home or household</label><select id="place-${i}-resource" aria-describedby="place-${i}-resource-error"><option value="">Choose…</option>${choices}</select><p class="field-error" id="place-${i}-resource-error"></p></div>
    <div><label for="place-${i}-share">Share</label><select id="place-${i}-share" aria-describedby="place-${i}-share-error"><option value="">Any party's</option>${shares.map(([id, name]) => `<option value="${esc(id)}">${esc(name)}</option>`).join("")}</select><p class="field-error" id="place-${i}-share-error"></p></div>
    <div><label for="place-${i}-startsOn">Starts on</label><input id="place-${i}-startsOn" type="date" aria-describedby="place-${i}-startsOn-error"><p class="field-error" id="place-${i}-startsOn-error"></p></div>
  </div>`;
}

function addPlace() {
  document.getElementById("places").insertAdjacentHTML("beforeend", placeRow(rows));
  rows += 1;
}

async function choices() {
  const data = await gql(`{ me { council { id name } } providers { id name status }
    frameworks { id name leadCouncil { id } memberCouncils { id name } } }`);
  const mine = data.me.council;
  const led = data.frameworks.filter((f) => !mine || f.leadCouncil.id === mine.id);
  document.getElementById("madeBy").innerHTML = `<option value="">Choose…</option>`
    + (mine ? `<option value="council|${esc(mine.id)}">${esc(mine.name)} alone</option>` : "")
    + led.map((f) => `<option value="framework|${esc(f.id)}">${esc(f.name)} (its councils together)</option>`).join("");
  document.getElementById("madeBy").dataset.frameworks = JSON.stringify(led);
  document.getElementById("providerId").innerHTML = `<option value="">Choose…</option>`
    + data.providers.filter((p) => p.status === "ACTIVE").map((p) => `<option value="${esc(p.id)}">${esc(p.name)}</option>`).join("");
}

async function providerChosen() {
  const providerId = document.getElementById("providerId").value;
  options = providerId ? (await gql(`query($p: ID!) { blockPlaceOptions(providerId: $p) { resourceKind resourceId name places } }`, { p: providerId })).blockPlaceOptions : [];
  redrawPlaces();
}

function madeByChosen() {
  const [kind, id] = document.getElementById("madeBy").value.split("|");
  const frameworks = JSON.parse(document.getElementById("madeBy").dataset.frameworks || "[]");
  const framework = kind === "framework" ? frameworks.find((f) => f.id === id) : null;
  shares = framework ? framework.memberCouncils.map((c) => [c.id, c.name]) : [];
  redrawPlaces();
}

function redrawPlaces() {
  const kept = [...document.querySelectorAll(".place-row")].map((row) => {
    const i = row.dataset.row;
    return ["resource", "share", "startsOn"].map((name) => document.getElementById(`place-${i}-${name}`).value);
  });
  document.getElementById("places").innerHTML = "";
  rows = 0;
  for (const values of kept.length ? kept : [["", "", ""]]) {
    addPlace();
    ["resource", "share", "startsOn"].forEach((name, k) => {
      const element = document.getElementById(`place-${rows - 1}-${name}`);
      if ([...(element.options ?? [{ value: values[k] }])].some((o) => o.value === values[k])) element.value = values[k];
    });
  }
}

function poundsToPence(text) {
  const value = Number(String(text).replace(/[£,\s]/g, ""));
  return text.trim() === "" || Number.isNaN(value) ? null : Math.round(value * 100);
}

function collect() {
  const [kind, id] = document.getElementById("madeBy").value.split("|");
  const basis = form.querySelector('input[name="voidBasis"]:checked')?.value;
  const places = [...document.querySelectorAll(".place-row")].map((row) => {
    const i = row.dataset.row;
    const [resourceKind, resourceId] = document.getElementById(`place-${i}-resource`).value.split("|");
    const share = document.getElementById(`place-${i}-share`).value;
    return {
      startsOn: document.getElementById(`place-${i}-startsOn`).value || null,
      childrensHomeId: resourceKind === "CHILDRENS_HOME" ? resourceId : null,
      carerHouseholdId: resourceKind === "CARER_HOUSEHOLD" ? resourceId : null,
      councilId: share || null,
    };
  });
  const percent = document.getElementById("voidPercent").value;
  return {
    reference: document.getElementById("reference").value,
    name: document.getElementById("name").value,
    providerId: document.getElementById("providerId").value,
    councilId: kind === "council" ? id : null,
    frameworkId: kind === "framework" ? id : null,
    startsOn: document.getElementById("startsOn").value || null,
    endsOn: document.getElementById("endsOn").value || null,
    weeklyPricePence: poundsToPence(document.getElementById("weeklyPrice").value),
    voidBasis: basis,
    voidPercent: percent === "" ? null : Number(percent),
    voidWeeklyPence: poundsToPence(document.getElementById("voidWeekly").value),
    callOffWindowHours: Number(document.getElementById("callOffWindowHours").value || 24),
    places,
  };
}

// Checked here first so that nothing half-filled is sent; the server checks everything again.
const REQUIRED = [
  ["reference", "Enter the contract's reference"], ["name", "Enter the contract's name"],
  ["madeBy", "Choose who makes the contract"], ["providerId", "Choose the provider"],
  ["startsOn", "Enter when the contract starts"], ["endsOn", "Enter when the contract ends"],
  ["weeklyPrice", "Enter the weekly price per place, in pounds"],
];

function ids(input) {
  const map = { weeklyPricePence: "weeklyPrice", voidWeeklyPence: "voidWeekly", councilId: "madeBy", frameworkId: "madeBy", places: "places" };
  input.places.forEach((_, i) => {
    map[`places.${i}.childrensHomeId`] = `place-${i}-resource`;
    map[`places.${i}.carerHouseholdId`] = `place-${i}-resource`;
    map[`places.${i}.startsOn`] = `place-${i}-startsOn`;
    map[`places.${i}.councilId`] = `place-${i}-share`;
  });
  return map;
}

function localProblems(input) {
  const problems = REQUIRED.filter(([id]) => !document.getElementById(id).value.trim()).map(([field, message]) => ({ field, message }));
  input.places.forEach((p, i) => {
    if (!p.childrensHomeId && !p.carerHouseholdId) problems.push({ field: `places.${i}.childrensHomeId`, message: `Choose the home or household of place ${i + 1}` });
    if (!p.startsOn) problems.push({ field: `places.${i}.startsOn`, message: `Enter when place ${i + 1} starts` });
  });
  return problems;
}

async function submit(event) {
  event.preventDefault();
  const summary = document.getElementById("create-error-summary");
  const input = collect();
  const map = ids(input);
  let errors = localProblems(input);
  let made = null;
  if (!errors.length) {
    const [payload, userErrors] = await mutate(`mutation($input: CreateBlockContractInput!) { createBlockContract(input: $input) { blockContract { id reference } ${ERRORS} } }`, input, "createBlockContract");
    errors = userErrors;
    made = payload.blockContract;
  }
  if (errors.length) {
    const unplaced = markFieldErrors(errors, input, map);
    if (unplaced.length) announce(messages, unplaced.join(" "), "error");
    showErrorSummary(summary, errors, (field) => map[field] ?? map[field.split(".")[0]] ?? field.split(".")[0]);
    return;
  }
  window.location.assign(`/block-contracts/${made.id}?made=1`);
}

if (form) {
  form.addEventListener("submit", submit);
  document.getElementById("add-place").addEventListener("click", addPlace);
  document.getElementById("providerId").addEventListener("change", providerChosen);
  document.getElementById("madeBy").addEventListener("change", madeByChosen);
  choices().then(redrawPlaces).catch((error) => announce(messages, error.message, "error"));
}
load().catch((error) => announce(messages, error.message, "error"));
