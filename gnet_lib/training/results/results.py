"""Result files of finished runs, and the ablation table set beside source 000's.

One JSON file per run at ``<results>/<dataset key>/<recipe>/<model>.json``, holding the whole
:class:`~gnet_lib.training.engine.train.RunResult`: configuration, recipe, model size, data provenance,
device and software versions, git commit, dates, wall time and every epoch's metrics.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ...core.architectures import CIFAR_MODEL_NAMES, get_spec
from ...core.errors import UsageError
from ...core.published import SOURCE_000
from ...core.tables import Table
from ...core.version import __version__
from ..settings import environment_variables
from ..settings.locations import CHECKOUT_RESULTS, PACKAGED_RESULTS
from ..settings.recipes import get_recipe
from .run_notes import precision

#: The result file format. 1: files without a ``schema`` field; 2: adds the data fingerprint,
#: ``subset_seed``, ``final_test_size`` (identity) and ``final_test`` (per-image predictions).
RESULT_SCHEMA = 2

#: Identity fields that may be absent, with the value an absent one means. A field added later
#: with its default here leaves every older result valid.
#: Marks an identity field every result file has had, so it has no default.
REQUIRED = "required"

#: Every field of a run's identity, in the order files store them (:func:`gnet_lib.training.engine.train.config_identity`
#: writes each one): ``REQUIRED`` for a field every result file has had, otherwise the value that a
#: file written before the field existed counts as. A new field is declared here with its default,
#: and every stored result stays valid without a special case.
IDENTITY_FIELDS: dict[str, Any] = {
    "model": REQUIRED, "model_options": REQUIRED, "dataset": REQUIRED, "data_fingerprint": None,
    "train_size": REQUIRED, "test_size": REQUIRED, "num_classes": REQUIRED, "recipe": REQUIRED, "seed": REQUIRED,
    "precision": REQUIRED, "compile": REQUIRED, "conv_bias_grad": True, "validation": None, "subset_seed": None,
    "final_test_size": None, "eval_precision": "fp32",
}

#: The identity fields that older files may lack, with the value an absent one means.
IDENTITY_DEFAULTS: dict[str, Any] = {k: v for k, v in IDENTITY_FIELDS.items() if v != REQUIRED}

#: Recipe fields that may be absent from a stored identity's recipe, with the value an absent one means.
RECIPE_DEFAULTS: dict[str, Any] = {"resize_stages": []}

#: Identity fields whose absence in a stored file means "not recorded", not a different value:
#: files of schema 1 did not fingerprint their data and are trusted on dataset key and sizes.
UNRECORDED_MATCHES = ("data_fingerprint",)


def _filled(values: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """``values`` with each default it lacks added after its own fields (the order tables show)."""
    return {**values, **{k: v for k, v in defaults.items() if k not in values}}


def with_defaults(identity: dict[str, Any]) -> dict[str, Any]:
    """``identity`` with every declared field it lacks set to its default (:data:`IDENTITY_DEFAULTS`,
    and :data:`RECIPE_DEFAULTS` inside its recipe): the form in which identities are compared."""
    out = _filled(identity, IDENTITY_DEFAULTS)
    if isinstance(out.get("recipe"), dict):
        out["recipe"] = _filled(out["recipe"], RECIPE_DEFAULTS)
    return out


def schema_of(result: dict[str, Any]) -> int:
    """The result schema a stored result was written with (1 for files from before the field);
    a newer schema than this gnet_lib reads, or a value that is no schema number, is refused."""
    version = result.get("schema", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise UsageError(f"its schema is {version!r}, not a schema number (a whole number from 1); "
                         "the file is damaged: delete it or regenerate it")
    if version > RESULT_SCHEMA:
        raise UsageError(f"it was written with result schema {version}, and this gnet_lib ({__version__}) reads "
                         f"schemas 1 to {RESULT_SCHEMA}: upgrade gnet_lib to read it")
    return version


def _from_schema_1(out: dict[str, Any]) -> None:
    """Schema 1 to 2, in place: each epoch its ``train_images`` (rate times time, as the oldest
    files give it), an environment that recorded the precision only as the old ``amp_bf16``
    switch its ``precision``, and a device name with the old "(1 threads)" the singular."""
    out["history"] = [h if "train_images" in h or "images_per_s" not in h
                      else {**h, "train_images": round(h["images_per_s"] * h["epoch_time_s"])} for h in out["history"]]
    env = dict(out["environment"])
    if isinstance(env.get("device_name"), str):
        env["device_name"] = env["device_name"].replace("(1 threads)", "(1 thread)")  # files before the plural was fixed
    if "precision" not in env and "amp_bf16" in env:
        if env["amp_bf16"]:
            env["precision"] = "bf16 autocast"
        elif env.get("device") == "cpu":
            env["precision"] = "fp32"
    out["environment"] = env


def migrate(result: dict[str, Any]) -> dict[str, Any]:
    """A stored result in the shape of the current schema, whatever schema wrote it (a new dict; the
    file is not changed). The one place that knows older files: the steps from each older schema
    (:func:`schema_of` says which apply), then, for every file, the declared defaults of the
    identity and recipe fields added since it was written (:data:`IDENTITY_DEFAULTS`,
    :data:`RECIPE_DEFAULTS`), which need no schema step of their own."""
    version = schema_of(result)
    out = dict(result)
    if version < 2:
        _from_schema_1(out)
    if isinstance(out.get("identity"), dict):
        out["identity"] = with_defaults(out["identity"])
    out["recipe"] = _filled(out["recipe"], RECIPE_DEFAULTS)
    out["schema"] = RESULT_SCHEMA
    return out


def identity_differences(stored: dict[str, Any] | None, wanted: dict[str, Any]) -> list[str]:
    """Readable lines naming each setting in which ``stored`` differs from ``wanted`` (absent
    fields count as their declared defaults, :func:`with_defaults`)."""
    if stored is None:
        return ["the stored file records no settings (written before gnet_lib recorded them)"]
    stored, wanted = with_defaults(stored), with_defaults(wanted)
    for key in UNRECORDED_MATCHES:
        if stored[key] is None:
            stored[key] = wanted[key]
    return _differences(stored, wanted)


def _differences(stored: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    lines = []
    for key in sorted(set(stored) | set(wanted)):
        a, b = stored.get(key), wanted.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            lines += [f"{key}.{line}" for line in _differences(a, b)]
        elif a != b:
            lines.append(f"{key}: stored {a!r}, this run {b!r}")
    return lines


def protocol_name(identity: dict[str, Any]) -> str:
    """The folder name of a run's protocol: subset sizes, epochs, seed, and any recipe override,
    e.g. ``5000x1000-e4-s1``, ``50000x10000-e14-s1-b128``, or ``8000x2000-e6-s1-val`` for a run
    evaluated on a validation split. A run with a final test on the whole split names that size
    and the per-epoch curve's (``10000x10000-c2000-e14-s2``); a fixed subset seed is ``-d1``.
    A precision set to other than bf16 or auto is named (``-fp32``), and so is a batch norm eps other than the
    model's default (``-eps1e-5`` where source 000's quirk is corrected, ``-epsquirk`` where it is
    switched on), and so are frozen convolution biases (``-nobiasgrad``) and an evaluation in bf16
    (``-evalbf16``), so that such runs never share a folder with the plain one."""
    identity = with_defaults(identity)
    recipe = identity["recipe"]
    final = identity["final_test_size"]
    name = f"{identity['train_size']}x{final}-c{identity['test_size']}" if final else f"{identity['train_size']}x{identity['test_size']}"
    name += f"-e{recipe['epochs']}-s{identity['seed']}"
    if identity["subset_seed"] is not None:
        name += f"-d{identity['subset_seed']}"
    base = get_recipe(recipe["name"]).as_dict()
    for field_name, short in (("batch_size", "b"), ("lr", "lr")):
        if recipe[field_name] != base[field_name]:
            name += f"-{short}{recipe[field_name]:g}"
    if identity["precision"] not in ("auto", "bf16"):
        name += f"-{identity['precision']}"
    source_eps = identity["model_options"].get("source_bn_eps")
    if source_eps is not None and source_eps != get_spec(identity["model"]).source_bn_eps:
        name += "-epsquirk" if source_eps else "-eps1e-5"
    if identity["conv_bias_grad"] is False:
        name += "-nobiasgrad"
    if identity["eval_precision"] != "fp32":
        name += f"-eval{identity['eval_precision']}"
    return name + ("-val" if identity["validation"] is not None else "")


def throughput(history: list[dict[str, Any]]) -> dict[str, float | None]:
    """Training images per second: over all epochs (total images over total seconds), and in the
    steady state, without epoch 1 (which pays for compilation, autotuning and warm caches);
    ``None`` where there is no such epoch."""

    def rate(epochs: list[dict[str, Any]]) -> float | None:
        seconds = sum(h["epoch_time_s"] for h in epochs)
        images = sum(h["train_images"] for h in epochs)
        return round(images / seconds, 2) if epochs and seconds > 0 else None

    return {"images_per_s": rate(history), "steady_images_per_s": rate(history[1:])}


def default_results_dir() -> Path:
    """Where the book reads results: ``$GNET_RESULTS`` if set, else the ``results/`` folder of
    the checkout gnet_lib runs from (a clone or an editable install), else the copy of it that
    an installed package carries (``gnet_lib/stored_results``, e.g. on Colab), else ``./results``."""
    chosen = environment_variables.results_dir()
    if chosen is not None:
        return chosen
    for folder in (CHECKOUT_RESULTS, PACKAGED_RESULTS):
        if folder.is_dir():
            return folder
    return Path("results")


def output_results_dir() -> Path:
    """Where commands write results unless told otherwise: ``$GNET_RESULTS`` if set (so that the
    book reads what they write), else ``./results`` (a checkout's own, run from its root)."""
    return environment_variables.results_dir() or Path("results")


REQUIRED_KEYS = ("config", "recipe", "model", "data", "environment", "history", "final", "wall_time_s", "started", "finished")

_NUMBER = (int, float)

#: Beyond :data:`REQUIRED_KEYS`, what the tables, plots and comparisons read from a result
#: file, per section, with its type: a file without one of them is damaged.
RESULT_FIELDS: dict[str, dict[str, Any]] = {
    "final": {"epoch": _NUMBER, "test_top1_err": _NUMBER, "test_top5_err": _NUMBER},
    "model": {"name": str, "params": _NUMBER, "macs_per_image": _NUMBER},
    "data": {"name": str, "train_size": _NUMBER, "test_size": _NUMBER},
    "recipe": {"name": str, "epochs": _NUMBER, "batch_size": _NUMBER},
    "environment": {"device_name": str},
    "config": {},
}

#: The fields of an epoch (and of a final test) that measure the machine, not the training: two runs
#: that compute the same thing, one of them interrupted and resumed, differ only in these.
MACHINE_FIELDS = ("epoch_time_s", "eval_time_s", "images_per_s", "machine_load")


def without_machine_fields(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each entry (an epoch of a history, or a final test) without :data:`MACHINE_FIELDS`: what
    the training computed, to compare runs by."""
    return [{k: v for k, v in e.items() if k not in MACHINE_FIELDS} for e in entries]


#: What every epoch of a result's ``history`` holds.
EPOCH_FIELDS: dict[str, Any] = {"epoch": _NUMBER, "epoch_time_s": _NUMBER, "eval_time_s": _NUMBER, "test_top1_err": _NUMBER}

#: What a benchmark file (``gnet bench --output``, the campaign's ``bench/*-b64.json``) holds.
BENCH_FIELDS: dict[str, Any] = {"model": str, "batch_size": _NUMBER, "engine_best": _NUMBER, "plain_best": _NUMBER}


def result_path(results_dir: str | Path, identity: dict[str, Any]) -> Path:
    """``<results>/<dataset key>/<recipe>/<protocol>/<model>.json``: the folders say what was
    run (e.g. ``results/cifar10-jpeg/seed/5000x1000-e4-s1/short3.json``)."""
    return Path(results_dir) / identity["dataset"] / identity["recipe"]["name"] / protocol_name(identity) / f"{identity['model']}.json"


class _Damaged(Exception):
    """What is wrong with a stored file, in words that follow its name."""


def _damaged_error(what: str, path: Path, problem: str, regenerate: str | None) -> UsageError:
    remedy = f"delete it and regenerate it with {regenerate}" if regenerate else "delete it and rerun the command that wrote it"
    return UsageError(f"{what} {path} {problem}; {remedy} (or restore it from git, if it is a committed file)")


def _read_stored(path: Path) -> Any:
    """The JSON value of a stored file; :class:`_Damaged` where it is unreadable, not text or not JSON."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _Damaged(f"cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Damaged(f"is not a text file (byte {raw[exc.start]:#04x} at position {exc.start} is not UTF-8)") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Damaged(f"is not valid JSON ({exc}; a file cut short by an interrupted write or copy?)") from None


def _check_fields(values: dict[str, Any], fields: dict[str, Any], where: str = "") -> None:
    """:class:`_Damaged` unless ``values`` (the section ``where``, or the top level) holds each of
    ``fields`` with its type."""
    missing = [k for k in fields if k not in values]
    if missing:
        raise _Damaged(f"lacks {', '.join(missing)}" + (f" in {where}" if where else ""))
    for key, kind in fields.items():
        if not isinstance(values[key], kind) or isinstance(values[key], bool):
            name = f"{where}.{key}" if where else key
            raise _Damaged(f"holds {_shown(values[key])} as {name}, not a {'number' if kind is _NUMBER else 'string'}")


def _check_object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Damaged(f"holds {_shown(value)} as {where}, not an object")
    return value


def _shown(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_result(data: Any) -> None:
    if not isinstance(data, dict):
        raise _Damaged(f"holds {_shown(data)}, not a result object")
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise _Damaged(f"lacks {', '.join(missing)}")
    _check_fields(data, {"wall_time_s": _NUMBER})
    for section, fields in RESULT_FIELDS.items():
        _check_fields(_check_object(data[section], section), fields, section)
    if data.get("identity") is not None:
        _check_object(data["identity"], "identity")
    history = data["history"]
    if not isinstance(history, list) or not history:
        raise _Damaged("has no epochs in its history" if history == []
                       else f"holds {_shown(history)} as history, not a list of epochs")
    for i, epoch in enumerate(history):
        _check_fields(_check_object(epoch, f"history[{i}]"), EPOCH_FIELDS, f"history[{i}]")


def load_result(path: str | Path, regenerate: str | None = None) -> dict[str, Any]:
    """Read one result file; a missing, unreadable, broken or incomplete one raises
    :class:`UsageError` naming it and saying to delete or regenerate it (with ``regenerate``,
    the command that remakes it, where the caller knows it)."""
    path = Path(path)
    if not path.exists():
        raise UsageError(f"there is no result file {path}; make it with {regenerate or 'the command that writes it'}")
    try:
        data = _read_stored(path)
        if isinstance(data, dict):
            schema_of(data)  # a newer file is named as such before its fields are judged
        _check_result(data)
    except _Damaged as exc:
        raise _damaged_error("result file", path, str(exc), regenerate) from None
    except UsageError as exc:
        raise UsageError(f"result file {path}: {exc}") from None
    return migrate(data)


def load_bench(path: str | Path, regenerate: str | None = None) -> dict[str, Any]:
    """Read one benchmark file (``gnet bench --output``); a missing or damaged one raises
    :class:`UsageError` as :func:`load_result` does."""
    path = Path(path)
    regenerate = regenerate or f"`python -m gnet_lib bench --model googlenet --batch-size N --output {path}`"
    if not path.exists():
        raise UsageError(f"there is no bench file {path}; make it with {regenerate}")
    try:
        data = _read_stored(path)
        if not isinstance(data, dict):
            raise _Damaged(f"holds {_shown(data)}, not a benchmark object")
        _check_fields(data, BENCH_FIELDS)
        if data["engine_best"] <= 0:
            raise _Damaged(f"holds engine_best {data['engine_best']}, not a positive rate")
    except _Damaged as exc:
        raise _damaged_error("bench file", path, str(exc), regenerate) from None
    return data


def reusable_result(path: str | Path, identity: dict[str, Any], regenerate: str | None = None) -> dict[str, Any] | None:
    """The result stored at ``path`` if it was made with exactly ``identity``'s settings; ``None``
    if there is none. A result of other settings is a :class:`UsageError` naming every difference,
    never silently reused; a damaged one is one too (see :func:`load_result`)."""
    path = Path(path)
    if not path.exists():
        return None
    stored = load_result(path, regenerate)
    differences = identity_differences(stored.get("identity"), identity)
    if differences:
        raise UsageError(
            f"{path} holds a result made with other settings, so it is not reused:\n  "
            + "\n  ".join(differences)
            + "\nchoose another results folder, or delete that file to replace it"
        )
    return stored


def _json_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json") if p.is_file()) if folder.is_dir() else []


def load_folder(folder: str | Path, regenerate: str | None = None) -> dict[str, dict[str, Any]]:
    """Every result file of one folder, keyed by file name without ``.json`` (empty if none);
    ``regenerate`` names the command that remakes a damaged one."""
    return {p.stem: load_result(p, regenerate) for p in _json_files(Path(folder))}


def ablation_command(dataset_key: str, recipe: str, protocol: str, model: str) -> str:
    """The command that makes one ablation result file again, in words for an error message."""
    dataset, _, form = dataset_key.partition("-")
    data_dir = " --data-dir DIR" if form else ""
    return (f"`python -m gnet_lib ablation --dataset {dataset}{data_dir} --recipe {recipe} --models {model}` plus "
            f"the options its protocol folder {protocol} names (training x test images, epochs, seed)")


def load_results(results_dir: str | Path, dataset_key: str, recipe: str, protocol: str) -> dict[str, dict[str, Any]]:
    """All results of one dataset, recipe and protocol, keyed by model name."""
    folder = Path(results_dir) / dataset_key / recipe / protocol
    return {p.stem: load_result(p, ablation_command(dataset_key, recipe, protocol, p.stem)) for p in _json_files(folder)}


# result folders of the benchmarks, recipe comparisons, validation runs, exported weights and
# the test-time evaluations of stored weights
NOT_ABLATION = ("bench", "evaluation", "recipes", "tuning", "weights")


def available(results_dir: str | Path) -> list[tuple[str, str, str]]:
    """The ``(dataset key, recipe, protocol)`` triples that have ablation result files."""
    root = Path(results_dir)
    if not root.is_dir():
        return []
    return sorted(
        (d.name, r.name, p.name)
        for d in root.iterdir()
        if d.is_dir() and d.name not in NOT_ABLATION
        for r in d.iterdir()
        if r.is_dir()
        for p in r.iterdir()
        if p.is_dir() and any(p.glob("*.json"))
    )


def protocol_parts(result: dict[str, Any], with_seed: bool = True) -> dict[str, str]:
    """What a caption says about one result, part by part (data, subset, sizes, epochs, recipe,
    batch, seed, precision, device), each part in the words the caption uses."""
    ident, data, env = result.get("identity") or {}, result["data"], result["environment"]
    recipe = result["recipe"]
    evaluated_on = "validation images held out from the training images" if ident.get("validation") is not None else "test images"
    parts = {"data": data["name"],
             "subset": "class-balanced subset" if "subset" in data.get("source", "") else "",
             "sizes": f"{data['train_size']:,} training / {data['test_size']:,} {evaluated_on}",
             "epochs": f"{recipe['epochs']} epochs", "recipe": f"recipe {recipe['name']}", "batch": f"batch {recipe['batch_size']}",
             "seed": f"seed {ident.get('seed', result['config'].get('seed'))}" if with_seed else "",
             "precision": precision(env), "device": env["device_name"]}
    return {key: text for key, text in parts.items() if text}


def _caption(parts: dict[str, str], between: str = "; ") -> str:
    """Parts of :func:`protocol_parts` (any subset of them) in the caption's words, e.g.
    ``"CIFAR-10, 60 training / 10 test images; 2 epochs of recipe seed (batch 64), seed 1; bf16 on Some CPU"``."""
    what = " of ".join(parts[k] for k in ("epochs", "recipe") if k in parts)
    if "batch" in parts:
        what = f"{what} ({parts['batch']})" if what else parts["batch"]
    if "seed" in parts:
        what = f"{what}, {parts['seed']}" if what else parts["seed"]
    groups = (", ".join(parts[k] for k in ("data", "subset", "sizes") if k in parts), what,
              " on ".join(parts[k] for k in ("precision", "device") if k in parts))
    return between.join(g for g in groups if g)


def describe_protocol(result: dict[str, Any], with_seed: bool = True) -> str:
    """A caption naming what a result is: data and subset, epochs, recipe, seed, precision, device."""
    return _caption(protocol_parts(result, with_seed))


def describe_protocols(results: dict[str, dict[str, Any]], with_seed: bool = True) -> str:
    """One caption for the rows of a table, ``results`` keyed by each row's label: what every row
    shares, said once; then, where rows differ (a batch size, a thread count, ...), each distinct
    protocol once with the rows that ran under it, so a caption never gives one row's protocol for all."""
    if not results:
        raise UsageError("no results to describe")
    parts = {label: protocol_parts(r, with_seed) for label, r in results.items()}
    keys = list(dict.fromkeys(k for p in parts.values() for k in p))
    shared = {k: v for k, v in next(iter(parts.values())).items() if all(p.get(k) == v for p in parts.values())}
    differing = [k for k in keys if k not in shared]
    caption = _caption(shared)
    if not differing:
        return caption
    rows: dict[str, list[str]] = {}
    for label, p in parts.items():
        rows.setdefault(_caption({k: p[k] for k in differing if k in p}, between=", ") or "not recorded", []).append(label)
    return f"{caption}. By row: " + "; ".join(f"{', '.join(labels)}: {what}" for what, labels in rows.items())


def format_time(seconds: float) -> str:
    """3158 -> ``"52m38s"`` (source 000's format)."""
    m, s = divmod(round(seconds), 60)
    return f"{m}m{s}s"


def published_key(dataset_key: str) -> str | None:
    """Which of source 000's tables a dataset compares with (``cifar10-jpeg`` -> ``cifar10``)."""
    base = dataset_key.split("-")[0]
    return base if base in SOURCE_000 else None


def ablation_table(results: dict[str, dict[str, Any]], dataset_key: str, recipe: str, command: str = "") -> Table:
    """Our runs beside source 000's published row for each of the seven variants.

    A variant with no result file yet shows empty cells, and the notes give the command
    that produces it. The notes name our protocol (data, subset, epochs, device) and the
    published one, so a subset run is never read as a full one.
    """
    pub = SOURCE_000.get(published_key(dataset_key) or "", {})
    rows = []
    for name in CIFAR_MODEL_NAMES:
        r = results.get(name)
        p = pub.get(name)
        rows.append(
            {
                "model": name,
                "top-1 err": round(r["final"]["test_top1_err"], 4) if r else None,
                "top-5 err": round(r["final"]["test_top5_err"], 4) if r else None,
                "params": r["model"]["params"] if r else None,
                "GMACs/image": round(r["model"]["macs_per_image"] / 1e9, 2) if r else None,
                "train img/s": r.get("throughput", {}).get("steady_images_per_s") if r else None,
                "time": format_time(r["wall_time_s"]) if r else None,
                "epochs": r["final"]["epoch"] if r else None,
                "published top-1": f"{p.top1_error:.2f}" if p else None,  # as printed: 0.10, 0.00
                "published top-5": f"{p.top5_error:.2f}" if p else None,
                "published params": p.params if p else None,
                "published time": p.time if p else None,
            }
        )
    notes = []
    done = [n for n in CIFAR_MODEL_NAMES if n in results]
    if done:
        notes.append(f"ours: {describe_protocols({name: results[name] for name in done})}")
        notes.append("train img/s: steady-state training throughput (epochs 2 on; total images over total seconds)")
    else:
        notes.append(f"no run of ours exists yet for dataset '{dataset_key}' with recipe '{recipe}'.")
    missing = [n for n in CIFAR_MODEL_NAMES if n not in results]
    if missing and command:
        notes.append(f"missing: {', '.join(missing)}; to run them: {command}")
    if pub:
        notes.append("published: source 000, full training and test sets, 14 epochs, errors printed with two "
                     "decimals, times on its own (unnamed) GPU")
    return Table(tuple(rows[0]), rows, title=f"CIFAR ablation on {dataset_key}, recipe {recipe}", notes=notes)


def results_by_seed(results_dir: str | Path, dataset_key: str, recipe: str, protocol: str,
                    seeds: list[int]) -> dict[int, dict[str, dict[str, Any]]]:
    """The stored runs of one protocol for several seeds: ``protocol`` names the seed as
    ``{seed}``, e.g. ``"5000x1000-e4-s{seed}"``. Seeds without results are left out."""
    found = {seed: load_results(results_dir, dataset_key, recipe, protocol.format(seed=seed)) for seed in seeds}
    return {seed: runs for seed, runs in found.items() if runs}


def cumulative_seconds(history: list[dict[str, Any]]) -> list[float]:
    """Seconds of training plus evaluation from the start of the run to the end of each epoch."""
    total, out = 0.0, []
    for h in history:
        total += h["epoch_time_s"] + h["eval_time_s"]
        out.append(total)
    return out


def time_to_error(history: list[dict[str, Any]], target: float) -> tuple[int, float] | None:
    """(epoch, seconds) at which the test top-1 error first reached ``target``, or ``None``."""
    for h, seconds in zip(history, cumulative_seconds(history)):
        if h["test_top1_err"] <= target:
            return h["epoch"], seconds
    return None
