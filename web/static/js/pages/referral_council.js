// The council compares the offers on its referral side by side, live, and decides.
import { gql, mutate } from "../api.js";
import { subscribe } from "../live.js";
import { announce, esc, label, pence, urgencyBadge, when } from "../ui.js";

const id = document.getElementById("referral").dataset.referralId;
const messages = document.getElementById("messages");
let rows = [];
let sortKey = "rank";

const QUERY = `query($id: ID!) {
  referral(id: $id) { id reference status urgency requiredBy placementKind ageYears gender homeDistrict publishedAt
    currentTier tierDeadline summary needs
    offers { id status weeklyFeePence feeBasis differsFromSchedule distanceMiles submittedAt startDate matchingStatement
      feeBreakdown { label amountPence } extras { label amountPence justification }
      provider { name ofstedJudgement } carerHousehold { reference district } childrensHome { name district } }
    recipients { tier isSpot excludedReason sentAt viewedAt respondedAt declineReason declineNote provider { name } }
    placement { ipaReference startDate weeklyFeePence placementType status provider { name } } }
  offerRanking(referralId: $id) { offerId rank total quality cost }
}`;

function hours(from, to) { return from && to ? (new Date(to) - new Date(from)) / 36e5 : null; }

function render(data) {
  const r = data.referral;
  if (!r) { document.getElementById("referral").innerHTML = "<h1>Referral not found</h1>"; return; }
  document.title = `${r.reference} · Placement Exchange`;
  document.getElementById("referral").innerHTML = `<h1>${esc(r.reference)} ${urgencyBadge(r.urgency)}</h1>
    <p class="lede"><strong>Required by ${esc(when(r.requiredBy))}</strong> · <span id="referral-status">${esc(label("ReferralStatus", r.status))}</span>
     · ${esc(label("PlacementKind", r.placementKind))}, age ${esc(r.ageYears)} · ${esc(r.homeDistrict)}
     ${r.currentTier ? ` · tier ${esc(r.currentTier)}${r.tierDeadline ? ` until ${esc(when(r.tierDeadline))}` : ""}` : ""}</p>
    <p>${esc(r.summary)}</p>`;
  document.getElementById("referral").setAttribute("aria-busy", "false");
  document.getElementById("draft-actions").hidden = r.status !== "DRAFT";
  document.getElementById("edit-link").href = `/referrals/new?id=${encodeURIComponent(r.id)}`;
  const ranks = Object.fromEntries(data.offerRanking.map((x) => [x.offerId, x]));
  const sent = Object.fromEntries(r.recipients.map((x) => [x.provider.name, x.sentAt]));
  rows = r.offers.map((o) => ({ ...o, ranking: ranks[o.id], response: hours(sent[o.provider.name], o.submittedAt), open: r.status === "OPEN" }));
  document.getElementById("offer-count").textContent = `${rows.filter((o) => ["SUBMITTED", "SHORTLISTED"].includes(o.status)).length} live`;
  renderOffers();
  document.querySelector("#recipients tbody").innerHTML = r.recipients.map((x) => `<tr>
    <td data-label="Provider">${esc(x.provider.name)}${x.isSpot ? " (spot)" : ""}</td>
    <td data-label="Tier">${esc(x.tier ?? "–")}</td>
    <td data-label="Sent">${x.excludedReason ? `Not sent: ${esc(x.excludedReason)}` : esc(when(x.sentAt))}</td>
    <td data-label="Viewed">${esc(when(x.viewedAt))}</td><td data-label="Responded">${esc(when(x.respondedAt))}</td>
    <td data-label="Declined because">${x.declineReason ? esc(label("DeclineReason", x.declineReason)) + (x.declineNote ? `: ${esc(x.declineNote)}` : "") : ""}</td></tr>`).join("");
  const placement = document.getElementById("placement");
  placement.hidden = !r.placement;
  if (r.placement) {
    placement.innerHTML = `<h2>Placement</h2><div class="card"><dl class="facts">
      <dt>IPA reference</dt><dd id="ipa-reference">${esc(r.placement.ipaReference)}</dd><dt>Provider</dt><dd>${esc(r.placement.provider.name)}</dd>
      <dt>Start</dt><dd>${esc(r.placement.startDate)}</dd><dt>Weekly fee</dt><dd>${esc(pence(r.placement.weeklyFeePence))}</dd>
      <dt>Placement type</dt><dd>${esc(r.placement.placementType)}</dd></dl></div>`;
  }
}

const sorters = {
  rank: (o) => o.ranking?.rank ?? 99, provider: (o) => o.provider.name, fit: (o) => -(o.ranking?.quality ?? 0),
  distance: (o) => o.distanceMiles ?? 9999, fee: (o) => o.weeklyFeePence, response: (o) => o.response ?? 9999,
};

function renderOffers() {
  const key = sorters[sortKey];
  const sorted = [...rows].sort((a, b) => (key(a) > key(b) ? 1 : key(a) < key(b) ? -1 : 0));
  document.querySelector("#offers tbody").innerHTML = sorted.map((o) => {
    const live = o.open && ["SUBMITTED", "SHORTLISTED"].includes(o.status);
    const resource = o.carerHousehold ? `${o.carerHousehold.reference} (${o.carerHousehold.district})` : `${o.childrensHome?.name} (${o.childrensHome?.district})`;
    return `<tr data-offer-id="${esc(o.id)}">
      <td data-label="Rank">${esc(o.ranking?.rank ?? "–")}</td>
      <td data-label="Provider"><strong>${esc(o.provider.name)}</strong><br><span class="meta">${esc(resource)}</span>
        <details><summary>Matching statement</summary><p>${esc(o.matchingStatement || "None given")}</p></details></td>
      <td data-label="Fit">${esc(o.ranking ? o.ranking.quality : "–")}</td>
      <td data-label="Distance">${o.distanceMiles !== null ? `${esc(o.distanceMiles)} miles` : "–"}</td>
      <td data-label="Weekly fee"><strong>${esc(pence(o.weeklyFeePence))}</strong>${o.feeBasis === "SPOT" ? " <span class=\"badge\">Spot</span>" : ""}
        ${o.differsFromSchedule ? ' <span class="badge urgency-WITHIN_5_DAYS">Above schedule</span>' : ""}
        <details><summary>Breakdown</summary><ul>${o.feeBreakdown.map((l) => `<li>${esc(l.label)}: ${esc(pence(l.amountPence))}</li>`).join("")}
        ${o.extras.map((e) => `<li>Justification for ${esc(e.label)}: ${esc(e.justification)}</li>`).join("")}</ul></details></td>
      <td data-label="Ofsted">${esc(label("OfstedJudgement", o.provider.ofstedJudgement))}</td>
      <td data-label="Response time">${o.response !== null ? `${esc(o.response.toFixed(1))} h` : "–"}</td>
      <td data-label="Status" class="status">${esc(label("OfferStatus", o.status))}</td>
      <td data-label="Decide">${live ? `${o.status === "SUBMITTED" ? `<button type="button" data-act="shortlist">Shortlist</button>` : ""}
        <button type="button" class="primary" data-act="accept">Accept</button> <button type="button" class="danger" data-act="decline">Decline</button>` : ""}</td>
    </tr>`;
  }).join("") || `<tr><td colspan="9">No offers yet. They appear here as providers answer.</td></tr>`;
}

async function act(offerId, action) {
  const field = { shortlist: "shortlistOffer", accept: "acceptOffer", decline: "declineOffer" }[action];
  const [, errors] = await mutate(`mutation($input: OfferIdInput!) { ${field}(input: $input) { errors { message } } }`, { id: offerId }, field);
  announce(messages, errors.length ? errors[0].message : action === "accept" ? "Offer accepted: the placement is recorded below." : "Done.", errors.length ? "error" : "success");
  await load();
}

document.querySelector("#offers tbody").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-act]");
  if (!button) return;
  const offerId = button.closest("tr").dataset.offerId;
  if (button.dataset.act === "accept") {
    const offer = rows.find((o) => o.id === offerId);
    document.getElementById("confirm-text").textContent = `${offer.provider.name} at ${pence(offer.weeklyFeePence)} a week.`;
    const dialog = document.getElementById("confirm-accept");
    dialog.returnValue = "";
    dialog.showModal();
    dialog.addEventListener("close", () => { if (dialog.returnValue === "accept") act(offerId, "accept"); }, { once: true });
  } else {
    act(offerId, button.dataset.act);
  }
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
