// The host benchmark's harness: runs out/bench/host/index.js inside a real VS Code extension host
// (runHostTests: a throw-away code-server, headless Chromium), once without a classifier model and
// once with one configured before activation, and merges in what the pages rendered and when.
//
// The extension host measures its side (activation, lag, the router's events, what it posts to the
// webviews). This side watches the workbench page: an init script in every webview frame reports,
// with Date.now(), when the chat's Enter key went down, when a turn's routing badge and first words
// appeared in the DOM (and the next animation frame), and when the stats page first rendered its
// state, its records and its summary. When the host says `drive-chat`, this side types the prompts in
// the real sidebar chat and presses Enter, as a person would. Host and page share the machine's
// wall clock, so their times compare to the millisecond.
//
//   import { runHostBench } from './bench-host.mjs';
//   const report = await runHostBench({ modelDir, runs: 5 });
//
// As a CLI: node scripts/bench-host.mjs [--model-dir DIR] [--runs N] [--records N] [--verbose] [--model-only]
//   (--model-only: activation without a model, then the model's load and the classifications, with the host's memory)
//   (expects a build: node esbuild.config.mjs; prints the report as JSON)
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { repoRoot, SetupError } from './code-server.mjs';
import { runHostTests } from './host-tests.mjs';

const BENCH_ENTRY = join(repoRoot, 'out', 'bench', 'host', 'index.js');
const API_KEY = 'sk-bench-host-7c2d';

/** Runs in every frame of the workbench page (Playwright init script); reports marks from webview frames. */
function pageMarker() {
  if (window === window.top) return;
  const send = (label, detail, at) => {
    const report = window.__qrBenchMark;
    if (typeof report === 'function') Promise.resolve(report({ label, detail, at })).catch(() => {});
  };
  const seen = new Set();
  const once = (key, label, detail = null) => {
    if (seen.has(key)) return;
    seen.add(key);
    send(label, detail, Date.now());
    requestAnimationFrame(() => send(`${label}:frame`, detail, Date.now()));
  };
  const hooked = new WeakSet();
  const check = () => {
    const input = document.querySelector('textarea.input');
    if (input && !hooked.has(input)) {
      hooked.add(input);
      input.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && !event.shiftKey) send('chat:enter', null, Date.now());
      }, true);
    }
    for (const turn of document.querySelectorAll('article.turn[data-turn]')) {
      const id = turn.getAttribute('data-turn');
      if (turn.querySelector('.route-badge[data-state="routed"]')) once(`badge:${id}`, 'chat:badge', id);
      const answer = turn.querySelector('.answer');
      if (answer && (answer.textContent || '').trim() && !answer.querySelector('.placeholder')) once(`answer:${id}`, 'chat:answer', id);
    }
    if (document.querySelector('.stats-header h1')) once('stats:state', 'stats:state');
    if (document.querySelector('table.records-table tr.record-row')) once('stats:rows', 'stats:rows');
    if (document.querySelector('.summary-grid .metric')) once('stats:summary', 'stats:summary');
  };
  // The webview host swaps the frame's document after this script ran (the window stays): observe
  // whichever document is current.
  const observer = new MutationObserver(check);
  let observed = null;
  const bind = () => {
    if (!document || document === observed) return;
    observed = document;
    observer.disconnect();
    observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-state', 'data-status'] });
    check();
  };
  bind();
  setInterval(bind, 10);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function frameWith(page, selector, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (frame.isDetached()) continue;
      try {
        if (await frame.$(selector)) return frame;
      } catch {
        // navigating or detached meanwhile
      }
    }
    await sleep(100);
  }
  throw new Error(`no frame with ${selector} within ${timeoutMs / 1000} s`);
}

async function until(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Types each prompt in the sidebar chat and presses Enter, one turn after the other. */
async function driveChat(page, { turns, prompt }, log) {
  const frame = await frameWith(page, 'textarea.input', 60_000);
  const pressed = [];
  const finished = () => frame.locator('article.turn[data-status="done"], article.turn[data-status="error"], article.turn[data-status="cancelled"]').count();
  for (let i = 0; i < turns; i++) {
    await until('the chat to be idle', async () => (await frame.$('button.send[data-action="send"]')) !== null, 30_000);
    const before = await finished();
    const input = frame.locator('textarea.input');
    await input.fill(`${prompt} (${i})`);
    pressed.push(Date.now());
    await input.press('Enter');
    await until(`turn ${i + 1} to finish`, async () => (await finished()) > before, 60_000);
  }
  log(`  chat driver: ${turns} turns sent`);
  return { pressed };
}

const round = (x) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : null);
function summarize(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return { n: 0, p50: null, p95: null, max: null };
  const at = (p) => v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
  return { n: v.length, p50: round(at(50)), p95: round(at(95)), max: round(v[v.length - 1]) };
}

/** Joins the host's routing decisions with the page's marks, turn by turn. */
function chatFigures(chat, marks, driven) {
  if (!chat || chat.skipped || !chat.driven) return chat;
  const inWindow = (m) => m.at >= chat.window.start && m.at <= chat.window.end + 5_000;
  const enters = marks.filter((m) => m.label === 'chat:enter' && inWindow(m)).map((m) => m.at);
  const first = (label) => {
    const byTurn = new Map();
    for (const m of marks.filter((x) => x.label === label && inWindow(x))) if (!byTurn.has(m.detail)) byTurn.set(m.detail, m.at);
    return [...byTurn.values()];
  };
  const badges = first('chat:badge');
  const badgeFrames = first('chat:badge:frame');
  const answers = first('chat:answer');
  const turns = chat.turns.map((route, i) => {
    const enter = enters[i] ?? driven?.pressed?.[i];
    return {
      method: route.method,
      routing_ms: route.routing_ms,
      enter_to_routed_ms: enter !== undefined ? route.at - enter : null,
      enter_to_badge_ms: enter !== undefined && badges[i] !== undefined ? badges[i] - enter : null,
      enter_to_badge_painted_ms: enter !== undefined && badgeFrames[i] !== undefined ? badgeFrames[i] - enter : null,
      routed_to_badge_ms: badges[i] !== undefined ? badges[i] - route.at : null,
      enter_to_first_token_ms: enter !== undefined && answers[i] !== undefined ? answers[i] - enter : null,
    };
  });
  const measured = turns.slice(1); // the first turn warms the page, the SDK and the connection
  const pick = (key) => summarize(measured.map((t) => t[key]));
  return {
    method: turns[0]?.method ?? null,
    turns: measured.length,
    enter_key_seen_in_page: enters.length === turns.length,
    first_turn: turns[0],
    enter_to_routed_ms: pick('enter_to_routed_ms'),
    routing_ms: pick('routing_ms'),
    routed_to_badge_ms: pick('routed_to_badge_ms'),
    enter_to_badge_ms: pick('enter_to_badge_ms'),
    enter_to_badge_painted_ms: pick('enter_to_badge_painted_ms'),
    enter_to_first_token_ms: pick('enter_to_first_token_ms'),
    host_lag: chat.lag,
  };
}

/** Adds to each stats scenario when its page rendered the state, the records and the summary. */
function statsFigures(stats, marks) {
  if (!stats?.scenarios) return stats;
  const scenarios = stats.scenarios.map((scenario, i) => {
    const end = stats.scenarios[i + 1]?.window.start ?? Infinity;
    const at = (label) => marks.find((m) => m.label === label && m.at >= scenario.window.start && m.at < end)?.at;
    const since = (label) => (at(label) === undefined ? null : at(label) - scenario.window.start);
    const { window: _window, ...rest } = scenario;
    return { ...rest, page_first_render_ms: since('stats:state'), page_records_render_ms: since('stats:rows'), page_summary_render_ms: since('stats:summary'), page_summary_painted_ms: since('stats:summary:frame') };
  });
  return { ...stats, scenarios };
}

async function runOnce({ modelDir, parts, runs, records, verbose, log, timeoutMs }) {
  const scratch = mkdtempSync(join(tmpdir(), 'qwen-router-bench-host-'));
  const out = join(scratch, 'report.json');
  const marks = [];
  let driving;
  const onPage = async (page) => {
    await page.exposeFunction('__qrBenchMark', (mark) => {
      marks.push(mark);
    });
    await page.addInitScript(pageMarker);
    page.on('console', (message) => {
      const text = message.text();
      const at = text.indexOf('[host-bench]');
      if (at === -1) return;
      log(`  ${text.slice(at)}`);
      const drive = /\[host-bench\] drive-chat turns=(\d+) prompt=(\S+)/.exec(text);
      if (drive) {
        const request = { turns: Number(drive[1]), prompt: decodeURIComponent(drive[2]) };
        driving = driveChat(page, request, log).catch((error) => {
          log(`  chat driver failed: ${error.message}`);
          return { error: error.message };
        });
      }
    });
  };
  try {
    const env = {
      QWEN_ROUTER_BENCH_OUT: out,
      QWEN_ROUTER_BENCH_PARTS: parts,
      QWEN_ROUTER_BENCH_RUNS: String(runs),
      QWEN_ROUTER_BENCH_RECORDS: String(records),
      QWEN_ROUTER_BENCH_DRIVER: '1',
      DASHSCOPE_API_KEY: API_KEY,
      ...(modelDir ? { QWEN_ROUTER_BENCH_MODEL_DIR: modelDir } : {}),
    };
    const results = await runHostTests({ env, testsPath: BENCH_ENTRY, timeoutMs, verbose, onPage, log: (line) => (verbose || /code-server up/.test(line) ? log(line) : undefined) });
    const driven = driving ? await driving : undefined;
    if (!existsSync(out)) throw new Error(`the host benchmark wrote no report (${results.failures?.map((f) => f.error).join('; ') || 'no error reported'})`);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    if (report.chat) report.chat = chatFigures(report.chat, marks, driven);
    if (report.stats) report.stats = statsFigures(report.stats, marks);
    report.page_marks = marks.length;
    return report;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Both host runs. Options: modelDir (a classifier model directory; without one only the no-model
 * run happens), runs (repetitions, default 5), records (history size, default 100,000), verbose,
 * log, timeoutMs (per run, default 10 min).
 */
export async function runHostBench({ modelDir, runs = 5, records = 100_000, verbose = false, log = (line) => console.log(line), timeoutMs = 10 * 60_000, modelOnly = false } = {}) {
  if (!existsSync(BENCH_ENTRY)) throw new Error(`${BENCH_ENTRY} does not exist: run the build first (node esbuild.config.mjs)`);
  const report = {};
  const noModelParts = modelOnly ? 'activation' : 'activation,ask,chat,provider,stats';
  log(`host benchmark: no model (${noModelParts})...`);
  report.no_model = await runOnce({ parts: noModelParts, runs, records, verbose, log, timeoutMs });
  if (modelDir) {
    modelDir = resolve(modelDir);
    const parts = modelOnly ? 'activation,classifier' : 'activation,classifier,ask,chat,provider';
    log(`host benchmark: with the model in ${modelDir} (${parts})...`);
    report.with_model = await runOnce({ modelDir, parts, runs, records, verbose, log, timeoutMs });
  } else {
    report.with_model = { skipped: 'no model directory given' };
  }
  report.summary = summaryOf(report);
  return report;
}

/** The figures the goals are about, in one place. */
function summaryOf(report) {
  const a = report.no_model ?? {};
  const b = report.with_model ?? {};
  const scenario = (name) => a.stats?.scenarios?.find((s) => s.name === name);
  const chatOf = (run) => (run.chat && !run.chat.skipped ? run.chat : undefined);
  return {
    // The extension host's resident memory: before activation, and with the model loaded (the classifier's own process apart).
    host_rss_mb: {
      before_activation: b.rss_mb_before_activation ?? null,
      active_no_model: a.rss_mb_active ?? null,
      with_model: b.rss_mb_with_model ?? null,
      growth_with_model: a.rss_mb_active && b.rss_mb_with_model ? b.rss_mb_with_model - a.rss_mb_active : null,
      classifier_process: b.classifier_process_rss_mb ?? null,
    },
    activation_wall_ms: { no_model: a.activation?.wall_ms ?? null, with_model: b.activation?.wall_ms ?? null },
    activation_reported_ms: { no_model: a.activation?.reported_ms ?? null, with_model: b.activation?.reported_ms ?? null },
    max_lag_ms: {
      idle_no_model: a.idle_before_activation?.lag?.max_ms ?? null,
      model_loading: b.classifier_load?.lag?.max_ms ?? null,
      classifying: b.classify?.lag?.max_ms ?? null,
      // With the remote host's port scan (code-server's default): its spawns, not our code.
      idle_with_model_port_scan: b.idle_model_loaded_port_scan?.lag?.max_ms ?? null,
      classifying_port_scan: b.classify_port_scan?.lag?.max_ms ?? null,
      chat_with_model: chatOf(b)?.host_lag?.max_ms ?? null,
      stats_cold_open: scenario('cold')?.lag?.max_ms ?? null,
      warm_up: a.stats?.warm_up?.lag?.max_ms ?? null,
    },
    chat_routed_to_badge_p50_ms: { no_model: chatOf(a)?.routed_to_badge_ms?.p50 ?? null, with_model: chatOf(b)?.routed_to_badge_ms?.p50 ?? null },
    chat_enter_to_badge_p50_ms: { no_model: chatOf(a)?.enter_to_badge_ms?.p50 ?? null, with_model: chatOf(b)?.enter_to_badge_ms?.p50 ?? null },
    chat_enter_to_first_token_p50_ms: { no_model: chatOf(a)?.enter_to_first_token_ms?.p50 ?? null, with_model: chatOf(b)?.enter_to_first_token_ms?.p50 ?? null },
    blank_webview_ready_ms: { p50: a.stats?.blank_webview?.page_ready_ms?.p50 ?? null },
    // "Qwen Router: Auto" in VS Code's chat: a new turn's decision against its first token; what a tool continuation adds.
    provider_new_turn_routed_p50_ms: { no_model: a.provider?.new_turn?.to_routing_ms?.p50 ?? null, with_model: b.provider?.new_turn?.to_routing_ms?.p50 ?? null },
    provider_new_turn_first_token_p50_ms: { no_model: a.provider?.new_turn?.to_first_token_ms?.p50 ?? null, with_model: b.provider?.new_turn?.to_first_token_ms?.p50 ?? null },
    provider_tool_continuation_plan_p50_ms: { no_model: a.provider?.tool_continuation?.plan_ms?.p50 ?? null, with_model: b.provider?.tool_continuation?.plan_ms?.p50 ?? null },
    provider_tool_continuation_routed_p50_ms: { no_model: a.provider?.tool_continuation?.to_routing_ms?.p50 ?? null, with_model: b.provider?.tool_continuation?.to_routing_ms?.p50 ?? null },
    stats_first_state_ms: Object.fromEntries((a.stats?.scenarios ?? []).map((s) => [s.name, s.first_state_ms])),
    stats_first_render_ms: Object.fromEntries((a.stats?.scenarios ?? []).map((s) => [s.name, s.page_first_render_ms])),
    stats_summary_ms: Object.fromEntries((a.stats?.scenarios ?? []).map((s) => [s.name, s.stats_ms])),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'model-dir': { type: 'string' }, runs: { type: 'string', default: '5' }, records: { type: 'string', default: '100000' }, verbose: { type: 'boolean' }, 'model-only': { type: 'boolean' } } });
  runHostBench({ modelDir: values['model-dir'], runs: Number(values.runs), records: Number(values.records), verbose: values.verbose, modelOnly: values['model-only'] }).then((report) => {
    console.log(JSON.stringify(report, null, 2));
  }, (error) => {
    console.error(error instanceof SetupError ? `error: ${error.message}` : error.stack || String(error));
    process.exit(1);
  });
}
