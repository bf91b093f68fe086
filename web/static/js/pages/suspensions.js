// Suspensions from referrals, lot by lot, for one framework: the lead commissioners (and platform admins) lift a
// suspension or set one by hand, each after a confirm step.
import { gql, mutate } from "../api.js";
import { announce, day, esc, label, lotName, markFieldErrors, showErrorSummary, when } from "../ui.js";

const messages = document.getElementById("messages");
const container = document.getElementById("suspensions");
const picker = document.getElementById("framework-choice");
const ERRORS = "errors { field code message span { start end } }";
let members = new Map(); // membership id -> { member, lot, framework }
let chosen = null;

const QUERY = `{ frameworks { id name minimumOfstedJudgement canManage lots { id code name members { id tier leftOn
  provider { name ofstedJudgement ofstedJudgementDate ofstedSource }
  suspension { id startsOn reason judgement madeBy byOfstedImport }
  suspensions { id startsOn reason madeBy liftedAt } } } } }`;

function state(member, framework) {
  const s = member.suspension;
  if (!s) return `<span class="badge">Sent referrals</span>`;
  const meets = member.provider.ofstedJudgement && rank(member.provider.ofstedJudgement) >= rank(framework.minimumOfstedJudgement);
  const waiting = s.byOfstedImport && meets ? `<p class="meta">Its judgement now meets the framework's minimum: lift the suspension when you are satisfied.</p>` : "";
  return `<strong class="badge urgency-TODAY">Suspended since ${esc(day(s.startsOn))}</strong>
    <p>${esc(s.reason)}</p><p class="meta">By ${esc(s.madeBy)}</p>${waiting}`;
}

// As server.domain.vocabulary.OfstedJudgement.rank: a new registration ranks with Requires improvement.
const RANKS = { OUTSTANDING: 4, GOOD: 3, REQUIRES_IMPROVEMENT: 2, NOT_YET_INSPECTED: 2, INADEQUATE: 1 };
const rank = (judgement) => RANKS[judgement] ?? 0;

function earlier(member) {
  const lifted = member.suspensions.filter((s) => s.liftedAt);
  if (!lifted.length) return "";
  return `<details><summary>Earlier suspensions<span class="visually-hidden"> of ${esc(member.provider.name)}</span></summary><ul>${lifted
    .map((s) => `<li>From ${esc(day(s.startsOn))}, lifted ${esc(when(s.liftedAt))}: ${esc(s.reason)}</li>`).join("")}</ul></details>`;
}

function memberRow(member, lot, framework) {
  const who = `${esc(member.provider.name)} on ${esc(lot.code)}`;
  const action = !framework.canManage ? "" : member.suspension
    ? `<button type="button" data-lift="${esc(member.id)}">Lift suspension<span class="visually-hidden">: ${who}</span></button>`
    : `<button type="button" class="danger" data-suspend="${esc(member.id)}">Suspend<span class="visually-hidden">: ${who}</span></button>`;
  const judged = member.provider.ofstedJudgementDate ? ` (${esc(day(member.provider.ofstedJudgementDate))})` : "";
  return `<tr data-member="${esc(member.id)}"><th scope="row" data-label="Provider">${esc(member.provider.name)}</th>
    <td data-label="Tier">Tier ${esc(member.tier)}</td>
    <td data-label="Ofsted">${esc(label("OfstedJudgement", member.provider.ofstedJudgement))}${judged}<br><span class="meta">${esc(member.provider.ofstedSource)}</span></td>
    <td data-label="Referrals">${state(member, framework)}${earlier(member)}</td>
    ${framework.canManage ? `<td>${action}</td>` : ""}</tr>`;
}

function lotSection(lot, framework) {
  const current = lot.members.filter((m) => !m.leftOn || m.leftOn > new Date().toISOString().slice(0, 10));
  return `<section class="card" aria-labelledby="lot-${esc(lot.id)}"><h3 id="lot-${esc(lot.id)}">${esc(lotName(lot))}</h3>
    <div class="table-wrap"><table class="responsive"><caption>Providers on ${esc(lot.code)} and whether they are sent referrals</caption>
    <thead><tr><th scope="col">Provider</th><th scope="col">Tier</th><th scope="col">Ofsted</th><th scope="col">Referrals</th>${framework.canManage ? `<th scope="col"><span class="visually-hidden">Actions</span></th>` : ""}</tr></thead>
    <tbody>${current.map((m) => memberRow(m, lot, framework)).join("") || `<tr><td colspan="5">No providers on this lot.</td></tr>`}</tbody></table></div></section>`;
}

picker.addEventListener("change", () => {
  history.replaceState(null, "", `?framework=${encodeURIComponent(picker.value)}`);
  load().catch((error) => announce(messages, error.message, "error"));
});

async function load() {
  const data = await gql(QUERY);
  const wanted = new URLSearchParams(location.search).get("framework");
  chosen = data.frameworks.find((f) => f.id === wanted) ?? data.frameworks.find((f) => f.canManage) ?? data.frameworks[0];
  picker.innerHTML = data.frameworks.map((f) => `<option value="${esc(f.id)}">${esc(f.name)}</option>`).join("");
  document.getElementById("framework-picker").hidden = data.frameworks.length < 2;
  members = new Map();
  if (chosen) {
    picker.value = chosen.id;
    for (const lot of chosen.lots) for (const m of lot.members) members.set(m.id, { member: m, lot, framework: chosen });
  }
  const suspended = [...members.values()].filter((m) => m.member.suspension).length;
  container.innerHTML = chosen
    ? `<h2>${esc(chosen.name)}</h2><p>Minimum Ofsted judgement: ${esc(label("OfstedJudgement", chosen.minimumOfstedJudgement))}. ${suspended === 1 ? "1 place is" : `${suspended} places are`} suspended.</p>
      ${chosen.lots.map((lot) => lotSection(lot, chosen)).join("")}`
    : "<p>You are on no framework yet.</p>";
  container.removeAttribute("aria-busy");
}

// --- the confirm steps ------------------------------------------------------------------------------------

const suspendDialog = document.getElementById("suspend-dialog");
const liftDialog = document.getElementById("lift-dialog");
let editing = null;

container.addEventListener("click", (event) => {
  const suspending = event.target.closest("button[data-suspend]")?.dataset.suspend;
  const lifting = event.target.closest("button[data-lift]")?.dataset.lift;
  const id = suspending ?? lifting;
  if (!id) return;
  editing = members.get(id);
  const who = `${editing.member.provider.name} on ${lotName(editing.lot)}, tier ${editing.member.tier}.`;
  for (const summary of ["suspend-error-summary", "lift-error-summary"]) document.getElementById(summary).hidden = true;
  markFieldErrors([], {});
  if (suspending) {
    document.getElementById("suspend-who").textContent = who;
    document.getElementById("suspend-form").reset();
    suspendDialog.showModal();
  } else {
    document.getElementById("lift-who").textContent = `${who} Suspended since ${day(editing.member.suspension.startsOn)}: ${editing.member.suspension.reason}`;
    document.getElementById("lift-form").reset();
    liftDialog.showModal();
  }
});
document.getElementById("suspend-cancel").addEventListener("click", () => suspendDialog.close());
document.getElementById("lift-cancel").addEventListener("click", () => liftDialog.close());

function showErrors(summary, errors, ids, texts) {
  const unplaced = markFieldErrors(errors, texts, ids);
  showErrorSummary(summary, errors, (field) => ids[field] ?? ids[field.split(".")[0]]);
  return unplaced;
}

document.getElementById("suspend-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const summary = document.getElementById("suspend-error-summary");
  const reason = document.getElementById("suspend-reason").value.trim();
  const startsOn = document.getElementById("suspend-startsOn").value || null;
  const ids = { reason: "suspend-reason", startsOn: "suspend-startsOn", membershipId: "suspend-reason" };
  if (!reason) { showErrors(summary, [{ field: "reason", message: "Say why the provider is suspended" }], ids, {}); return; }
  const [, errors] = await mutate(`mutation($input: SuspendMembershipInput!) { suspendMembership(input: $input) { suspension { id } ${ERRORS} } }`,
    { membershipId: editing.member.id, reason, startsOn }, "suspendMembership");
  if (errors.length) { showErrors(summary, errors, ids, { reason }); return; }
  suspendDialog.close();
  await load();
  announce(messages, `${editing.member.provider.name} is suspended from referrals on ${editing.lot.code}.`);
});

document.getElementById("lift-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const summary = document.getElementById("lift-error-summary");
  const note = document.getElementById("lift-note").value.trim();
  const ids = { note: "lift-note", membershipId: "lift-note" };
  const [, errors] = await mutate(`mutation($input: LiftSuspensionInput!) { liftSuspension(input: $input) { suspension { id } ${ERRORS} } }`,
    { membershipId: editing.member.id, note }, "liftSuspension");
  if (errors.length) { showErrors(summary, errors, ids, { note }); return; }
  liftDialog.close();
  await load();
  announce(messages, `${editing.member.provider.name} is sent referrals on ${editing.lot.code} again.`);
});

load().catch((error) => announce(messages, error.message, "error"));
