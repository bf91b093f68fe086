// The providers on the exchange with their places on lots; platform admins onboard new ones.
import { gql, mutate } from "../api.js";
import { announce, day, esc, label, markFieldErrors, showErrorSummary } from "../ui.js";

const messages = document.getElementById("messages");
const form = document.getElementById("onboard-form");

function place(m) {
  const where = `${esc(m.lot.framework.name)}: ${esc(m.lot.code)} ${esc(m.lot.name)}`;
  if (m.suspension) return `<li>${where}, tier ${esc(m.tier)}: <a href="/suspensions">suspended from referrals</a></li>`;
  if (m.leftOn) return `<li>${where}, left on ${esc(day(m.leftOn))} (${esc(label("LeftReason", m.leftReason))})</li>`;
  return `<li>${where}, tier ${esc(m.tier)}</li>`;
}

async function load() {
  const data = await gql(`{ providers { id name providerType ofstedUrn ofstedJudgement ofstedJudgementDate ofstedSource status nowPartOf
    memberships { id tier leftOn leftReason suspension { id } lot { code name framework { name } } } } }`);
  document.querySelector("#providers tbody").innerHTML = data.providers.map((p) => `<tr data-provider="${esc(p.id)}">
    <th scope="row" data-label="Provider">${esc(p.name)}</th>
    <td data-label="Type">${esc(label("ProviderType", p.providerType))}</td>
    <td data-label="Ofsted">${esc(label("OfstedJudgement", p.ofstedJudgement))}${p.ofstedJudgementDate ? ` (${esc(day(p.ofstedJudgementDate))})` : ""}<br><span class="meta">URN ${esc(p.ofstedUrn)}; source: ${esc(p.ofstedSource)}</span></td>
    <td data-label="Status">${esc(label("ProviderStatus", p.status))}${p.nowPartOf ? `<br><span class="meta">${esc(p.nowPartOf)}</span>` : ""}</td>
    <td data-label="Places on lots">${p.memberships.length ? `<ul>${p.memberships.map(place).join("")}</ul>` : "None yet"}</td></tr>`).join("")
    || `<tr><td colspan="5">No providers yet.</td></tr>`;
}

const REQUIRED = [
  ["name", "Enter the provider's name"],
  ["providerType", "Choose the type of provider"],
  ["sector", "Choose the sector"],
  ["ofstedUrn", "Enter the Ofsted URN"],
  ["ofstedJudgement", "Choose the latest Ofsted judgement"],
  ["district", "Enter the postcode district of the registered office"],
];

function showErrors(errors) {
  const unplaced = markFieldErrors(errors, {});
  messages.innerHTML = "";
  showErrorSummary(document.getElementById("error-summary"), errors);
  return unplaced;
}

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const value = (name) => form.elements[name].value.trim();
  const missing = REQUIRED.filter(([name]) => !value(name)).map(([field, message]) => ({ field, message }));
  if (missing.length) { showErrors(missing); return; }
  const input = {
    name: value("name"), providerType: value("providerType"), sector: value("sector"), ofstedUrn: value("ofstedUrn"),
    ofstedJudgement: value("ofstedJudgement"), ofstedJudgementDate: value("ofstedJudgementDate") || null, district: value("district"),
  };
  const [payload, errors] = await mutate(`mutation($input: OnboardProviderInput!) { onboardProvider(input: $input) {
    provider { id name } errors { field code message } } }`, input, "onboardProvider");
  if (errors.length) { showErrors(errors); return; }
  document.getElementById("error-summary").hidden = true;
  markFieldErrors([], {});
  form.reset();
  await load();
  announce(messages, `${payload.provider.name} is on the exchange. Put it on a lot from Frameworks.`);
});

load().catch((error) => announce(messages, error.message, "error"));
