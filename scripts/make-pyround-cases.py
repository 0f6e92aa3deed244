"""Writes test/fixtures/pyround-cases.json: [x, ndigits, round(x, ndigits)] computed by Python itself,
the reference that src/core/pyround.ts must reproduce. Run with /usr/bin/python3."""
import json
import random
from pathlib import Path

random.seed(7)
cases = [(2.675, 2), (0.125, 2), (0.375, 2), (2.5, 0), (3.5, 0), (0.03125, 4), (0.09375, 4), (-0.125, 2),
         (0.1 + 0.2, 1), (1e-20, 5), (123456.789, 2), (0.5, 3), (0.05, 1), (0.15, 1), (0.25, 1), (0.35, 1),
         (1.0000000000000002, 5), (0.27822499999999994, 5), (0.9999999, 4), (5e-324, 3), (1e300, 2), (-2.5, 0)]
cases += [(random.uniform(-2, 2), random.randint(0, 6)) for _ in range(200)]
out = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "pyround-cases.json"
out.write_text(json.dumps([[x, n, round(x, n)] for x, n in cases]) + "\n")
print(out, len(cases), "cases")
