// A framework's lots, their members by tier and their price schedules; the lead commissioners and platform
// admins put providers on lots with prices, change prices, and take providers off.
import { gql, mutate } from "../api.js";
import { announce, day, esc, label, lotName, markFieldErrors, pence, showErrorSummary } from "../ui.js";
import { LIFE_FIELDS, auditTrail, lifeFacts, lotButton, showLifeControls, terminateButton, wireLife } from "./framework_life.js";

const messages = document.getElementById("messages");
const container = document.getElementById("frameworks");
// Each supplement is charged in its own natural unit.
const SUPPLEMENT_UNITS = { SOLO: "PER_WEEK", EMERGENCY: "PER_WEEK", SIBLING: "PER_CHILD", ADDITIONAL_SUPPORT_HOURS: "PER_HOUR" };
const ERRORS = "errors { field code message }";
let lots = new Map(); // lot id -> { lot, framework }
let members = new Map(); // membership id -> { member, lot }
let current = null; // the framework shown

const today = () => new Date().toISOString().slice(0, 10);
const inForce = (line) => !line.effectiveTo || line.effectiveTo >= today();

/** A member's prices in force or to come: the range at a glance, every line behind a disclosure. */
function schedule(member) {
  const prices = member.priceSchedule.filter(inForce);
  const supplements = member.supplements.filter(inForce);
  if (!prices.length) return "No prices yet";
  const fees = prices.map((p) => p.weeklyFeePence);
  const [low, high] = [Math.min(...fees), Math.max(...fees)];
  const range = low === high ? `${pence(low)} a week` : `${pence(low)} to ${pence(high)} a week`;
  const from = (line) => (line.effectiveFrom > today() ? ` from ${esc(day(line.effectiveFrom))}` : "");
  return `<details><summary>${esc(range)}<span class="visually-hidden"> from ${esc(member.provider.name)}</span></summary>
    <ul>${prices.map((p) => `<li>${esc(label("AgeBand", p.ageBand))}, ${esc(label("NeedLevel", p.needLevel))}: ${esc(pence(p.weeklyFeePence))}${from(p)}</li>`).join("")}</ul>`
    + (supplements.length ? `<p class="meta">Supplements: ${supplements.map((s) => `${esc(label("SupplementKind", s.kind))} ${esc(pence(s.amountPence))} ${esc(label("SupplementUnit", s.unit))}${from(s)}`).join("; ")}</p>` : "")
    + "</details>";
}

function memberRow(member, lot, framework) {
  const left = member.leftOn ? `Left on ${esc(day(member.leftOn))} (${esc(label("LeftReason", member.leftReason))})` : `Since ${esc(day(member.joinedOn))}`;
  const suspended = member.suspension ? `<br><a class="badge urgency-TODAY" href="/suspensions?framework=${encodeURIComponent(framework.id)}">Suspended from referrals since ${esc(day(member.suspension.startsOn))}</a>` : "";
  const actions = framework.canManage && !member.leftOn
    ? `<button type="button" data-prices="${esc(member.id)}">Change prices<span class="visually-hidden"> of ${esc(member.provider.name)} on ${esc(lot.code)}</span></button>
       <button type="button" class="danger" data-remove="${esc(member.id)}">Take off the lot<span class="visually-hidden">: ${esc(member.provider.name)} on ${esc(lot.code)}</span></button>
       ${terminateButton(member, lot)}` : "";
  return `<tr data-member="${esc(member.id)}"><th scope="row" data-label="Provider">${esc(member.provider.name)}<br><span class="meta">Ofsted: ${esc(label("OfstedJudgement", member.provider.ofstedJudgement))}</span></th>
    <td data-label="Tier">Tier ${esc(member.tier)}</td><td data-label="Membership">${left}${suspended}</td>
    <td data-label="Weekly fees">${schedule(member)}</td>${framework.canManage ? `<td>${actions}</td>` : ""}</tr>`;
}

function lotSection(lot, framework) {
  const kinds = lot.placementKinds.map((k) => label("PlacementKind", k)).join(", ");
  const bands = lot.ageBands.map((b) => label("AgeBand", b)).join(", ");
  const levels = lot.needLevels.map((n) => label("NeedLevel", n)).join(", ");
  return `<section class="card" aria-labelledby="lot-${esc(lot.id)}"><h3 id="lot-${esc(lot.id)}">${esc(lotName(lot))}</h3>
    ${framework.canManage ? `<p>${lotButton(lot)}</p>` : ""}
    <dl class="facts"><dt>Placement kinds</dt><dd>${esc(kinds) || "Any"}</dd><dt>Age bands</dt><dd>${esc(bands) || "Any"}</dd><dt>Levels of need</dt><dd>${esc(levels) || "Any"}</dd></dl>
    <div class="table-wrap"><table class="responsive"><caption>Providers on ${esc(lot.code)}, by tier</caption>
    <thead><tr><th scope="col">Provider</th><th scope="col">Tier</th><th scope="col">Membership</th><th scope="col">Weekly fees</th>${framework.canManage ? `<th scope="col"><span class="visually-hidden">Actions</span></th>` : ""}</tr></thead>
    <tbody>${lot.members.map((m) => memberRow(m, lot, framework)).join("") || `<tr><td colspan="5">No providers on this lot yet.</td></tr>`}</tbody></table></div></section>`;
}

function frameworkSection(f) {
  const term = `${day(f.startsOn)} to ${day(f.endsOn)}${f.extendedTo ? `, extended to ${day(f.extendedTo)}` : ""}`;
  return `<section aria-labelledby="fw-${esc(f.id)}"><h2 id="fw-${esc(f.id)}">${esc(f.name)}</h2>
    <dl class="facts"><dt>Reference</dt><dd>${esc(f.reference)}</dd><dt>Lead council</dt><dd>${esc(f.leadCouncil.name)}</dd>
    <dt>Member councils</dt><dd>${esc(f.memberCouncils.map((c) => c.name).join(", "))}</dd><dt>Term</dt><dd>${esc(term)}</dd>
    <dt>Minimum Ofsted judgement</dt><dd>${esc(label("OfstedJudgement", f.minimumOfstedJudgement))}</dd>
    <dt>You may</dt><dd>${f.canManage ? "manage its members and prices" : "see its members and prices (its lead council's commissioners manage them)"}</dd></dl>
    ${lifeFacts(f)}
    ${f.lots.map((lot) => lotSection(lot, f)).join("")}${auditTrail(f)}</section>`;
}

const FRAMEWORKS = `{ frameworks { id reference name startsOn endsOn extendedTo minimumOfstedJudgement canManage ${LIFE_FIELDS}
  leadCouncil { name } memberCouncils { name }
  lots { id code name placementKinds ageBands needLevels members { id tier joinedOn leftOn leftReason
    provider { id name ofstedJudgement } suspension { startsOn }
    priceSchedule { ageBand needLevel weeklyFeePence effectiveFrom effectiveTo }
    supplements { kind unit amountPence effectiveFrom effectiveTo } } } } }`;

// One framework at a time (a consortium framework has dozens of members): the one in the address, else the
// first the reader manages, else the first.
const picker = document.getElementById("framework-choice");
picker.addEventListener("change", () => {
  history.replaceState(null, "", `?framework=${encodeURIComponent(picker.value)}`);
  load().catch((error) => announce(messages, error.message, "error"));
});

async function load() {
  const data = await gql(FRAMEWORKS);
  lots = new Map(); members = new Map();
  const wanted = new URLSearchParams(location.search).get("framework");
  const shown = data.frameworks.find((f) => f.id === wanted) ?? data.frameworks.find((f) => f.canManage) ?? data.frameworks[0];
  picker.innerHTML = data.frameworks.map((f) => `<option value="${esc(f.id)}">${esc(f.name)}</option>`).join("");
  document.getElementById("framework-picker").hidden = data.frameworks.length < 2;
  if (shown) picker.value = shown.id;
  for (const lot of shown?.lots ?? []) {
    lots.set(lot.id, { lot, framework: shown });
    for (const m of lot.members) members.set(m.id, { member: m, lot });
  }
  container.innerHTML = shown ? frameworkSection(shown) : "<p>You are on no framework yet.</p>";
  container.removeAttribute("aria-busy");
  document.getElementById("add-member").hidden = !shown?.canManage;
  current = shown;
  showLifeControls(shown);
  if (shown?.canManage) await fillAddForm([shown]);
}

async function fillAddForm(frameworks) {
  const data = await gql(`{ providers { id name status } }`);
  // Both lists are rebuilt at once, after the providers have arrived, keeping whatever was already chosen.
  const lotSelect = document.getElementById("add-lotId");
  const providerSelect = document.getElementById("add-providerId");
  const [chosenLot, chosenProvider] = [lotSelect.value, providerSelect.value];
  lotSelect.innerHTML = `<option value="">Choose…</option>` + frameworks.flatMap((f) => f.lots.map((lot) =>
    `<option value="${esc(lot.id)}">${esc(f.name)}: ${esc(lot.code)} ${esc(lot.name)}</option>`)).join("");
  providerSelect.innerHTML = `<option value="">Choose…</option>` + data.providers.filter((p) => p.status === "ACTIVE")
    .map((p) => `<option value="${esc(p.id)}">${esc(p.name)}</option>`).join("");
  lotSelect.value = chosenLot; providerSelect.value = chosenProvider;
  if (lotSelect.value !== chosenLot) document.getElementById("add-prices").innerHTML = `<p class="meta">Choose a lot to enter its weekly fees.</p>`;
}

// --- the price editor: one fee per age band and level of need the lot covers, and the supplements ------

function priceGrid(prefix, lot, current = []) {
  const fee = (band, level) => current.find((p) => p.ageBand === band && p.needLevel === level && !p.effectiveTo);
  const pounds = (amount) => (amount ? (amount / 100).toFixed(2) : "");
  const cells = lot.ageBands.flatMap((band) => lot.needLevels.map((level) => {
    const id = `${prefix}-price-${band}-${level}`;
    return `<div><label for="${id}">${esc(label("AgeBand", band))}, ${esc(label("NeedLevel", level))} (£ a week)</label>
      <input id="${id}" inputmode="decimal" data-band="${esc(band)}" data-level="${esc(level)}" value="${esc(pounds(fee(band, level)?.weeklyFeePence))}" aria-describedby="${id}-error">
      <p class="field-error" id="${id}-error"></p></div>`;
  }));
  const supplements = Object.entries(SUPPLEMENT_UNITS).map(([kind, unit]) => {
    const id = `${prefix}-supplement-${kind}`;
    const now = current.supplements?.find((s) => s.kind === kind && !s.effectiveTo);
    return `<div><label for="${id}">${esc(label("SupplementKind", kind))} (£ ${esc(label("SupplementUnit", unit))})</label>
      <input id="${id}" inputmode="decimal" data-kind="${esc(kind)}" data-unit="${esc(unit)}" value="${esc(pounds(now?.amountPence))}" aria-describedby="${id}-error">
      <p class="field-error" id="${id}-error"></p></div>`;
  });
  return `<fieldset><legend>Weekly fees on ${esc(lot.code)}</legend><div class="form-grid">${cells.join("")}</div>
    <p class="field-error" id="${prefix}-prices-error"></p></fieldset>
    <fieldset><legend>Supplements (optional)</legend><div class="form-grid">${supplements.join("")}</div></fieldset>`;
}

/** The prices and supplements entered, in pence, with the page ids of the fields each error names. */
function readPrices(prefix, root) {
  const problems = [], prices = [], supplements = [];
  const ids = { prices: `${prefix}-prices` };
  const amount = (input, what) => {
    const text = input.value.trim().replace(/^£/, "").replaceAll(",", "");
    if (!text) return null;
    if (!/^\d+(\.\d{1,2})?$/.test(text)) { problems.push({ field: input.id, message: `${what}: enter an amount in pounds, such as 850 or 850.50` }); return null; }
    return Math.round(Number(text) * 100);
  };
  for (const input of root.querySelectorAll("input[data-band]")) {
    const fee = amount(input, `${label("AgeBand", input.dataset.band)}, ${label("NeedLevel", input.dataset.level)}`);
    if (fee === null) continue;
    ids[`prices.${prices.length}.weeklyFeePence`] = ids[`prices.${prices.length}.ageBand`] = input.id;
    prices.push({ ageBand: input.dataset.band, needLevel: input.dataset.level, weeklyFeePence: fee });
  }
  for (const input of root.querySelectorAll("input[data-kind]")) {
    const value = amount(input, label("SupplementKind", input.dataset.kind));
    if (value === null) continue;
    ids[`supplements.${supplements.length}.amountPence`] = input.id;
    supplements.push({ kind: input.dataset.kind, unit: input.dataset.unit, amountPence: value });
  }
  if (!prices.length && !problems.length) problems.push({ field: `${prefix}-prices`, message: "Enter at least one weekly fee" });
  for (const p of problems) ids[p.field] = p.field;
  return { prices, supplements, problems, ids };
}

function showErrors(summary, errors, ids) {
  markFieldErrors(errors, {}, ids);
  const idOf = (field) => ids[field] ?? ids[field.split(".")[0]] ?? field;
  // A price error names the list (field "prices"); it links to the first fee.
  showErrorSummary(summary, errors, (field) => (idOf(field) === ids.prices ? document.querySelector(`[id^="${ids.prices.replace("-prices", "")}-price-"]`)?.id : idOf(field)));
}

// --- put a provider on a lot ------------------------------------------------------------------------

const addForm = document.getElementById("add-form");
const ADD_IDS = { lotId: "add-lotId", providerId: "add-providerId", tier: "add-tier", joinedOn: "add-joinedOn", effectiveFrom: "add-effectiveFrom", membershipId: "add-providerId" };

document.getElementById("add-lotId").addEventListener("change", (event) => {
  const chosen = lots.get(event.target.value);
  document.getElementById("add-prices").innerHTML = chosen ? priceGrid("add", chosen.lot) : `<p class="meta">Choose a lot to enter its weekly fees.</p>`;
});

addForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const summary = document.getElementById("add-error-summary");
  const value = (name) => document.getElementById(ADD_IDS[name]).value;
  const missing = [["lotId", "Choose the lot"], ["providerId", "Choose the provider"], ["tier", "Choose the tier"],
    ["joinedOn", "Enter the date it joins the lot"], ["effectiveFrom", "Enter the date its prices take effect"]]
    .filter(([name]) => !value(name)).map(([field, message]) => ({ field, message }));
  const read = value("lotId") ? readPrices("add", addForm) : { prices: [], supplements: [], problems: [], ids: {} };
  const ids = { ...ADD_IDS, ...read.ids };
  if (missing.length || read.problems.length) { showErrors(summary, [...missing, ...read.problems], ids); return; }
  const [added, addErrors] = await mutate(`mutation($input: AddProviderToLotInput!) { addProviderToLot(input: $input) {
    membership { id tier provider { name } lot { code } } ${ERRORS} } }`,
  { lotId: value("lotId"), providerId: value("providerId"), tier: Number(value("tier")), joinedOn: value("joinedOn") }, "addProviderToLot");
  if (addErrors.length) { showErrors(summary, addErrors, ids); return; }
  const membership = added.membership;
  const [, priceErrors] = await mutate(`mutation($input: SetPriceScheduleInput!) { setPriceSchedule(input: $input) { membership { id } ${ERRORS} } }`,
    { membershipId: membership.id, effectiveFrom: value("effectiveFrom"), prices: read.prices, supplements: read.supplements }, "setPriceSchedule");
  await load();
  if (priceErrors.length) { showErrors(summary, priceErrors, ids); return; }
  summary.hidden = true;
  markFieldErrors([], {});
  addForm.reset();
  document.getElementById("add-prices").innerHTML = `<p class="meta">Choose a lot to enter its weekly fees.</p>`;
  announce(messages, `${membership.provider.name} is on ${membership.lot.code} at tier ${membership.tier}, with its prices.`);
});

// --- change prices, take off a lot: each in a dialog ----------------------------------------------------

const pricesDialog = document.getElementById("prices-dialog");
const removeDialog = document.getElementById("remove-dialog");
let editing = null;

container.addEventListener("click", (event) => {
  const pricesOf = event.target.closest("button[data-prices]")?.dataset.prices;
  const removing = event.target.closest("button[data-remove]")?.dataset.remove;
  const id = pricesOf ?? removing;
  if (!id) return;
  editing = members.get(id);
  const who = `${editing.member.provider.name} on ${editing.lot.code} ${editing.lot.name}, tier ${editing.member.tier}.`;
  for (const summary of ["prices-error-summary", "remove-error-summary"]) document.getElementById(summary).hidden = true;
  markFieldErrors([], {});
  if (pricesOf) {
    document.getElementById("prices-who").textContent = who;
    const current = Object.assign([...editing.member.priceSchedule], { supplements: editing.member.supplements });
    document.getElementById("prices-grid").innerHTML = priceGrid("prices", editing.lot, current);
    document.getElementById("prices-effectiveFrom").value = "";
    pricesDialog.showModal();
  } else {
    document.getElementById("remove-who").textContent = who;
    document.getElementById("remove-form").reset();
    removeDialog.showModal();
  }
});
document.getElementById("prices-cancel").addEventListener("click", () => pricesDialog.close());
document.getElementById("remove-cancel").addEventListener("click", () => removeDialog.close());

document.getElementById("prices-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const summary = document.getElementById("prices-error-summary");
  const effectiveFrom = document.getElementById("prices-effectiveFrom").value;
  const read = readPrices("prices", pricesDialog);
  const ids = { effectiveFrom: "prices-effectiveFrom", ...read.ids };
  const problems = [...(effectiveFrom ? [] : [{ field: "effectiveFrom", message: "Enter the date the new prices take effect" }]), ...read.problems];
  if (problems.length) { showErrors(summary, problems, ids); return; }
  const [, errors] = await mutate(`mutation($input: SetPriceScheduleInput!) { setPriceSchedule(input: $input) { membership { id } ${ERRORS} } }`,
    { membershipId: editing.member.id, effectiveFrom, prices: read.prices, supplements: read.supplements }, "setPriceSchedule");
  if (errors.length) { showErrors(summary, errors, ids); return; }
  pricesDialog.close();
  await load();
  announce(messages, `New prices for ${editing.member.provider.name} on ${editing.lot.code} take effect from ${day(effectiveFrom)}.`);
});

document.getElementById("remove-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const summary = document.getElementById("remove-error-summary");
  const reason = document.getElementById("remove-reason").value;
  const leftOn = document.getElementById("remove-leftOn").value;
  const ids = { reason: "remove-reason", leftOn: "remove-leftOn", membershipId: "remove-reason" };
  const problems = [...(reason ? [] : [{ field: "reason", message: "Choose why it leaves the lot" }]),
    ...(leftOn ? [] : [{ field: "leftOn", message: "Enter the date it leaves the lot" }])];
  if (problems.length) { showErrors(summary, problems, ids); return; }
  const [, errors] = await mutate(`mutation($input: RemoveProviderFromLotInput!) { removeProviderFromLot(input: $input) { membership { id } ${ERRORS} } }`,
    { membershipId: editing.member.id, leftOn, reason }, "removeProviderFromLot");
  if (errors.length) { showErrors(summary, errors, ids); return; }
  removeDialog.close();
  await load();
  announce(messages, `${editing.member.provider.name} leaves ${editing.lot.code} on ${day(leftOn)}.`);
});

wireLife(messages, container, () => ({ framework: current, lots, members }), load);
wireLife(messages, container, () => ({ framework: current, lots, members }), load);
const saved = new URLSearchParams(location.search).get("saved");
load().then(() => { if (saved && current) announce(messages, `${current.name} is ${saved === "created" ? "created" : "changed"}.`); })
  .catch((error) => announce(messages, error.message, "error"));
