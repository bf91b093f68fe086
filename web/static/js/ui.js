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

export function when(iso) {
  if (!iso) return "–";
  return new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

export function day(iso) {
  if (!iso) return "–";
  return new Intl.DateTimeFormat("en-GB", { dateStyle: "medium" }).format(new Date(iso));
}

export function urgencyBadge(urgency) {
  return `<span class="badge urgency-${esc(urgency)}">${esc(label("Urgency", urgency))}</span>`;
}

export function announce(element, message, kind = "success") {
  element.innerHTML = `<div class="alert ${kind}" role="${kind === "error" ? "alert" : "status"}">${esc(message)}</div>`;
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
  element.innerHTML = `<div class="alert error" role="alert"><h2>There is a problem</h2><ul>${errors.map(item).join("")}</ul></div>`;
  element.hidden = false;
  element.focus();
}
