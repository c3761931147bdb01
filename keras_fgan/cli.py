"""The `keras-fgan` command line: train, sample, evaluate, export, zoo, tune, demo.

The backend is chosen with the KERAS_BACKEND environment variable, as for
Keras itself.

Errors: a bad argument, or an option the chosen objective or data do not
take, prints one line `keras-fgan: error: ... (see --help)` and exits with
status 2; a failure while running prints one line `keras-fgan: error: ...`
and exits with status 1 (`KERAS_FGAN_DEBUG=1` re-raises it with its
traceback). `train` checks its arguments, loads the data and builds the model
before it writes anything.

Start-up: this module imports nothing from `keras_fgan` when it is loaded,
and the `keras-fgan` command (`keras_fgan_cli.main`) runs it without first
running the package's `__init__` (which imports Keras and a backend): `--help`,
`--version` and argument errors answer at once. Each command imports what it
uses; option lists that come from the library (objectives, losses, formats)
are read when argparse checks or prints them.

Logs: unless `TF_CPP_MIN_LOG_LEVEL` is set, the command sets it to 3 and drops
the lines of TensorFlow's C++ (absl) logging from its standard error, among
them those its libraries write while loading, which no setting silences.
Set `TF_CPP_MIN_LOG_LEVEL=0` to see them all.
"""

import argparse
import contextlib
import json
import math
import numbers
import os
import re
import sys
import threading
import time
from pathlib import Path

EXIT_USAGE = 2
EXIT_FAILURE = 1
# Upper bounds of the numeric options the registry does not bound: far above
# any sensible run, low enough that a slip of the keyboard fails at once
# instead of exhausting memory or running for days.
MAX_COUNT = 10_000_000  # epochs, images used, ...
MAX_IMAGE_SIZE = 1_024
MAX_SAMPLES = 10_000  # sample --n: one grid or scatter plot
MAX_EVAL_SAMPLES = 100_000
MAX_TRIALS = 10_000
# A line of TensorFlow's / absl's C++ logging ("E1201 10:21:03.123 303 file.cc:52] ...";
# before absl is initialised the seconds field counts from 1970) and the line
# absl writes before its first message.
_NATIVE_LOG_LINE = re.compile(
    rb"[IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [^ \]]+:\d+\] "
    rb"|WARNING: All log messages before absl::InitializeLog\(\) is called"
)


class UsageError(ValueError):
    """An argument the command cannot take: one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, with no usage dump.

    Args:
        populate: a function that adds the parser's arguments when it is
            first used (to parse or to print its help), for arguments read
            from the library: `keras_fgan.registry` imports Keras, which
            `keras-fgan --help` must not wait for.
        *args, **kwargs: as for `argparse.ArgumentParser`.
    """

    def __init__(self, *args, populate=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._populate = populate

    def _populated(self):
        if self._populate is not None:
            populate, self._populate = self._populate, None
            populate(self)

    def parse_known_args(self, args=None, namespace=None):
        self._populated()
        return super().parse_known_args(args, namespace)

    def format_help(self):
        self._populated()
        return super().format_help()

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


class _Names:
    """`choices=` read from the library when argparse checks or lists them:
    `module.attribute`, a tuple of names or a function returning one.

    Importing `keras_fgan` loads Keras and a backend; a parser that asked for
    the names when it is built would make `--help` take seconds. Give such an
    argument a `metavar`, so that building the parser does not list them.
    """

    def __init__(self, module, attribute):
        self._module = module
        self._attribute = attribute

    def _names(self):
        import importlib

        names = getattr(importlib.import_module(self._module), self._attribute)
        return names() if callable(names) else names

    def __iter__(self):
        return iter(self._names())

    def __contains__(self, value):
        return value in self._names()


def _number(kind, low=None, high=None):
    """An argparse `type`: a finite "int" or "float" in [low, high] (None:
    unbounded on that side)."""
    cast = int if kind == "int" else float

    def parse(text):
        try:
            value = cast(text)
        except ValueError:
            value = None
        if value is None or not (
            math.isfinite(value) and (low is None or value >= low) and (high is None or value <= high)
        ):
            what = "an integer" if kind == "int" else "a number"
            if low is not None and high is not None:
                what += f" from {low:,} to {high:,}"
            elif low is not None:
                what += f" >= {low:,}"
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    return parse


_SEED = _number("int", 0)
_SEED_HELP = "a non-negative integer: the same seed gives the same samples (default: %(default)s)"


def _version():
    from importlib import metadata

    versions = []
    for name in ("keras-fgan", "keras"):
        try:
            versions.append(metadata.version(name))
        except metadata.PackageNotFoundError:
            versions.append("unknown")
    return "keras-fgan {} (keras {})".format(*versions)


# ---------------------------------------------------------------- logging --

@contextlib.contextmanager
def _stderr_without(pattern):
    """Runs the block with the process's standard error (file descriptor 2,
    where C++ libraries write) passed through a filter that drops the lines
    `pattern` matches. Other lines go through as they come."""
    sys.stderr.flush()
    original = os.dup(2)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)

    def forward():
        with open(read_end, "rb") as pipe, open(original, "wb", closefd=False) as out:
            for line in pipe:
                if not pattern.match(line):
                    try:
                        out.write(line)
                        out.flush()
                    except OSError:
                        return

    thread = threading.Thread(target=forward, name="keras-fgan-stderr", daemon=True)
    thread.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(original, 2)  # closes the pipe's last write end: the thread sees EOF
        thread.join(timeout=5)  # a child process may still hold the pipe open
        if not thread.is_alive():
            os.close(original)


@contextlib.contextmanager
def _quiet_tensorflow():
    """Silences TensorFlow's C++ logging unless TF_CPP_MIN_LOG_LEVEL is set."""
    if "TF_CPP_MIN_LOG_LEVEL" in os.environ:
        yield
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    try:
        with _stderr_without(_NATIVE_LOG_LINE):
            yield
    finally:
        del os.environ["TF_CPP_MIN_LOG_LEVEL"]


# ------------------------------------------------------------------ helpers --

def _load_model(source):
    """The adversarial model of a `.keras` file or preset, for `sample` and
    `evaluate` (which draw from its latent prior through `generate`)."""
    from keras_fgan.export import loading

    model = loading.load_source(source)[0]
    if not callable(getattr(model, "generate", None)):
        raise ValueError(
            f"{source} holds a plain {type(model).__name__} network, not an adversarial model: `sample` and "
            "`evaluate` need the model `fit` trained (what `train` writes as model.keras, or model.save of a "
            "kf.GAN, kf.WGAN, ...); `export` takes plain networks."
        )
    return model


def _check_data(data):
    """Raises a UsageError naming `--data` unless `kf.datasets.load` can read
    `data` (checked without reading it)."""
    from keras_fgan import datasets

    try:
        datasets.resolve(data)
    except (ValueError, OSError) as error:
        raise UsageError(f"--data: {error}") from None


def _recipe_of(source):
    """The training recipe saved beside a model, or the preset's config."""
    candidate = Path(source).with_name("recipe.json")
    if Path(source).suffix == ".keras" and candidate.is_file():
        return json.loads(candidate.read_text())
    try:
        from keras_fgan import zoo

        return zoo.preset_config(source)
    except Exception:  # noqa: BLE001 - not a preset: no recipe
        return {}


def _data_of(model, recipe, explicit):
    if explicit:
        return explicit
    if recipe.get("data"):
        return recipe["data"]
    if tuple(model.sample_shape) == (28, 28, 1):
        return "fashion_mnist"
    raise ValueError("cannot tell which data set the model was trained on: pass --data")


def _flag(key):
    return "--" + key.replace("_", "-")


def _finite(obj):
    """`obj` with NumPy scalars as Python numbers and non-finite floats as
    None: standard JSON has no Infinity or NaN (the zoo's cards write an
    infinite mode-coverage `kl`, no sample of high quality, as null too)."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if isinstance(obj, bool):
        return obj
    if isinstance(obj, numbers.Integral):
        return int(obj)
    if isinstance(obj, numbers.Real):  # NumPy's float scalars included
        return float(obj) if math.isfinite(obj) else None
    return obj


def _json_text(obj):
    return json.dumps(_finite(obj), indent=2, sort_keys=True, allow_nan=False, default=float)


def _print_json(obj):
    print(_json_text(obj))


# -------------------------------------------------------------------- train --

# Options of `train` besides the recipe's; the recipe options default to
# argparse.SUPPRESS, so `vars(args)` holds the ones given.
_RUN_OPTIONS = ("command", "func", "out", "resume", "evaluate", "verbose")


def _add_train_options(train):
    """Adds the options of `train`: the recipe's, then the run's."""
    _add_recipe_options(train)
    train.add_argument("--out", default="runs/train", help="output directory (default: %(default)s)")
    train.add_argument("--resume", action="store_true", default=False,
                       help="continue the interrupted or finished run in --out (takes --epochs only)")
    train.add_argument("--evaluate", action="store_true", default=False, help="evaluate at the end")
    train.add_argument("--verbose", type=int, choices=[0, 1, 2], default=1,
                       help="Keras' progress output: 0 silent, 1 a progress bar, 2 one line per epoch "
                       "(default: %(default)s)")


def _add_recipe_options(train):
    """Adds to `train` one option per recipe parameter of
    `keras_fgan.registry` (`latent_dim` is `--latent-dim`), with its type,
    bounds, help, choices and default, and the objectives that take it. The
    registry checks the names (divergences, losses, ...) when the recipe is
    built; only `--objective` is checked here."""
    from keras_fgan import registry

    takers = {}
    for family in registry.FAMILIES.values():
        for key in family.recipe_keys():
            takers.setdefault(key, []).append(family)
    first = ("objective", "data")
    for key in (*first, *takers, *(k for k in registry.TRAINING if k not in first)):
        families = takers.get(key, [])
        param = families[0].parameter(key) if families else registry.TRAINING[key]
        options = {"help": _option_help(key, families, registry).replace("%", "%%")}
        if key == "objective":
            options.update(choices=registry.family_names(), metavar="NAME")
        if param.kind == "bool":
            options["action"] = argparse.BooleanOptionalAction  # --spectral-norm / --no-spectral-norm
        elif param.kind in ("int", "float"):
            high = param.maximum if param.maximum is not None or param.minimum is None else MAX_COUNT
            options["type"] = _number(param.kind, param.minimum, high)
        elif param.kind == "list":
            options["nargs"] = "+"
        train.add_argument(_flag(key), **options)
    train.add_argument(_flag("image_size"), type=_number("int", 4, MAX_IMAGE_SIZE),
                       help="resize images to IMAGE_SIZE x IMAGE_SIZE (default: a folder's "
                       "first image's size; the stored size otherwise)")


def _option_help(key, families, registry):
    """`help` of a recipe option: what it is, its choices and default, and,
    when not every objective takes it, which do (`[fgan] ...`)."""
    if key == "data":
        return (
            "a data set of kf.datasets.names() (ring, grid: 2-D mixtures; fashion_mnist, "
            "digits: images), a folder of images (PNG, JPEG, BMP, GIF; grayscale or RGB), a "
            ".npy/.npz file of samples, or tfds:NAME[:SPLIT] (TensorFlow Datasets, read from "
            "TFDS_DATA_DIR). Vectors get MLP networks, images DCGAN networks at their size "
            "(default: ring)"
        )
    variants = {}  # a Parameter -> the families that share it
    for family in families:
        variants.setdefault(id(family.parameter(key)), (family.parameter(key), []))[1].append(family.name)
    if not families:
        variants[key] = (registry.TRAINING[key], [])
    parts = []
    for param, names in variants.values():
        text = param.help
        if param.choices is not None:
            text += ": " + ", ".join(map(str, param.choices()))
        if param.default is not None and param.default is not False and param.default != []:
            text += f" (default: {param.default})"
        if names and len(families) < len(registry.FAMILIES):
            text = f"[{', '.join(names)}] {text}"
        parts.append(text)
    return "; ".join(parts)


def _train_recipe(args):
    """The run's recipe from the options given (or, with --resume, from the
    run's recipe.json); raises UsageError for options that do not apply."""
    import keras

    from keras_fgan import builders
    from keras_fgan import registry

    given = {key: value for key, value in vars(args).items() if key not in _RUN_OPTIONS}
    recipe_path = Path(args.out) / "recipe.json"
    if args.resume:
        if not recipe_path.is_file():
            raise UsageError(f"--resume: {args.out} holds no run to continue (no recipe.json)")
        others = sorted(set(given) - {"epochs"})
        if others:
            raise UsageError(
                f"--resume continues the run with its recipe.json and takes only --epochs; "
                f"drop {_flag(others[0])}"
            )
        return {**json.loads(recipe_path.read_text()), **given}
    if (Path(args.out) / "backup").exists():
        raise UsageError(
            f"{args.out} holds an earlier run: pass --resume to continue it (with a "
            "larger --epochs), or choose another --out"
        )
    recipe = {key: registry.TRAINING[key].default for key in ("objective", "data")}
    recipe.update(given)
    try:
        model_keys, _, _ = builders.split_recipe(recipe)
        registry.family(recipe["objective"]).model_kwargs(model_keys)
    except ValueError as error:
        raise UsageError(str(error)) from None
    _check_data(recipe["data"])
    if recipe["data"] in registry.MIXTURES:
        drawn = [key for key in ("limit", "image_size") if key in given]
        if drawn:
            raise UsageError(f"{_flag(drawn[0])} is for data sets of samples; {recipe['data']!r} is drawn: use --n")
    elif "n" in given:
        raise UsageError(
            f"--n draws points of {' or '.join(registry.MIXTURES)}; for data {recipe['data']!r} use --limit"
        )
    recipe["backend"] = keras.backend.backend()
    return recipe


def _training_data(training):
    """The training samples of a recipe's training settings."""
    from keras_fgan import datasets
    from keras_fgan import registry

    if training["data"] in registry.MIXTURES:
        return datasets.load(training["data"], n=training["n"], seed=training["seed"])
    return datasets.load(training["data"], n=training["limit"], image_size=training.get("image_size"))


def cmd_train(args):
    import keras

    from keras_fgan import builders
    from keras_fgan import callbacks
    from keras_fgan import checkpointing
    from keras_fgan import fileio
    from keras_fgan.evaluation.report import evaluate_model

    recipe = _train_recipe(args)
    model_keys, compile_keys, training = builders.split_recipe(recipe)
    keras.utils.set_random_seed(training["seed"])
    x = _training_data(training)
    if "sample_shape" not in model_keys and recipe["data"] not in builders.SAMPLE_SHAPES:
        model_keys["sample_shape"] = tuple(x.shape[1:])
        recipe["sample_shape"] = list(x.shape[1:])
    model = builders.compile_model(builders.build_model(**model_keys), **compile_keys)

    # Everything checked: the run's files from here on.
    out = Path(args.out)
    fileio.atomic_write_text(out / "recipe.json", json.dumps(recipe, indent=2, sort_keys=True))
    cbs = [
        checkpointing.BackupAndRestore(out / "backup"),
        checkpointing.AtomicModelCheckpoint(out / "model.keras"),
        keras.callbacks.CSVLogger(str(out / "history.csv"), append=args.resume),
        keras.callbacks.TerminateOnNaN(),
    ]
    if x.ndim == 4 or x.shape[1] == 2:  # what a picture can show: images, or points of the plane
        cbs.append(callbacks.SampleGrid(str(out / "samples"), every=1, n=64 if x.ndim == 4 else 2500))
    start = time.time()
    model.fit(x, batch_size=training["batch_size"], epochs=training["epochs"], callbacks=cbs,
              verbose=args.verbose)
    wall = time.time() - start
    checkpointing.atomic_save(model, out / "model.keras")
    summary = {"model": str(out / "model.keras"), "wall_time_s": round(wall, 1)}
    if args.evaluate:
        summary["metrics"] = evaluate_model(model, training["data"], seed=training["seed"])
    fileio.atomic_write_text(out / "summary.json", _json_text(summary))
    _print_json(summary)


# ----------------------------------------------------------------- commands --

def cmd_sample(args):
    from keras_fgan import imaging

    model = _load_model(args.source)
    samples = model.generate(args.n, seed=args.seed)
    out = Path(args.out)
    if samples.ndim == 4:
        imaging.save_image_grid(samples, out)
    elif samples.ndim == 2 and samples.shape[1] == 2:
        imaging.save_scatter(samples, out)
    else:
        raise ValueError(f"cannot draw samples of shape {samples.shape[1:]} as a picture")
    print(out)


def cmd_evaluate(args):
    from keras_fgan.evaluation.report import evaluate_model

    if args.data:
        _check_data(args.data)
    model = _load_model(args.source)
    data = _data_of(model, _recipe_of(args.source), args.data)
    _print_json(evaluate_model(model, data, num_samples=args.samples, seed=args.seed))


def cmd_export(args):
    from keras_fgan import export

    _print_json(export.export_path(args.source, args.format, args.out))


def cmd_zoo(args):
    """`zoo list` (from the packaged registry, no files needed), `zoo show
    NAME` (the model card, then the path of its picture), `zoo download
    NAME|all` (verified files into the cache; prints each folder)."""
    from keras_fgan import zoo

    if args.zoo_command == "list":
        for name in zoo.list_presets():
            info = zoo.preset_info(name)
            print(f"{name:<36} {info['class']:<10} {info['description']}")
    elif args.zoo_command == "show":
        print(zoo.model_card(args.name))
        if "samples.png" in zoo.preset_info(args.name)["files"]:
            print(f"picture: {zoo.preset_file(args.name, 'samples.png')}")
    else:
        names = zoo.list_presets() if args.name == "all" else [args.name]
        for name in names:
            print(zoo.download(name))


def cmd_tune(args):
    from keras_fgan import tuning

    rows = tuning.tune(
        data=args.data,
        tuner=args.tuner,
        max_trials=args.max_trials,
        epochs=args.epochs,
        directory=args.out,
        seed=args.seed,
    )
    print(tuning.format_trials(rows))


def cmd_demo(args):
    """The main job on embedded defaults: train on Fashion-MNIST (Debian's
    local files, no network), write a sample grid PNG, export ONNX, evaluate."""
    import keras

    from keras_fgan import builders
    from keras_fgan import callbacks
    from keras_fgan import datasets
    from keras_fgan import export
    from keras_fgan import fileio
    from keras_fgan.evaluation.report import evaluate_model

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(0)
    x = datasets.load("fashion_mnist", split="train")[: args.limit]
    model = builders.build_model("gan", "fashion_mnist", latent_dim=64, width=32, seed=0)
    builders.compile_model(model)
    start = time.time()
    model.fit(
        x,
        batch_size=64,
        epochs=args.epochs,
        callbacks=[callbacks.SampleGrid(str(out / "samples"), n=64, seed=0)],
        verbose=2,
    )
    wall = time.time() - start
    model.save(out / "model.keras")
    onnx_paths = export.export_onnx(model, out / "generator.onnx")
    metrics = evaluate_model(model, "fashion_mnist", num_samples=args.eval_samples)
    pretrained = _pretrained_beside(model, out)
    summary = {
        "backend": keras.backend.backend(),
        "train_images": len(x),
        "epochs": args.epochs,
        "wall_time_s": round(wall, 1),
        "sample_grids": sorted(str(p) for p in (out / "samples").glob("*.png")),
        "model": str(out / "model.keras"),
        "onnx": onnx_paths,
        "metrics": metrics,
        "pretrained": pretrained,
    }
    fileio.atomic_write_text(out / "summary.json", _json_text(summary))
    _print_json(summary)


DEMO_PRESET = "gan_fashion_mnist"


def _pretrained_beside(model, out):
    """The zoo's pretrained GAN beside the one the demo just trained: 64
    samples of each (latent seed 0) side by side in `side_by_side.png`
    (trained left), the pretrained grid alone, and the preset's headline
    metrics. Without a zoo source, says how to get one instead of failing."""
    import numpy as np

    from keras_fgan import fileio
    from keras_fgan import imaging
    from keras_fgan import zoo

    try:
        pretrained = zoo.load(DEMO_PRESET)
    except (zoo.ZooDownloadError, zoo.ZooIntegrityError) as error:
        return {"preset": DEMO_PRESET, "unavailable": str(error).splitlines()[0]}
    grids = [imaging.image_grid(m.generate(64, seed=0)) for m in (model, pretrained)]
    gap = np.full((grids[0].shape[0], 8, grids[0].shape[2]), 255, np.uint8)
    side_by_side = out / "side_by_side.png"
    fileio.atomic_write_bytes(side_by_side, imaging.png_bytes(np.concatenate([grids[0], gap, grids[1]], 1)))
    grid = out / f"pretrained_{DEMO_PRESET}.png"
    fileio.atomic_write_bytes(grid, imaging.png_bytes(grids[1]))
    return {
        "preset": DEMO_PRESET,
        "grid": str(grid),
        "side_by_side": str(side_by_side),
        "metrics": zoo.preset_info(DEMO_PRESET)["metrics"],
    }


# ------------------------------------------------------------------- parser --

def build_parser():
    parser = _Parser(
        prog="keras-fgan",
        description="Train, sample, evaluate and export adversarial generative models "
        "(GAN, f-GAN, WGAN, BiGAN). The backend is set with KERAS_BACKEND "
        "(tensorflow, jax or torch).",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = sub.add_parser(
        "train", help="train a model with reference networks",
        description="Train a model; writes recipe.json, samples/*.png, model.keras (every "
        "epoch, atomically), history.csv and a BackupAndRestore checkpoint for --resume "
        "into --out. Options that the objective or the data do not take are refused; "
        "[fgan] marks the objectives that take an option.",
        argument_default=argparse.SUPPRESS, populate=_add_train_options,
    )
    train.set_defaults(func=cmd_train)

    sample = sub.add_parser("sample", help="write a PNG of samples from a .keras file or preset")
    sample.add_argument("source", help="a .keras file or a zoo preset name")
    sample.add_argument("-n", "--n", type=_number("int", 1, MAX_SAMPLES), default=64,
                        help="how many samples (default: %(default)s)")
    sample.add_argument("--seed", type=_SEED, default=0, help=_SEED_HELP)
    sample.add_argument("--out", default="samples.png", help="the PNG to write (default: %(default)s)")
    sample.set_defaults(func=cmd_sample)

    evaluate = sub.add_parser("evaluate", help="sample-quality metrics of a .keras file or preset")
    evaluate.add_argument("source", help="a .keras file or a zoo preset name")
    evaluate.add_argument("--data", metavar="NAME", default=None,
                          help="ring or grid (mode coverage), fashion_mnist (the shipped classifier's "
                          "features), or any other data train --data takes (a folder of images, .npy/.npz, "
                          "digits, tfds:NAME): Frechet distance and k-NN metrics in sample space (default: "
                          "from recipe.json beside the model)")
    evaluate.add_argument("--samples", type=_number("int", 1, MAX_EVAL_SAMPLES), default=None,
                          help="generated samples (default: 2,500 for ring and grid, else as many as the "
                          "real samples compared, at most 10,000)")
    evaluate.add_argument("--seed", type=_SEED, default=0, help=_SEED_HELP)
    evaluate.set_defaults(func=cmd_evaluate)

    exp = sub.add_parser("export", help="export generator (and encoder) to ONNX or SavedModel")
    exp.add_argument("source", help="a .keras file or a zoo preset name")
    exp.add_argument("--format", metavar="FORMAT", default="onnx",
                     choices=_Names("keras_fgan.export", "FORMATS"),
                     help="%(choices)s (default: %(default)s; saved_model needs TensorFlow or JAX)")
    exp.add_argument("--out", default="exported", help="output directory (default: %(default)s)")
    exp.set_defaults(func=cmd_export)

    zoo = sub.add_parser("zoo", help="pretrained presets: list, show, download")
    zoo_sub = zoo.add_subparsers(dest="zoo_command", required=True, parser_class=_Parser)
    zoo_sub.add_parser("list", help="list the presets: name, class, description")
    show = zoo_sub.add_parser("show", help="print a preset's model card and the path of its picture")
    show.add_argument("name", help="a preset name (see `keras-fgan zoo list`)")
    download = zoo_sub.add_parser("download", help="fetch a preset (or 'all') into the cache")
    download.add_argument("name", help="a preset name, or 'all'")
    zoo.set_defaults(func=cmd_zoo)

    tune = sub.add_parser("tune", help="KerasTuner search over objectives and hyperparameters")
    tune.add_argument("--data", metavar="NAME", default="ring",
                      choices=_Names("keras_fgan.tuning", "DATA_NAMES"),
                      help="%(choices)s (default: %(default)s)")
    tune.add_argument("--tuner", metavar="NAME", default="random",
                      choices=_Names("keras_fgan.tuning", "TUNERS"),
                      help="%(choices)s (default: %(default)s)")
    tune.add_argument("--max-trials", type=_number("int", 1, MAX_TRIALS), default=10,
                      help="trials to run (default: %(default)s)")
    tune.add_argument("--epochs", type=_number("int", 1, MAX_COUNT), default=5,
                      help="training epochs per trial (default: %(default)s)")
    tune.add_argument("--seed", type=_SEED, default=0,
                      help="a non-negative integer: the tuner's and the trials' seed (default: %(default)s)")
    tune.add_argument("--out", default="runs/tune", help="output directory (default: %(default)s)")
    tune.set_defaults(func=cmd_tune)

    demo = sub.add_parser("demo", help="the main job on embedded defaults (no network)",
                          description="Train a GAN with dcgan28 networks on Fashion-MNIST "
                          "(local files), write sample grid PNGs, export the generator to "
                          "ONNX and print its metrics.")
    demo.add_argument("--out", default="runs/demo", help="output directory (default: %(default)s)")
    demo.add_argument("--epochs", type=_number("int", 1, MAX_COUNT), default=2,
                      help="training epochs (default: %(default)s)")
    demo.add_argument("--limit", type=_number("int", 1, MAX_COUNT), default=20000,
                      help="training images used (default: %(default)s)")
    demo.add_argument("--eval-samples", type=_number("int", 1, MAX_EVAL_SAMPLES), default=5000,
                      help="generated images scored at the end (default: %(default)s)")
    demo.set_defaults(func=cmd_demo)
    return parser


def _one_line(error):
    text = str(error).strip()
    line = text.splitlines()[0] if text else ""
    if isinstance(error, (ValueError, OSError, KeyError, ImportError, TypeError, NotImplementedError)):
        return line or type(error).__name__
    return f"{type(error).__name__}: {line}" if line else type(error).__name__


def main(argv=None):
    """Runs the command line and returns its exit status; a bad argument
    raises `SystemExit(2)`, as argparse does."""
    with _quiet_tensorflow():
        args = build_parser().parse_args(argv)
        try:
            args.func(args)
        except KeyboardInterrupt:
            print("keras-fgan: interrupted", file=sys.stderr)
            return 130
        except Exception as error:  # noqa: BLE001 - every failure is one line
            if os.environ.get("KERAS_FGAN_DEBUG"):
                raise
            if isinstance(error, UsageError):
                print(f"keras-fgan {args.command}: error: {str(error).rstrip('.')} (see --help)", file=sys.stderr)
                raise SystemExit(EXIT_USAGE) from None
            print(f"keras-fgan: error: {_one_line(error)}", file=sys.stderr)
            return EXIT_FAILURE
    return 0


if __name__ == "__main__":
    sys.exit(main())
