// The provider's duty desk: a live list of referrals sent to them, most urgent first to the eye.
import { gql } from "../api.js";
import { subscribe } from "../live.js";
import { announce, esc, label, urgencyBadge, when } from "../ui.js";

const FIELDS = `id reference status urgency placementKind duration ageYears ageBand gender homeDistrict
  requiredBy siblingsToPlaceTogether needs publishedAt myOffer { id status } myBroadcast { respondedAt declineReason }`;
const list = document.getElementById("inbox");
const show = document.getElementById("show");
const referrals = new Map();
const baseTitle = document.title;

function answered(r) { return Boolean(r.myOffer || r.myBroadcast?.respondedAt); }

function card(r) {
  const state = r.myOffer ? `Your offer: ${esc(label("OfferStatus", r.myOffer.status))}`
    : r.myBroadcast?.declineReason ? "You declined" : r.status === "OPEN" ? "<strong>Not answered yet</strong>" : "";
  return `<li class="card" data-id="${esc(r.id)}" data-reference="${esc(r.reference)}">
    <h2><a href="/referrals/${esc(r.id)}">${esc(r.reference)}</a> ${urgencyBadge(r.urgency)}</h2>
    <p><strong>Required by ${esc(when(r.requiredBy))}</strong> · ${esc(label("ReferralStatus", r.status))}</p>
    <p>${esc(label("PlacementKind", r.placementKind))}, ${esc(label("Duration", r.duration)).toLowerCase()} ·
       age ${esc(r.ageYears)} ${esc(label("Gender", r.gender)).toLowerCase()}
       ${r.siblingsToPlaceTogether ? `with ${esc(r.siblingsToPlaceTogether)} sibling(s)` : ""} · ${esc(r.homeDistrict)}</p>
    <p class="meta">${r.needs.map((n) => esc(label("Need", n))).join(", ") || "No specific needs listed"}</p>
    <p>${state}</p>
  </li>`;
}

function render() {
  const rows = [...referrals.values()]
    .filter((r) => show.value === "all" || r.status === "OPEN")
    .sort((a, b) => (b.publishedAt ?? "").localeCompare(a.publishedAt ?? ""));
  list.innerHTML = rows.map(card).join("") || `<li class="card">No referrals to show.</li>`;
  const unanswered = [...referrals.values()].filter((r) => r.status === "OPEN" && !answered(r)).length;
  document.getElementById("unanswered").textContent = `${unanswered} open referral(s) not answered yet`;
  document.title = unanswered ? `(${unanswered}) ${baseTitle}` : baseTitle;
  list.setAttribute("aria-busy", "false");
}

// Where the event log stands is read before the list, and the live feed starts from there: a referral
// sent while the list loads is replayed rather than missed (one already listed is simply refreshed).
async function load() {
  const { liveCursor } = await gql(`query LiveCursor { liveCursor }`);
  const data = await gql(`query Inbox { referrals(first: 100) { edges { node { ${FIELDS} } } } }`);
  for (const { node } of data.referrals.edges) referrals.set(node.id, node);
  render();
  return liveCursor;
}

show.addEventListener("change", render);
load().then((liveCursor) => {
  subscribe(`subscription Inbox($after: String) { referralInbox(after: $after) { cursor event referral { ${FIELDS} } } }`,
    { after: liveCursor }, {
      field: "referralInbox",
      onData(message) {
        referrals.set(message.referral.id, message.referral);
        render();
      },
      onError(errors) { announce(document.getElementById("inbox-messages"), errors.map((e) => e.message).join("; "), "error"); },
    });
}).catch((error) => announce(document.getElementById("inbox-messages"), error.message, "error"));
