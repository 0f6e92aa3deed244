"""PyTorch eager on the full-size proxy: the old service's path (the model card's code), for comparison.
usage: /usr/bin/python3 bench/torch_eager.py PROXY_SRC_DIR STATE_DICT 16,64,256 RUNS
Prints JSON: p50/p95 per length at the prompt's own length, and one forward padded to 512 tokens
(the card's tokenizer call pads every prompt to max_length)."""
import json
import sys
import time

import torch

src, state, lengths, runs = sys.argv[1], sys.argv[2], [int(n) for n in sys.argv[3].split(",")], int(sys.argv[4])
sys.path.insert(0, src)
from proxy_model import Proxy  # noqa: E402  (the proxy's own definition, from shared/tools/proxy-model)

torch.set_num_threads(1)
model = Proxy().eval()
model.load_state_dict(torch.load(state))


def timed(ids, mask, repeat):
    out = []
    with torch.inference_mode():
        for _ in range(2):
            model(ids, mask)
        for _ in range(repeat):
            start = time.perf_counter()
            model(ids, mask)
            out.append((time.perf_counter() - start) * 1000)
    out.sort()
    return round(out[len(out) // 2], 1), round(out[min(len(out) - 1, int(len(out) * 0.95))], 1)


results = []
for n in lengths:
    ids = torch.randint(5, 900, (1, n))
    p50, p95 = timed(ids, torch.ones(1, n, dtype=torch.int64), runs)
    results.append({"tokens": n, "p50_ms": p50, "p95_ms": p95})
padded_mask = torch.zeros(1, 512, dtype=torch.int64)
padded_mask[0, :16] = 1
pad50, _ = timed(torch.randint(5, 900, (1, 512)), padded_mask, 3)
print(json.dumps({"threads": 1, "results": results, "padded_to_512_p50_ms": pad50}))
