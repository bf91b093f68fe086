// The placement team's list: status and live offer counts, refreshed whenever the council's figures move.
import { gql } from "../api.js";
import { subscribe } from "../live.js";
import { announce, esc, label, urgencyBadge, when } from "../ui.js";

const status = document.getElementById("status");

async function load() {
  const filter = status.value ? { status: [status.value] } : null;
  const data = await gql(`query($filter: ReferralFilter) { referrals(first: 100, filter: $filter) { edges { node {
    id reference urgency requiredBy status ageYears gender placementKind homeDistrict liveOfferCount } } } }`, { filter });
  document.querySelector("#referrals tbody").innerHTML = data.referrals.edges.map(({ node: r }) => `<tr>
    <td data-label="Reference"><a href="/referrals/${esc(r.id)}">${esc(r.reference)}</a></td>
    <td data-label="Urgency">${urgencyBadge(r.urgency)}</td><td data-label="Required by">${esc(when(r.requiredBy))}</td>
    <td data-label="Child">${esc(label("PlacementKind", r.placementKind))}, age ${esc(r.ageYears)}, ${esc(r.homeDistrict)}</td>
    <td data-label="Status">${esc(label("ReferralStatus", r.status))}</td>
    <td data-label="Live offers" class="live-offers">${esc(r.liveOfferCount ?? 0)}</td></tr>`).join("")
    || `<tr><td colspan="6">No referrals with this status.</td></tr>`;
}

status.addEventListener("change", load);
load().then(() => subscribe(`subscription($after: String) { dashboard(after: $after) { cursor } }`, {},
  { field: "dashboard", onData: () => load() }))
  .catch((error) => announce(document.getElementById("messages"), error.message, "error"));
