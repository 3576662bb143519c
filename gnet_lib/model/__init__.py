"""The network in PyTorch: one builder from a spec to ``torch.nn`` (:mod:`.builder`), weight
initialisation (:mod:`.init`), models by name (:mod:`.by_name`), the check of every analytic row
against the built modules (:mod:`.verify`), and the same networks written as plain PyTorch
(:mod:`.plain_googlenet`). It imports :mod:`gnet_lib.core` and nothing else of the package."""
