// With qwenRouter.history.privacy "metadata" the sidebar chat keeps its conversations in memory only:
// nothing with prompt or answer text reaches the workspace's storage (issue 7, part 6).
import * as assert from 'node:assert/strict';
import { ConversationStore, newTurn } from '../../src/vscode/chatConversations';

/** A Memento that keeps what it is given as JSON text, as VS Code's storage writes it to disk. */
function diskLikeMemento() {
  const disk = new Map<string, string>();
  return {
    disk,
    text: () => [...disk.values()].join('\n'),
    get: <T>(key: string, fallback?: T) => (disk.has(key) ? (JSON.parse(disk.get(key)!) as T) : fallback),
    update: async (key: string, value: unknown) => {
      if (value === undefined) disk.delete(key);
      else disk.set(key, JSON.stringify(value));
    },
  };
}

const PROMPT = 'my secret prompt about project Nightingale';
const ANSWER = 'the confidential answer 42';

function chatOnce(store: ConversationStore) {
  const turn = newTurn(PROMPT, 'auto');
  store.addTurn(store.active, turn);
  turn.answer = ANSWER;
  turn.status = 'done';
  return store.save();
}

describe('sidebar chat privacy', () => {
  it('"full" keeps conversations across reloads', async () => {
    const memento = diskLikeMemento();
    await chatOnce(new ConversationStore(memento, undefined, () => true));
    assert.ok(memento.text().includes(PROMPT));
    const reloaded = new ConversationStore(memento, undefined, () => true);
    assert.equal(reloaded.active.turns[0]?.answer, ANSWER);
  });

  it('"metadata" writes no prompt, answer or title to storage, and a reload finds nothing', async () => {
    const memento = diskLikeMemento();
    const store = new ConversationStore(memento, undefined, () => false);
    await chatOnce(store);
    assert.equal(store.active.turns[0].prompt, PROMPT, 'the conversation lives on in memory');
    assert.ok(!memento.text().includes('Nightingale'), memento.text());
    assert.ok(!memento.text().includes('confidential'), memento.text());
    const reloaded = new ConversationStore(memento, undefined, () => false);
    assert.equal(reloaded.active.turns.length, 0);
  });

  it('switching to "metadata" erases what "full" had stored', async () => {
    const memento = diskLikeMemento();
    let keepsText = true;
    const store = new ConversationStore(memento, undefined, () => keepsText);
    await chatOnce(store);
    assert.ok(memento.text().includes(PROMPT));
    keepsText = false;
    await store.save();
    assert.ok(!memento.text().includes(PROMPT), memento.text());
    // And a window that opens with "metadata" set erases it too, keeping it in memory for the session.
    keepsText = true;
    await chatOnce(store);
    keepsText = false;
    const reopened = new ConversationStore(memento, undefined, () => keepsText);
    assert.equal(reopened.active.turns[0]?.prompt, PROMPT);
    await reopened.erased;
    assert.ok(!memento.text().includes(PROMPT), memento.text());
  });
});
