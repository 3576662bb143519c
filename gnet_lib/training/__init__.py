"""Training and results: data, recipes, the resumable engine, result files and their statistics,
the ablation, the recipe comparison, the GPU campaign and the benchmarks, trained weights and
what a trained model does. It imports :mod:`gnet_lib.core` and :mod:`gnet_lib.model`, never the
book's helpers or the exercises."""
