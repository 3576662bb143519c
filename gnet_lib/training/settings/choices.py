"""The named choices the engine and its command line share, in a module that imports nothing, so
that building the command line's parser loads no engine (and no torch)."""

#: The datasets ``--dataset`` accepts.
DATASETS = ("cifar10", "cifar100", "synthetic")
#: The training precisions ``--precision`` accepts (see :func:`gnet_lib.training.engine.train.pick_precision`).
PRECISIONS = ("auto", "bf16", "fp16", "fp32")
#: The evaluation precisions ``--eval-precision`` accepts (see :func:`gnet_lib.training.engine.evaluation.pick_eval_precision`).
EVAL_PRECISIONS = ("auto", "bf16", "fp32")
#: The file a run keeps its checkpoint in, inside its run folder.
CHECKPOINT_NAME = "checkpoint.pt"

#: The synthetic dataset's (train, test) sizes wherever none are given: the one place they are set.
SYNTHETIC_SIZES: tuple[int, int] = (2000, 500)
