/**
 * End-to-end scenarios of @qwen in VS Code's own chat view (code-server 4.117, VS Code 1.117), typed
 * as a person would, against the DashScope stand-in. The history is read from the workspace storage
 * of the code-server profile under test.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { E2EContext, E2EScenario } from './scenarios';
import { closeNativeChat, nativeChatTranscript, openNativeChat, pickNativeChatModel, runCommand, sampleUntil, typeInNativeChat, waitForFrame, waitUntil } from './workbench';

type Line = Record<string, any>;

/** Every line of the workspace's call_history.jsonl (records and signal lines). */
function historyLines(ctx: E2EContext): Line[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      let info;
      try {
        info = statSync(path);
      } catch {
        continue;
      }
      if (info.isDirectory()) walk(path);
      else if (name === 'call_history.jsonl') files.push(path);
    }
  };
  walk(ctx.serverDir);
  return files.flatMap((file) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line));
}

const participantRecords = (ctx: E2EContext) => historyLines(ctx).filter((line) => line.type !== 'signal' && line.surface === 'participant');

/** Waits for a new participant record whose request mentions `marker`. */
function recordOf(ctx: E2EContext, marker: string, extra: (record: Line) => boolean = () => true): Promise<Line> {
  return waitUntil(`a participant record for "${marker}"`, () => participantRecords(ctx).find((r) => JSON.stringify(r.request.messages).includes(marker) && extra(r)), 30_000, 200);
}

/** The routing line as the chat view renders it: "<tier> · <model> · …". */
const DECISION = /(simple|medium|complex) · (qwen-[\w.-]+)/;

/** Sends a message to the chat view and waits until `done` appears in the conversation (keep messages
 * short: the input's check reads its visible lines, and a wrapped line does not compare). */
async function ask(page: Page, text: string, done: string): Promise<string[]> {
  await typeInNativeChat(page, text);
  return sampleUntil(`"${done}" in the chat view`, () => nativeChatTranscript(page), (transcript) => transcript.includes(done), 45_000, 40);
}

/**
 * The chat runs a participant only once a model is available, and ours load lazily after the
 * extension activates: activate it (Open Stats) and pick "Qwen Router: Auto" in the chat's picker.
 */
async function chatReady(page: Page): Promise<void> {
  await runCommand(page, 'Qwen Router: Open Stats');
  // The stats webview takes the focus once loaded: let it, before the palette opens again.
  await waitForFrame(page, '.summary-grid', 'the stats webview (.summary-grid)', 30_000);
  await chatOnAuto(page);
}

/** The chat view open with "Qwen Router: Auto" picked (each scenario makes sure, whatever the one before left). */
async function chatOnAuto(page: Page): Promise<void> {
  await openNativeChat(page);
  await pickNativeChatModel(page, 'Qwen Router: Auto');
}

const answer: E2EScenario = {
  name: 'native-participant',
  title: "@qwen in VS Code's chat view: the routing decision first, then the streamed answer, one record",
  async run(ctx) {
    await chatReady(ctx.page);
    ctx.standIn.reset();
    // The first token waits: the decision has time to show on its own.
    ctx.standIn.setScenario('*', { reply: 'NATIVE-START The capital of France is Paris, on the Seine. NATIVE-END', firstTokenDelayMs: 1500, chunkSize: 6, chunkDelayMs: 40 });
    const samples = await ask(ctx.page, '@qwen Capital of France?', 'NATIVE-END');
    assert.ok(samples.some((text) => DECISION.test(text) && !text.includes('NATIVE-START')), 'the routing decision was on screen before the answer');
    const full = samples[samples.length - 1];
    assert.ok(full.search(DECISION) < full.indexOf('NATIVE-START'), 'the decision comes before the answer');
    const record = await recordOf(ctx, 'Capital of France');
    assert.equal(record.llm.response_content, 'NATIVE-START The capital of France is Paris, on the Seine. NATIVE-END');
    assert.equal(record.routing.method, 'nvidia_classifier', 'routed by the packaged classifier');
    assert.equal(DECISION.exec(full)?.[2], record.llm.model, 'the line names the model that answered');
    ctx.log(`    ${DECISION.exec(full)?.[0]}; record ${record.id}`);
    await ctx.screenshot('native-participant');
    await closeNativeChat(ctx.page);
  },
};

const explain: E2EScenario = {
  name: 'native-explain',
  title: '@qwen /explain shows the decision and every score, calls no model, records nothing',
  async run(ctx) {
    await chatOnAuto(ctx.page);
    ctx.standIn.reset();
    const before = historyLines(ctx).length;
    const samples = await ask(ctx.page, '@qwen /explain Sort a list', 'nothing was recorded');
    const text = samples[samples.length - 1];
    for (const field of ['prompt_complexity_score', 'creativity_scope', 'reasoning', 'domain_knowledge', 'no_label_reason']) assert.ok(text.includes(field), `the scores table shows ${field}`);
    assert.equal(ctx.standIn.requests.length, 0, 'no model was called');
    assert.equal(historyLines(ctx).length, before, 'nothing was recorded');
    await ctx.screenshot('native-explain');
    await closeNativeChat(ctx.page);
  },
};

const signals: E2EScenario = {
  name: 'native-signals',
  title: '@qwen: "Ask qwen-max instead" writes a linked record and an escalation signal',
  async run(ctx) {
    await chatOnAuto(ctx.page);
    ctx.standIn.reset();
    ctx.standIn.setScenario('*', { reply: 'SIGNAL-ANSWER short.' });
    // /simple: a lower tier for sure, so the follow-up is offered.
    await ask(ctx.page, '@qwen /simple Prime > SIG100?', 'SIGNAL-ANSWER');
    const first = await recordOf(ctx, 'SIG100');
    assert.equal(first.routing.method, 'user_specified');

    // 👍/👎 are not offered in this host's chat without Copilot: the host test sends the feedback
    // event to the participant (test/host/participant.test.ts).
    ctx.standIn.setScenario('*', { reply: 'SIGNAL-TOP a longer answer.' });
    const followup = ctx.page.getByText(/^Ask qwen-max instead$/).last();
    await waitUntil('the "Ask qwen-max instead" follow-up', () => followup.isVisible(), 20_000);
    await followup.click();
    const again = await recordOf(ctx, 'SIG100', (r) => r.escalated_from_record === first.id);
    assert.equal(again.llm.model, 'qwen-max');
    assert.ok(historyLines(ctx).some((line) => line.type === 'signal' && line.of === first.id && line.signal === 'next_tier'), 'the escalation signal');
    ctx.log(`    ${first.id} re-asked as ${again.id} on ${again.llm.model}`);
    await ctx.screenshot('native-participant-followup');
    await closeNativeChat(ctx.page);
  },
};

export const participantScenarios: E2EScenario[] = [answer, explain, signals];
