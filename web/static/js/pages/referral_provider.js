// A duty worker reads a referral and answers it: an offer from their best-matching household, or a decline.
import { gql, mutate } from "../api.js";
import { subscribe } from "../live.js";
import { announce, day, esc, label, markFieldErrors, pence, urgencyBadge, when } from "../ui.js";

const id = document.getElementById("referral").dataset.referralId;
const messages = document.getElementById("messages");

const QUERY = `query($id: ID!) {
  referral(id: $id) { id reference status urgency requiredBy placementKind duration needLevel ageYears ageBand gender
    siblingsToPlaceTogether homeDistrict maxDistanceMiles needs riskToChild: risksToChild riskToOthers: risksToOthers
    communicationNeeds languages faith culturalNeeds livingAlongside pets additionalSupport additionalSupportHours
    deprivationOfLiberty legalStatus categoryOfNeed summary council { name } framework { name } lot { code name }
    myOffer { id status weeklyFeePence startDate declineReason declineNote feeBreakdown { label amountPence } }
    myBroadcast { isSpot declineReason respondedAt } }
  bestMatches(referralId: $id) { resourceId resourceKind label district eligible score distanceMiles reasons { met text hard } }
  feeQuote(referralId: $id) { weeklyFeePence lines { label amountPence } }
}`;

let quote = null;

function list(kind, values) {
  return values?.length ? values.map((v) => esc(label(kind, v))).join(", ") : "None recorded";
}

function renderReferral(r) {
  document.title = `${r.reference} · Placement Exchange`;
  const el = document.getElementById("referral");
  el.innerHTML = `
    <h1>${esc(r.reference)} ${urgencyBadge(r.urgency)}</h1>
    <p class="lede"><strong>Required by ${esc(when(r.requiredBy))}</strong> · ${esc(label("ReferralStatus", r.status))}
      · ${esc(r.council.name)} · ${esc(r.framework?.name ?? "Spot purchase")} ${r.lot ? `lot ${esc(r.lot.code)}` : ""}</p>
    <div class="grid-2">
      <section class="card"><h2>The child</h2><dl class="facts">
        <dt>Age</dt><dd>${esc(r.ageYears)} (band ${esc(r.ageBand)}), ${esc(label("Gender", r.gender))}</dd>
        <dt>Placement</dt><dd>${esc(label("PlacementKind", r.placementKind))}, ${esc(label("Duration", r.duration))}</dd>
        <dt>Level of need</dt><dd>${esc(label("NeedLevel", r.needLevel))}</dd>
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
        ${r.deprivationOfLiberty ? "<p><strong>Deprivation of liberty order in place</strong></p>" : ""}</section>
      <section class="card"><h2>Location</h2><p>Home district <strong>${esc(r.homeDistrict)}</strong>; placements within
        ${esc(r.maxDistanceMiles)} miles.</p></section>
    </div>
    <section class="card"><h2>Summary</h2><p>${esc(r.summary || "No summary.")}</p></section>`;
  el.setAttribute("aria-busy", "false");
}

function renderMatches(matches) {
  const box = document.getElementById("matches");
  if (!matches.length) { box.innerHTML = "<p>You have no active household or home approved for this age.</p>"; return; }
  box.innerHTML = matches.map((m, i) => `
    <div class="card">
      <input type="radio" name="resource" id="resource-${i}" value="${esc(m.resourceId)}" data-kind="${esc(m.resourceKind)}"
        ${i === 0 && m.eligible ? "checked" : ""} aria-describedby="reasons-${i}">
      <label for="resource-${i}">${esc(m.label)} (${esc(m.district)}) · ${m.eligible ? `fit ${esc(m.score)}` : "does not fit"}
        ${m.distanceMiles !== null ? ` · ${esc(m.distanceMiles)} miles` : ""}</label>
      <ul class="reasons" id="reasons-${i}">${m.reasons.map((r) => `<li class="${r.met ? "met" : "unmet"}">${esc(r.text)}</li>`).join("")}</ul>
    </div>`).join("");
}

function renderQuote(q, spot) {
  quote = q;
  const box = document.getElementById("quote");
  document.getElementById("spot-fee").hidden = !spot;
  if (spot) { box.innerHTML = "<p>This referral came to you as a <strong>spot purchase</strong>: give your weekly fee.</p>"; return; }
  if (!q) { box.innerHTML = "<p>No framework price applies: check your price schedule with the commissioner.</p>"; return; }
  box.innerHTML = `<p class="kpi"><span class="value" id="fee-total">${esc(pence(q.weeklyFeePence))}</span> a week</p>
    <table><caption class="visually-hidden">Fee breakdown</caption><tbody>
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

async function load() {
  const data = await gql(QUERY, { id });
  if (!data.referral) { document.getElementById("referral").innerHTML = "<h1>Referral not found</h1><p>It may not have been sent to your organisation.</p>"; return; }
  renderReferral(data.referral);
  renderMatches(data.bestMatches);
  renderQuote(data.feeQuote, data.referral.myBroadcast?.isSpot);
  renderMyOffer(data.referral);
}

function showFieldErrors(errors, texts, ids) {
  for (const message of markFieldErrors(errors, texts, ids)) announce(messages, message, "error");
}

document.getElementById("offer-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const chosen = document.querySelector('input[name="resource"]:checked');
  if (!chosen) { announce(messages, "Choose a household or home to offer.", "error"); return; }
  const statement = document.getElementById("matchingStatement").value;
  const input = { referralId: id, startDate: document.getElementById("startDate").value, matchingStatement: statement };
  input[chosen.dataset.kind === "CarerHousehold" ? "carerHouseholdId" : "childrensHomeId"] = chosen.value;
  const spot = document.getElementById("spotFee");
  if (!document.getElementById("spot-fee").hidden) input.spotWeeklyFeePence = Math.round(Number(spot.value) * 100);
  if (!input.startDate) { showFieldErrors([{ field: "startDate", message: "Give the date the placement could start." }], {}); return; }
  const [payload, errors] = await mutate(`mutation($input: SubmitOfferInput!) { submitOffer(input: $input) {
      offer { id status } errors { field code message span { start end } } } }`, input, "submitOffer");
  if (errors.length) { showFieldErrors(errors, { matchingStatement: statement }); return; }
  announce(messages, `Offer sent: ${label("OfferStatus", payload.offer.status)}.`);
  await load();
});

document.getElementById("decline-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const note = document.getElementById("declineNote").value;
  const [, errors] = await mutate(`mutation($input: DeclineReferralInput!) { declineReferral(input: $input) {
      errors { field code message span { start end } } } }`,
    { referralId: id, reason: document.getElementById("declineReason").value, note }, "declineReferral");
  if (errors.length) { showFieldErrors(errors, { note }, { note: "declineNote" }); return; }
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

document.getElementById("startDate").value = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
load().then(() => subscribe(
  `subscription($after: String) { referralInbox(after: $after) { cursor event referral { id } } }`, {},
  { field: "referralInbox", onData: (m) => { if (m.referral.id === id) load(); } },
)).catch((error) => announce(messages, error.message, "error"));
