// A duty worker reads a referral and answers it: an offer from one of their best-matching households, or a decline.
import { gql, mutate } from "../api.js";
import { subscribe } from "../live.js";
import { announce, day, esc, label, markFieldErrors, pence, showErrorSummary, urgencyBadge, when } from "../ui.js";

const id = document.getElementById("referral").dataset.referralId;
const messages = document.getElementById("messages");
const summary = document.getElementById("error-summary");
const BEST = 3; // the few matches a duty worker reads first; the rest wait behind a disclosure

const QUERY = `query($id: ID!) {
  referral(id: $id) { id reference status urgency requiredBy responseDeadline placementKind duration needLevel ageYears ageBand gender
    siblingsToPlaceTogether homeDistrict maxDistanceMiles needs riskToChild: risksToChild riskToOthers: risksToOthers
    communicationNeeds languages faith culturalNeeds livingAlongside pets additionalSupport additionalSupportHours
    deprivationOfLiberty legalStatus categoryOfNeed summary withdrawalReason council { name } framework { name } lot { code name }
    myOffer { id status weeklyFeePence startDate declineReason declineNote feeBreakdown { label amountPence } }
    myBroadcast { isSpot declineReason respondedAt } }
  bestMatches(referralId: $id) { resourceId resourceKind label district eligible score distanceMiles reasons { met text hard } }
  feeQuote(referralId: $id) { weeklyFeePence lines { label amountPence } }
}`;

// Server fields to the page's controls, for the error summary's links and the messages under each field.
const FIELD_IDS = { carerHouseholdId: "resource", childrensHomeId: "resource", spotWeeklyFeePence: "spotFee", referralId: "" };
const idOf = (field) => FIELD_IDS[field.split(".")[0]] ?? field.split(".")[0];

let quote = null;
let matches = [];
let referral = null;
let startDateSet = false;

function list(kind, values) {
  return values?.length ? values.map((v) => esc(label(kind, v))).join(", ") : "None recorded";
}

function coded(kind, code) {
  return code ? `${esc(label(kind, code))} <span class="meta">(${esc(code)})</span>` : "Not recorded";
}

function renderReferral(r) {
  document.title = `${r.reference} · Placement Exchange`;
  const el = document.getElementById("referral");
  el.innerHTML = `
    <h1>${esc(r.reference)} ${urgencyBadge(r.urgency)}</h1>
    <p class="lede"><strong>Required by ${esc(when(r.requiredBy))}</strong> · ${esc(label("ReferralStatus", r.status))}
      · ${esc(r.council.name)} · ${esc(r.framework?.name ?? "Spot purchase")}${r.lot ? `, ${esc(r.lot.name)}` : ""}</p>
    ${r.status === "WITHDRAWN" ? `<div class="alert" role="status" id="withdrawn"><p><strong>The council withdrew this referral.</strong>
      ${r.withdrawalReason ? `Its reason: ${esc(r.withdrawalReason)}` : "It gave no reason."} You need do nothing more.</p></div>` : ""}
    <div id="deadline" class="deadline" hidden></div>
    <div class="referral-facts">
      <section class="card"><h2>The child</h2><dl class="facts">
        <dt>Age</dt><dd>${esc(r.ageYears)} (aged ${esc(label("AgeBand", r.ageBand))}), ${esc(label("Gender", r.gender))}</dd>
        <dt>Placement</dt><dd>${esc(label("PlacementKind", r.placementKind))}, ${esc(label("Duration", r.duration)).toLowerCase()}</dd>
        <dt>Level of need</dt><dd>${esc(label("NeedLevel", r.needLevel))}</dd>
        <dt>Legal status</dt><dd id="legal-status">${coded("LegalStatus", r.legalStatus)}</dd>
        <dt>Category of need</dt><dd id="category-of-need">${coded("CategoryOfNeed", r.categoryOfNeed)}</dd>
        <dt>Siblings together</dt><dd>${esc(r.siblingsToPlaceTogether)}</dd>
        <dt>Lives alongside</dt><dd>${esc(label("LivingAlongside", r.livingAlongside))}</dd>
        <dt>Pets</dt><dd>${esc(label("PetsPreference", r.pets))}</dd>
      </dl></section>
      <section class="card"><h2>Needs</h2><p>${list("Need", r.needs)}</p>
        <h3>Communication</h3><p>${list("CommunicationNeed", r.communicationNeeds)}${r.languages.length ? ` · speaks ${esc(r.languages.join(", "))}` : ""}</p>
        <h3>Faith and culture</h3><p>${esc(r.faith || "None recorded")}${r.culturalNeeds ? ` · ${esc(r.culturalNeeds)}` : ""}</p>
        <h3>Additional support</h3><p>${list("AdditionalSupport", r.additionalSupport)}${r.additionalSupportHours ? ` · ${esc(r.additionalSupportHours)} h/week` : ""}</p></section>
      <section class="card"><h2>Risks</h2>
        <h3>To the child</h3><p>${list("RiskToChild", r.riskToChild)}</p>
        <h3>To others or property</h3><p>${list("RiskToOthers", r.riskToOthers)}</p>
        ${r.deprivationOfLiberty ? "<p><strong>Deprivation of liberty order in place</strong></p>" : ""}
        <h3>Location</h3><p>Home district <strong>${esc(r.homeDistrict)}</strong>; placements within ${esc(r.maxDistanceMiles)} miles.</p></section>
    </div>
    <section class="card"><h2>Summary</h2><p>${esc(r.summary || "No summary.")}</p></section>`;
  el.setAttribute("aria-busy", "false");
  renderDeadline();
}

function left(ms) {
  const minutes = Math.floor(ms / 60000);
  const hours = Math.floor(minutes / 60);
  if (hours >= 48) return `${Math.floor(hours / 24)} days ${hours % 24} h`;
  if (hours >= 1) return `${hours} h ${String(minutes % 60).padStart(2, "0")} min`;
  if (minutes >= 1) return `${minutes} min`;
  return "under a minute";
}

// The provider's tier window: a countdown to its end, redrawn every few seconds (not announced: it would chatter).
function renderDeadline() {
  const box = document.getElementById("deadline");
  if (!box || !referral) return;
  const deadline = referral.responseDeadline;
  const answered = referral.myOffer || referral.myBroadcast?.respondedAt;
  if (!deadline || referral.status !== "OPEN" || answered) { box.hidden = true; return; }
  const remaining = new Date(deadline).getTime() - Date.now();
  box.hidden = false;
  box.classList.toggle("overdue", remaining <= 0);
  box.classList.toggle("soon", remaining > 0 && remaining < 3600000);
  box.innerHTML = remaining > 0
    ? `<strong>Respond by <time datetime="${esc(deadline)}">${esc(when(deadline))}</time></strong>:
       <span id="countdown">${esc(left(remaining))} left</span> in your tier's window`
    : `<strong>Your tier's window closed at <time datetime="${esc(deadline)}">${esc(when(deadline))}</time></strong>:
       <span id="countdown">the referral may have gone on to other providers</span>; you can still offer while it is open`;
}

function distance(m) {
  return m.distanceMiles === null ? "distance unknown" : `${esc(Math.round(m.distanceMiles * 10) / 10)} miles`;
}

function radio(m, i) {
  return `<input type="radio" name="resource" id="resource-${i}" value="${esc(m.resourceId)}" data-kind="${esc(m.resourceKind)}"
    data-label="${esc(m.label)} (${esc(m.district)})" aria-describedby="reasons-${i}">`;
}

function bestCard(m, i) {
  // The must-haves met are one line; what is unmet, and the preferences, are each told.
  const hardMet = m.reasons.filter((r) => r.hard && r.met).length;
  const shown = m.reasons.filter((r) => !r.hard || !r.met);
  return `<div class="card match">
    <p class="match-head">${radio(m, i)} <label for="resource-${i}"><strong>${esc(m.label)}</strong> (${esc(m.district)})</label></p>
    <p class="meta">Fit ${esc(m.score)} of 100 · ${distance(m)}</p>
    <ul class="reasons" id="reasons-${i}">
      ${hardMet ? `<li class="met">Meets all ${esc(hardMet)} must-haves</li>` : ""}
      ${shown.map((r) => `<li class="${r.met ? "met" : "unmet"}">${esc(r.text)}</li>`).join("")}</ul>
  </div>`;
}

function otherRow(m, i) {
  const why = m.eligible
    ? m.reasons.filter((r) => !r.met).map((r) => r.text).slice(0, 2).join("; ") || "Meets every need"
    : m.reasons.filter((r) => r.hard && !r.met).map((r) => r.text).join("; ");
  const name = m.eligible
    ? `${radio(m, i)} <label for="resource-${i}">${esc(m.label)} (${esc(m.district)})</label>`
    : `${esc(m.label)} (${esc(m.district)})`;
  return `<tr class="${m.eligible ? "" : "unfit"}"><td data-label="Household or home">${name}</td>
    <td data-label="Fit">${m.eligible ? esc(m.score) : "Does not fit"}</td><td data-label="Distance">${distance(m)}</td>
    <td data-label="Why" id="reasons-${i}">${esc(why)}</td></tr>`;
}

function renderMatches(all) {
  matches = all;
  const box = document.getElementById("best-matches");
  const eligible = all.filter((m) => m.eligible);
  const best = eligible.slice(0, BEST);
  const rest = all.filter((m) => !best.includes(m));
  if (!all.length) { box.innerHTML = "<p>You have no active household or home approved for this age.</p>"; }
  else if (!best.length) { box.innerHTML = "<p><strong>None of your households or homes meets this child's must-haves.</strong> See why below, or decline.</p>"; }
  else { box.innerHTML = best.map((m) => bestCard(m, all.indexOf(m))).join(""); }
  const details = document.getElementById("other-matches");
  details.hidden = !rest.length;
  const fitting = rest.filter((m) => m.eligible).length;
  document.getElementById("other-matches-summary").textContent =
    `${rest.length} other household(s) and home(s): ${fitting} that fit less well, ${rest.length - fitting} that do not fit`;
  details.querySelector("tbody").innerHTML = rest.map((m) => otherRow(m, all.indexOf(m))).join("");
}

function renderQuote(q, spot) {
  quote = q;
  const box = document.getElementById("quote");
  document.getElementById("spot-fee").hidden = !spot;
  if (spot) { box.innerHTML = "<p>This referral came to you as a <strong>spot purchase</strong>: give your weekly fee.</p>"; return; }
  if (!q) { box.innerHTML = "<p>No framework price applies: check your price schedule with the commissioner.</p>"; return; }
  box.innerHTML = `<p class="kpi"><span class="value" id="fee-total">${esc(pence(q.weeklyFeePence))}</span> a week</p>
    <table class="compact"><caption class="visually-hidden">Fee breakdown</caption><tbody>
    ${q.lines.map((l) => `<tr><td>${esc(l.label)}</td><td>${esc(pence(l.amountPence))}</td></tr>`).join("")}</tbody></table>`;
}

function renderMyOffer(r) {
  const section = document.getElementById("my-offer");
  const answer = document.getElementById("answer");
  const o = r.myOffer;
  const live = o && (o.status === "SUBMITTED" || o.status === "SHORTLISTED");
  answer.hidden = r.status !== "OPEN" || live || Boolean(r.myBroadcast?.declineReason);
  section.hidden = !o && !r.myBroadcast?.declineReason;
  if (o) {
    section.innerHTML = `<h2>Your offer</h2><p class="status" id="offer-status">${esc(label("OfferStatus", o.status))}</p>
      ${o.declineReason ? `<p id="offer-decline-reason">The council's reason: <strong>${esc(label("OfferDeclineReason", o.declineReason))}</strong>${o.declineNote ? `. ${esc(o.declineNote)}` : ""}</p>` : ""}
      <p>${esc(pence(o.weeklyFeePence))} a week from ${esc(day(o.startDate))}</p>
      ${live ? `<button type="button" id="withdraw">Withdraw offer</button>` : ""}`;
    document.getElementById("withdraw")?.addEventListener("click", withdraw);
  } else if (r.myBroadcast?.declineReason) {
    section.innerHTML = `<h2>You declined</h2><p>${esc(label("DeclineReason", r.myBroadcast.declineReason))}</p>`;
  }
}

function isoDay(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

// The start the council asked for: its required-by day (today when needed today), never a day already gone.
function defaultStart(r) {
  const today = isoDay(new Date());
  if (r.urgency === "TODAY" || !r.requiredBy) return today;
  const wanted = isoDay(new Date(r.requiredBy));
  return wanted < today ? today : wanted;
}

async function load() {
  const data = await gql(QUERY, { id });
  if (!data.referral) { document.getElementById("referral").innerHTML = "<h1>Referral not found</h1><p>It may not have been sent to your organisation.</p>"; return; }
  referral = data.referral;
  renderReferral(data.referral);
  const chosen = document.querySelector('input[name="resource"]:checked')?.value;
  renderMatches(data.bestMatches);
  if (chosen) { const again = document.querySelector(`input[name="resource"][value="${CSS.escape(chosen)}"]`); if (again) again.checked = true; }
  renderQuote(data.feeQuote, data.referral.myBroadcast?.isSpot);
  renderMyOffer(data.referral);
  if (!startDateSet) { document.getElementById("startDate").value = defaultStart(data.referral); startDateSet = true; }
}

function showErrors(errors, texts) {
  markFieldErrors(errors, texts, Object.fromEntries(Object.keys(FIELD_IDS).map((f) => [f, FIELD_IDS[f]])));
  showErrorSummary(summary, errors, idOf);
}

function offerInput() {
  const chosen = document.querySelector('input[name="resource"]:checked');
  const statement = document.getElementById("matchingStatement").value;
  const input = { referralId: id, startDate: document.getElementById("startDate").value, matchingStatement: statement };
  if (chosen) input[chosen.dataset.kind === "CarerHousehold" ? "carerHouseholdId" : "childrensHomeId"] = chosen.value;
  const spot = !document.getElementById("spot-fee").hidden;
  if (spot) input.spotWeeklyFeePence = Math.round(Number(document.getElementById("spotFee").value) * 100);
  const errors = [];
  if (!chosen) errors.push({ field: "carerHouseholdId", message: "Choose the household or home to offer." });
  if (!input.startDate) errors.push({ field: "startDate", message: "Give the date the placement could start." });
  if (spot && !(input.spotWeeklyFeePence > 0)) errors.push({ field: "spotWeeklyFeePence", message: "Give your weekly fee for this spot purchase." });
  if (!statement.trim()) errors.push({ field: "matchingStatement", message: "Say why this is a good match: how the household or home meets the child's needs." });
  return { input, errors, chosen, statement, spot };
}

function confirmSummary({ input, chosen, statement, spot }) {
  const fee = spot ? pence(input.spotWeeklyFeePence) : quote ? pence(quote.weeklyFeePence) : "No framework price";
  document.getElementById("confirm-offer-summary").innerHTML = `
    <dt>Household or home</dt><dd id="confirm-resource">${esc(chosen.dataset.label)}</dd>
    <dt>Start</dt><dd id="confirm-start">${esc(day(input.startDate))}</dd>
    <dt>Weekly fee</dt><dd id="confirm-fee">${esc(fee)}${spot ? " (spot)" : ""}</dd>
    <dt>Why this is a good match</dt><dd id="confirm-statement">${esc(statement)}</dd>`;
}

async function send(input, statement) {
  const [payload, errors] = await mutate(`mutation($input: SubmitOfferInput!) { submitOffer(input: $input) {
      offer { id status } errors { field code message span { start end } } } }`, input, "submitOffer");
  if (errors.length) { showErrors(errors, { matchingStatement: statement }); return; }
  summary.hidden = true;
  markFieldErrors([], {});
  announce(messages, `Offer sent: ${label("OfferStatus", payload.offer.status)}.`);
  await load();
}

document.getElementById("offer-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const offer = offerInput();
  if (offer.errors.length) { showErrors(offer.errors, {}); return; }
  summary.hidden = true;
  markFieldErrors([], {});
  confirmSummary(offer);
  const dialog = document.getElementById("confirm-offer");
  dialog.returnValue = "";
  dialog.addEventListener("close", () => {
    if (dialog.returnValue === "send") send(offer.input, offer.statement).catch((error) => announce(messages, error.message, "error"));
    else document.getElementById("submit-offer").focus();
  }, { once: true });
  dialog.showModal();
  document.getElementById("confirm-back").focus();
});

document.getElementById("decline-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const note = document.getElementById("declineNote").value;
  const reason = document.getElementById("declineReason").value;
  const ids = { note: "declineNote", reason: "declineReason" };
  if (!reason) {
    const errors = [{ field: "reason", message: "Choose why you are declining." }];
    markFieldErrors(errors, {}, ids);
    showErrorSummary(summary, errors, (f) => ids[f] ?? f);
    return;
  }
  const [, errors] = await mutate(`mutation($input: DeclineReferralInput!) { declineReferral(input: $input) {
      errors { field code message span { start end } } } }`, { referralId: id, reason, note }, "declineReferral");
  if (errors.length) {
    markFieldErrors(errors, { note }, ids);
    showErrorSummary(summary, errors, (f) => ids[f] ?? f);
    return;
  }
  summary.hidden = true;
  announce(messages, "You declined this referral. The council has been told why.");
  await load();
});

async function withdraw() {
  const data = await gql(`query($id: ID!) { referral(id: $id) { myOffer { id } } }`, { id });
  const [, errors] = await mutate(`mutation($input: OfferIdInput!) { withdrawOffer(input: $input) { errors { message } } }`,
    { id: data.referral.myOffer.id }, "withdrawOffer");
  announce(messages, errors.length ? errors[0].message : "Offer withdrawn.", errors.length ? "error" : "success");
  await load();
}

setInterval(renderDeadline, 5000);
load().then(() => subscribe(
  `subscription($after: String) { referralInbox(after: $after) { cursor event referral { id } } }`, {},
  { field: "referralInbox", onData: (m) => { if (m.referral.id === id) load(); } },
)).catch((error) => announce(messages, error.message, "error"));
