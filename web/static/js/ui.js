// Small rendering helpers shared by the pages: escaping, money, dates, labels from the vocabulary.
export const labels = JSON.parse(document.getElementById("vocabulary")?.textContent ?? "{}");

export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

export function label(kind, value) {
  const found = (labels[kind] ?? []).find(([name]) => name === value);
  return found ? found[1] : String(value ?? "").replaceAll("_", " ").toLowerCase();
}

export function pence(amount) {
  if (amount === null || amount === undefined) return "–";
  return new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP" }).format(amount / 100);
}

/** A word and its code, for fields whose people use the code too: "Foster placement with other foster carer: other (U6)". */
export function labelWithCode(kind, value) {
  if (value === null || value === undefined || value === "") return "–";
  const words = label(kind, value);
  return words === String(value) ? words : `${words} (${value})`;
}

/** A framework lot in words: "Lot 1: Core fostering (LOT1)"; a referral with no lot is a spot purchase. */
export function lotName(lot) {
  if (!lot) return "Spot purchase (no framework lot)";
  const number = /^LOT\s*(\d+)$/i.exec(lot.code ?? "")?.[1];
  const title = number ? `Lot ${number}` : "Lot";
  return lot.name ? `${title}: ${lot.name} (${lot.code})` : `${title} (${lot.code})`;
}

/** A broadcast tier in words: 1 becomes "Tier 1", no tier "Spot purchase". */
export function tierName(tier, isSpot = false) {
  if (isSpot) return "Spot purchase";
  if (tier === null || tier === undefined || tier === "") return "–";
  return `Tier ${tier}`;
}

/** An age band in words: "AGE_11_15" becomes "aged 11 to 15". */
export function ageBandName(band) {
  if (!band) return "–";
  const [from, to] = label("AgeBand", band).split("-");
  return to ? `aged ${from} to ${to}` : label("AgeBand", band);
}

/** A date-only value ("2026-11-30") is that day where the reader is, not midnight UTC; anything else is a moment. */
function toDate(iso) {
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso));
  return dateOnly ? new Date(Number(dateOnly[1]), Number(dateOnly[2]) - 1, Number(dateOnly[3])) : new Date(iso);
}
const valid = (iso) => !!iso && !Number.isNaN(toDate(iso).getTime());
const dayFormat = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "long", year: "numeric" });
const timeFormat = new Intl.DateTimeFormat("en-GB", { hour: "numeric", minute: "2-digit", hourCycle: "h12" });
const dayWords = (date) => dayFormat.formatToParts(date).filter((p) => p.type !== "literal").map((p) => p.value).join(" ");

/** A time the way GOV.UK writes it: "1:05pm", "12pm" for midday. */
function clock(date) {
  const parts = Object.fromEntries(timeFormat.formatToParts(date).map((p) => [p.type, p.value]));
  const minute = parts.minute === "00" ? "" : `:${parts.minute}`;
  if (parts.hour === "12" && !minute) return parts.dayPeriod?.toLowerCase().startsWith("p") ? "12pm (midday)" : "12am (midnight)";
  return `${parts.hour}${minute}${(parts.dayPeriod ?? "").toLowerCase().replaceAll(".", "").replace(/\s/g, "")}`;
}

/** A moment in words: "Wed 2 December 2026 at 1:05pm" (never an ISO string). */
export function when(iso) {
  if (!valid(iso)) return "–";
  const date = toDate(iso);
  return `${dayWords(date)} at ${clock(date)}`;
}

/** A date in words: "Wed 2 December 2026". */
export function day(iso) {
  if (!valid(iso)) return "–";
  return dayWords(toDate(iso));
}

/** A short date for a chart's axis: "30 Nov" (the chart's table gives the whole date). */
export function shortDay(iso) {
  if (!valid(iso)) return "–";
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short" }).format(toDate(iso));
}

export function urgencyBadge(urgency) {
  return `<span class="badge urgency-${esc(urgency)}">${esc(label("Urgency", urgency))}</span>`;
}

let bannerCount = 0;

/**
 * Tell the reader what just happened: a GOV.UK success notification banner (role=status) for good news,
 * the error summary's look (role=alert) for a problem. Same call as ever: announce(element, message, kind).
 */
export function announce(element, message, kind = "success") {
  if (kind === "error") {
    element.innerHTML = `<div class="govuk-error-summary" role="alert"><h2 class="govuk-error-summary__title">There is a problem</h2>
      <div class="govuk-error-summary__body"><p class="govuk-body govuk-!-margin-bottom-0">${esc(message)}</p></div></div>`;
    return;
  }
  const id = `banner-title-${++bannerCount}`;
  const success = kind === "success";
  element.innerHTML = `<div class="govuk-notification-banner${success ? " govuk-notification-banner--success" : ""}" role="status" aria-labelledby="${id}">
    <div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="${id}">${success ? "Success" : "Important"}</h2></div>
    <div class="govuk-notification-banner__content"><p class="govuk-notification-banner__heading">${esc(message)}</p></div></div>`;
}

export function errorsByField(errors) {
  const map = {};
  for (const error of errors) (map[error.field ?? "_"] ??= []).push(error);
  return map;
}

/** Show the offending words of an IDENTIFYING_DETAILS error in place, so the writer can fix them. */
export function highlightSpans(text, errors) {
  const spans = errors.filter((e) => e.span).map((e) => e.span).sort((a, b) => a.start - b.start);
  let out = "", at = 0;
  for (const span of spans) {
    if (span.start < at) continue;
    out += esc(text.slice(at, span.start)) + `<mark class="identifying">${esc(text.slice(span.start, span.end))}</mark>`;
    at = span.end;
  }
  return out + esc(text.slice(at));
}

/** The text a field's error is about: "languages.1" is the second item of the languages the writer sent. */
function fieldText(texts, field) {
  const [name, index] = field.split(".");
  const value = texts[name];
  return Array.isArray(value) ? value[Number(index)] : value;
}

/**
 * Put each error under its field (the element with id `${field}-error`, or `ids[field]`), and for an
 * IDENTIFYING_DETAILS error show the writer's own text with the words to change marked in place.
 * Returns the messages that have no field on the page, for the caller to announce.
 */
export function markFieldErrors(errors, texts, ids = {}) {
  for (const el of document.querySelectorAll(".field-error")) el.textContent = "";
  for (const el of document.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute("aria-invalid");
  const unplaced = [];
  for (const [field, fieldErrors] of Object.entries(errorsByField(errors))) {
    const name = ids[field] ?? ids[field.split(".")[0]] ?? field.split(".")[0];
    const target = document.getElementById(`${name}-error`);
    if (!target) { unplaced.push(...fieldErrors.map((e) => e.message)); continue; }
    const text = fieldText(texts, field);
    const spans = fieldErrors.filter((e) => e.span);
    const marked = spans.length && text !== undefined
      ? `<p class="meta">In your text: ${highlightSpans(String(text), spans)}</p>` : "";
    target.innerHTML += `<p>${fieldErrors.map((e) => esc(e.message)).join("<br>")}</p>${marked}`;
    document.getElementById(name)?.setAttribute("aria-invalid", "true");
  }
  return unplaced;
}

/**
 * The one error summary: every problem listed, each linked to its field (by `idOf(field)`, default the field's
 * first segment), and focus moved to the summary. `element` is an empty `<div tabindex="-1" hidden>`.
 */
export function showErrorSummary(element, errors, idOf = (field) => field.split(".")[0]) {
  const item = (e) => {
    const id = idOf(e.field ?? "");
    return `<li>${id && document.getElementById(id) ? `<a href="#${esc(id)}">${esc(e.message)}</a>` : esc(e.message)}</li>`;
  };
  element.classList.add("govuk-error-summary");
  element.innerHTML = `<div role="alert"><h2 class="govuk-error-summary__title">There is a problem</h2>
    <div class="govuk-error-summary__body"><ul class="govuk-list govuk-error-summary__list">${errors.map(item).join("")}</ul></div></div>`;
  element.hidden = false;
  element.focus();
}
