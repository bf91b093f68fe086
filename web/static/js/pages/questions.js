// Questions before offering, on both referral pages: a provider the referral was sent to asks the council;
// the council's placement officers answer to that provider alone or to every provider it went to. Both texts
// pass the anonymisation guard (the words to change are marked in place). Live over referralQuestions.
import { gql, mutate } from "../api.js";
import { subscribe } from "../live.js";
import { announce, esc, markFieldErrors, showErrorSummary, when } from "../ui.js";

const FIELDS = "id question askedAt askedByYou providerName answer answeredAt sharedWithAll";
const LIST = `query($id: ID!) { referral(id: $id) { status } referralQuestions(referralId: $id) { ${FIELDS} } }`;
const ASK = `mutation($input: AskQuestionInput!) { askQuestion(input: $input) {
  question { id } errors { field code message span { start end } } } }`;
const ANSWER = `mutation($input: AnswerQuestionInput!) { answerQuestion(input: $input) {
  question { id } errors { field code message span { start end } } } }`;
const LIVE = `subscription($id: ID!, $after: String) { referralQuestions(referralId: $id, after: $after) {
  cursor event question { id } } }`;

function answerBlock(q) {
  if (q.answer === null) return `<p class="meta">Not answered yet.</p>`;
  const to = q.sharedWithAll ? "to every provider the referral was sent to" : "to the provider that asked";
  return `<p class="question-label"><strong>The council's answer</strong> <span class="meta">(${esc(when(q.answeredAt))}, ${esc(to)})</span></p>
    <p class="question-text">${esc(q.answer)}</p>`;
}

// --- the provider: ask, and read its questions and the answers shared with every provider ------------

async function provider(section) {
  const referralId = section.dataset.referralId;
  const form = document.getElementById("question-form");
  const list = document.getElementById("question-list");
  const summary = document.getElementById("question-errors");
  const messages = document.getElementById("question-messages");

  async function load() {
    const data = await gql(LIST, { id: referralId });
    if (!data.referral) return;
    section.hidden = false;
    const open = data.referral.status === "OPEN";
    document.getElementById("question-ask").hidden = !open;
    document.getElementById("questions-closed").hidden = open;
    const items = data.referralQuestions.map((q) => `<li class="card question" data-question-id="${esc(q.id)}">
      <p class="question-label"><strong>${q.askedByYou ? "Your question" : "Another provider's question"}</strong>
        <span class="meta">(${esc(when(q.askedAt))})</span></p>
      <p class="question-text">${esc(q.question)}</p>${answerBlock(q)}</li>`);
    list.innerHTML = items.join("") || `<li class="meta">No questions yet.</li>`;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = form.elements.question.value;
    const [, errors] = await mutate(ASK, { referralId, question: text }, "askQuestion");
    markFieldErrors(errors, { question: text });
    if (errors.length) { showErrorSummary(summary, errors); return; }
    summary.hidden = true;
    form.reset();
    announce(messages, "Your question is sent to the council.");
    await load();
  });

  await load();
  subscribe(LIVE, { id: referralId }, { field: "referralQuestions", onData: () => load() });
}

// --- the council: read every question, answer each --------------------------------------------------

async function council(section) {
  const referralId = section.dataset.referralId;
  const answers = section.dataset.answers === "yes";
  const list = document.getElementById("question-list");
  const summary = document.getElementById("question-errors");
  const messages = document.getElementById("question-messages");
  const dialog = document.getElementById("answer-all-dialog");
  let pending = null; // the answer form waiting for the "every provider" confirmation

  function answerForm(q, n) {
    return `<form class="stack answer-form" data-question-id="${esc(q.id)}" data-n="${n}" novalidate>
      <label for="answer-${n}">Your answer</label>
      <p class="meta" id="answer-${n}-hint">No names, dates, addresses or contact details.</p>
      <textarea id="answer-${n}" name="answer" rows="3" maxlength="2000" aria-describedby="answer-${n}-hint answer-${n}-error"></textarea>
      <div class="field-error" id="answer-${n}-error"></div>
      <label><input type="checkbox" name="toEveryProvider" id="toEveryProvider-${n}"> Answer to every provider the referral went to (they see the question and this reply, never who asked)</label>
      <p><button type="submit" class="primary">Send answer</button></p>
    </form>`;
  }

  async function load() {
    const data = await gql(LIST, { id: referralId });
    if (!data.referral) return;
    const open = data.referral.status === "OPEN";
    const items = data.referralQuestions.map((q, n) => `<li class="card question" data-question-id="${esc(q.id)}">
      <p class="question-label"><strong>${esc(q.providerName ?? "A provider")} asks</strong>
        <span class="meta">(${esc(when(q.askedAt))})</span></p>
      <p class="question-text">${esc(q.question)}</p>
      ${q.answer === null && answers && open ? answerForm(q, n) : answerBlock(q)}</li>`);
    list.innerHTML = items.join("") || `<li class="meta">No provider has asked a question yet.</li>`;
  }

  // While an answer is on its way, live news waits for it: the answer's own reload lists what changed (and the
  // answer being sent is not "an answer started" to keep).
  let sending = false;
  let changedMeanwhile = false;

  async function send(form) {
    const n = form.dataset.n;
    const text = form.elements.answer.value;
    const input = { questionId: form.dataset.questionId, answer: text, toEveryProvider: form.elements.toEveryProvider.checked };
    sending = true;
    try {
      const [, errors] = await mutate(ANSWER, input, "answerQuestion");
      const ids = { answer: `answer-${n}` };
      markFieldErrors(errors, { answer: text }, ids);
      if (errors.length) { showErrorSummary(summary, errors, (field) => ids[field] ?? field); return; }
      summary.hidden = true;
      announce(messages, input.toEveryProvider ? "Your answer is sent to every provider the referral went to."
        : "Your answer is sent to the provider that asked.");
      changedMeanwhile = false;  // the reload below lists it
      await load();
    } finally {
      const again = changedMeanwhile;
      sending = false;
      changedMeanwhile = false;
      if (again) await load();
    }
  }

  list.addEventListener("submit", (event) => {
    const form = event.target.closest(".answer-form");
    if (!form) return;
    event.preventDefault();
    if (form.elements.toEveryProvider.checked) { pending = form; dialog.showModal(); return; }
    send(form);
  });
  dialog.addEventListener("close", () => {
    const form = pending;
    pending = null;
    if (form && dialog.returnValue === "send") send(form);
  });

  await load();
  subscribe(LIVE, { id: referralId }, { field: "referralQuestions", onData: () => {
    if (sending) { changedMeanwhile = true; return; }
    // Keep what an officer is typing: reload only when no answer has been started.
    const typing = [...list.querySelectorAll("textarea")].some((area) => area.value.trim());
    if (!typing) load();
    else announce(messages, "There is a new question or answer: it is listed once you send your answer.", "info");
  } });
}

const asking = document.getElementById("questions-asked");
const answering = document.getElementById("questions-to-answer");
if (asking) provider(asking).catch((error) => announce(document.getElementById("question-messages"), error.message, "error"));
if (answering) council(answering).catch((error) => announce(document.getElementById("question-messages"), error.message, "error"));
