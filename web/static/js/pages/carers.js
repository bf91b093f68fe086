// The provider's approved households and homes, described in the data standard's terms.
import { gql } from "../api.js";
import { announce, esc, label } from "../ui.js";

let after = null;

async function loadHouseholds() {
  const data = await gql(`query($after: String) { carerHouseholds(first: 50, after: $after) { edges { node { id reference district minAge maxAge
    approvedPlaces placementKinds specialisms languages hasPets soloOnly } } pageInfo { hasNextPage endCursor } } }`, { after });
  const rows = data.carerHouseholds.edges.map(({ node: h }) => `<tr><td data-label="Reference">${esc(h.reference)}</td>
    <td data-label="District">${esc(h.district)}</td><td data-label="Ages">${esc(h.minAge)}-${esc(h.maxAge)}</td>
    <td data-label="Places">${esc(h.approvedPlaces)}</td>
    <td data-label="Approved for">${h.placementKinds.map((k) => esc(label("PlacementKind", k))).join(", ")}</td>
    <td data-label="Offers">${[...h.specialisms.map((s) => label("Need", s)), ...h.languages, h.hasPets ? "pets" : "", h.soloOnly ? "solo only" : ""].filter(Boolean).map(esc).join(", ")}</td></tr>`);
  document.querySelector("#households tbody").insertAdjacentHTML("beforeend", rows.join(""));
  after = data.carerHouseholds.pageInfo.endCursor;
  document.getElementById("more").hidden = !data.carerHouseholds.pageInfo.hasNextPage;
}

async function loadHomes() {
  const data = await gql(`{ childrensHomes { name ofstedUrn beds minAge maxAge district ofstedJudgement } }`);
  document.getElementById("homes").innerHTML = data.childrensHomes.map((h) => `<li class="card"><h3>${esc(h.name)}</h3>
    <p>Ofsted URN ${esc(h.ofstedUrn)} · ${esc(label("OfstedJudgement", h.ofstedJudgement))} · ${esc(h.beds)} beds · ages ${esc(h.minAge)}-${esc(h.maxAge)} · ${esc(h.district)}</p></li>`).join("")
    || `<li class="card">No children's homes.</li>`;
}

document.getElementById("more").addEventListener("click", loadHouseholds);
Promise.all([loadHouseholds(), loadHomes()]).catch((error) => announce(document.getElementById("messages"), error.message, "error"));
