// @qwen in a real VS Code: the activated extension's participant (its real RouterService, settings,
// SecretStorage and workspace history) answering requests against the local DashScope stand-in.
// VS Code offers no API to send a message to its chat view (workbench.action.chat.open with a query
// does not reach a participant without Copilot's setup), so the handler is called as the chat calls
// it, with a stream that records what it was given; the e2e scenarios type into the chat view itself.
import * as assert from 'assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import { tierSignals } from '../../src/core/stats/tierSignals';
import type { QwenRouterApi } from '../../src/extension';
import { historyMessages, isAnswerMetadata, PARTICIPANT_ID, REFERENCE_LIMITS, type AnswerMetadata, type TurnLike } from '../../src/vscode/participantTurns';
import { DashScopeStandIn } from '../support/dashscopeStandIn';
import { answering, until } from './prompts';

const KEY = 'sk-participant-host-test';
const FIXTURES = resolve(__dirname, '../../../test/fixtures');

type Part = { kind: 'markdown' | 'progress' | 'reference' | 'button' | 'anchor' | 'other'; value: unknown };

/** A ChatResponseStream that keeps every part, in order. */
class RecordingStream implements vscode.ChatResponseStream {
  readonly parts: Part[] = [];
  markdown(value: string | vscode.MarkdownString): void {
    this.parts.push({ kind: 'markdown', value: typeof value === 'string' ? value : value.value });
  }
  anchor(value: vscode.Uri | vscode.Location): void {
    this.parts.push({ kind: 'anchor', value });
  }
  button(command: vscode.Command): void {
    this.parts.push({ kind: 'button', value: command });
  }
  filetree(): void {
    this.parts.push({ kind: 'other', value: undefined });
  }
  progress(value: string): void {
    this.parts.push({ kind: 'progress', value });
  }
  reference(value: vscode.Uri | vscode.Location): void {
    this.parts.push({ kind: 'reference', value });
  }
  push(part: vscode.ChatResponsePart): void {
    this.parts.push({ kind: 'other', value: part });
  }
  get markdownText(): string {
    return this.parts.filter((p) => p.kind === 'markdown').map((p) => p.value as string).join('');
  }
  /** The turn as VS Code's history gives it back: the markdown parts (MarkdownStrings) and the result. */
  asResponseTurn(result: vscode.ChatResult): TurnLike {
    const response = this.parts.filter((p) => p.kind === 'markdown').map((p) => new vscode.ChatResponseMarkdownPart(p.value as string));
    return { response, result };
  }
}

function chatRequest(prompt: string, options: { command?: string; references?: vscode.ChatPromptReference[] } = {}): vscode.ChatRequest {
  return { prompt, command: options.command, references: options.references ?? [], toolReferences: [], toolInvocationToken: undefined as never, model: undefined as never };
}

describe('@qwen chat participant (host)', function () {
  this.timeout(60_000);
  let api: QwenRouterApi;
  let standIn: DashScopeStandIn;
  let dir: string;
  const settings = () => vscode.workspace.getConfiguration('qwenRouter');
  const lines = (): Record<string, unknown>[] => (existsSync(api.router.history.path) ? readFileSync(api.router.history.path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line)) : []);
  const records = () => lines().filter((line) => line.type !== 'signal') as any[];

  /** Runs one request through the participant's handler, as the chat view would. */
  async function send(prompt: string, options: { command?: string; references?: vscode.ChatPromptReference[]; history?: TurnLike[]; token?: vscode.CancellationToken } = {}) {
    const stream = new RecordingStream();
    const context = { history: (options.history ?? []) as unknown as vscode.ChatContext['history'] };
    const result = await api.participant.handle(chatRequest(prompt, options), context, stream, options.token ?? new vscode.CancellationTokenSource().token);
    return { stream, result, metadata: result.metadata as AnswerMetadata, turns: [{ prompt, references: options.references ?? [] }, stream.asResponseTurn(result)] as TurnLike[] };
  }

  before(async () => {
    const extension = vscode.extensions.getExtension<QwenRouterApi>(`${manifest.publisher}.${manifest.name}`);
    assert.ok(extension);
    api = await extension.activate();
    standIn = await DashScopeStandIn.start({ apiKey: KEY });
    dir = mkdtempSync(join(tmpdir(), 'qwen-router-participant-'));
    await settings().update('baseUrl', standIn.baseUrl, vscode.ConfigurationTarget.Global);
    await settings().update('escalateOnFailure', false, vscode.ConfigurationTarget.Global);
    await answering('showInputBox', KEY, () => vscode.commands.executeCommand('qwenRouter.setApiKey'));
  });

  beforeEach(() => standIn.reset());

  after(async () => {
    for (const key of ['baseUrl', 'escalateOnFailure', 'classifier.modelPath', 'history.privacy']) await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
    await answering('showInputBox', '', () => vscode.commands.executeCommand('qwenRouter.setApiKey'));
    await standIn?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is contributed as @qwen with /explain, a command per tier and /stats', () => {
    const contributed = (manifest.contributes as { chatParticipants: { id: string; name: string; isSticky: boolean; commands: { name: string }[] }[] }).chatParticipants;
    assert.equal(contributed.length, 1);
    assert.deepEqual([contributed[0].id, contributed[0].name, contributed[0].isSticky], [PARTICIPANT_ID, 'qwen', true]);
    assert.deepEqual(contributed[0].commands.map((c) => c.name), ['explain', 'simple', 'medium', 'complex', 'stats']);
    assert.equal(api.participant.participant.id, PARTICIPANT_ID);
  });

  it('shows the routing decision before the streamed answer, and records the call once as "participant"', async () => {
    standIn.setScenario('*', { reply: 'A monad wraps a value with a context.', chunkSize: 4 });
    const before = records().length;
    const { stream, metadata } = await send('What is a monad?');
    const markdown = stream.parts.filter((p) => p.kind === 'markdown').map((p) => p.value as string);
    // No classifier model yet: routed by length, and the line says so.
    assert.match(markdown[0], /^> \*\*simple\*\* · `qwen-flash` · fallback: no classifier model · routed in /);
    assert.ok(markdown.length > 3, 'the answer streamed in pieces');
    assert.equal(stream.parts.findIndex((p) => p.kind === 'markdown'), stream.parts.findIndex((p) => p.kind === 'markdown' && /fallback/.test(p.value as string)), 'the decision is the first markdown');
    assert.ok(stream.parts.some((p) => p.kind === 'button' && (p.value as vscode.Command).command === 'qwenRouter.downloadModel'), 'the fallback offers the classifier');
    assert.equal(stream.markdownText.slice(metadata.answerOffset, metadata.answerOffset + metadata.answerChars), 'A monad wraps a value with a context.');

    const added = records().slice(before);
    assert.equal(added.length, 1, 'one record');
    const [record] = added;
    assert.equal(record.surface, 'participant');
    assert.equal(record.routing.method, 'fallback_token_length');
    assert.equal(record.llm.response_content, 'A monad wraps a value with a context.');
    assert.ok(record.llm.cost_usd > 0, 'priced');
    assert.deepEqual([metadata.kind, metadata.status, metadata.recordId, metadata.modelKey, metadata.tier], ['answer', 'ok', record.id, 'qwen-flash', 'simple']);
  });

  it('shows thinking apart, as a quote between the decision and the answer', async () => {
    standIn.setScenario('*', { reasoning: 'Step one.\nStep two.', reply: 'The answer.', chunkSize: 3 });
    const { stream, metadata, turns } = await send('Think first, then answer.');
    const text = stream.markdownText;
    assert.match(text, /^> \*\*simple\*\*[^\n]*\n\n> \*Thinking\*\n>\n> Step one\.\n> Step two\.\n\nThe answer\.$/);
    assert.equal(text.slice(metadata.answerOffset, metadata.answerOffset + metadata.answerChars), 'The answer.');
    assert.deepEqual(historyMessages(turns), [{ role: 'user', content: 'Think first, then answer.' }, { role: 'assistant', content: 'The answer.' }], 'the next turn sends the answer without its thinking');
  });

  it('sends the earlier turns and the attached file and selection (a large file cut, and said so) as context', async () => {
    standIn.setScenario('*', { reply: 'First answer.' });
    const first = await send('Remember the word Lantern.');
    const big = join(dir, 'big.txt');
    // Words, not one long run of a letter: the token-length fallback's BPE is slow on the latter.
    const bigText = Array.from({ length: 1000 }, (_, i) => `log line ${i} of a long file`).join('\n');
    assert.ok(bigText.length > REFERENCE_LIMITS.eachChars);
    writeFileSync(big, bigText);
    const code = join(dir, 'code.py');
    writeFileSync(code, 'def a():\n    return 1\n\ndef b():\n    return 2\n');
    const selection = new vscode.Location(vscode.Uri.file(code), new vscode.Range(3, 0, 4, 12));
    standIn.setScenario('*', { reply: 'Second answer.' });
    const { stream } = await send('What does #selection do, and #file:big.txt?', {
      history: first.turns,
      references: [
        { id: 'vscode.file', value: vscode.Uri.file(big), range: [40, 53] },
        { id: 'vscode.implicit.selection', value: selection, range: [10, 20] },
      ],
    });
    const messages = standIn.requests.at(-1)?.body.messages as { role: string; content: string }[];
    assert.deepEqual(messages.slice(0, 2), [{ role: 'user', content: 'Remember the word Lantern.' }, { role: 'assistant', content: 'First answer.' }]);
    const last = messages[2].content;
    assert.ok(last.startsWith('What does #selection do, and #file:big.txt?'), last.slice(0, 80));
    assert.ok(last.indexOf('def b():\n    return 2') > 0 && !last.includes('def a()'), 'the selection, not the whole file');
    assert.match(last, new RegExp(`big\\.txt \\(cut: the first ${REFERENCE_LIMITS.eachChars} of ${bigText.length} characters\\)`));
    assert.ok(last.indexOf('code.py:4-5:') < last.indexOf('big.txt (cut'), 'in the order they were written');
    assert.match(stream.markdownText, /big\.txt was cut to its first/);
    assert.equal(stream.parts.filter((p) => p.kind === 'reference').length, 2, 'both listed as references');
  });

  it('/explain shows the decision and every score, calls no model and records nothing', async () => {
    await settings().update('classifier.modelPath', join(FIXTURES, 'tiny-model-json'), vscode.ConfigurationTarget.Global);
    const state = await api.classifier.whenSettled();
    assert.equal(state.kind, 'ready', JSON.stringify(state));
    const before = lines().length;
    const { stream, result } = await send('Write a Python script that uses a for loop.', { command: 'explain' });
    const text = stream.markdownText;
    assert.match(text, /^> \*\*(simple|medium|complex)\*\* · `qwen-[a-z]+` · .* · complexity [\d.]+ · routed in /);
    for (const field of ['task_type_1', 'prompt_complexity_score', 'creativity_scope', 'reasoning', 'contextual_knowledge', 'domain_knowledge', 'constraint_ct', 'number_of_few_shots', 'no_label_reason']) assert.match(text, new RegExp(`\\| ${field} \\| `), field);
    assert.deepEqual(result.metadata, { kind: 'explain' });
    assert.equal(standIn.requests.length, 0, 'no model was called');
    assert.equal(lines().length, before, 'nothing was recorded');
    await settings().update('classifier.modelPath', undefined, vscode.ConfigurationTarget.Global);
    await api.classifier.whenSettled();
  });

  it('a tier command forces that tier for one message, recorded as the user\'s choice', async () => {
    standIn.setScenario('*', { reply: 'Forced.' });
    const { stream, metadata } = await send('Say hi.', { command: 'complex' });
    assert.match(stream.markdownText, /^> \*\*complex\*\* · `qwen-max` · chosen by you/);
    const record = records().at(-1);
    assert.deepEqual([record.routing.method, record.llm.model, record.request.user_specified_model, record.surface], ['user_specified', 'qwen-max', 'qwen-max', 'participant']);
    assert.equal(record.escalated_from_record, undefined, 'a new question, not a re-ask');
    assert.equal(standIn.requests.at(-1)?.body.model, 'qwen-max');
    assert.equal(api.participant.followups({ metadata }).length, 0, 'no follow-up above the top tier');
  });

  it('"Ask qwen-max instead" re-asks on the top tier, links the records and counts as an escalation; 👎 lands on the record', async () => {
    standIn.setScenario('*', { reply: 'A short answer.' });
    const first = await send('Explain the CAP theorem.');
    assert.equal(first.metadata.tier, 'simple');
    const followups = api.participant.followups(first.result);
    assert.deepEqual(followups, [{ prompt: 'Explain the CAP theorem.', label: 'Ask qwen-max instead', command: 'complex' }]);

    standIn.setScenario('*', { reply: 'A long answer.' });
    const again = await send(followups[0].prompt, { command: followups[0].command, history: first.turns });
    const [earlier, reasked] = records().slice(-2);
    assert.equal(earlier.id, first.metadata.recordId);
    assert.deepEqual([reasked.escalated_from_record, reasked.llm.model, reasked.routing.method, reasked.surface], [earlier.id, 'qwen-max', 'user_specified', 'participant']);
    assert.equal(again.metadata.recordId, reasked.id);
    assert.deepEqual(standIn.requests.at(-1)?.body.messages, [{ role: 'user', content: 'Explain the CAP theorem.' }], 'the same question, without the answer it replaces');

    await api.participant.feedback({ result: again.result, kind: vscode.ChatResultFeedbackKind.Unhelpful });
    await api.participant.feedback({ result: first.result, kind: vscode.ChatResultFeedbackKind.Helpful });
    const signals = lines().filter((line) => line.type === 'signal');
    assert.deepEqual(signals.slice(-3).map((s) => [s.of, s.signal]), [[earlier.id, 'next_tier'], [reasked.id, 'thumbs_down'], [earlier.id, 'thumbs_up']]);
    // The stats view's per-tier table counts them like the sidebar's.
    const rows = tierSignals(lines(), api.router.config.policy.tierModels).rows;
    const simple = rows.find((r) => r.tier === 'simple')!;
    const complex = rows.find((r) => r.tier === 'complex')!;
    assert.ok(simple.escalations >= 1 && simple.thumbs_up >= 1, JSON.stringify(simple));
    assert.ok(complex.thumbs_down >= 1, JSON.stringify(complex));
  });

  it('cancelling aborts the HTTP request, and the record says cancelled', async () => {
    standIn.setScenario('*', { reply: 'never shown', firstTokenDelayMs: 30_000 });
    const source = new vscode.CancellationTokenSource();
    const sending = send('Tell me a long story.', { token: source.token });
    await until(() => standIn.requests.length > 0, 'the request at the stand-in');
    source.cancel();
    const { metadata } = await sending;
    assert.equal(metadata.status, 'cancelled');
    const record = records().at(-1);
    assert.deepEqual([record.cancelled, record.surface], [true, 'participant']);
    await until(async () => {
      await Promise.race([standIn.requests[0].closed, new Promise((r) => setTimeout(r, 100))]);
      return standIn.requests[0].closedEarly;
    }, 'the stand-in to see the connection close early');
  });

  it('without a key it says how to set one, with a button that does, and records the failure', async () => {
    await answering('showInputBox', '', () => vscode.commands.executeCommand('qwenRouter.setApiKey'));
    try {
      const { stream, result } = await send('Hello?');
      assert.match(result.errorDetails?.message ?? '', /Set API Key/);
      assert.ok(stream.parts.some((p) => p.kind === 'button' && (p.value as vscode.Command).command === 'qwenRouter.setApiKey'), 'a Set API Key button');
      assert.equal(records().at(-1).error.kind, 'no_api_key');
    } finally {
      await answering('showInputBox', KEY, () => vscode.commands.executeCommand('qwenRouter.setApiKey'));
    }
  });

  it('with privacy "metadata", neither the history nor the chat result keeps any text', async () => {
    await settings().update('history.privacy', 'metadata', vscode.ConfigurationTarget.Global);
    try {
      standIn.setScenario('*', { reply: 'The Heron answer.' });
      const { result } = await send('About project Heron?');
      assert.ok(isAnswerMetadata(result.metadata));
      assert.ok(!JSON.stringify(result).includes('Heron'), 'the metadata VS Code stores carries no text');
      assert.ok(!readFileSync(api.router.history.path, 'utf8').includes('Heron'), 'the history keeps no text');
      assert.equal(records().at(-1).surface, 'participant');
    } finally {
      await settings().update('history.privacy', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('/stats opens the stats view', async () => {
    const { result } = await send('', { command: 'stats' });
    assert.deepEqual(result.metadata, { kind: 'stats' });
    await until(() => vscode.window.tabGroups.all.some((group) => group.tabs.some((tab) => tab.input instanceof vscode.TabInputWebview && /stats/i.test(tab.input.viewType))), 'the stats tab');
  });
});
