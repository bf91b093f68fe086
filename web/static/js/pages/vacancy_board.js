// Councils see capacity before they need it: a live, filterable board of vacancies.
import { gql } from "../api.js";
import { subscribe } from "../live.js";
import { announce, day, esc, label, when } from "../ui.js";

const VACANCY = `id places availableFrom availableUntil note status updatedAt minAge maxAge district placementKinds
  provider { name ofstedJudgement } carerHousehold { reference } childrensHome { name }`;
let live = null;

function filter() {
  const f = { placementKind: document.getElementById("placementKind").value || null };
  const age = document.getElementById("age").value;
  if (age !== "") f.age = Number(age);
  const district = document.getElementById("district").value.trim();
  if (district) { f.ofDistrict = district; f.withinMiles = Number(document.getElementById("miles").value || 20); }
  return f;
}

function card(v) {
  return `<li class="card" data-id="${esc(v.id)}"><h2>${esc(v.provider.name)}: ${esc(v.places)} place(s)</h2>
    <p>${esc(v.carerHousehold?.reference ?? v.childrensHome?.name)} · ${esc(v.district)} · ages ${esc(v.minAge)}-${esc(v.maxAge)} ·
      ${v.placementKinds.map((k) => esc(label("PlacementKind", k))).join(", ")}</p>
    <p>Free from <strong>${esc(day(v.availableFrom))}</strong>${v.availableUntil ? ` until ${esc(day(v.availableUntil))}` : ""} ·
      Ofsted ${esc(label("OfstedJudgement", v.provider.ofstedJudgement))}</p>
    ${v.note ? `<p>${esc(v.note)}</p>` : ""}<p class="meta">Updated ${esc(when(v.updatedAt))}</p></li>`;
}

async function load() {
  const data = await gql(`query($filter: VacancyFilter) { vacancies(first: 100, filter: $filter) { edges { node { ${VACANCY} } } } }`, { filter: filter() });
  document.getElementById("vacancies").innerHTML = data.vacancies.edges.map((e) => card(e.node)).join("") || `<li class="card">No open vacancies match.</li>`;
}

function listen() {
  live?.stop();
  live = subscribe(`subscription($after: String, $filter: VacancyFilter) { vacancyFeed(after: $after, filter: $filter) { cursor event vacancy { id } } }`,
    { filter: filter() }, { field: "vacancyFeed", onData: () => load() });
}

document.getElementById("filters").addEventListener("submit", (event) => { event.preventDefault(); load().then(listen); });
load().then(listen).catch((error) => announce(document.getElementById("messages"), error.message, "error"));
