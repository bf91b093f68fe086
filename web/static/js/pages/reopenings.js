// Re-openings for the framework's lead commissioners (and platform admins): open a window of lots, then
// approve each application with a tier and weekly fees, or refuse it with a reason.
import { gql, mutate } from "../api.js";
import { announce, day, esc, label, markFieldErrors, showErrorSummary, when } from "../ui.js";

const messages = document.getElementById("messages");
const ERRORS = "errors { field code message }";
let frameworks = [];
let applications = new Map(); // application id -> application

const STATUS = { PENDING: "Awaiting your decision", APPROVED: "Approved: on the lot", REFUSED: "Refused" };
const lotWords = (lot) => `${lot.code} ${lot.name}`;

async function load() {
  const data = await gql(`{ frameworks { id name canManage lots { id code name } }
    reopenings { id frameworkName opensOn closesOn isOpen lots { code name } }
    joinApplications { id status statement refusalReason appliedAt frameworkName
      provider { name } lot { id code name ageBands needLevels } } }`);
  frameworks = data.frameworks.filter((f) => f.canManage);
  fillFrameworks();
  applications = new Map(data.joinApplications.map((a) => [a.id, a]));
  document.querySelector("#applications tbody").innerHTML = data.joinApplications.map((a) => `<tr data-application="${esc(a.id)}">
    <th scope="row" data-label="Provider">${esc(a.provider.name)}<br><span class="meta">Applied ${esc(when(a.appliedAt))}</span></th>
    <td data-label="Lot">${esc(a.frameworkName)}: ${esc(lotWords(a.lot))}</td>
    <td data-label="What it offers">${esc(a.statement)}</td>
    <td data-label="Status">${esc(STATUS[a.status])}${a.refusalReason ? `<br><span class="meta">${esc(a.refusalReason)}</span>` : ""}</td>
    <td>${a.status === "PENDING" ? `<button type="button" data-decide="${esc(a.id)}">Decide<span class="visually-hidden"> the application of ${esc(a.provider.name)} to join ${esc(a.lot.code)}</span></button>` : ""}</td></tr>`).join("")
    || `<tr><td colspan="5">No applications yet.</td></tr>`;
  document.querySelector("#windows tbody").innerHTML = data.reopenings.map((r) => `<tr>
    <th scope="row" data-label="Framework">${esc(r.frameworkName)}</th>
    <td data-label="Lots">${esc(r.lots.map(lotWords).join(", "))}</td>
    <td data-label="Open">${esc(day(r.opensOn))} to ${esc(day(r.closesOn))}${r.isOpen ? " (open now)" : ""}</td></tr>`).join("")
    || `<tr><td colspan="3">No re-openings yet.</td></tr>`;
}

// --- open a re-opening -------------------------------------------------------------------------------

const openForm = document.getElementById("open-form");
const frameworkSelect = document.getElementById("open-frameworkId");
const OPEN_IDS = { frameworkId: "open-frameworkId", opensOn: "open-opensOn", closesOn: "open-closesOn", lotIds: "open-lotIds" };

function fillFrameworks() {
  document.getElementById("open-section").hidden = !frameworks.length;
  const chosen = frameworkSelect.value;
  frameworkSelect.innerHTML = `<option value="">Choose…</option>` + frameworks.map((f) => `<option value="${esc(f.id)}">${esc(f.name)}</option>`).join("");
  frameworkSelect.value = chosen;
}

frameworkSelect.addEventListener("change", () => {
  const framework = frameworks.find((f) => f.id === frameworkSelect.value);
  document.getElementById("open-lots").innerHTML = framework
    ? framework.lots.map((lot) => `<div><input type="checkbox" id="open-lot-${esc(lot.id)}" value="${esc(lot.id)}"><label for="open-lot-${esc(lot.id)}">${esc(lotWords(lot))}</label></div>`).join("")
    : `<p class="meta">Choose a framework to see its lots.</p>`;
});

function showErrors(summary, errors, ids) {
  markFieldErrors(errors, {}, ids);
  showErrorSummary(summary, errors, (field) => ids[field] ?? ids[field.split(".")[0]] ?? field);
}

openForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const summary = document.getElementById("open-error-summary");
  const value = (name) => document.getElementById(OPEN_IDS[name]).value;
  const lotIds = [...openForm.querySelectorAll("#open-lots input:checked")].map((box) => box.value);
  const missing = [["frameworkId", "Choose the framework"], ["opensOn", "Enter the date the re-opening opens"], ["closesOn", "Enter the date it closes"]]
    .filter(([name]) => !value(name)).map(([field, message]) => ({ field, message }));
  if (value("frameworkId") && !lotIds.length) missing.push({ field: "lotIds", message: "Choose at least one lot to open" });
  if (missing.length) { showErrors(summary, missing, OPEN_IDS); return; }
  const [payload, errors] = await mutate(`mutation($input: OpenReopeningInput!) { openReopening(input: $input) {
    reopening { id frameworkName closesOn lots { code } } ${ERRORS} } }`,
  { frameworkId: value("frameworkId"), opensOn: value("opensOn"), closesOn: value("closesOn"), lotIds }, "openReopening");
  if (errors.length) { showErrors(summary, errors, OPEN_IDS); return; }
  summary.hidden = true;
  markFieldErrors([], {});
  openForm.reset();
  document.getElementById("open-lots").innerHTML = `<p class="meta">Choose a framework to see its lots.</p>`;
  await load();
  const r = payload.reopening;
  announce(messages, `${r.frameworkName} is open to applications to join ${r.lots.map((l) => l.code).join(", ")} until ${day(r.closesOn)}.`);
});

// --- decide an application ----------------------------------------------------------------------------

const dialog = document.getElementById("decide-dialog");
const decideForm = document.getElementById("decide-form");
let deciding = null;

function priceGrid(lot) {
  const cells = lot.ageBands.flatMap((band) => lot.needLevels.map((level) => {
    const id = `decide-price-${band}-${level}`;
    return `<div><label for="${id}">${esc(label("AgeBand", band))}, ${esc(label("NeedLevel", level))} (£ a week)</label>
      <input id="${id}" inputmode="decimal" data-band="${esc(band)}" data-level="${esc(level)}" aria-describedby="${id}-error"><p class="field-error" id="${id}-error"></p></div>`;
  }));
  return `<fieldset><legend>Weekly fees on ${esc(lot.code)}</legend><p class="meta">Leave a fee empty where it does not offer that age band and level of need.</p>
    <div class="form-grid">${cells.join("")}</div><p class="field-error" id="decide-prices-error"></p></fieldset>`;
}

function showChoice() {
  const decision = decideForm.elements.decision.value;
  document.getElementById("decide-approval").hidden = decision !== "APPROVE";
  document.getElementById("decide-refusal").hidden = decision !== "REFUSE";
}
decideForm.addEventListener("change", (event) => { if (event.target.name === "decision") showChoice(); });

document.getElementById("applications").addEventListener("click", (event) => {
  const id = event.target.closest("button[data-decide]")?.dataset.decide;
  if (!id) return;
  deciding = applications.get(id);
  decideForm.reset();
  showChoice();
  document.getElementById("decide-error-summary").hidden = true;
  markFieldErrors([], {});
  document.getElementById("decide-who").textContent = `${deciding.provider.name} applies to join ${deciding.frameworkName}: ${lotWords(deciding.lot)}.`;
  document.getElementById("decide-prices").innerHTML = priceGrid(deciding.lot);
  dialog.showModal();
});
document.getElementById("decide-cancel").addEventListener("click", () => dialog.close());

function readPrices(ids) {
  const problems = [], prices = [];
  for (const input of decideForm.querySelectorAll("input[data-band]")) {
    const text = input.value.trim().replace(/^£/, "").replaceAll(",", "");
    if (!text) continue;
    const what = `${label("AgeBand", input.dataset.band)}, ${label("NeedLevel", input.dataset.level)}`;
    if (!/^\d+(\.\d{1,2})?$/.test(text)) { problems.push({ field: input.id, message: `${what}: enter an amount in pounds, such as 850 or 850.50` }); ids[input.id] = input.id; continue; }
    ids[`prices.${prices.length}.weeklyFeePence`] = ids[`prices.${prices.length}.ageBand`] = ids[`prices.${prices.length}.needLevel`] = input.id;
    prices.push({ ageBand: input.dataset.band, needLevel: input.dataset.level, weeklyFeePence: Math.round(Number(text) * 100) });
  }
  return { prices, problems };
}

decideForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const summary = document.getElementById("decide-error-summary");
  const decision = decideForm.elements.decision.value;
  const firstFee = decideForm.querySelector("input[data-band]")?.id ?? "decide-prices";
  const ids = { decision: "decide-approve", tier: "decide-tier", effectiveFrom: "decide-effectiveFrom", reason: "decide-reason", prices: firstFee, applicationId: "decide-approve" };
  const input = { applicationId: deciding.id, decision };
  const problems = [];
  if (!decision) problems.push({ field: "decision", message: "Choose whether to approve or refuse the application" });
  if (decision === "APPROVE") {
    const tier = document.getElementById("decide-tier").value;
    const read = readPrices(ids);
    if (!tier) problems.push({ field: "tier", message: "Choose the tier it joins at" });
    problems.push(...read.problems);
    if (!read.prices.length && !read.problems.length) problems.push({ field: "prices", message: "Enter at least one weekly fee" });
    Object.assign(input, { tier: Number(tier), prices: read.prices, effectiveFrom: document.getElementById("decide-effectiveFrom").value || null });
  }
  if (decision === "REFUSE") {
    input.reason = document.getElementById("decide-reason").value.trim();
    if (!input.reason) problems.push({ field: "reason", message: "Write why you refuse the application" });
  }
  ids["decide-prices"] = firstFee;
  if (problems.length) { showErrors(summary, problems, ids); return; }
  const [payload, errors] = await mutate(`mutation($input: DecideJoinApplicationInput!) { decideJoinApplication(input: $input) {
    application { id status membership { tier } } ${ERRORS} } }`, input, "decideJoinApplication");
  if (errors.length) {
    markFieldErrors(errors, { reason: input.reason }, ids);
    showErrorSummary(summary, errors, (field) => ids[field] ?? ids[field.split(".")[0]] ?? field);
    return;
  }
  dialog.close();
  await load();
  const done = payload.application;
  announce(messages, done.status === "APPROVED"
    ? `${deciding.provider.name} is on ${deciding.lot.code} at tier ${done.membership.tier}, with its prices.`
    : `You refused the application of ${deciding.provider.name} to join ${deciding.lot.code}. It is told your reason.`);
});

load().catch((error) => announce(messages, error.message, "error"));
