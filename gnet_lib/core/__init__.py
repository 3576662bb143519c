"""The architecture as data and its arithmetic, without PyTorch.

The building blocks (:mod:`.specs`), the named networks (:mod:`.architectures`, from the paper's
Table 1 in :mod:`.table1`), the output-size rules (:mod:`.shapes`, :mod:`.geometry`), the analytic
layer walk (:mod:`.layers`) and everything the book computes from it: what the 1x1 bottleneck
saves, factorised convolutions, the separable stem, where the cost goes, the baselines, the
published figures. Nothing here imports PyTorch or any other layer of the package, so the book's
analytic chapters run where only Python is (a test enforces both).
"""
