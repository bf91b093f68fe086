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
