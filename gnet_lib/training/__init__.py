"""Training and results, in layers that import downwards only (``tests/test_package.py``):

``settings`` (recipes, configuration, folders) at the bottom; ``data`` and ``results`` on it;
``engine`` (the training loop) on those; ``experiments`` (ablation, mid-scale protocol,
benchmark, recipe comparison) on the engine; ``analysis`` (statistics of stored results) and ``gpu`` (planning a
GPU window) at the top. All of it imports :mod:`gnet_lib.core` and :mod:`gnet_lib.model`, never
the book's helpers or the exercises."""
