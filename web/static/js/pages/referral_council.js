// The council compares the offers on its referral side by side, live, and decides.
import { gql, mutate } from "../api.js";
import { subscribe } from "../live.js";
import { announce, day, esc, label, markFieldErrors, pence, showErrorSummary, tierName, urgencyBadge, when } from "../ui.js";

const article = document.getElementById("referral");
const id = article.dataset.referralId;
const decides = article.dataset.decides === "yes"; // placement officers decide; commissioners read
const messages = document.getElementById("messages");
let rows = [];
let referral = null;
let sortKey = "rank";

const QUERY = `query($id: ID!) {
  referral(id: $id) { id reference status urgency requiredBy placementKind ageYears gender homeDistrict publishedAt
    currentTier tierDeadline escalatedToSpot summary needs steppedAcrossFrom { id ipaReference }
    offers { id status weeklyFeePence feeBasis differsFromSchedule distanceMiles submittedAt startDate matchingStatement
      startsAfterRequiredBy declineReason declineNote matchReasons { met hard text }
      feeBreakdown { label amountPence } extras { label amountPence justification }
      provider { name ofstedJudgement }
      carerHousehold { reference district minAge maxAge approvedPlaces placementKinds durations languages hasPets soloOnly
        faiths communication adaptations specialisms additionalSupport }
      childrensHome { name district minAge maxAge beds ofstedJudgement ofstedJudgementDate specialisms } }
    recipients { tier isSpot excludedReason sentAt viewedAt respondedAt declineReason declineNote provider { name } }
    placement { ipaReference startDate weeklyFeePence placementType status provider { name } } }
  offerRanking(referralId: $id) { offerId rank total quality cost qualityWeightPercent costWeightPercent explanation }
}`;

function hours(from, to) { return from && to ? (new Date(to) - new Date(from)) / 36e5 : null; }
const words = (kind, codes) => (codes ?? []).map((c) => label(kind, c)).join(", ") || "None listed";
const isLive = (o) => ["SUBMITTED", "SHORTLISTED"].includes(o.status);

function render(data) {
  const r = data.referral;
  if (!r) { article.innerHTML = "<h1>Referral not found</h1>"; return; }
  referral = r;
  document.title = `${r.reference} · Placement Exchange`;
  article.innerHTML = `<h1>${esc(r.reference)} ${urgencyBadge(r.urgency)}</h1>
    <p class="lede"><strong>Required by ${esc(when(r.requiredBy))}</strong> · <span id="referral-status">${esc(label("ReferralStatus", r.status))}</span>
     · ${esc(label("PlacementKind", r.placementKind))}, age ${esc(r.ageYears)} · ${esc(r.homeDistrict)}
     ${r.currentTier ? ` · tier ${esc(r.currentTier)}${r.tierDeadline ? ` until ${esc(when(r.tierDeadline))}` : ""}` : ""}
     ${r.currentTier === 0 && r.status === "OPEN" ? ` · offered first to a block contract's provider${r.tierDeadline ? ` until ${esc(when(r.tierDeadline))}` : ""}, then the framework's tiers` : ""}
     ${r.escalatedToSpot ? ' · <span class="badge" id="spot-badge">Sent to spot purchase</span>' : ""}</p>
    ${r.steppedAcrossFrom ? `<p id="stepped-across">A step-across from placement
      <a href="/placements/${esc(r.steppedAcrossFrom.id)}">${esc(r.steppedAcrossFrom.ipaReference)}</a>.</p>` : ""}
    <p>${esc(r.summary)}</p>`;
  article.setAttribute("aria-busy", "false");
  document.getElementById("draft-actions").hidden = r.status !== "DRAFT" || !decides;
  document.getElementById("edit-link").href = `/referrals/new?id=${encodeURIComponent(r.id)}`;
  renderActions(r);
  const ranks = Object.fromEntries(data.offerRanking.map((x) => [x.offerId, x]));
  const sent = Object.fromEntries(r.recipients.map((x) => [x.provider.name, x.sentAt]));
  rows = r.offers.map((o) => ({ ...o, ranking: ranks[o.id], response: hours(sent[o.provider.name], o.submittedAt), open: r.status === "OPEN" }));
  document.getElementById("offer-count").textContent = `${rows.filter(isLive).length} live`;
  renderOffers();
  document.querySelector("#recipients tbody").innerHTML = r.recipients.map((x) => `<tr>
    <td data-label="Provider">${esc(x.provider.name)}${x.isSpot ? " (spot)" : ""}</td>
    <td data-label="Tier">${esc(tierName(x.tier, x.isSpot))}</td>
    <td data-label="Sent">${x.excludedReason ? `Not sent: ${esc(x.excludedReason)}` : esc(when(x.sentAt))}</td>
    <td data-label="Viewed">${esc(when(x.viewedAt))}</td><td data-label="Responded">${esc(when(x.respondedAt))}</td>
    <td data-label="Declined because">${x.declineReason ? esc(label("DeclineReason", x.declineReason)) + (x.declineNote ? `: ${esc(x.declineNote)}` : "") : ""}</td></tr>`).join("");
  const placement = document.getElementById("placement");
  placement.hidden = !r.placement;
  if (r.placement) {
    placement.innerHTML = `<h2>Placement</h2><div class="card"><dl class="facts">
      <dt>IPA reference</dt><dd id="ipa-reference">${esc(r.placement.ipaReference)}</dd><dt>Provider</dt><dd>${esc(r.placement.provider.name)}</dd>
      <dt>Start</dt><dd>${esc(day(r.placement.startDate))}</dd><dt>Weekly fee</dt><dd>${esc(pence(r.placement.weeklyFeePence))}</dd>
      <dt>Placement type</dt><dd>${esc(label("PlacementType", r.placement.placementType))} (${esc(r.placement.placementType)})</dd></dl>
      <p><a href="/placements">All your placements</a></p></div>`;
  }
}

/** Spot purchase once every framework tier has had its window; withdrawal while the referral is open. */
function renderActions(r) {
  const section = document.getElementById("referral-actions");
  section.hidden = !decides || !["OPEN", "DRAFT"].includes(r.status);
  const waiting = r.recipients.some((x) => !x.sentAt && !x.excludedReason && !x.isSpot) || r.tierDeadline;
  const escalate = document.getElementById("escalate");
  escalate.hidden = r.status !== "OPEN" || r.escalatedToSpot;
  escalate.disabled = Boolean(waiting);
  document.getElementById("spot-hint").textContent = r.status !== "OPEN" ? "A draft can be withdrawn before it is published."
    : r.escalatedToSpot ? "This referral has gone to spot purchase: registered providers off the framework can offer."
    : waiting ? `Spot purchase opens when the framework tiers are exhausted${r.tierDeadline ? ` (this tier's window closes ${when(r.tierDeadline)})` : ""}.`
    : "Every framework tier has had its window: you can go to spot purchase.";
}

function profile(o) {
  if (o.carerHousehold) {
    const h = o.carerHousehold;
    return `<details class="profile"><summary>Household profile</summary><dl class="facts">
      <dt>Approved for</dt><dd>${esc(words("PlacementKind", h.placementKinds))}</dd>
      <dt>Ages</dt><dd>${esc(h.minAge)} to ${esc(h.maxAge)}</dd><dt>Places</dt><dd>${esc(h.approvedPlaces)}${h.soloOnly ? " (solo only)" : ""}</dd>
      <dt>Durations</dt><dd>${esc(words("Duration", h.durations))}</dd>
      <dt>Languages</dt><dd>${esc(h.languages.join(", ") || "English")}</dd><dt>Communication</dt><dd>${esc(words("CommunicationNeed", h.communication))}</dd>
      <dt>Faith</dt><dd>${esc(h.faiths.join(", ") || "None listed")}</dd><dt>Pets</dt><dd>${h.hasPets ? "Pets in the home" : "No pets"}</dd>
      <dt>Adaptations</dt><dd>${esc(words("Adaptation", h.adaptations))}</dd><dt>Experienced with</dt><dd>${esc(words("Need", h.specialisms))}</dd>
      <dt>Support offered</dt><dd>${esc(words("AdditionalSupport", h.additionalSupport))}</dd></dl></details>`;
  }
  const c = o.childrensHome;
  if (!c) return "";
  return `<details class="profile"><summary>Home profile</summary><dl class="facts">
    <dt>Ofsted judgement</dt><dd>${esc(label("OfstedJudgement", c.ofstedJudgement))}${c.ofstedJudgementDate ? ` (${esc(day(c.ofstedJudgementDate))})` : ""}</dd>
    <dt>Ages</dt><dd>${esc(c.minAge)} to ${esc(c.maxAge)}</dd><dt>Beds</dt><dd>${esc(c.beds)}</dd>
    <dt>Experienced with</dt><dd>${esc(words("Need", c.specialisms))}</dd></dl></details>`;
}

function reasons(o) {
  if (!o.matchReasons.length) return "";
  return `<details><summary>Why it fits</summary><ul class="reasons">${o.matchReasons.map((m) =>
    `<li class="${m.met ? "met" : "unmet"}">${esc(m.text)}${m.met ? "" : " (not met)"}</li>`).join("")}</ul></details>`;
}

function rankCell(o) {
  if (!o.ranking) return "–";
  return `${esc(o.ranking.rank)}<details><summary>Why this rank</summary><p>${esc(o.ranking.explanation)}</p></details>`;
}

function statusCell(o) {
  const reason = o.declineReason ? `<br><span class="meta decline-reason">${esc(label("OfferDeclineReason", o.declineReason))}${o.declineNote ? `: ${esc(o.declineNote)}` : ""}</span>` : "";
  return `<span class="status">${esc(label("OfferStatus", o.status))}</span>${reason}`;
}

const sorters = {
  rank: (o) => o.ranking?.rank ?? 99, provider: (o) => o.provider.name, fit: (o) => -(o.ranking?.quality ?? 0),
  distance: (o) => o.distanceMiles ?? 9999, fee: (o) => o.weeklyFeePence, response: (o) => o.response ?? 9999,
  start: (o) => o.startDate,
};

function renderOffers() {
  const key = sorters[sortKey];
  const sorted = [...rows].sort((a, b) => (key(a) > key(b) ? 1 : key(a) < key(b) ? -1 : 0));
  document.querySelector("#offers tbody").innerHTML = sorted.map((o) => {
    const live = decides && o.open && isLive(o);
    const resource = o.carerHousehold ? `${o.carerHousehold.reference} (${o.carerHousehold.district})` : `${o.childrensHome?.name} (${o.childrensHome?.district})`;
    return `<tr data-offer-id="${esc(o.id)}">
      <td data-label="Rank">${rankCell(o)}</td>
      <td data-label="Provider"><strong>${esc(o.provider.name)}</strong><br><span class="meta">${esc(resource)}</span>
        ${profile(o)}
        <details><summary>Matching statement</summary><p>${esc(o.matchingStatement || "None given")}</p></details></td>
      <td data-label="Fit">${esc(o.ranking ? o.ranking.quality : "–")}${reasons(o)}</td>
      <td data-label="Distance">${o.distanceMiles !== null ? `${esc(o.distanceMiles)} miles` : "–"}</td>
      <td data-label="Weekly fee"><strong>${esc(pence(o.weeklyFeePence))}</strong>${o.feeBasis === "SPOT" ? " <span class=\"badge\">Spot</span>" : ""}
        ${o.differsFromSchedule ? ' <span class="badge urgency-WITHIN_5_DAYS">Above schedule</span>' : ""}
        <details><summary>Breakdown</summary><ul>${o.feeBreakdown.map((l) => `<li>${esc(l.label)}: ${esc(pence(l.amountPence))}</li>`).join("")}
        ${o.extras.map((e) => `<li>Justification for ${esc(e.label)}: ${esc(e.justification)}</li>`).join("")}</ul></details></td>
      <td data-label="Start" class="start">${esc(day(o.startDate))}${o.startsAfterRequiredBy ? '<br><span class="late"><strong>After the required-by</strong></span>' : ""}</td>
      <td data-label="Ofsted">${esc(label("OfstedJudgement", o.provider.ofstedJudgement))}</td>
      <td data-label="Response time">${o.response !== null ? `${esc(o.response.toFixed(1))} h` : "–"}</td>
      <td data-label="Status">${statusCell(o)}</td>
      <td data-label="Decide">${live ? `${o.status === "SUBMITTED" ? `<button type="button" data-act="shortlist">Shortlist</button>` : ""}
        <button type="button" class="primary" data-act="accept">Accept</button> <button type="button" class="danger" data-act="decline">Decline</button>` : ""}</td>
    </tr>`;
  }).join("") || `<tr><td colspan="10">No offers yet. They appear here as providers answer.</td></tr>`;
}

async function act(offerId, action) {
  const field = { shortlist: "shortlistOffer", accept: "acceptOffer" }[action];
  const [, errors] = await mutate(`mutation($input: OfferIdInput!) { ${field}(input: $input) { errors { message } } }`, { id: offerId }, field);
  announce(messages, errors.length ? errors[0].message : action === "accept" ? "Offer accepted: the placement is recorded below." : "Shortlisted.", errors.length ? "error" : "success");
  await load();
}

function confirmAccept(offer) {
  document.getElementById("confirm-text").textContent = `${offer.provider.name} at ${pence(offer.weeklyFeePence)} a week, starting ${day(offer.startDate)}.`;
  const late = document.getElementById("confirm-late");
  late.hidden = !offer.startsAfterRequiredBy;
  late.textContent = offer.startsAfterRequiredBy
    ? `This offer starts on ${day(offer.startDate)}, after the referral's required-by (${when(referral.requiredBy)}). The child will need somewhere safe until then. You can still accept it.`
    : "";
  const dialog = document.getElementById("confirm-accept");
  dialog.returnValue = "";
  dialog.showModal();
  dialog.addEventListener("close", () => { if (dialog.returnValue === "accept") act(offer.id, "accept"); }, { once: true });
}

// --- declining an offer: a reason (and a note), then a confirmation that it cannot be undone ---------------

const declineDialog = document.getElementById("decline-dialog");
const declineForm = document.getElementById("decline-form");
const declineErrors = document.getElementById("decline-errors");
const DECLINE_IDS = { reason: "declineReason", note: "declineNote" };
let declining = null;

function declineStep(confirming) {
  document.getElementById("decline-choose").hidden = confirming;
  document.getElementById("decline-confirm").hidden = !confirming;
  (confirming ? document.getElementById("decline-back") : declineForm.querySelector("input[name=declineReason]")).focus();
}

function showDeclineErrors(errors) {
  declineStep(false);
  markFieldErrors(errors, { note: document.getElementById("declineNote").value }, DECLINE_IDS);
  showErrorSummary(declineErrors, errors, (field) => (field === "reason" ? declineForm.querySelector("input[name=declineReason]").id : DECLINE_IDS[field] ?? field));
}

function openDecline(offer) {
  declining = offer;
  declineForm.reset();
  markFieldErrors([], {});
  declineErrors.hidden = true;
  document.getElementById("decline-offer-text").textContent = `${offer.provider.name}: ${pence(offer.weeklyFeePence)} a week, starting ${day(offer.startDate)}.`;
  declineDialog.showModal();
  declineStep(false);
}

function chosenDecline() {
  const reason = declineForm.querySelector("input[name=declineReason]:checked")?.value ?? "";
  const note = document.getElementById("declineNote").value.trim();
  const errors = [];
  if (!reason) errors.push({ field: "reason", message: "Choose why you are declining the offer." });
  if (reason === "OTHER" && !note) errors.push({ field: "note", message: "Say in the note why the offer is declined." });
  return { reason, note, errors };
}

declineForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const { reason, note, errors } = chosenDecline();
  if (errors.length) { showDeclineErrors(errors); return; }
  markFieldErrors([], {});
  declineErrors.hidden = true;
  document.getElementById("decline-summary").textContent = `Decline ${declining.provider.name}'s offer because: ${label("OfferDeclineReason", reason)}.${note ? ` Note: ${note}` : ""}`;
  declineStep(true);
});
document.getElementById("decline-back").addEventListener("click", () => declineStep(false));
document.getElementById("decline-yes").addEventListener("click", async () => {
  const { reason, note } = chosenDecline();
  const [, errors] = await mutate(`mutation($input: DeclineOfferInput!) { declineOffer(input: $input) { errors { field code message span { start end } } } }`,
    { offerId: declining.id, reason, note }, "declineOffer");
  if (errors.length) { showDeclineErrors(errors); return; }
  declineDialog.close();
  announce(messages, `Offer declined: ${declining.provider.name} has been told why.`, "success");
  await load();
});

// --- spot purchase and withdrawal ---------------------------------------------------------------------------

const escalateDialog = document.getElementById("escalate-dialog");
document.getElementById("escalate").addEventListener("click", () => {
  escalateDialog.returnValue = "";
  escalateDialog.showModal();
});
escalateDialog.addEventListener("close", async () => {
  if (escalateDialog.returnValue !== "escalate") return;
  const [, errors] = await mutate(`mutation($input: ReferralIdInput!) { escalateToSpot(input: $input) { errors { field message } } }`, { id }, "escalateToSpot");
  announce(messages, errors.length ? errors.map((e) => e.message).join(" ") : "Sent to spot purchase: registered providers off the framework have been asked.", errors.length ? "error" : "success");
  await load();
});

const withdrawDialog = document.getElementById("withdraw-dialog");
const withdrawErrors = document.getElementById("withdraw-errors");
document.getElementById("withdraw").addEventListener("click", () => {
  document.getElementById("withdraw-form").reset();
  markFieldErrors([], {});
  withdrawErrors.hidden = true;
  withdrawDialog.showModal();
});
document.getElementById("withdraw-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const reason = document.getElementById("withdrawReason").value.trim();
  const ids = { reason: "withdrawReason" };
  let errors = reason ? [] : [{ field: "reason", message: "Say why the referral is withdrawn." }];
  if (!errors.length) {
    [, errors] = await mutate(`mutation($input: WithdrawReferralInput!) { withdrawReferral(input: $input) { errors { field code message span { start end } } } }`, { id, reason }, "withdrawReferral");
  }
  if (errors.length) {
    markFieldErrors(errors, { reason }, ids);
    showErrorSummary(withdrawErrors, errors, (field) => ids[field] ?? field);
    return;
  }
  withdrawDialog.close();
  announce(messages, "Referral withdrawn: every provider it was sent to has been told.", "success");
  await load();
});
for (const button of document.querySelectorAll("dialog [data-close]")) {
  button.addEventListener("click", () => button.closest("dialog").close());
}

document.querySelector("#offers tbody").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-act]");
  if (!button) return;
  const offer = rows.find((o) => o.id === button.closest("tr").dataset.offerId);
  if (button.dataset.act === "accept") confirmAccept(offer);
  else if (button.dataset.act === "decline") openDecline(offer);
  else act(offer.id, button.dataset.act);
});
for (const button of document.querySelectorAll("#offers th button")) {
  button.addEventListener("click", () => { sortKey = button.dataset.sort; renderOffers(); });
}
document.getElementById("publish").addEventListener("click", async () => {
  const [, errors] = await mutate(`mutation($input: ReferralIdInput!) { publishReferral(input: $input) { errors { field message } } }`, { id }, "publishReferral");
  announce(messages, errors.length ? errors.map((e) => e.message).join(" ") : "Published and broadcast.", errors.length ? "error" : "success");
  await load();
});

async function load() { render(await gql(QUERY, { id })); }

load().then(() => subscribe(
  `subscription($id: ID!, $after: String) { offerUpdates(referralId: $id, after: $after) { cursor event } }`, { id },
  { field: "offerUpdates", onData: () => load(), onError: (errors) => announce(messages, errors.map((e) => e.message).join("; "), "error") },
)).catch((error) => announce(messages, error.message, "error"));
