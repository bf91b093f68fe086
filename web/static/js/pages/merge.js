// A platform admin records a merger: choose the providers, the date and what happens to the accounts, then
// confirm on a page that says what passes across.
import { gql, mutate } from "../api.js";
import { announce, day, esc, markFieldErrors, showErrorSummary } from "../ui.js";

const messages = document.getElementById("messages");
const form = document.getElementById("merge-form");
const chooseStep = document.getElementById("choose-step");
const confirmStep = document.getElementById("confirm-step");
const IDS = { mergedProviderId: "merge-mergedProviderId", intoProviderId: "merge-intoProviderId", mergedOn: "merge-mergedOn", users: "merge-users" };
let providers = new Map();
let chosen = null;

async function load() {
  const data = await gql(`{ providers { id name status nowPartOf memberships { id tier leftOn lot { id code name framework { name } } } } }`);
  providers = new Map(data.providers.map((p) => [p.id, p]));
  const active = data.providers.filter((p) => p.status === "ACTIVE" || p.status === "SUSPENDED");
  for (const id of ["merge-mergedProviderId", "merge-intoProviderId"]) {
    const select = document.getElementById(id);
    const value = select.value;
    select.innerHTML = `<option value="">Choose…</option>` + active.map((p) => `<option value="${esc(p.id)}">${esc(p.name)}</option>`).join("");
    select.value = value;
  }
}

function showErrors(summaryId, errors) {
  markFieldErrors(errors, {}, IDS);
  showErrorSummary(document.getElementById(summaryId), errors, (field) => IDS[field] ?? IDS[field.split(".")[0]] ?? field);
}

const places = (provider) => provider.memberships.filter((m) => !m.leftOn);

function explain({ merged, into, mergedOn, users }) {
  const survivorLots = new Set(places(into).map((m) => m.lot.id));
  const lots = places(merged).map((m) => {
    const where = `${esc(m.lot.framework.name)}: ${esc(m.lot.code)} ${esc(m.lot.name)}`;
    if (survivorLots.has(m.lot.id)) return `<li>${where}: ${esc(into.name)} is on it already, and its place stands.</li>`;
    const id = `confirm-tier-${esc(m.lot.id)}`;
    return `<li>${where}: ${esc(into.name)} joins it, with ${esc(merged.name)}'s prices carried across, at
      <label class="visually-hidden" for="${id}">Tier of ${esc(into.name)} on ${esc(m.lot.code)}</label>
      <select id="${id}" data-lot="${esc(m.lot.id)}">${[1, 2, 3, 4, 5].map((t) => `<option value="${t}"${t === m.tier ? " selected" : ""}>tier ${t}</option>`).join("")}</select>
      (${esc(merged.name)} was tier ${esc(m.tier)}).</li>`;
  });
  const accounts = users === "MOVE"
    ? `${esc(merged.name)}'s accounts move to ${esc(into.name)}: its staff sign in as before and work for ${esc(into.name)}.`
    : `${esc(merged.name)}'s accounts are deactivated: its staff can no longer sign in.`;
  return `<p>On ${esc(day(mergedOn))}, <strong>${esc(merged.name)}</strong> merges into <strong>${esc(into.name)}</strong>. This is what happens:</p>
    <ul class="govuk-list govuk-list--bullet">
      <li>Its carer households, children's homes and vacancies become ${esc(into.name)}'s.</li>
      <li>Its live offers and active placements pass to ${esc(into.name)}; each keeps who made it: "made by ${esc(merged.name)}, now part of ${esc(into.name)}".</li>
      <li>Its places on framework lots end on ${esc(day(mergedOn))}, marked merged.${lots.length ? "" : " It has none."}</li>
      ${lots.length ? `<li>On its lots:<ul>${lots.join("")}</ul></li>` : ""}
      <li>${accounts}</li>
      <li>${esc(merged.name)} is shown as now part of ${esc(into.name)} and is sent no more referrals. This cannot be undone here.</li>
    </ul>`;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const value = (name) => document.getElementById(IDS[name]).value;
  const users = form.elements.users.value;
  const problems = [["mergedProviderId", "Choose the provider that merges"], ["intoProviderId", "Choose the provider it merges into"],
    ["mergedOn", "Enter the date the merger takes effect"]].filter(([name]) => !value(name)).map(([field, message]) => ({ field, message }));
  if (!users) problems.push({ field: "users", message: "Choose what happens to the accounts of the provider that merges" });
  if (value("mergedProviderId") && value("mergedProviderId") === value("intoProviderId")) {
    problems.push({ field: "intoProviderId", message: "Choose a different provider to merge into" });
  }
  if (problems.length) { showErrors("merge-error-summary", problems); return; }
  document.getElementById("merge-error-summary").hidden = true;
  markFieldErrors([], {});
  chosen = { merged: providers.get(value("mergedProviderId")), into: providers.get(value("intoProviderId")), mergedOn: value("mergedOn"), users };
  document.getElementById("confirm-what").innerHTML = explain(chosen);
  document.getElementById("confirm-error-summary").hidden = true;
  chooseStep.hidden = true;
  confirmStep.hidden = false;
  confirmStep.focus();
});

document.getElementById("confirm-back").addEventListener("click", () => {
  confirmStep.hidden = true;
  chooseStep.hidden = false;
  document.getElementById(IDS.mergedProviderId).focus();
});

document.getElementById("confirm-merge").addEventListener("click", async () => {
  const lotTerms = [...confirmStep.querySelectorAll("select[data-lot]")].map((select) => ({ lotId: select.dataset.lot, tier: Number(select.value) }));
  const [payload, errors] = await mutate(`mutation($input: MergeProvidersInput!) { mergeProviders(input: $input) {
    merger { carerHouseholdsMoved childrensHomesMoved offersMoved placementsMoved usersAffected mergedProvider { name nowPartOf } }
    errors { field code message } } }`,
  { mergedProviderId: chosen.merged.id, intoProviderId: chosen.into.id, mergedOn: chosen.mergedOn, users: chosen.users, lotTerms }, "mergeProviders");
  if (errors.length) {
    confirmStep.hidden = true;
    chooseStep.hidden = false;
    showErrors("merge-error-summary", errors);
    return;
  }
  const m = payload.merger;
  confirmStep.hidden = true;
  chooseStep.hidden = false;
  form.reset();
  await load();
  const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  announce(messages, `${chosen.merged.name} is now part of ${chosen.into.name}. Passed across: ${count(m.carerHouseholdsMoved, "carer household", "carer households")}, `
    + `${count(m.childrensHomesMoved, "children's home", "children's homes")}, ${count(m.offersMoved, "live offer", "live offers")} and ${count(m.placementsMoved, "placement", "placements")}.`);
});

load().catch((error) => announce(messages, error.message, "error"));
