"""Writes small ONNX graphs that are NOT valid classifiers, for the robustness tests:
  test/fixtures/bad-models/seven-outputs.onnx   seven logit outputs instead of eight
  test/fixtures/bad-models/wrong-sizes.onnx     eight outputs named after the heads, task_type with 11 classes
  test/fixtures/bad-models/unnamed-outputs.onnx eight outputs named logits_0..7 (canonical order by position)
Run with /usr/bin/python3 (Debian's python3-onnx and python3-numpy)."""
from pathlib import Path
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HEADS = [("task_type", 12), ("creativity_scope", 3), ("reasoning", 2), ("contextual_knowledge", 2),
         ("number_of_few_shots", 6), ("domain_knowledge", 4), ("no_label_reason", 1), ("constraint_ct", 2)]
OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "bad-models"


def graph(heads, names):
    """input_ids/attention_mask -> mean of masked one-hot-ish embedding -> one Gemm per head."""
    dim = 4
    emb = np.linspace(-1, 1, 64 * dim, dtype=np.float32).reshape(64, dim)
    inits = [numpy_helper.from_array(emb, "emb"), numpy_helper.from_array(np.array(64, np.int64), "vocab"),
             numpy_helper.from_array(np.array([-1], np.int64), "axis_last")]
    nodes = [helper.make_node("Mod", ["input_ids", "vocab"], ["ids"]),
             helper.make_node("Gather", ["emb", "ids"], ["vectors"]),
             helper.make_node("Cast", ["attention_mask"], ["mask"], to=TensorProto.FLOAT),
             helper.make_node("Unsqueeze", ["mask", "axis_last"], ["mask3"]),
             helper.make_node("Mul", ["vectors", "mask3"], ["masked"]),
             helper.make_node("ReduceMean", ["masked"], ["pooled"], axes=[1], keepdims=0)]
    outputs = []
    for index, ((_, size), name) in enumerate(zip(heads, names)):
        weights = np.full((dim, size), 0.1 * (index + 1), np.float32)
        bias = np.arange(size, dtype=np.float32) * 0.01
        inits += [numpy_helper.from_array(weights, f"w{index}"), numpy_helper.from_array(bias, f"b{index}")]
        nodes.append(helper.make_node("Gemm", ["pooled", f"w{index}", f"b{index}"], [name]))
        outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", size]))
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "seq"]) for n in ("input_ids", "attention_mask")]
    model = helper.make_model(helper.make_graph(nodes, "not_a_classifier", inputs, outputs, inits),
                              opset_imports=[helper.make_opsetid("", 13)], producer_name="qwen-router-fixtures")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


OUT.mkdir(parents=True, exist_ok=True)
onnx.save(graph(HEADS[:7], [n for n, _ in HEADS[:7]]), OUT / "seven-outputs.onnx")
onnx.save(graph([("task_type", 11)] + HEADS[1:], [n for n, _ in HEADS]), OUT / "wrong-sizes.onnx")
onnx.save(graph(HEADS, [f"logits_{i}" for i in range(8)]), OUT / "unnamed-outputs.onnx")
for path in sorted(OUT.glob("*.onnx")):
    print(path.name, path.stat().st_size, "bytes")
