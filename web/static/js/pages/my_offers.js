// The provider's offers with their live status.
import { gql } from "../api.js";
import { subscribe } from "../live.js";
import { announce, day, esc, label, pence, when } from "../ui.js";

async function load() {
  const data = await gql(`{ myOffers(first: 100) { edges { node { id status weeklyFeePence startDate submittedAt declineReason declineNote
    referral { id reference placement { id ipaReference provider { id } } } carerHousehold { reference } childrensHome { name } } } } }`);
  document.querySelector("#offers tbody").innerHTML = data.myOffers.edges.map(({ node: o }) => `<tr>
    <td data-label="Referral"><a href="/referrals/${esc(o.referral.id)}">${esc(o.referral.reference)}</a></td>
    <td data-label="Household or home">${esc(o.carerHousehold?.reference ?? o.childrensHome?.name)}</td>
    <td data-label="Weekly fee">${esc(pence(o.weeklyFeePence))}</td><td data-label="Start">${esc(day(o.startDate))}</td>
    <td data-label="Status"><span class="status">${esc(label("OfferStatus", o.status))}</span>${o.status === "ACCEPTED" && o.referral.placement ? `<br><a href="/placements/${esc(o.referral.placement.id)}">Placement ${esc(o.referral.placement.ipaReference)}</a>` : ""}</td>
    <td data-label="Council's reason" class="decline-reason">${o.declineReason ? `${esc(label("OfferDeclineReason", o.declineReason))}${o.declineNote ? `<br><span class="meta">${esc(o.declineNote)}</span>` : ""}` : ""}</td><td data-label="Submitted">${esc(when(o.submittedAt))}</td></tr>`).join("")
    || `<tr><td colspan="7">No offers yet.</td></tr>`;
}

load().then(() => subscribe(`subscription($after: String) { referralInbox(after: $after) { cursor } }`, {},
  { field: "referralInbox", onData: () => load() }))
  .catch((error) => announce(document.getElementById("messages"), error.message, "error"));
