"""``python -m gnet_lib`` / ``gnet``: the command line of the book's engine.

The engine modules (training, data, benchmarks, plots) are imported when a command first uses
them, so that ``gnet --help`` and a refused command load no more than the package itself.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import shlex
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .book.student import make_student_edition
from .core.architectures import CIFAR_MODEL_NAMES, MODEL_NAMES, get_spec
from .core.errors import UsageError
from .core.layers import layer_table
from .core.paper import compare_with_paper
from .core.tables import Table
from .training.settings.choices import CHECKPOINT_NAME, DATASETS
from .training.settings.config import TrainConfig, flag_fields
from .training.settings.locations import DEFAULT_RUNS

#: The model a command trains when none is named: TrainConfig's own default.
DEFAULT_MODEL = TrainConfig.model
from .training.results.results import ablation_table, available, load_results, output_results_dir, published_key
from .training.results.storage import CheckpointError, write_json
from .training.settings.recipes import RECIPES


class _Lazy:
    """A package module imported when one of its names is first used."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


if TYPE_CHECKING:
    from .book import plots
    from .training.data import data
    from .training.engine import train
    from .training.experiments import ablation, bench, comparison
    from .training.gpu import campaign
else:
    _ENGINE = ("training.experiments.ablation", "training.experiments.bench", "training.gpu.campaign",
               "training.experiments.comparison", "training.data.data", "book.plots", "training.engine.train")
    ablation, bench, campaign, comparison, data, plots, train = (_Lazy(f"{__package__}.{name}") for name in _ENGINE)

CIFAR_IMAGE = (3, 32, 32)
"""The image size of CIFAR and of the synthetic data; an image folder's is known once it is read."""

RESUMABLE = ("ablation", "compare", "campaign")
"""The commands that continue where they stopped when run again with the same options."""

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NO_DATA = 3
EXIT_CHECKPOINT = 4
EXIT_INTERRUPTED = 130

EXIT_CODES = f"""exit codes:
  {EXIT_OK}    success
  {EXIT_ERROR}    unexpected error (a traceback is printed)
  {EXIT_USAGE}    bad arguments or input (unknown model, bad size, unusable output path, broken spec or result file)
  {EXIT_NO_DATA}    the dataset is not available (the message says how to get it)
  {EXIT_CHECKPOINT}    a checkpoint is corrupt, missing (--resume), or belongs to another run
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C or SIGTERM): train keeps its last finished epoch in --run-dir
       (rerun with --resume to continue); ablation, compare and campaign continue when the same
       command runs again (finished runs are kept, interrupted ones go on from their last epoch)
"""


def _input_size(values: list[int]) -> tuple[int, int, int]:
    if len(values) == 1:
        return (3, values[0], values[0])
    if len(values) == 3:
        return (values[0], values[1], values[2])
    raise UsageError(f"--input-size takes one number (square RGB) or three (C H W), got {values}")


def _check_writable_above(path: Path, option: str) -> None:
    """A usage error unless the nearest existing folder above ``path`` (which the writers create
    the rest of) is a folder this process may write in."""
    existing = next(p for p in path.parents if p.exists())
    if not existing.is_dir():
        raise UsageError(f"{option} {path} cannot be written: {existing} is a file, not a folder; "
                         "choose a path inside a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path} cannot be written: {existing} is read-only for this user; "
                         "choose a folder you can write to")


def _check_output_file(path: str, option: str) -> None:
    """Before any work: a usage error unless ``path`` can be written as a file (it is not a
    folder, and its folder is or can be made writable). Creates nothing."""
    target = Path(path).absolute()
    if target.is_dir():
        raise UsageError(f"{option} {path} is a folder, but it names the file to write; give a file name, "
                         f"e.g. {Path(path) / 'result.json'}")
    _check_writable_above(target, option)


def _check_output_folder(path: str, option: str) -> None:
    """Before any work: a usage error unless ``path`` is a writable folder or can be made one
    (it is not a file, and its nearest existing parent is writable). Creates nothing."""
    target = Path(path).absolute()
    if target.exists():
        if not target.is_dir():
            raise UsageError(f"{option} {path} is a file, but it names a folder to write into; give a folder "
                             "path, or move the file away")
        if not os.access(target, os.W_OK | os.X_OK):
            raise UsageError(f"{option} {path} is read-only for this user; choose a folder you can write to")
        return
    _check_writable_above(target, option)


def _check_image_file(path: str, option: str) -> None:
    """:func:`_check_output_file`, and the name must end in an image format matplotlib can save."""
    from matplotlib.backend_bases import FigureCanvasBase

    formats = sorted(FigureCanvasBase.get_supported_filetypes())
    if Path(path).suffix.lower().lstrip(".") not in formats:
        raise UsageError(f"{option} {path}: the file name must end in an image format matplotlib can save: "
                         f"{', '.join('.' + f for f in formats)} (e.g. curves.png)")
    _check_output_file(path, option)


def _add_training_options(p: argparse.ArgumentParser, one_recipe: bool = True) -> None:
    """The training flags, one per field of :class:`~gnet_lib.training.settings.config.TrainConfig` that
    carries one (its default, help and argparse options come from the field)."""
    for f in flag_fields(() if one_recipe else ("recipe",)):
        options = {k: v for k, v in f.metadata.items() if k != "flag"}
        p.add_argument(f.metadata["flag"], dest=f.name, default=f.default, **options)


def _config(args: argparse.Namespace, **overrides: Any) -> TrainConfig:
    """The run the command's training flags describe (every flag read back by its field's name)."""
    values = {f.name: getattr(args, f.name) for f in flag_fields() if hasattr(args, f.name)}
    config = TrainConfig(**{**values, **overrides})
    _check_before_work(config)
    return config


def _check_before_work(config: TrainConfig) -> None:
    """Every check that needs no training and no decoded data: names, the model against the image
    size where it is known, sizes against the split sizes (counted, not loaded), so that a mistake
    stops the command at once."""
    config.validate()
    if data.dataset_key(config.dataset, config.data_dir) in DATASETS:  # CIFAR or synthetic, not an image folder
        layer_table(config.spec(), input_size=CIFAR_IMAGE)  # a model too big for the images fails before any download
    sizes = data.split_sizes(config.dataset, config.data_dir, config.synthetic_sizes)
    config.check_sizes(sizes)


def cmd_models(args: argparse.Namespace) -> int:
    rows = []
    for name in MODEL_NAMES:
        spec = get_spec(name)
        t = layer_table(spec)
        rows.append({"name": name, "title": spec.title, "input": spec.input_size, "classes": spec.num_classes,
                     "params": t.total_params, "MACs": t.main_path_macs})
    print(Table(tuple(rows[0]), rows).to_text())
    return EXIT_OK


def cmd_table(args: argparse.Namespace) -> int:
    if args.paper:
        table = compare_with_paper()
    else:
        size = _input_size(args.input_size) if args.input_size else None
        aux = {"aux_logits": False} if args.no_aux else {}
        table = layer_table(args.model, input_size=size, num_classes=args.classes, **aux)
        if args.blocks:
            table = table.block_totals()
    print(table.to_markdown() if args.format == "markdown" else table.to_text())
    return EXIT_OK


def _check_resume(run_dir: str | None) -> None:
    """``--resume`` needs a ``--run-dir`` that holds a checkpoint: otherwise a checkpoint error
    before any training (the engine itself starts afresh there, as an ablation's first attempt does)."""
    if run_dir is None:
        raise CheckpointError("--resume needs --run-dir, the folder that holds the run's checkpoint; "
                              "give it, or drop --resume to start a new run")
    if not (Path(run_dir) / CHECKPOINT_NAME).is_file():
        raise CheckpointError(f"there is no checkpoint in {run_dir} (no {CHECKPOINT_NAME}), so there is nothing "
                              "to resume; check the folder, or drop --resume to start a new run there")


def cmd_train(args: argparse.Namespace) -> int:
    config = _config(args, model=args.model, run_dir=args.run_dir, resume=args.resume,
                     aux_logits=False if args.no_aux else None)
    if args.result:
        _check_output_file(args.result, "--result")
    if args.run_dir:
        _check_output_folder(args.run_dir, "--run-dir")
    if args.resume:
        _check_resume(args.run_dir)
    result = train.train(config, on_epoch_end=lambda m: print(train.format_epoch(m), flush=True))
    final = result.final
    print(f"done: {result.model['name']} on {result.data['name']}, test top-1 error {final['test_top1_err']:.4f}, "
          f"top-5 error {final['test_top5_err']:.4f}, {result.wall_time_s:.1f}s")
    if args.result:
        write_json(args.result, result.as_dict())
        print(f"result written to {args.result}")
    return EXIT_OK


def _ablation_command(args: argparse.Namespace) -> str:
    """The command that trains the variants missing from the table with the user's protocol: the
    dataset and recipe, then every other option given, less ``--models`` and those of showing the table."""
    defaults = vars(build_parser().parse_args(["ablation"]))
    words = ["python", "-m", "gnet_lib", "ablation", "--dataset", args.dataset, "--recipe", args.recipe]
    for dest, value in vars(args).items():
        if dest in ("command", "func", "dataset", "recipe", "models", "table_only", "protocol", "plots"):
            continue
        default = defaults[dest]
        if value is None or value is False or value == default:
            continue
        if isinstance(value, (list, tuple)) and isinstance(default, (list, tuple)) and list(value) == list(default):
            continue
        option = "--" + dest.replace("_", "-")
        if value is True:
            words.append(option)
        elif isinstance(value, (list, tuple)):
            words += [option, *map(str, value)]
        else:
            words += [option, str(value)]
    return shlex.join(words)


def _stored_protocol(args: argparse.Namespace, config: TrainConfig) -> tuple[str, str]:
    """(dataset key, protocol) of the stored results ``--table-only`` shows: ``--protocol``, which
    must be stored, or the only one stored (``none`` where none is)."""
    key = data.dataset_key(config.dataset, config.data_dir)
    choices = [p for d, r, p in available(args.results_dir) if (d, r) == (key, config.recipe)]
    folder = Path(args.results_dir) / key / config.recipe
    if args.protocol is not None:
        if args.protocol not in choices:
            raise UsageError(f"no results are stored under --protocol {args.protocol} (no folder "
                             f"{folder / args.protocol} with result files); stored protocols: "
                             f"{', '.join(choices) or 'none'}; choose one of them, or leave --protocol out")
        return key, args.protocol
    if len(choices) > 1:
        raise UsageError(f"several protocols are stored; choose one with --protocol: {', '.join(choices)} "
                         f"(folders of {folder})")
    return key, choices[0] if choices else "none"


def cmd_ablation(args: argparse.Namespace) -> int:
    config = _config(args, model=args.models[0] if args.models else DEFAULT_MODEL)
    if args.plots:
        _check_output_folder(args.plots, "--plots")
    if args.table_only:
        key, protocol = _stored_protocol(args, config)
    else:
        _check_output_folder(args.results_dir, "--results-dir")
        _check_output_folder(args.runs_dir, "--runs-dir")
        plan = ablation.run_ablation(config, models=args.models, results_dir=args.results_dir, runs_dir=args.runs_dir,
                                     devices=args.devices)
        key, protocol = plan.dataset_key, plan.protocol
    results = load_results(args.results_dir, key, config.recipe, protocol)
    print(ablation_table(results, key, config.recipe, _ablation_command(args)).to_markdown())
    if args.plots:
        out = Path(args.plots)
        out.mkdir(parents=True, exist_ok=True)
        pub = published_key(key)
        plots.error_vs_params(results, pub).savefig(out / "error_vs_params.png", dpi=120)
        plots.error_vs_time(results, pub).savefig(out / "error_vs_time.png", dpi=120)
        plots.training_curves({m: r["history"] for m, r in results.items()}).savefig(out / "training_curves.png", dpi=120)
        print(f"plots written to {out}")
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    config = _config(args, model=args.model, recipe=args.recipes[0])
    _check_output_folder(args.output, "--output")
    _check_output_folder(args.runs_dir, "--runs-dir")
    if args.plot:
        _check_image_file(args.plot, "--plot")
    results = comparison.compare_recipes(config, args.recipes, args.output, runs_dir=args.runs_dir)
    print(comparison.recipe_table(results, reference=args.recipes[0]).to_markdown())
    print("\n".join(comparison.summarize(results, reference=args.recipes[0])))
    if args.plot:
        plots.recipe_curves(results, reference=args.recipes[0]).savefig(args.plot, dpi=120)
        print(f"plot written to {args.plot}")
    return EXIT_OK


def cmd_bench(args: argparse.Namespace) -> int:
    for model in args.models or [args.model]:
        bench.check_settings(model, args.batch_size, args.steps, args.warmup, args.rounds)
    if args.output:
        _check_output_file(args.output, "--output")
    if args.models:
        steps = bench.VARIANT_STEPS if args.steps is None else args.steps
        speeds = bench.variant_speeds(args.models, args.batch_size, steps, args.rounds, args.device)
        print(bench.speed_table(speeds, "googlenet" if "googlenet" in args.models else args.models[0]).to_text())
        result = speeds
    else:
        measured = bench.benchmark(args.model, args.batch_size, args.steps, args.warmup, args.rounds, args.device,
                                   args.compile)
        print(measured.summary())
        result = measured.as_dict()
    if args.output:
        write_json(args.output, result)
        print(f"written to {args.output}")
    return EXIT_OK


def cmd_campaign(args: argparse.Namespace) -> int:
    if not args.dry_run and not args.data_dir:
        raise UsageError("campaign needs --data-dir (CIFAR-10 in torchvision's format or an image folder), or --dry-run")
    for option, path, default in (("--results-dir", args.results_dir, str(output_results_dir())), ("--runs-dir", args.runs_dir, str(DEFAULT_RUNS))):
        if path is not None or not args.dry_run:  # a dry run's own folders are new temporary ones
            _check_output_folder(path or default, option)
    if args.deliver is not None:
        _check_output_folder(args.deliver, "--deliver")
    settings = campaign.CampaignSettings(args.data_dir, args.results_dir and Path(args.results_dir),
                                         args.runs_dir and Path(args.runs_dir), args.budget_minutes, args.dry_run,
                                         args.probe and Path(args.probe), args.deliver and Path(args.deliver),
                                         args.plan_only)
    campaign.run_campaign(settings, log=lambda line: print(line, flush=True))
    return EXIT_OK


def cmd_student(args: argparse.Namespace) -> int:
    written = make_student_edition(args.source, args.destination, args.colab_base)
    print(f"student edition: {len(written)} notebooks written to {args.destination}")
    return EXIT_OK


def _add_models(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="list the model names with their size")
    p.set_defaults(func=cmd_models)


def _add_table(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("table", help="print a model's layer table (shapes, parameters, MACs)", epilog=EXIT_CODES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", nargs="?", default="inception-v1", help=f"one of: {', '.join(MODEL_NAMES)}")
    p.add_argument("--input-size", type=int, nargs="+", metavar="N", help="H (square RGB) or C H W")
    p.add_argument("--classes", type=int, help="number of classes (default: the model's)")
    p.add_argument("--no-aux", action="store_true", help="leave out the auxiliary heads")
    p.add_argument("--blocks", action="store_true", help="one row per block instead of per layer")
    p.add_argument("--paper", action="store_true", help="the paper's Table 1 beside our exact values")
    p.add_argument("--format", choices=("text", "markdown"), default="text")
    p.set_defaults(func=cmd_table)


def _add_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train one model", epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=DEFAULT_MODEL, help=f"one of: {', '.join(MODEL_NAMES)} (default: {DEFAULT_MODEL})")
    p.add_argument("--no-aux", action="store_true", help="leave out the auxiliary heads of models that have them")
    p.add_argument("--run-dir", help="folder for the checkpoint written after every epoch")
    p.add_argument("--resume", action="store_true", help="continue the run whose checkpoint is in --run-dir")
    p.add_argument("--result", help="write the result (metrics and provenance) to this JSON file")
    _add_training_options(p)
    p.set_defaults(func=cmd_train)


def _add_ablation(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ablation", help="train source 000's seven CIFAR variants and tabulate them", epilog=EXIT_CODES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", nargs="+", default=list(CIFAR_MODEL_NAMES), help="which variants (default: all seven)")
    p.add_argument("--results-dir", default=str(output_results_dir()),
                   help="where result files go (default: $GNET_RESULTS if set, else results)")
    p.add_argument("--runs-dir", default=str(DEFAULT_RUNS), help=f"where checkpoints go (default: {DEFAULT_RUNS})")
    p.add_argument("--devices", nargs="+", help="devices to spread runs over, one run each (default: every GPU, else auto)")
    p.add_argument("--table-only", action="store_true", help="do not train; print the table from existing results")
    p.add_argument("--protocol", help="with --table-only: which stored protocol folder to show, e.g. 5000x1000-e4-s1 "
                                      "(default: the only one stored)")
    p.add_argument("--plots", help="also save the ablation plots into this folder")
    _add_training_options(p)
    p.set_defaults(func=cmd_ablation)


def _add_compare(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="train one model with several recipes and compare their time to accuracy",
                       epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=DEFAULT_MODEL, help=f"one of: {', '.join(MODEL_NAMES)} (default: {DEFAULT_MODEL})")
    p.add_argument("--recipes", nargs="+", default=["seed", "fast"], choices=sorted(RECIPES),
                   help="recipes to train; the first is the reference whose final error the others must reach "
                        "(default: seed fast)")
    p.add_argument("--output", required=True, help="folder for the result files, one per recipe (finished ones are skipped)")
    p.add_argument("--runs-dir", default=str(DEFAULT_RUNS), help=f"where checkpoints go (default: {DEFAULT_RUNS})")
    p.add_argument("--plot", help="also save the error curves to this image file")
    _add_training_options(p, one_recipe=False)
    p.set_defaults(func=cmd_compare)


def _add_bench(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="training throughput: our engine against a plain loop", epilog=EXIT_CODES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=DEFAULT_MODEL)
    p.add_argument("--models", nargs="+", choices=MODEL_NAMES, metavar="MODEL",
                   help="instead: the engine's training speed of each of these models, side by side, with their "
                        "MACs per image and source 000's published times (relative to googlenet)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--steps", type=int, help="timed steps per round (default: 200 on CUDA, 8 on CPU; 6 with --models)")
    p.add_argument("--warmup", type=int, help="untimed steps first (default: 30 on CUDA, 2 on CPU)")
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds; the best of each counts (default: 2)")
    p.add_argument("--device", default="auto")
    p.add_argument("--compile", action="store_true", help="torch.compile our engine's model")
    p.add_argument("--output", help="write the measurement to this JSON file")
    p.set_defaults(func=cmd_bench)


def _add_campaign(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("campaign", help="every GPU result of the book in one resumable command, planned to fit a "
                                        "time budget (the ablation's seeds, naive, recipes, weights, mid-scale runs)",
                       epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", help="CIFAR-10: torchvision's format or an image folder with train/ and test/")
    p.add_argument("--results-dir", help="where result files go (default: $GNET_RESULTS if set, else results; "
                                          "with --dry-run a new temporary folder)")
    p.add_argument("--runs-dir", help="where checkpoints go (default: runs; with --dry-run a new temporary folder)")
    p.add_argument("--budget-minutes", type=float, help="stop cleanly before this many minutes (checkpoint written, "
                                                        "exit 0); rerun the same command to continue")
    p.add_argument("--dry-run", action="store_true", help="the same steps on the CPU with tiny synthetic data")
    p.add_argument("--probe", help="the first-contact probe's report (tools/gpu_probe.py) that chooses the settings and "
                                   "estimates the plan (default: bench/gpu-probe.json in the book's results, if there)")
    p.add_argument("--deliver", help="a folder that receives results.tar, with every finished result file, each time "
                                     "one is written")
    p.add_argument("--plan-only", action="store_true", help="print the window plan (each step's estimated minutes "
                                                            "and their total; the data is loaded to see what is "
                                                            "stored) and stop")
    p.set_defaults(func=cmd_campaign)


def _add_student(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("student", help="write the student edition of the notebooks (solutions removed)")
    p.add_argument("source", nargs="?", default="notebooks", help="instructor notebooks (default: notebooks)")
    p.add_argument("destination", nargs="?", default="student", help="output folder (default: student)")
    p.add_argument("--colab-base", help="URL of the folder where you publish the student notebooks; their Colab "
                                        "badges then point there (default: badges are removed, since they would "
                                        "open the instructor edition)")
    p.set_defaults(func=cmd_student)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gnet",
        description="GoogLeNet (Inception v1): exact layer tables, training, the CIFAR ablation, benchmarks.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_models, _add_table, _add_train, _add_ablation, _add_compare, _add_bench, _add_campaign, _add_student):
        add(sub)
    return parser


def _interrupt_message(args: argparse.Namespace) -> str:
    """What an interrupted command kept, and what continues its work."""
    if args.command == "train":
        if not args.run_dir:
            return "interrupted; without --run-dir no epoch was checkpointed, so a new run starts from the beginning"
        if (Path(args.run_dir) / CHECKPOINT_NAME).is_file():
            return (f"interrupted; the last finished epoch is checkpointed in {args.run_dir}: rerun with --resume "
                    "to continue")
        return (f"interrupted before an epoch finished, so {args.run_dir} holds no checkpoint: run the command again "
                "without --resume to start over")
    if args.command == "campaign" and args.dry_run and None in (args.results_dir, args.runs_dir):
        return ("interrupted; this dry run wrote into a new temporary folder, so running it again starts over "
                "(a dry run given --results-dir and --runs-dir continues where it stopped)")
    if args.command in RESUMABLE and not getattr(args, "table_only", False):
        return ("interrupted; run the same command again: finished runs are kept and interrupted ones continue "
                "from their last epoch")
    return "interrupted"


_AUX_HINT = re.compile(r"\([^()]*aux_logits=False[^()]*\)")


def _cli_wording(message: str, args: argparse.Namespace) -> str:
    """An engine message in the command line's terms: the library's ``(aux_logits=False ...)`` hint
    becomes the ``--no-aux`` flag of the commands that have it, and says which have it elsewhere."""
    if "no_aux" in vars(args):
        return _AUX_HINT.sub("(--no-aux)", message)
    return _AUX_HINT.sub(f"(--no-aux of gnet train and gnet table; gnet {args.command} always builds them)", message)


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a scheduler, ``kill``, a notebook shutdown) raises KeyboardInterrupt inside, as
    Ctrl-C does; the previous handler is restored after, even when the signal comes at once.
    Outside the main thread, nothing changes."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, handler)
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _forget_escaped_interrupt() -> None:
    """Clear CPython's mark of a KeyboardInterrupt that escaped an ``exec`` or ``eval`` of a string.

    Dataclasses and named tuples build their methods that way while modules import; an interrupt
    arriving there sets the mark, and ``python -m`` then ends the process by SIGINT at exit whatever
    code the program returns (``Py_RunMain`` in CPython's Modules/main.c). The next string run
    clears the mark, so an interrupt this command line has handled exits with its own code, 130."""
    exec("None")  # noqa: S102 - a constant string, run only to reset the interpreter's mark


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with _sigterm_as_interrupt():
            return args.func(args)
    except KeyboardInterrupt:
        _forget_escaped_interrupt()
        print(f"\ngnet: {_interrupt_message(args)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except UsageError as exc:
        print(f"gnet: {_cli_wording(str(exc), args)}", file=sys.stderr)
        return EXIT_USAGE
    except CheckpointError as exc:
        print(f"gnet: checkpoint problem: {exc}", file=sys.stderr)
        return EXIT_CHECKPOINT
    except data.DataUnavailableError as exc:
        print(f"gnet: data not available:\n{exc}", file=sys.stderr)
        return EXIT_NO_DATA
    except Exception:  # noqa: BLE001 - the last resort keeps its traceback
        traceback.print_exc()
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
