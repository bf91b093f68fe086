// The provider's duty desk: a live list of referrals sent to them, sorted by need, filtered, and (if the desk
// asks) a desktop notification and a sound when a new one arrives.
import { gql } from "../api.js";
import { subscribe } from "../live.js";
import { announce, esc, label, urgencyBadge, when } from "../ui.js";

const FIELDS = `id reference status urgency placementKind duration ageYears ageBand gender homeDistrict
  requiredBy responseDeadline siblingsToPlaceTogether needs publishedAt lot { name }
  myOffer { id status } myBroadcast { respondedAt declineReason }`;
const URGENCY_RANK = { TODAY: 0, WITHIN_5_DAYS: 1, LATER: 2 };
const SORTS = {
  need: "most urgent first, then the soonest to answer",
  deadline: "the soonest to answer first",
  newest: "newest first",
};
const STORE = { notify: "px.inbox.notify", sound: "px.inbox.sound" };
const list = document.getElementById("inbox");
const controls = { sort: "sort", show: "show", kind: "kind", urgency: "urgency", unansweredOnly: "unanswered-only" };
for (const [key, id] of Object.entries(controls)) controls[key] = document.getElementById(id);
const referrals = new Map();
const baseTitle = document.title;
const messages = document.getElementById("inbox-messages");

function answered(r) { return Boolean(r.myOffer || r.myBroadcast?.respondedAt); }

// When this provider must answer by: its tier window's end, else the date the council needs the placement.
function answerBy(r) { return r.responseDeadline ?? r.requiredBy ?? ""; }

function card(r) {
  const state = r.myOffer ? `Your offer: ${esc(label("OfferStatus", r.myOffer.status))}`
    : r.myBroadcast?.declineReason ? "You declined" : r.status === "OPEN" ? "<strong>Not answered yet</strong>" : "";
  const respond = r.responseDeadline && r.status === "OPEN" && !answered(r)
    ? ` · <strong>respond by ${esc(when(r.responseDeadline))}</strong>` : "";
  return `<li class="card" data-id="${esc(r.id)}" data-reference="${esc(r.reference)}">
    <h2><a href="/referrals/${esc(r.id)}">${esc(r.reference)}</a> ${urgencyBadge(r.urgency)} <span class="state">${state}</span></h2>
    <p>Required by ${esc(when(r.requiredBy))}${respond} · ${esc(label("ReferralStatus", r.status))}${r.lot ? ` · ${esc(r.lot.name)}` : ""}</p>
    <p>${esc(label("PlacementKind", r.placementKind))}, ${esc(label("Duration", r.duration)).toLowerCase()} ·
       age ${esc(r.ageYears)} (${esc(label("AgeBand", r.ageBand))}), ${esc(label("Gender", r.gender)).toLowerCase()}
       ${r.siblingsToPlaceTogether ? `with ${esc(r.siblingsToPlaceTogether)} sibling(s)` : ""} · ${esc(r.homeDistrict)}
       <span class="meta">· ${r.needs.map((n) => esc(label("Need", n))).join(", ") || "no specific needs listed"}</span></p>
  </li>`;
}

function compare(sort) {
  const byDeadline = (a, b) => answerBy(a).localeCompare(answerBy(b));
  const newest = (a, b) => (b.publishedAt ?? "").localeCompare(a.publishedAt ?? "");
  if (sort === "newest") return newest;
  if (sort === "deadline") return (a, b) => byDeadline(a, b) || newest(a, b);
  return (a, b) => (URGENCY_RANK[a.urgency] ?? 9) - (URGENCY_RANK[b.urgency] ?? 9) || byDeadline(a, b) || newest(a, b);
}

function shown(r) {
  return (controls.show.value === "all" || r.status === "OPEN")
    && (!controls.kind.value || r.placementKind === controls.kind.value)
    && (!controls.urgency.value || r.urgency === controls.urgency.value)
    && (!controls.unansweredOnly.checked || (r.status === "OPEN" && !answered(r)));
}

function render() {
  const rows = [...referrals.values()].filter(shown).sort(compare(controls.sort.value));
  list.innerHTML = rows.map(card).join("") || `<li class="card">No referrals to show.</li>`;
  const unanswered = [...referrals.values()].filter((r) => r.status === "OPEN" && !answered(r)).length;
  document.getElementById("unanswered").textContent = `${unanswered} open referral(s) not answered yet`;
  document.getElementById("sorted-by").textContent = `Showing ${rows.length} of ${referrals.size}, ${SORTS[controls.sort.value]}.`;
  document.title = unanswered ? `(${unanswered}) ${baseTitle}` : baseTitle;
  list.setAttribute("aria-busy", "false");
}

// --- alerts for new referrals: asked for on a click, remembered in this browser ---------------------------

const notifyButton = document.getElementById("notify-button");
const sound = document.getElementById("sound");
const notifyState = document.getElementById("notify-state");

function notificationsOn() {
  return "Notification" in window && Notification.permission === "granted" && localStorage.getItem(STORE.notify) === "on";
}

function showNotifyState() {
  if (!("Notification" in window)) {
    notifyButton.hidden = true;
    notifyState.textContent = "This browser cannot show desktop notifications.";
    return;
  }
  const on = notificationsOn();
  notifyButton.textContent = on ? "Turn off desktop notifications" : "Turn on desktop notifications";
  notifyButton.setAttribute("aria-pressed", String(on));
  notifyState.textContent = Notification.permission === "denied"
    ? "Desktop notifications are blocked for this site in your browser's settings."
    : on ? "Desktop notifications are on for new referrals." : "";
}

notifyButton.addEventListener("click", async () => {
  if (notificationsOn()) {
    localStorage.setItem(STORE.notify, "off");
  } else {
    const permission = Notification.permission === "granted" ? "granted" : await Notification.requestPermission();
    localStorage.setItem(STORE.notify, permission === "granted" ? "on" : "off");
  }
  showNotifyState();
});

sound.checked = localStorage.getItem(STORE.sound) === "on";
sound.addEventListener("change", () => localStorage.setItem(STORE.sound, sound.checked ? "on" : "off"));

function beep() {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.4);
    tone.addEventListener("ended", () => audio.close());
  } catch { /* no audio output: the card and the title still say it */ }
}

function alertNew(r) {
  if (notificationsOn()) {
    const note = new Notification(`New referral ${r.reference}: ${label("Urgency", r.urgency)}`, {
      body: `${label("PlacementKind", r.placementKind)}, age ${r.ageYears}, ${r.homeDistrict}`,
      tag: `referral-${r.id}`,
    });
    note.onclick = () => { window.focus(); location.assign(`/referrals/${r.id}`); };
  }
  if (sound.checked) beep();
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

document.getElementById("inbox-controls").addEventListener("change", render);
document.getElementById("inbox-controls").addEventListener("submit", (event) => event.preventDefault());
showNotifyState();
load().then((liveCursor) => {
  subscribe(`subscription Inbox($after: String) { referralInbox(after: $after) { cursor event referral { ${FIELDS} } } }`,
    { after: liveCursor }, {
      field: "referralInbox",
      onData(message) {
        const fresh = !referrals.has(message.referral.id);
        referrals.set(message.referral.id, message.referral);
        render();
        if (fresh && message.referral.status === "OPEN") alertNew(message.referral);
      },
      onError(errors) { announce(messages, errors.map((e) => e.message).join("; "), "error"); },
    });
}).catch((error) => announce(messages, error.message, "error"));
