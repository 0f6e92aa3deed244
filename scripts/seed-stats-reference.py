#!/usr/bin/python3
"""
Builds old-service call_history.jsonl fixtures and the answers the old service ("LLM Router MVP"
0.3.0) would give for them, computed here with that service's own logic in Python, so the
TypeScript stats are checked against data they did not produce.

  /usr/bin/python3 scripts/seed-stats-reference.py

Writes test/fixtures/seed-history/:
  call_history.jsonl          successful calls only, as the old service wrote them: three routing
                              layers (nvidia_classifier, fallback_token_length, user_specified),
                              non-ASCII text, float costs from its per-1K cost formula
  call_history_damaged.jsonl  the same records with blank lines, a whitespace-padded line, a line
                              torn by a crash and glued to the next record, and a torn last line
  call_history_rounding.jsonl two records whose sums land on exact binary ties, where Python's
                              round() (half-to-even) and a naive half-up rounding disagree
  reference.json              /stats and /stats/raw pages for each file, plus /stats on no file

Deterministic: the same script writes the same bytes. Standard library only.
"""
import json
import random
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "seed-history"

# A config in the old service's shape (config.MODEL_CONFIG): LiteLLM model name, USD per 1K tokens.
MODEL_CONFIG = {
    "qwen-flash": {"provider": "dashscope/qwen-flash", "input_cost": 0.00005, "output_cost": 0.0004},
    "qwen-plus": {"provider": "dashscope/qwen-plus", "input_cost": 0.0004, "output_cost": 0.0012},
    "qwen-max": {"provider": "dashscope/qwen-max", "input_cost": 0.0016, "output_cost": 0.0064},
    "gpt-4o": {"provider": "gpt-4o", "input_cost": 0.0025, "output_cost": 0.01},
    "claude-3-5-sonnet": {"provider": "claude-3-5-sonnet-20241022", "input_cost": 0.003, "output_cost": 0.015},
}
TIER_MODEL = {"simple": "qwen-flash", "medium": "qwen-plus", "complex": "qwen-max"}


# ---- the old service's own formulas, restated ----------------------------------------------

def calculate_cost(model_key, input_tokens, output_tokens):
    config = MODEL_CONFIG.get(model_key, MODEL_CONFIG["gpt-4o"])
    return (input_tokens / 1000) * config["input_cost"] + (output_tokens / 1000) * config["output_cost"]


def provider_from_model(name):
    if name.startswith("gpt"):
        return "openai"
    if name.startswith("claude"):
        return "anthropic"
    if name.startswith("gemini"):
        return "google"
    if "/" in name:
        return name.split("/")[0]
    return "unknown"


def make_record(timestamp, model_key, messages, routing, response_content, response_id, latency_ms,
                input_tokens, output_tokens, temperature, max_tokens, user_model):
    """The dict log_call builds, field for field and in its order."""
    provider = provider_from_model(MODEL_CONFIG[model_key]["provider"])
    return {
        "timestamp": timestamp,
        "request": {
            "messages": messages,
            "temperature": temperature,
            "max_tokens": max_tokens,
            "user_specified_model": user_model,
        },
        "routing": routing,
        "llm": {
            "model": model_key,
            "provider": provider,
            "response_id": response_id,
            "response_content": response_content,
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
            "cost_usd": calculate_cost(model_key, input_tokens, output_tokens),
            "llm_latency_ms": round(latency_ms, 2),
        },
    }


def serialize(record):
    return json.dumps(record, ensure_ascii=False) + "\n"


def load_history(path):
    """_load_history: strip each line, skip blanks, skip lines json cannot parse."""
    history = []
    if path is not None and path.exists():
        with open(path, "r", encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    history.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
    return history


def stats(history):
    """GET /stats."""
    if not history:
        return {
            "total_calls": 0,
            "total_cost_usd": 0.0,
            "avg_latency_ms": 0.0,
            "model_distribution": {},
            "tier_distribution": {},
            "task_type_distribution": {},
        }
    n = len(history)
    cost = sum(c["llm"]["cost_usd"] for c in history)
    latency = sum(c["llm"]["llm_latency_ms"] for c in history) / n
    models, tiers, tasks = {}, {}, {}
    for call in history:
        m = call["llm"]["model"]
        models[m] = models.get(m, 0) + 1
        routing = call.get("routing") or {}
        if routing.get("tier"):
            tiers[routing["tier"]] = tiers.get(routing["tier"], 0) + 1
        if routing.get("task_type"):
            tasks[routing["task_type"]] = tasks.get(routing["task_type"], 0) + 1
    return {
        "total_calls": n,
        "total_cost_usd": round(cost, 6),
        "avg_latency_ms": round(latency, 2),
        "avg_routing_ms": round(sum(c.get("routing", {}).get("routing_latency_ms", 0) for c in history) / n, 2),
        "model_distribution": models,
        "tier_distribution": tiers,
        "task_type_distribution": tasks,
    }


def stats_raw(history, limit=50, offset=0):
    """GET /stats/raw: newest first, Python slicing."""
    newest_first = list(reversed(history))
    return {"total": len(history), "limit": limit, "offset": offset, "records": newest_first[offset:offset + limit]}


# ---- a realistic history -------------------------------------------------------------------

PROMPTS = [
    ("Code Generation", "Write a Python script that uses a for loop."),
    ("Code Generation", "用 TypeScript 写一个防抖函数，并解释 setTimeout 的作用。"),
    ("Summarization", "Antibiotics are a type of medication used to treat bacterial infections. Explain the above in one sentence."),
    ("Summarization", "请总结下面这段文字的要点：大型语言模型的路由可以在成本和质量之间取得平衡。"),
    ("Text Generation", "Write a short mystery story set in a lighthouse, with a twist ending. 🌊🔦"),
    ("Open QA", "Why is the sky blue? Réponds aussi en français, s'il te plaît."),
    ("Closed QA", "According to the passage, what year was the treaty signed? Passage: … signed in 1648 at Münster."),
    ("Brainstorming", "给我十个关于咖啡店名字的创意 ☕"),
    ("Rewrite", "Rewrite this more politely: «Send me the report now.»"),
    ("Classification", "Is this review positive or negative? 'Das Essen war großartig, aber der Service langsam.'"),
    ("Extraction", "Extract all e-mail addresses: contact: zhang.wei@example.cn, ana@exemplo.pt"),
    ("Chatbot", "こんにちは！今日はどんな一日でしたか？"),
    ("Other", "\u2028line separator inside, tab\there, quote \" and backslash \\ — all must round-trip"),
]
ANSWERS = [
    "Here is the script:\n\n```python\nfor i in range(10):\n    print(i)\n```",
    "防抖函数会在最后一次调用后等待一段时间再执行。",
    "Antibiotics kill or stop bacteria, treating infections.",
    "要点：路由能在成本与质量之间取得平衡。",
    "The keeper's logbook had one entry too many… 🕯️",
    "Rayleigh scattering. — La diffusion de Rayleigh.",
    "1648.",
    "1. 豆香 2. 晨光 3. 一杯 …",
    "Could you please send me the report when you have a moment?",
    "Mixed: positive food, negative service.",
    "zhang.wei@example.cn, ana@exemplo.pt",
    "いい一日でした！",
    "Echo: \u2028 \t \" \\",
]


def build_history(rng, count):
    records = []
    t = 1735689600.0 + rng.random()  # 2025-01-01T00:00Z and on
    for i in range(count):
        t += rng.uniform(5, 40000)
        which = rng.randrange(len(PROMPTS))
        task, prompt = PROMPTS[which]
        messages = [{"role": "user", "content": prompt}]
        if rng.random() < 0.3:
            messages.insert(0, {"role": "system", "content": "You are a helpful assistant. 你是一个乐于助人的助手。"})
        if rng.random() < 0.15:
            messages[-1:-1] = [{"role": "user", "content": "先前的问题"}, {"role": "assistant", "content": "先前的回答"}]
        query = messages[-1]["content"]
        roll = rng.random()
        user_model = None
        if roll < 0.6:
            tier = rng.choice(["simple", "simple", "medium", "medium", "complex"])
            model_key = TIER_MODEL[tier]
            routing = {
                "method": "nvidia_classifier",
                "query": query,
                "routing_latency_ms": round(rng.uniform(8, 900), 2),
                "tier": tier,
                "complexity_score": round(rng.uniform(0.05, 0.75), 5),
                "task_type": task,
                "domain_knowledge": round(rng.random(), 4),
                "reasoning": round(rng.random(), 4),
                "creativity": round(rng.random(), 4),
            }
        elif roll < 0.8:
            model_key = rng.choice(["qwen-flash", "qwen-flash", "qwen-plus", "qwen-max"])
            routing = {
                "method": "fallback_token_length",
                "query": query,
                "routing_latency_ms": 0,
                "error": rng.choice(["No module named 'torch'", "CUDA out of memory", "模型文件不存在: /models/nvidia"]),
            }
        else:
            model_key = rng.choice(["qwen-plus", "qwen-max", "gpt-4o", "claude-3-5-sonnet", "qwen-flash"])
            user_model = model_key
            routing = {"method": "user_specified", "query": query}
        input_tokens = rng.randint(9, 4000)
        output_tokens = rng.randint(1, 2500)
        latency = rng.uniform(180, 25000)
        temperature = rng.choice([0.7, 0.7, 0.2, 1.0, 0.0])
        max_tokens = rng.choice([None, None, 512, 2048])
        response_id = "chatcmpl-%032x" % rng.getrandbits(128)
        records.append(make_record(t, model_key, messages, routing, ANSWERS[which], response_id, latency,
                                   input_tokens, output_tokens, temperature, max_tokens, user_model))
    return records


def rounding_records():
    """Sums that land exactly on binary ties: 0.0078125 (= 2^-7) to 6 places, 0.125 and 0.375 to 2."""
    records = []
    for i, t in enumerate([1736000000.5, 1736000100.25]):
        record = make_record(t, "qwen-flash", [{"role": "user", "content": "tie %d" % i}],
                             {"method": "nvidia_classifier", "query": "tie %d" % i, "routing_latency_ms": 0.375,
                              "tier": "simple", "complexity_score": 0.1, "task_type": "Other",
                              "domain_knowledge": 0.0, "reasoning": 0.0, "creativity": 0.0},
                             "ok", "chatcmpl-tie-%d" % i, 0.125, 1, 1, 0.7, None, None)
        record["llm"]["cost_usd"] = 0.00390625  # 2^-8; two of them sum to 2^-7 exactly
        records.append(record)
    return records


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20260127)
    history = build_history(rng, 240)

    clean = OUT / "call_history.jsonl"
    with open(clean, "w", encoding="utf-8", newline="\n") as f:
        for record in history:
            f.write(serialize(record))

    damaged = OUT / "call_history_damaged.jsonl"
    lines = [serialize(r) for r in history]
    with open(damaged, "w", encoding="utf-8", newline="\n") as f:
        for i, line in enumerate(lines):
            if i == 10:
                f.write("\n")
                f.write("   \t \n")
            if i == 40:
                f.write("   " + line.rstrip("\n") + "  \t\n")  # padded: still a record
                continue
            if i == 70:
                f.write(line[: len(line) // 2])  # a crash mid-write: no newline, the next record glued on
                continue
            if i == 120:
                f.write("[1, 2, 3]\n")  # valid JSON, not a record: the old service would load it and crash
                # (kept out of the reference below; see note in reference.json)
            f.write(line)
        f.write(lines[5][: len(lines[5]) // 3])  # torn last line

    rounding = OUT / "call_history_rounding.jsonl"
    with open(rounding, "w", encoding="utf-8", newline="\n") as f:
        for record in rounding_records():
            f.write(serialize(record))

    def reference_for(path, pages, drop_non_objects=False):
        loaded = load_history(path)
        if drop_non_objects:
            loaded = [c for c in loaded if isinstance(c, dict)]
        return {
            "file": path.name,
            "loaded_records": len(loaded),
            "stats": stats(loaded),
            "raw_pages": [{"limit": limit, "offset": offset, "response": stats_raw(loaded, limit, offset)} for limit, offset in pages],
        }

    pages = [(50, 0), (50, 50), (10, 235), (7, 3), (0, 0), (50, 240), (5, 1000), (-5, 230), (3, -4)]
    reference = {
        "generated_by": "scripts/seed-stats-reference.py",
        "python": sys.version.split()[0],
        "note": "sum() here is Python 3.11's plain left-to-right float addition (3.12 changed sum() of floats to compensated summation).",
        "files": {
            "call_history.jsonl": reference_for(clean, pages),
            "call_history_damaged.jsonl": dict(
                reference_for(damaged, [(50, 0), (20, 100)], drop_non_objects=True),
                note="The line [1, 2, 3] is valid JSON but no record: the old service would load it and then fail on /stats; it is left out here as we leave it out.",
            ),
            "call_history_rounding.jsonl": reference_for(rounding, [(50, 0)]),
        },
        "empty": {"stats": stats(load_history(None)), "raw": stats_raw([], 50, 0)},
    }
    with open(OUT / "reference.json", "w", encoding="utf-8", newline="\n") as f:
        json.dump(reference, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote", clean, damaged, rounding, OUT / "reference.json")


if __name__ == "__main__":
    main()
