// Write a referral in the terms of the placements data standard; save a draft or publish it.
import { gql, mutate } from "../api.js";
import { announce, esc, markFieldErrors, showErrorSummary } from "../ui.js";

const form = document.getElementById("referral-form");
const messages = document.getElementById("messages");
let referralId = new URLSearchParams(location.search).get("id");

const FIELDS = `id reference status frameworkId: framework { id } lot { id } placementKind duration urgency needLevel requiredBy ageYears
  gender siblingsToPlaceTogether homeDistrict maxDistanceMiles needs risksToChild risksToOthers communicationNeeds languages
  adaptations faith culturalNeeds livingAlongside pets additionalSupport additionalSupportHours deprivationOfLiberty
  settingSuitability { setting suitability } legalStatus categoryOfNeed summary
  communicationNeedsStated culturalNeedsCategory riskToChildOther riskToOthersOther additionalSupportOther`;

async function loadLots() {
  const data = await gql(`{ frameworks { id name lots { id code name placementKinds } } }`);
  const select = document.getElementById("frameworkLot");
  select.innerHTML = `<option value="">Choose…</option>` + data.frameworks.flatMap((f) => f.lots.map((l) =>
    `<option value="${esc(f.id)}|${esc(l.id)}" data-kinds="${esc(l.placementKinds.join(" "))}">${esc(f.name)}: ${esc(l.code)} ${esc(l.name)}</option>`)).join("");
  select.addEventListener("change", offerKindsOfLot);
}

/** Only the placement kinds the chosen lot covers can be chosen; a kind the lot does not cover is cleared. */
function offerKindsOfLot() {
  const lot = document.getElementById("frameworkLot").selectedOptions[0];
  const kinds = lot?.value ? lot.dataset.kinds.split(" ") : null;
  const kind = document.getElementById("placementKind");
  for (const option of kind.options) {
    if (!option.value) continue;
    const covered = !kinds || kinds.includes(option.value);
    option.hidden = !covered;
    option.disabled = !covered;
  }
  if (kind.selectedOptions[0]?.disabled) kind.value = "";
}

// Every required choice starts empty and must be made: nothing goes out on a default nobody chose.
const REQUIRED_CHOICES = [
  ["frameworkLot", "lotId", "Choose the framework lot"],
  ["placementKind", "placementKind", "Choose the placement kind"],
  ["duration", "duration", "Choose the duration"],
  ["urgency", "urgency", "Choose how urgent it is"],
  ["needLevel", "needLevel", "Choose the level of need"],
  ["gender", "gender", "Choose the child's gender"],
  ["requiredBy", "requiredBy", "Enter the date and time the placement is needed by"],
];

function missingChoices() {
  return REQUIRED_CHOICES.filter(([name]) => !value(name)).map(([, field, message]) => ({ field, message }));
}

function showSummary(errors) {
  showErrorSummary(document.getElementById("error-summary"), errors, (field) => (field === "lotId" ? "frameworkLot" : field.split(".")[0]));
}

function checked(name) { return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((el) => el.value); }
function value(name) { return form.elements[name].value; }

function collect() {
  const [frameworkId, lotId] = value("frameworkLot").split("|");
  const input = {
    frameworkId, lotId, placementKind: value("placementKind"), duration: value("duration"), urgency: value("urgency"),
    needLevel: value("needLevel"), requiredBy: value("requiredBy") ? new Date(value("requiredBy")).toISOString() : null,
    ageYears: value("ageYears") === "" ? null : Number(value("ageYears")), gender: value("gender"),
    siblingsToPlaceTogether: Number(value("siblingsToPlaceTogether") || 0), homeDistrict: value("homeDistrict"),
    maxDistanceMiles: Number(value("maxDistanceMiles") || 20), needs: checked("needs"), risksToChild: checked("risksToChild"),
    risksToOthers: checked("risksToOthers"), communicationNeeds: checked("communicationNeeds"),
    languages: value("languages").split(",").map((s) => s.trim()).filter(Boolean), adaptations: checked("adaptations"),
    faith: value("faith"), culturalNeeds: value("culturalNeeds"), livingAlongside: value("livingAlongside"), pets: value("pets"),
    additionalSupport: checked("additionalSupport"), additionalSupportHours: Number(value("additionalSupportHours") || 0),
    deprivationOfLiberty: form.elements.deprivationOfLiberty.checked,
    settingSuitability: [...form.querySelectorAll('select[name="setting"]')].filter((s) => s.value).map((s) => ({ setting: s.dataset.setting, suitability: s.value })),
    legalStatus: value("legalStatus") || null, categoryOfNeed: value("categoryOfNeed") || null, summary: value("summary"),
    communicationNeedsStated: value("communicationNeedsStated"), culturalNeedsCategory: value("culturalNeedsCategory"),
    riskToChildOther: value("riskToChildOther"), riskToOthersOther: value("riskToOthersOther"),
    additionalSupportOther: value("additionalSupportOther"),
  };
  return input;
}

function showErrors(errors, input) {
  markFieldErrors(errors, input);
  if (errors.some((e) => e.field === "lotId")) document.getElementById("frameworkLot").setAttribute("aria-invalid", "true");
  messages.innerHTML = "";
  showSummary(errors);
}

async function save(publish) {
  const missing = missingChoices();
  if (missing.length) { showErrors(missing, {}); return; }
  document.getElementById("error-summary").hidden = true;
  const input = collect();
  const [payload, errors] = referralId
    ? await mutate(`mutation($input: UpdateReferralInput!) { updateReferral(input: $input) { referral { id reference } errors { field code message span { start end } } } }`, { ...input, id: referralId }, "updateReferral")
    : await mutate(`mutation($input: CreateReferralInput!) { createReferral(input: $input) { referral { id reference } errors { field code message span { start end } } } }`, input, "createReferral");
  if (errors.length) { showErrors(errors, input); return; }
  referralId = payload.referral.id;
  if (publish) {
    const [, publishErrors] = await mutate(`mutation($input: ReferralIdInput!) { publishReferral(input: $input) { errors { field code message span { start end } } } }`, { id: referralId }, "publishReferral");
    if (publishErrors.length) { showErrors(publishErrors, input); return; }
  }
  location.assign(`/referrals/${encodeURIComponent(referralId)}`);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  save(event.submitter?.value === "publish");
});

async function loadDraft() {
  if (!referralId) return;
  const data = await gql(`query($id: ID!) { referral(id: $id) { ${FIELDS} } }`, { id: referralId });
  const r = data.referral;
  if (!r) return;
  document.getElementById("form-title").textContent = `Edit draft ${r.reference}`;
  for (const name of ["placementKind", "duration", "urgency", "needLevel", "ageYears", "gender", "siblingsToPlaceTogether",
    "homeDistrict", "maxDistanceMiles", "faith", "culturalNeeds", "livingAlongside", "pets", "additionalSupportHours", "summary",
    "communicationNeedsStated", "culturalNeedsCategory", "riskToChildOther", "riskToOthersOther", "additionalSupportOther"]) {
    form.elements[name].value = r[name] ?? "";
  }
  form.elements.legalStatus.value = r.legalStatus ?? "";
  form.elements.categoryOfNeed.value = r.categoryOfNeed ?? "";
  form.elements.languages.value = r.languages.join(", ");
  form.elements.deprivationOfLiberty.checked = r.deprivationOfLiberty;
  form.elements.requiredBy.value = r.requiredBy.slice(0, 16);
  for (const name of ["needs", "risksToChild", "risksToOthers", "communicationNeeds", "adaptations", "additionalSupport"]) {
    for (const box of form.querySelectorAll(`input[name="${name}"]`)) box.checked = r[name].includes(box.value);
  }
  for (const item of r.settingSuitability) form.querySelector(`select[data-setting="${item.setting}"]`).value = item.suitability;
  requiredBySetByHand = true;
  if (r.lot) form.elements.frameworkLot.value = `${r.frameworkId.id}|${r.lot.id}`;
  offerKindsOfLot();
}

// Required-by follows the urgency until the officer sets it: needed today means by the end of today.
function localInput(date) { return new Date(date - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16); }
function requiredByFor(urgency) {
  const now = new Date();
  if (urgency === "TODAY") { const end = new Date(now); end.setHours(23, 59, 0, 0); return end; }
  if (urgency === "WITHIN_5_DAYS") return new Date(now.getTime() + 5 * 86400000);
  if (urgency === "LATER") return new Date(now.getTime() + 28 * 86400000);
  return null;
}
let requiredBySetByHand = false;
form.elements.requiredBy.addEventListener("input", () => { requiredBySetByHand = true; });
form.elements.urgency.addEventListener("change", () => {
  const date = requiredByFor(value("urgency"));
  if (date && !requiredBySetByHand) form.elements.requiredBy.value = localInput(date);
});
form.elements.livingAlongside.value = "NO_PREFERENCE";
form.elements.pets.value = "UNKNOWN";
form.elements.communicationNeedsStated.value = "NOT_SPECIFIED";
form.elements.culturalNeedsCategory.value = "NOT_KNOWN";
loadLots().then(loadDraft).catch((error) => announce(messages, error.message, "error"));
