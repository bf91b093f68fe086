"""Demo data: invented providers and people on real frameworks, loaded by `placement-exchange seed-demo`."""
