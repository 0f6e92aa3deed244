#!/usr/bin/python3
"""Regenerate the classifier test fixtures in test/fixtures/ (committed as data).

Run from anywhere with Debian's python3 (numpy, onnx 1.12, python3-sentencepiece):

    /usr/bin/python3 scripts/make-fixtures.py            # write everything, then cross-check with Node
    /usr/bin/python3 scripts/make-fixtures.py --no-verify  # skip the Node cross-check

Everything is deterministic: a rerun rewrites byte-identical files (SentencePiece is trained with one
thread, no sampling and no shuffling; the ONNX weights are closed-form trigonometric tables).

What it writes (test/fixtures/):

  corpus.txt (input, hand-written, NOT generated)
      A few KB of English, Chinese, digits, punctuation and code: the SentencePiece training text.

  tiny-model-json/    config.json, tokenizer.json, tokenizer_config.json, special_tokens_map.json,
                      onnx/model.onnx   -- laid out like the Hugging Face release with a fast tokenizer.
  tiny-model-spm/     config.json, spm.model, special_tokens_map.json, added_tokens.json,
                      tokenizer_config.json, onnx/model.onnx   -- SentencePiece only, no tokenizer.json.
  tiny-model-sorted-config/
                      same files as tiny-model-json, but config.json has every object's keys sorted
                      alphabetically (as a third-party int8 export re-saves it), so the head order can
                      only be taken from the graph's output names.

      The tokenizer: a SentencePiece Unigram model, vocab 1000, nmt_nfkc normalization, with
      DeBERTa-v3's special ids [PAD]=0 [CLS]=1 (bos) [SEP]=2 (eos) [UNK]=3, and [MASK] added after the
      vocabulary (id 1000, like upstream's added_tokens.json {"[MASK]": 128000}).
      tokenizer.json is written the way transformers' DebertaV2Converter converts spm.model:
      normalizer Sequence[Strip, Precompiled(charsmap of the spm proto), Replace(" {2,}" -> " ")],
      pre-tokenizer Sequence[Metaspace("▁", prepend_scheme always, split)], Unigram model (unk_id 3,
      no byte fallback), TemplateProcessing "[CLS] $A [SEP]", Metaspace decoder.

      The graph (onnx/model.onnx, opset 13, ~7 KB): inputs input_ids, attention_mask (int64
      [batch, seq]); emb = table[input_ids mod 128] (8 dims); mask-aware mean over the sequence;
      8 Gemm heads whose outputs are named, in canonical order, task_type(12) creativity_scope(3)
      reasoning(2) contextual_knowledge(2) number_of_few_shots(6) domain_knowledge(4)
      no_label_reason(1) constraint_ct(2).

  golden-ids.json
      [{prompt, input_ids}] with input_ids = [1] + sentencepiece.encode(prompt) + [2], cut to 512 ids
      ([CLS] + first 510 pieces + [SEP]). Computed with Google's SentencePiece, independently of the
      Hugging Face tokenizers library the extension uses. Only prompts on which both engines agree
      (checked by --verify) are kept: see UNSAFE_FOR_GOLDENS for the known disagreements.

  golden-outputs.json
      [{prompt, input_ids, logits: {head: [...]}, result: {11 NVIDIA fields}}]. Logits are computed
      with numpy from the same weight tables (float32, like onnxruntime), independently of any ONNX
      runtime; result is the Python reference post-processing below. Only prompts whose result is
      stable under a small logit perturbation (float32 differences between numpy and onnxruntime)
      are kept, so a correct TS pipeline must reproduce result exactly.

  postprocess-cases.json
      [{name, description, logits: {head: [...]}, expected: {11 fields}, naive?}]: hand-made logits (no
      model) with the reference result: top-2 ties, task_type_2 "NA" and the 0.1 boundary, few-shots
      under / at 0.05, rounding cases where JS Math.round / toFixed give another answer (`naive` holds
      what they give), huge and negative logits, a complexity score above 1. An exact binary tie at
      3-5 decimals needs a probability such as 0.5625 = 9/16; equal logits only give 1/m, so those
      cases use a logit gap searched ulp by ulp until softmax([d, 0]) is exactly the dyadic value
      (checked to hold with V8's Math.exp too). The complexity cases are decimal ties (e.g. 0.150005)
      whose binary value lies just below: Python rounds down, Math.round(x * 1e5) rounds up.

Reference post-processing (model card / NeMo Curator compute_results), all in float64:
  * softmax(x) = exp(x - max) / sum, summed left to right; math.exp.
  * task_type: indices sorted by logit descending, ties broken by LOWER INDEX FIRST (a stable
    descending sort: numpy.argsort(-x, kind="stable"), or JS's stable Array.prototype.sort). NeMo calls
    torch.topk, whose order for equal values is unspecified: torch 1.13 on CPU agrees with this rule
    for the two-way and three-way ties at the top in postprocess-cases.json, but returns [9, 7] for
    twelve equal logits and index 11 before 5 for a tie in second place. Real logits practically never
    tie exactly, so this is a convention, chosen for being deterministic and easy to state.
    p1, p2 = round(p, 3); task_type_2 = "NA" if round(p2, 3) < 0.1; task_type_prob = round(p1, 3).
  * other heads: round(sum_i(p_i * w_i) / divisor, 4), summed left to right; number_of_few_shots
    becomes 0 when its rounded score is < 0.05 (0.05 itself is kept).
  * prompt_complexity_score = round(0.35*creativity_scope + 0.25*reasoning + 0.15*constraint_ct
    + 0.15*domain_knowledge + 0.05*contextual_knowledge + 0.05*number_of_few_shots, 5), evaluated left
    to right on the rounded scores.
  * round is Python's: half-to-even on the exact binary value.
"""
import base64
import io
import json
import math
import shutil
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import onnx
import sentencepiece as spm
from onnx import TensorProto, helper, numpy_helper
from sentencepiece import sentencepiece_model_pb2 as sp_pb2

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "test" / "fixtures"

VOCAB_SIZE = 1000          # SentencePiece pieces; [MASK] gets id VOCAB_SIZE
MASK_ID = VOCAB_SIZE
MAX_IDS = 512
LOGIT_EPS = 5e-6           # bound assumed on |onnxruntime - numpy| per logit (measured: < 2e-6)
EMB_ROWS = 128             # the graph looks up table[id mod EMB_ROWS]
EMB_DIM = 8

HEADS = [("task_type", 12), ("creativity_scope", 3), ("reasoning", 2), ("contextual_knowledge", 2),
         ("number_of_few_shots", 6), ("domain_knowledge", 4), ("no_label_reason", 1), ("constraint_ct", 2)]
TASK_TYPES = ["Brainstorming", "Chatbot", "Classification", "Closed QA", "Code Generation", "Extraction",
              "Open QA", "Other", "Rewrite", "Summarization", "Text Generation", "Unknown"]
WEIGHTS = {"creativity_scope": [2, 1, 0], "reasoning": [0, 1], "contextual_knowledge": [0, 1],
           "number_of_few_shots": [0, 1, 2, 3, 4, 5], "domain_knowledge": [3, 1, 2, 0],
           "no_label_reason": [0], "constraint_ct": [1, 0]}
DIVISORS = {"creativity_scope": 2, "reasoning": 1, "contextual_knowledge": 1, "number_of_few_shots": 1,
            "domain_knowledge": 3, "no_label_reason": 1, "constraint_ct": 1}
SPECIALS = ["[PAD]", "[CLS]", "[SEP]", "[UNK]"]


# ---------------------------------------------------------------------------------------------
# Output helpers: stable, diff-friendly JSON


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_json(path: Path, obj, indent=2) -> None:
    write_text(path, json.dumps(obj, ensure_ascii=False, indent=indent) + "\n")


def write_tokenizer_json(path: Path, tok: dict) -> None:
    """Pretty-printed like tokenizers' save(pretty=True), but one vocab entry per line (smaller)."""
    marker = "@@VOCAB@@"
    text = json.dumps({**tok, "model": {**tok["model"], "vocab": marker}}, ensure_ascii=False, indent=2)
    vocab = ",\n".join("      " + json.dumps(entry, ensure_ascii=False) for entry in tok["model"]["vocab"])
    write_text(path, text.replace(json.dumps(marker), "[\n" + vocab + "\n    ]") + "\n")


def write_json_lines(path: Path, items) -> None:
    """A JSON array with one compact item per line."""
    body = ",\n".join(json.dumps(item, ensure_ascii=False, separators=(", ", ": ")) for item in items)
    write_text(path, "[\n" + body + "\n]\n")


# ---------------------------------------------------------------------------------------------
# 1a. SentencePiece model


def train_spm() -> bytes:
    lines = (FIX / "corpus.txt").read_text(encoding="utf-8").splitlines()
    out = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=out,
        model_type="unigram", vocab_size=VOCAB_SIZE, normalization_rule_name="nmt_nfkc",
        character_coverage=1.0, num_threads=1, input_sentence_size=0, shuffle_input_sentence=False,
        pad_id=0, bos_id=1, eos_id=2, unk_id=3,
        pad_piece="[PAD]", bos_piece="[CLS]", eos_piece="[SEP]", unk_piece="[UNK]",
        minloglevel=2)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# 1d. tokenizer.json as DebertaV2Converter writes it


def added_token(token_id: int, content: str) -> dict:
    return {"id": token_id, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def tokenizer_json(proto: sp_pb2.ModelProto) -> dict:
    metaspace = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}
    charsmap = base64.b64encode(proto.normalizer_spec.precompiled_charsmap).decode("ascii")
    cls_id, sep_id = proto.trainer_spec.bos_id, proto.trainer_spec.eos_id
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added_token(i, SPECIALS[i]) for i in range(4)] + [added_token(MASK_ID, "[MASK]")],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Strip", "strip_left": True, "strip_right": True},
            {"type": "Precompiled", "precompiled_charsmap": charsmap},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
        ]},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [metaspace]},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [cls_id], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [sep_id], "tokens": ["[SEP]"]},
            },
        },
        "decoder": dict(metaspace),
        "model": {"type": "Unigram", "unk_id": proto.trainer_spec.unk_id,
                  "vocab": [[p.piece, float(p.score)] for p in proto.pieces], "byte_fallback": False},
    }


def special_tokens_map() -> dict:
    return {"bos_token": "[CLS]", "cls_token": "[CLS]", "eos_token": "[SEP]", "mask_token": "[MASK]",
            "pad_token": "[PAD]", "sep_token": "[SEP]", "unk_token": "[UNK]"}


def tokenizer_config() -> dict:
    decoder = {}
    for i, content in list(enumerate(SPECIALS)) + [(MASK_ID, "[MASK]")]:
        entry = added_token(i, content)
        del entry["id"]
        decoder[str(i)] = entry
    return {"added_tokens_decoder": decoder, "bos_token": "[CLS]", "clean_up_tokenization_spaces": True,
            "cls_token": "[CLS]", "do_lower_case": False, "eos_token": "[SEP]", "mask_token": "[MASK]",
            "model_max_length": 1000000000000000019884624838656, "pad_token": "[PAD]", "sep_token": "[SEP]",
            "sp_model_kwargs": {}, "split_by_punct": False, "tokenizer_class": "DebertaV2Tokenizer",
            "unk_token": "[UNK]", "vocab_type": "spm"}


def model_config() -> dict:
    """Mirrors upstream config.json: head tables plus a few DeBERTa-v2 fields (sized for the tiny graph)."""
    return {
        "base_model": "microsoft/DeBERTa-v3-base",
        "model_type": "deberta-v2",
        "fc_dropout": 0.2,
        "max_len": MAX_IDS,
        "max_position_embeddings": MAX_IDS,
        "hidden_size": EMB_DIM,
        "vocab_size": VOCAB_SIZE + 1,
        "pad_token_id": 0,
        "target_sizes": {name: n for name, n in HEADS},
        "task_type_map": {str(i): label for i, label in enumerate(TASK_TYPES)},
        "weights_map": {name: WEIGHTS[name] for name, _ in HEADS if name != "task_type"},
        "divisor_map": {name: DIVISORS[name] for name, _ in HEADS if name != "task_type"},
        "_fixture_note": "Tiny test model written by scripts/make-fixtures.py; not the real classifier.",
    }


# ---------------------------------------------------------------------------------------------
# 1b. The tiny graph and its weights (closed form, so they never depend on an RNG's version)


def weights():
    v = np.arange(EMB_ROWS, dtype=np.float64)[:, None]
    d = np.arange(EMB_DIM, dtype=np.float64)[None, :]
    steps = np.sqrt(np.array([2, 3, 5, 7, 11, 13, 17, 19], dtype=np.float64))[None, :EMB_DIM]
    table = np.cos(2 * np.pi * np.mod((v + 1) * steps + 0.1 * d, 1.0)).astype(np.float32)
    heads = {}
    for h, (name, n) in enumerate(HEADS):
        i = np.arange(EMB_DIM, dtype=np.float64)[:, None]
        j = np.arange(n, dtype=np.float64)[None, :]
        scale, bias = HEAD_SHAPE[name]
        w = (np.sin(0.7 + 2.3 * i + 2.4 * j + 0.9 * i * j + 1.1 * h) * scale).astype(np.float32)
        b = np.array(bias, dtype=np.float32)
        assert b.shape == (n,)
        heads[name] = (w, b)
    return table, heads


# scale of each head's weights and its bias: chosen so the outputs move across prompts
HEAD_SHAPE = {
    "task_type": (9.0, [0.3, -0.2, 0.0, 0.4, 0.2, -0.3, 0.5, -1.0, 0.1, 0.0, 0.6, -1.5]),
    "creativity_scope": (4.0, [0.0, 0.3, -0.2]),
    "reasoning": (4.0, [-0.5, 0.2]),
    "contextual_knowledge": (4.0, [0.8, -0.6]),
    "number_of_few_shots": (5.0, [4.5, 0.5, -0.5, -1.5, -2.5, -3.5]),
    "domain_knowledge": (4.0, [0.1, -0.2, 0.4, 0.0]),
    "no_label_reason": (1.0, [0.25]),
    "constraint_ct": (4.0, [0.3, -0.1]),
}


def build_graph(table, heads) -> bytes:
    inits = [numpy_helper.from_array(table, "embedding_table"),
             numpy_helper.from_array(np.array(EMB_ROWS, np.int64), "embedding_rows"),
             numpy_helper.from_array(np.array([2], np.int64), "last_axis"),
             numpy_helper.from_array(np.array([1], np.int64), "sequence_axis"),
             numpy_helper.from_array(np.array(1.0, np.float32), "min_count")]
    nodes = [
        helper.make_node("Mod", ["input_ids", "embedding_rows"], ["row"]),
        helper.make_node("Gather", ["embedding_table", "row"], ["token_vectors"], axis=0),
        helper.make_node("Cast", ["attention_mask"], ["mask_float"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_float", "last_axis"], ["mask_column"]),
        helper.make_node("Mul", ["token_vectors", "mask_column"], ["masked_vectors"]),
        helper.make_node("ReduceSum", ["masked_vectors", "sequence_axis"], ["vector_sum"], keepdims=0),
        helper.make_node("ReduceSum", ["mask_float", "sequence_axis"], ["token_count"], keepdims=1),
        helper.make_node("Max", ["token_count", "min_count"], ["safe_count"]),
        helper.make_node("Div", ["vector_sum", "safe_count"], ["pooled"]),
    ]
    outputs = []
    for name, n in HEADS:
        w, b = heads[name]
        inits += [numpy_helper.from_array(w, f"{name}.weight"), numpy_helper.from_array(b, f"{name}.bias")]
        nodes.append(helper.make_node("Gemm", ["pooled", f"{name}.weight", f"{name}.bias"], [name]))
        outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", n]))
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])]
    graph = helper.make_graph(nodes, "tiny_prompt_task_and_complexity_classifier", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="qwen-router make-fixtures.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def numpy_logits(ids, table, heads) -> dict:
    """The graph's arithmetic in numpy float32 (one unpadded prompt)."""
    vectors = table[np.asarray(ids, dtype=np.int64) % EMB_ROWS]            # [seq, dim]
    pooled = vectors.sum(axis=0, dtype=np.float32) / np.float32(max(len(ids), 1))
    out = {}
    for name, _ in HEADS:
        w, b = heads[name]
        out[name] = [float(x) for x in (pooled @ w + b).astype(np.float32)]
    return out


# ---------------------------------------------------------------------------------------------
# Reference post-processing (see the docstring)


def softmax(logits):
    top = max(logits)
    exps = [math.exp(x - top) for x in logits]
    total = 0.0
    for e in exps:
        total += e
    return [e / total for e in exps]


def head_score(name, logits, softmax=softmax):
    probs = softmax(logits)
    acc = 0.0
    for p, w in zip(probs, WEIGHTS[name]):
        acc += p * w
    return acc / DIVISORS[name]


def reference_result(logits: dict, softmax=softmax) -> dict:
    tt = logits["task_type"]
    order = sorted(range(len(tt)), key=lambda i: (-tt[i], i))
    first, second = order[0], order[1]
    probs = softmax(tt)
    p1, p2 = round(probs[first], 3), round(probs[second], 3)
    result = {"task_type_1": TASK_TYPES[first], "task_type_2": "NA" if p2 < 0.1 else TASK_TYPES[second],
              "task_type_prob": p1}
    for name, _ in HEADS[1:]:
        score = round(head_score(name, logits[name], softmax), 4)
        if name == "number_of_few_shots" and score < 0.05:
            score = 0
        result[name] = score
    result["prompt_complexity_score"] = round(
        0.35 * result["creativity_scope"] + 0.25 * result["reasoning"] + 0.15 * result["constraint_ct"]
        + 0.15 * result["domain_knowledge"] + 0.05 * result["contextual_knowledge"]
        + 0.05 * result["number_of_few_shots"], 5)
    order_of_fields = ["task_type_1", "task_type_2", "task_type_prob", "creativity_scope", "reasoning",
                       "contextual_knowledge", "number_of_few_shots", "domain_knowledge", "no_label_reason",
                       "constraint_ct", "prompt_complexity_score"]
    return {k: result[k] for k in order_of_fields}


def tie_distance(x: float, decimals: int) -> float:
    """How far x is from the nearest rounding tie at `decimals` places, in units of x."""
    scaled = Decimal(x) * (Decimal(10) ** decimals)
    frac = scaled - scaled.to_integral_value(rounding="ROUND_FLOOR")
    return float(abs(frac - Decimal("0.5"))) / 10 ** decimals


def stable(logits: dict, eps: float) -> bool:
    """True when moving every logit by up to eps cannot change the reference result (with a 2x safety factor):
    the task ranking, and every rounded value (first-order bounds on how far each can move). The few-shots
    cut-off and task_type_2's "NA" test compare rounded values, so they are covered by the rounding checks;
    the complexity score is computed from rounded values only."""
    tt = logits["task_type"]
    ranked = sorted(tt, reverse=True)
    if ranked[0] - ranked[1] < 4 * eps or ranked[1] - ranked[2] < 4 * eps:
        return False
    probs = softmax(tt)
    for p in sorted(probs, reverse=True)[:2]:
        if tie_distance(p, 3) < 4 * eps * p * (1 - p):  # |dp_k| <= 2 eps p_k (1 - p_k)
            return False
    for name, _ in HEADS[1:]:
        probs = softmax(logits[name])
        s = head_score(name, logits[name])
        mean = s * DIVISORS[name]
        sensitivity = eps * sum(p * abs(w - mean) for p, w in zip(probs, WEIGHTS[name])) / DIVISORS[name]
        if sensitivity > 0 and tie_distance(s, 4) < 2 * sensitivity:
            return False
    return True


# ---------------------------------------------------------------------------------------------
# 1e. Prompts for the token-id goldens

LONG_SENTENCES = [
    "The quick brown fox jumps over the lazy dog while the committee reviews the quarterly report.",
    "Machine learning models learn patterns from data instead of following explicit rules written by hand.",
    "Once upon a time, in a village surrounded by forests, there lived an old clockmaker and his cat.",
    "Please summarize the article, list three key points, and suggest a title under ten words.",
    "Water boils at 100 degrees Celsius at sea level, but at lower temperatures on high mountains.",
    "def add(a, b): return a + b  # a tiny function that adds two numbers together",
    "Routing sends simple questions to a small model and difficult ones to a larger model.",
]


def long_prompt(words: int) -> str:
    out, count, i = [], 0, 0
    while count < words:
        sentence = LONG_SENTENCES[i % len(LONG_SENTENCES)]
        out.append(sentence)
        count += len(sentence.split())
        i += 1
    return " ".join(out)


GOLDEN_PROMPTS = [
    "Write a Python script that uses a for loop.",
    "Prompt: Write a Python script that uses a for loop.",
    "Summarize the following article in three sentences.",
    "What is the capital of Australia?",
    "Brainstorm ten names for a small bakery.",
    "Translate \"The weather is lovely today\" into French.",
    "hello",
    "Hello",
    "   leading spaces",
    "trailing spaces   ",
    "  both  sides  ",
    "multiple     spaces    between   words",
    "tabs\tbetween\twords",
    "line one\nline two\n\nline four",
    "windows\r\nline endings\r\n",
    " \t\n mixed \n\t whitespace \t\n ",
    "今天天气很好，我们去公园散步吧。",
    "请用三句话总结这篇文章的主要内容。",
    "Mixed 中文 and English 混合 text.",
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３ ！",
    "Ligatures ﬁ ﬂ and ① ② ③ and ½",
    "Emoji 🙂 👍 🎉 and unknown ones 🚀🛸",
    "Café, crème brûlée, jalapeño, façade, naïve, résumé.",
    "Zürich, São Paulo, Kraków, Łódź, İstanbul, Ærø",
    "decomposed e\u0301 and a\u0308 accents",
    "def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)",
    "const total = items.reduce((sum, x) => sum + x.price, 0);",
    "SELECT name, COUNT(*) FROM orders WHERE status = 'shipped' GROUP BY name;",
    "git commit -m \"fix: handle empty input\" && git push origin main",
    "Numbers 0 1 2 3 42 3.14159 -273.15 1e-6 2024-02-29T12:00:00Z",
    "Call +1 (555) 010-4477 or email support@example.com.",
    "https://example.org/docs/getting-started?lang=en#install",
    "Punctuation: , . ; : ! ? ' \" ( ) [ ] { } < > / \\ | @ # $ % ^ & * - _ + = ~ `",
    "Symbols © ® ™ € £ ¥ ° ± × ÷ → ← ✓",
    "Ελληνικά και русский текст, שלום, مرحبا",
    "Zyxwvut qqqq jjjj xkcd zzz",
    "Antibiotics are medicines that fight bacterial infections. Explain the above in one sentence.",
    "Example 1: input \"cat\" output \"animal\". Example 2: input \"rose\" output \"plant\". Now: input \"oak\".",
    "Write a mystery story about a detective who examines footprints in the snow that lead nowhere.",
    "a",
    long_prompt(700),
]

# Inputs on which Hugging Face's fast tokenizer (what NeMo and the extension run) and SentencePiece are
# known to disagree. They are kept OUT of golden-ids.json; --verify prints how each one differs.
UNSAFE_FOR_GOLDENS = [
    "literal [MASK] and [CLS] in text",    # HF matches added tokens inside the text; SentencePiece does not
    "ends with a zero-width space\u200b",  # Strip runs before the charsmap maps U+200B to a space
    "ends with a BOM\ufeff",               # same: U+FEFF is not Unicode whitespace, becomes a space later
]


def golden_ids(sp: spm.SentencePieceProcessor, prompt: str):
    pieces = sp.encode(prompt)
    return [1] + pieces[:MAX_IDS - 2] + [2]


def boundary_prompts(sp):
    """Prompts with exactly 510 pieces (fits: no truncation) and 511 pieces (the last piece is cut)."""
    words = long_prompt(900).split(" ")
    text = ""
    for word in words:
        longer = (text + " " + word) if text else word
        if len(sp.encode(longer)) > 505:
            break
        text = longer
    while len(sp.encode(text)) < 510:
        text += " a"  # "▁a" is a single piece
    assert len(sp.encode(text)) == 510 and len(sp.encode(text + " a")) == 511
    return [text, text + " a"]


# ---------------------------------------------------------------------------------------------
# 1f. Prompts for the output goldens (candidates; unstable ones are dropped)

OUTPUT_CANDIDATES = [
    "Write a Python script that uses a for loop.",
    "Summarize the following article in three sentences.",
    "What is the capital of Australia?",
    "Brainstorm ten names for a small bakery.",
    "Classify each review below as positive, negative, or neutral.",
    "Extract every date and amount of money mentioned in this email.",
    "Rewrite this paragraph so that it sounds more formal.",
    "Can we just chat for a while about motivation?",
    "Generate a haiku about autumn leaves falling on a quiet river.",
    "Explain recursion with an analogy that a beginner would understand.",
    "Solve for x: 3x + 7 = 22.",
    "今天天气很好，我们去公园散步吧。",
    "Example 1: input \"cat\" output \"animal\". Now: input \"oak\".",
    "Q: What is 15 times 12? A: 180. Q: What is 7 times 8? A:",
    "Describe a sunset over the ocean using vivid imagery.",
    "Compare TCP and UDP.",
    "hello",
    "Use exactly four bullet points, no more than ten words each.",
    "SELECT name FROM orders;",
    "Draft a polite message declining a meeting invitation.",
    "List five common causes of memory leaks in JavaScript.",
    "Translate the sentence into German.",
    "Why is the sky blue?",
    "Write unit tests for a date parser.",
    "Outline a lesson plan about fractions.",
    "Antibiotics are medicines that fight bacterial infections. Explain the above in one sentence.",
    "Thank you!",
    "def add(a, b): return a + b",
    "Provide three examples of metaphors.",
    "Identify the sentiment of this tweet.",
    "Once upon a time there lived an old clockmaker.",
    "Café au lait",
    "Security tip: enable two-factor authentication.",
    "Is it better to learn Rust or Go first?",
    "Create a regular expression for hexadecimal colors.",
    long_prompt(700),
]


# ---------------------------------------------------------------------------------------------
# 1g. Hand-made post-processing cases


def js_math_round(x: float, decimals: int) -> float:
    """What Math.round(x * 10**d) / 10**d gives in JavaScript (ties toward +infinity)."""
    scaled = x * float(10 ** decimals)
    low = math.floor(scaled)
    return float(low + (1 if scaled - low >= 0.5 else 0)) / float(10 ** decimals)


def js_to_fixed(x: float, decimals: int) -> float:
    """What Number(x.toFixed(d)) gives in JavaScript (exact binary value, ties away from zero)."""
    return float(Decimal(x).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


NEG = -1000.0  # exp(-1000 - max) underflows to exactly 0: a class that takes no probability at all


def base_logits() -> dict:
    return {"task_type": [0.0] + [NEG] * 11, "creativity_scope": [0.0, NEG, NEG], "reasoning": [0.0, NEG],
            "contextual_knowledge": [0.0, NEG], "number_of_few_shots": [0.0, NEG, NEG, NEG, NEG, NEG],
            "domain_knowledge": [NEG, NEG, NEG, 0.0], "no_label_reason": [0.0], "constraint_ct": [NEG, 0.0]}


def with_heads(**changes) -> dict:
    logits = base_logits()
    for name, values in changes.items():
        assert len(values) == len(logits[name]), name
        logits[name] = [float(v) for v in values]
    return logits


def equal_on(n: int, winners) -> list:
    return [0.0 if i in winners else NEG for i in range(n)]


def complexity_tie_cases(limit=3):
    """Head configurations with exactly computable scores (softmax of equal logits) whose complexity sum is a
    decimal tie at 5 places (the sixth decimal is 5) but whose binary value lies just below it: Python rounds
    down, Math.round(x * 1e5) / 1e5 rounds up (x * 1e5 lands exactly on .5). The first `limit` found."""
    creativity = {"c0": equal_on(3, [2]), "c.25": equal_on(3, [1, 2]), "c.5": equal_on(3, [1]),
                  "c.75": equal_on(3, [0, 1]), "c1": equal_on(3, [0])}
    binary = {"0": [0.0, NEG], ".5": [0.0, 0.0], "1": [NEG, 0.0]}       # weights [0, 1]
    constraint = {"0": [NEG, 0.0], ".5": [0.0, 0.0], "1": [0.0, NEG]}   # weights [1, 0]
    domain = {"d0": equal_on(4, [3]), "d1/6": equal_on(4, [1, 3]), "d1/3": equal_on(4, [1]),
              "d1/2": equal_on(4, [0, 3]), "d2/3": equal_on(4, [2]), "d5/6": equal_on(4, [0, 2]), "d1": equal_on(4, [0])}
    few = {"f0": equal_on(6, [0]), "f.5": equal_on(6, [0, 1]), "f1.5": equal_on(6, [0, 3]),
           "f1.75": equal_on(6, [0, 1, 2, 4]), "f2.5": equal_on(6, [2, 3])}
    found, seen_domain = [], set()
    for dk, dv in domain.items():
        for ck, cv in creativity.items():
            for rk, rv in binary.items():
                for kk, kv in constraint.items():
                    for xk, xv in binary.items():
                        for fk, fv in few.items():
                            logits = with_heads(creativity_scope=cv, reasoning=rv, constraint_ct=kv,
                                                domain_knowledge=dv, contextual_knowledge=xv, number_of_few_shots=fv)
                            r = reference_result(logits)
                            raw = (0.35 * r["creativity_scope"] + 0.25 * r["reasoning"] + 0.15 * r["constraint_ct"]
                                   + 0.15 * r["domain_knowledge"] + 0.05 * r["contextual_knowledge"]
                                   + 0.05 * r["number_of_few_shots"])
                            coefficients = [("0.35", "creativity_scope"), ("0.25", "reasoning"), ("0.15", "constraint_ct"),
                                            ("0.15", "domain_knowledge"), ("0.05", "contextual_knowledge"),
                                            ("0.05", "number_of_few_shots")]
                            exact = sum(Decimal(c) * Decimal(repr(float(r[k]))) for c, k in coefficients)
                            if (exact * 100000) % 1 != Decimal("0.5") or js_math_round(raw, 5) == round(raw, 5):
                                continue
                            if dk in seen_domain:
                                continue  # one case per domain value keeps them varied
                            seen_domain.add(dk)
                            found.append((dk, f"{ck} r{rk} k{kk} {dk} x{xk} {fk}", logits, raw, exact))
                            if len(found) == limit:
                                return found
    return found


def dyadic_logit_gap(target: float, check=None) -> float:
    """A logit gap d such that softmax([d, 0])[0] == target EXACTLY in float64 (target a dyadic like 0.5625),
    found by walking d one ulp at a time around the real solution log(target / (1 - target)); `check` can
    demand more of the same gap."""
    d = math.log(target / (1 - target))
    for k in range(20000):
        for candidate in (d + k * math.ulp(d), d - k * math.ulp(d)):
            if softmax([candidate, 0.0])[0] == target and (check is None or check(candidate)):
                return candidate
    raise RuntimeError(f"no exact logit gap for {target}")


def postprocess_cases():
    cases = []

    def add(name, description, logits):
        result = reference_result(logits)
        case = {"name": name, "description": description, "logits": logits, "expected": result}
        cases.append(case)
        return case

    add("tie-top-two", "task_type logits 0 and 4 are equal and highest: the lower index (0, Brainstorming) is "
        "task_type_1, index 4 (Code Generation) task_type_2; both probabilities are exactly 0.5.",
        with_heads(task_type=equal_on(12, [0, 4])))
    add("tie-top-two-reversed-positions", "equal top logits at indices 9 and 2: lower index 2 (Classification) first.",
        with_heads(task_type=[1.5 if i in (2, 9) else -2.0 for i in range(12)]))
    add("tie-three-way", "three equal top logits (3, 6, 10): task_type_1 = index 3, task_type_2 = index 6 (lowest "
        "indices first); p = 1/3 -> 0.333.",
        with_heads(task_type=equal_on(12, [3, 6, 10])))
    add("tie-for-second", "one clear winner (8, Rewrite) and a tie for second between 11 and 5: index 5 "
        "(Extraction) is task_type_2 (lower index first; torch 1.13's topk on CPU would pick 11: tie order is a convention).",
        with_heads(task_type=[3.0 if i == 8 else (1.0 if i in (5, 11) else -3.0) for i in range(12)]))
    add("all-equal", "all 12 task_type logits equal: Brainstorming (lower index first; torch 1.13's topk on CPU "
        "returns 9), p = 1/12 -> 0.083 < 0.1 so task_type_2 = NA.",
        with_heads(task_type=[0.25] * 12))
    add("second-na", "dominant first class: round(p2, 3) < 0.1 -> task_type_2 = NA.",
        with_heads(task_type=[0.0, 5.0, 2.0] + [-4.0] * 9))
    # p2 just under 0.1 before rounding, but round(p2, 3) == 0.1: NOT "NA" (the test is on the rounded value)
    p2 = 0.0996
    add("second-at-0.1-after-rounding", "p2 = 0.0996 rounds to 0.1, which is not < 0.1: task_type_2 is a label, "
        "although the unrounded p2 is below 0.1.",
        with_heads(task_type=[math.log((1 - p2) / p2), 0.0] + [NEG] * 10))
    p2 = 0.0994
    add("second-just-below-0.1", "p2 = 0.0994 rounds to 0.099 < 0.1: task_type_2 = NA.",
        with_heads(task_type=[math.log((1 - p2) / p2), 0.0] + [NEG] * 10))
    add("ten-equal", "ten equal task logits: p1 = p2 = 0.1 exactly, task_type_2 kept (Brainstorming / Chatbot).",
        with_heads(task_type=[0.0] * 10 + [NEG, NEG]))
    few = 0.0499
    add("few-shots-under-0.05", "number_of_few_shots score 0.0499 (< 0.05 after rounding) becomes 0.",
        with_heads(number_of_few_shots=[math.log((1 - few) / few), 0.0] + [NEG] * 4))
    few = 0.04996
    add("few-shots-rounds-to-0.05", "few-shots score 0.04996 rounds to 0.05, which is kept (the cut-off tests the "
        "rounded score).",
        with_heads(number_of_few_shots=[math.log((1 - few) / few), 0.0] + [NEG] * 4))
    add("few-shots-half", "two equal few-shot logits (classes 0 and 1): score exactly 0.5.",
        with_heads(number_of_few_shots=equal_on(6, [0, 1])))
    add("complexity-above-one", "few-shots dominant (class 5) and every other head at its maximum: complexity "
        "= 0.35 + 0.25 + 0.15 + 0.15 + 0.05 + 0.05 * 5 = 1.2.",
        with_heads(task_type=[0.0] * 4 + [9.0] + [0.0] * 7, creativity_scope=equal_on(3, [0]),
                   reasoning=[NEG, 0.0], contextual_knowledge=[NEG, 0.0], number_of_few_shots=equal_on(6, [5]),
                   domain_knowledge=equal_on(4, [0]), constraint_ct=[0.0, NEG]))
    add("huge-logits", "logits near 1000 (exp overflows without max subtraction): softmax must subtract the max.",
        with_heads(task_type=[1000.0, 999.0, 998.5] + [-1000.0] * 9, creativity_scope=[800.0, 801.0, 799.0],
                   reasoning=[750.0, 750.5], contextual_knowledge=[-750.0, -749.0],
                   number_of_few_shots=[900.0, 897.0, 895.0, 890.0, 880.0, 870.0],
                   domain_knowledge=[-800.0, -801.0, -799.5, -802.0], constraint_ct=[1e4, 1e4 - 0.25]))
    add("negative-logits", "all logits strongly negative: only differences matter.",
        with_heads(task_type=[-50.0 - i for i in range(12)][::-1], creativity_scope=[-30.0, -31.0, -29.5],
                   reasoning=[-40.0, -41.0], contextual_knowledge=[-60.0, -59.5],
                   number_of_few_shots=[-20.0, -22.0, -24.0, -26.0, -28.0, -30.0],
                   domain_knowledge=[-10.0, -10.5, -11.0, -9.0], constraint_ct=[-7.0, -8.5]))
    add("one-third-scores", "domain_knowledge classes 1 and 3 equal: (1 + 0) / 2 / 3 = 1/6 -> 0.1667; creativity "
        "classes 1, 2 equal: 0.25.",
        with_heads(domain_knowledge=equal_on(4, [1, 3]), creativity_scope=equal_on(3, [1, 2])))
    # Exact binary ties: the probability is a dyadic number exactly on the rounding midpoint.
    gap = dyadic_logit_gap(0.5625)   # task probability 0.5625: round(., 3) = 0.562, Math.round/toFixed: 0.563
    case = add("exact-tie-task-prob", f"task_type logits [{gap!r}, 0, -1000...] give p1 = 0.5625 exactly (binary "
               "tie at 3 places): half-to-even keeps 0.562; Math.round(x*1e3)/1e3 and toFixed(3) give 0.563. "
               "p2 = 0.4375 -> 0.438 (7 is odd: half-to-even rounds up here).",
               with_heads(task_type=[gap, 0.0] + [NEG] * 10))
    case["naive"] = {"task_type_prob": {"math_round": js_math_round(0.5625, 3), "to_fixed": js_to_fixed(0.5625, 3)}}
    gap = dyadic_logit_gap(0.90625)  # reasoning 0.90625: round(., 4) = 0.9062, naive JS 0.9063
    case = add("exact-tie-reasoning", f"reasoning logits [0, {gap!r}] give p(class 1) = 0.90625 exactly, a binary "
               "tie at 4 places: half-to-even gives 0.9062, Math.round / toFixed give 0.9063.",
               with_heads(reasoning=[0.0, gap]))
    case["naive"] = {"reasoning": {"math_round": js_math_round(0.90625, 4), "to_fixed": js_to_fixed(0.90625, 4)}}
    gap = dyadic_logit_gap(0.5625, lambda d: head_score("creativity_scope", [d, 0.0, NEG]) == 0.78125)
    case = add("exact-tie-creativity", f"creativity logits [{gap!r}, 0, -1000]: p = [0.5625, 0.4375, 0] exactly, "
               "score (2*0.5625 + 0.4375) / 2 = 0.78125, a binary tie at 4 places: half-to-even gives 0.7812, "
               "Math.round / toFixed give 0.7813.",
               with_heads(creativity_scope=[gap, 0.0, NEG]))
    case["naive"] = {"creativity_scope": {"math_round": js_math_round(0.78125, 4), "to_fixed": js_to_fixed(0.78125, 4)}}
    for domain, key, logits, raw, exact in complexity_tie_cases():
        case = add(f"complexity-decimal-tie-{domain.replace('/', 'of')}",
                   f"scores ({key}) make the complexity sum {exact} in decimal, a tie at 5 places; its binary value "
                   f"{Decimal(raw)} lies below the tie, so Python's round gives {round(raw, 5)!r} while "
                   f"Math.round(x * 1e5) / 1e5 gives {js_math_round(raw, 5)!r} (x * 1e5 is exactly ...5.5 after "
                   f"rounding); toFixed(5) gives {js_to_fixed(raw, 5)!r}.", logits)
        case["naive"] = {"prompt_complexity_score": {"math_round": js_math_round(raw, 5), "to_fixed": js_to_fixed(raw, 5)}}
    return cases


# ---------------------------------------------------------------------------------------------
# Cross-check with Node (Hugging Face tokenizers + onnxruntime-node), when installed

VERIFY_JS = r"""
const path = require('node:path');
const fs = require('node:fs');
const root = process.argv[1];
const { Tokenizer } = require(path.join(root, 'node_modules/tokenizers'));
const fix = path.join(root, 'test/fixtures');
const tok = Tokenizer.fromFile(path.join(fix, 'tiny-model-json/tokenizer.json'));
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
(async () => {
  const out = { ids: [], logits: null };
  for (const text of input.texts) {
    const enc = await tok.encode(text, null, { addSpecialTokens: false });
    out.ids.push(enc.getIds());
  }
  out.softmax = input.softmax_inputs.map((xs) => {
    const top = Math.max(...xs);
    const exps = xs.map((x) => Math.exp(x - top));
    let total = 0;
    for (const e of exps) total += e;
    return exps.map((e) => e / total);
  });
  try {
    const ort = require(path.join(root, 'node_modules/onnxruntime-node'));
    const session = await ort.InferenceSession.create(path.join(fix, 'tiny-model-json/onnx/model.onnx'));
    out.logits = [];
    for (const ids of input.model_inputs) {
      const n = ids.length;
      const feeds = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, n]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
      };
      const res = await session.run(feeds);
      out.logits.push(Object.fromEntries(Object.entries(res).map(([k, v]) => [k, Array.from(v.data)])));
    }
    out.output_names = session.outputNames;
  } catch (e) { out.ort_error = String(e); }
  process.stdout.write(JSON.stringify(out));
})();
"""


def node_check(texts, model_inputs, softmax_inputs):
    if not (ROOT / "node_modules" / "tokenizers").exists() or shutil.which("node") is None:
        print("verify: skipped (node or node_modules/tokenizers missing)")
        return None
    proc = subprocess.run(["node", "-e", VERIFY_JS, str(ROOT)], cwd=ROOT,
                          input=json.dumps({"texts": texts, "model_inputs": model_inputs,
                                            "softmax_inputs": softmax_inputs}).encode(),
                          capture_output=True, check=True)
    return json.loads(proc.stdout)


# ---------------------------------------------------------------------------------------------


def main():
    verify = "--no-verify" not in sys.argv[1:]

    spm_bytes = train_spm()
    assert spm_bytes == train_spm(), "SentencePiece training is not deterministic"
    proto = sp_pb2.ModelProto()
    proto.ParseFromString(spm_bytes)
    assert [p.piece for p in proto.pieces[:4]] == SPECIALS and len(proto.pieces) == VOCAB_SIZE
    sp = spm.SentencePieceProcessor(model_proto=spm_bytes)

    table, heads = weights()
    graph = build_graph(table, heads)
    config = model_config()
    tok_json = tokenizer_json(proto)

    json_dir, spm_dir, sorted_dir = FIX / "tiny-model-json", FIX / "tiny-model-spm", FIX / "tiny-model-sorted-config"
    for d in (json_dir, spm_dir, sorted_dir):
        if d.exists():
            shutil.rmtree(d)
        (d / "onnx").mkdir(parents=True)
        (d / "onnx" / "model.onnx").write_bytes(graph)
        write_json(d / "special_tokens_map.json", special_tokens_map())
        write_json(d / "tokenizer_config.json", tokenizer_config())
    for d in (json_dir, sorted_dir):
        write_tokenizer_json(d / "tokenizer.json", tok_json)
    write_json(json_dir / "config.json", config)
    write_json(spm_dir / "config.json", config)
    write_text(sorted_dir / "config.json", json.dumps(config, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    (spm_dir / "spm.model").write_bytes(spm_bytes)
    write_json(spm_dir / "added_tokens.json", {"[MASK]": MASK_ID})

    # 1e: token ids
    prompts = GOLDEN_PROMPTS + boundary_prompts(sp)
    goldens = [{"prompt": p, "input_ids": golden_ids(sp, p)} for p in prompts]

    # 1f: model outputs
    outputs = []
    for prompt in OUTPUT_CANDIDATES:
        ids = golden_ids(sp, prompt)
        logits = numpy_logits(ids, table, heads)
        if not stable(logits, eps=LOGIT_EPS):
            continue  # too close to a rounding edge for onnxruntime's float32 logits
        outputs.append({"prompt": prompt, "input_ids": ids, "logits": logits, "result": reference_result(logits)})
    outputs = outputs[:20]
    firsts = {o["result"]["task_type_1"] for o in outputs}
    seconds_na = sum(o["result"]["task_type_2"] == "NA" for o in outputs)
    few_zero = sum(o["result"]["number_of_few_shots"] == 0 for o in outputs)
    print(f"outputs: {len(outputs)} prompts (of {len(OUTPUT_CANDIDATES)} candidates), task_type_1 values {sorted(firsts)}, "
          f"task_type_2 NA x{seconds_na}, few-shots 0 x{few_zero}")
    varied = len(outputs) >= 15 and len(firsts) >= 4 and 0 < seconds_na < len(outputs) and 0 < few_zero < len(outputs)

    cases = postprocess_cases()

    write_json_lines(FIX / "golden-ids.json", goldens)
    write_json_lines(FIX / "golden-outputs.json", outputs)
    write_json(FIX / "postprocess-cases.json", cases, indent=1)
    assert varied, "golden outputs are not varied enough: retune HEAD_SHAPE"

    if verify:
        unsafe_ids = [golden_ids(sp, p)[1:-1] for p in UNSAFE_FOR_GOLDENS]
        softmax_inputs = [logits for case in cases for logits in case["logits"].values()]
        checked = node_check(prompts + UNSAFE_FOR_GOLDENS, [o["input_ids"] for o in outputs], softmax_inputs)
        if checked is not None:
            bad = 0
            for g, got in zip(goldens, checked["ids"][:len(goldens)]):
                if [1] + got[:MAX_IDS - 2] + [2] != g["input_ids"]:
                    bad += 1
                    print(f"verify: HF tokenizers DISAGREES with SentencePiece on {g['prompt'][:60]!r}")
            for p, want, got in zip(UNSAFE_FOR_GOLDENS, unsafe_ids, checked["ids"][len(goldens):]):
                print(f"verify: known-unsafe {p!r}: sentencepiece {want} hf {got}")
            assert bad == 0, "goldens must only hold prompts both engines agree on"
            print(f"verify: HF tokenizers == SentencePiece on all {len(goldens)} golden prompts")
            js_probs = {tuple(x): y for x, y in zip(softmax_inputs, checked["softmax"])}
            differing = sum(softmax(x) != y for x, y in zip(softmax_inputs, checked["softmax"]))
            changed = [c["name"] for c in cases
                       if reference_result(c["logits"], lambda xs: js_probs[tuple(xs)]) != c["expected"]]
            print(f"verify: softmax with V8's Math.exp differs from math.exp (by an ulp) on {differing} of "
                  f"{len(softmax_inputs)} postprocess-case heads; expected results unchanged: {not changed}")
            assert not changed, changed
            if checked.get("logits") is not None:
                assert checked["output_names"] == [name for name, _ in HEADS], checked["output_names"]
                worst = 0.0
                for o, got in zip(outputs, checked["logits"]):
                    for name, _ in HEADS:
                        worst = max(worst, max(abs(a - b) for a, b in zip(o["logits"][name], got[name])))
                same = all(reference_result(got) == o["result"] for o, got in zip(outputs, checked["logits"]))
                print(f"verify: onnxruntime vs numpy logits, max abs difference {worst:.3g}; "
                      f"results from onnxruntime's logits identical: {same}")
                assert worst < LOGIT_EPS and same
            else:
                print("verify: onnxruntime check skipped:", checked.get("ort_error"))

    written = [FIX / "corpus.txt", FIX / "golden-ids.json", FIX / "golden-outputs.json", FIX / "postprocess-cases.json"]
    written += [f for d in (json_dir, spm_dir, sorted_dir) for f in d.rglob("*") if f.is_file()]
    total = sum(f.stat().st_size for f in written)
    print(f"fixtures: {len(written)} files, {total} bytes")


if __name__ == "__main__":
    main()
