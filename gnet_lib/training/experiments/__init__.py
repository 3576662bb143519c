"""Experiments built on the engine: the ablation, the mid-scale protocol, recipes compared, the evaluation variants on
a stored model, the benchmark against a plain loop, and the runner of child processes."""
