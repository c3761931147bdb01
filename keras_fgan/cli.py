"""The `keras-fgan` command line: train, sample, evaluate, export, zoo, tune, demo.

The backend is chosen with the KERAS_BACKEND environment variable, as for
Keras itself. Bad arguments print one line `keras-fgan: error: ...` and exit
with status 2; failures while running print one line and exit with status 1.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

EXIT_USAGE = 2
EXIT_FAILURE = 1


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, with no usage dump."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


# ------------------------------------------------------------------ helpers --

def _load_source(source):
    """A `.keras` file (loaded in safe mode) or a zoo preset name."""
    import keras

    import keras_fgan  # noqa: F401  (registers the serialisable classes)

    path = Path(source)
    if path.suffix == ".keras":
        if not path.is_file():
            raise FileNotFoundError(f"no such model file: {source}")
        return keras.saving.load_model(path, safe_mode=True)
    try:
        from keras_fgan import zoo
    except ImportError:
        raise ValueError(f"{source!r} is not a .keras file (and the zoo is not available)") from None
    return zoo.load(source)


def _recipe_of(model, source):
    """The training recipe saved beside a model, or the preset's config."""
    candidates = [Path(source).with_name("recipe.json")] if Path(source).suffix == ".keras" else []
    for candidate in candidates:
        if candidate.is_file():
            return json.loads(candidate.read_text())
    try:
        from keras_fgan import zoo

        return zoo.preset_config(source)
    except Exception:
        return {}


def _data_of(model, recipe, explicit):
    if explicit:
        return explicit
    if recipe.get("data"):
        return recipe["data"]
    if tuple(model.sample_shape) == (28, 28, 1):
        return "fashion_mnist"
    raise ValueError("cannot tell which data set the model was trained on: pass --data")


def _training_data(recipe):
    from keras_fgan import datasets

    if recipe["data"] in ("ring", "grid"):
        return datasets.load(recipe["data"], n=recipe.get("n", 20000), seed=recipe["seed"])
    x = datasets.load(recipe["data"], split="train")
    limit = recipe.get("limit")
    return x[:limit] if limit else x


def _print_json(obj):
    print(json.dumps(obj, indent=2, sort_keys=True, default=float))


# ----------------------------------------------------------------- commands --

def cmd_train(args):
    import keras

    from keras_fgan import builders
    from keras_fgan import callbacks
    from keras_fgan import checkpointing
    from keras_fgan.evaluation.report import evaluate_model

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    recipe = {
        key: value
        for key, value in vars(args).items()
        if key not in ("func", "command", "out", "resume", "verbose", "evaluate")
    }
    recipe["backend"] = keras.backend.backend()
    recipe_path = out / "recipe.json"
    if args.resume and recipe_path.is_file():
        saved = json.loads(recipe_path.read_text())
        saved.pop("backend", None)
        saved["epochs"] = args.epochs
        recipe.update(saved)
    recipe_path.write_text(json.dumps(recipe, indent=2, sort_keys=True))

    keras.utils.set_random_seed(recipe["seed"])
    model = builders.build_model(**recipe)
    builders.compile_model(model, **recipe)
    x = _training_data(recipe)
    backup = out / "backup"
    if not args.resume and backup.exists():
        raise ValueError(f"{backup} exists from an earlier run: pass --resume or choose another --out")
    cbs = [
        checkpointing.BackupAndRestore(backup),
        callbacks.SampleGrid(str(out / "samples"), every=1, n=64 if recipe["data"] == "fashion_mnist" else 2500),
        checkpointing.AtomicModelCheckpoint(out / "model.keras"),
        keras.callbacks.CSVLogger(str(out / "history.csv"), append=args.resume),
        keras.callbacks.TerminateOnNaN(),
    ]
    start = time.time()
    model.fit(x, batch_size=recipe["batch_size"], epochs=recipe["epochs"], callbacks=cbs, verbose=args.verbose)
    wall = time.time() - start
    checkpointing.atomic_save(model, out / "model.keras")
    summary = {"model": str(out / "model.keras"), "wall_time_s": round(wall, 1)}
    if args.evaluate:
        summary["metrics"] = evaluate_model(model, recipe["data"], seed=recipe["seed"])
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=float))
    _print_json(summary)


def cmd_sample(args):
    from keras_fgan import imaging

    model = _load_source(args.source)
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

    model = _load_source(args.source)
    data = _data_of(model, _recipe_of(model, args.source), args.data)
    _print_json(evaluate_model(model, data, num_samples=args.samples, seed=args.seed))


def cmd_export(args):
    from keras_fgan import export

    written = export.export_path(args.source, args.format, args.out)
    _print_json({k: str(v) for k, v in dict(written).items()} if isinstance(written, dict) else str(written))


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
    summary = {
        "backend": keras.backend.backend(),
        "train_images": len(x),
        "epochs": args.epochs,
        "wall_time_s": round(wall, 1),
        "sample_grids": sorted(str(p) for p in (out / "samples").glob("*.png")),
        "model": str(out / "model.keras"),
        "onnx": {role: str(path) for role, path in dict(onnx_paths).items()}
        if isinstance(onnx_paths, dict) else str(onnx_paths),
        "metrics": metrics,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=float))
    _print_json(summary)


# ------------------------------------------------------------------- parser --

def build_parser():
    parser = _Parser(
        prog="keras-fgan",
        description="Train, sample, evaluate and export adversarial generative models "
        "(GAN, f-GAN, WGAN, BiGAN). The backend is set with KERAS_BACKEND "
        "(tensorflow, jax or torch).",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = sub.add_parser("train", help="train a model with reference networks",
                           description="Train a model; writes recipe.json, samples/*.png, "
                           "model.keras (every epoch, atomically), history.csv and a "
                           "BackupAndRestore checkpoint for --resume into --out.")
    train.add_argument("--objective", choices=["gan", "fgan", "wgan", "bigan"], default="gan")
    train.add_argument("--data", choices=["ring", "grid", "fashion_mnist"], default="ring")
    train.add_argument("--divergence", default="jensen_shannon", help="f-GAN divergence (default: jensen_shannon)")
    train.add_argument("--generator-loss", default="auto", choices=["auto", "heuristic", "minimax"], help="f-GAN generator loss")
    train.add_argument("--loss", default="non_saturating", choices=["non_saturating", "minimax"], help="GAN/BiGAN generator loss")
    train.add_argument("--lipschitz", default="gradient_penalty", help="WGAN Lipschitz option (weight_clip, gradient_penalty, one_sided_penalty, spectral_norm)")
    train.add_argument("--n-critic", type=_positive_int, default=5, help="WGAN critic steps per generator step")
    train.add_argument("--d-steps", type=_positive_int, default=1, help="discriminator steps per generator step (GAN, f-GAN, BiGAN)")
    train.add_argument("--latent-dim", type=_positive_int, default=None)
    train.add_argument("--width", type=_positive_int, default=None)
    train.add_argument("--d-lr", type=_positive_float, default=None, help="discriminator learning rate (default: the objective's paper default)")
    train.add_argument("--g-lr", type=_positive_float, default=None, help="generator learning rate")
    train.add_argument("--epochs", type=_positive_int, default=10)
    train.add_argument("--batch-size", type=_positive_int, default=64)
    train.add_argument("--n", type=_positive_int, default=20000, help="samples drawn for 2-D data sets")
    train.add_argument("--limit", type=_positive_int, default=None, help="use only the first LIMIT training images")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", default="runs/train", help="output directory")
    train.add_argument("--resume", action="store_true", help="continue an interrupted run in --out")
    train.add_argument("--evaluate", action="store_true", help="evaluate at the end")
    train.add_argument("--verbose", type=int, choices=[0, 1, 2], default=1)
    train.set_defaults(func=cmd_train)

    sample = sub.add_parser("sample", help="write a PNG of samples from a .keras file or preset")
    sample.add_argument("source", help="a .keras file or a zoo preset name")
    sample.add_argument("--n", type=_positive_int, default=64)
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--out", default="samples.png")
    sample.set_defaults(func=cmd_sample)

    evaluate = sub.add_parser("evaluate", help="sample-quality metrics of a .keras file or preset")
    evaluate.add_argument("source", help="a .keras file or a zoo preset name")
    evaluate.add_argument("--data", choices=["ring", "grid", "fashion_mnist"], default=None,
                          help="data set protocol (default: from recipe.json beside the model)")
    evaluate.add_argument("--samples", type=_positive_int, default=None)
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.set_defaults(func=cmd_evaluate)

    exp = sub.add_parser("export", help="export generator (and encoder) to ONNX or SavedModel")
    exp.add_argument("source", help="a .keras file or a zoo preset name")
    exp.add_argument("--format", choices=["onnx", "saved_model"], default="onnx")
    exp.add_argument("--out", default="exported")
    exp.set_defaults(func=cmd_export)

    zoo = sub.add_parser("zoo", help="pretrained presets: list, show, download")
    zoo_sub = zoo.add_subparsers(dest="zoo_command", required=True, parser_class=_Parser)
    zoo_sub.add_parser("list", help="list the presets: name, class, description")
    show = zoo_sub.add_parser("show", help="print a preset's model card and the path of its picture")
    show.add_argument("name")
    download = zoo_sub.add_parser("download", help="fetch a preset (or 'all') into the cache")
    download.add_argument("name")
    zoo.set_defaults(func=cmd_zoo)

    tune = sub.add_parser("tune", help="KerasTuner search over objectives and hyperparameters")
    tune.add_argument("--data", choices=["ring", "grid", "fashion_mnist"], default="ring")
    tune.add_argument("--tuner", choices=["random", "bayesian", "hyperband"], default="random")
    tune.add_argument("--max-trials", type=_positive_int, default=10)
    tune.add_argument("--epochs", type=_positive_int, default=5)
    tune.add_argument("--seed", type=int, default=0)
    tune.add_argument("--out", default="runs/tune")
    tune.set_defaults(func=cmd_tune)

    demo = sub.add_parser("demo", help="the main job on embedded defaults (no network)",
                          description="Train a GAN with dcgan28 networks on Fashion-MNIST "
                          "(local files), write sample grid PNGs, export the generator to "
                          "ONNX and print its metrics.")
    demo.add_argument("--out", default="runs/demo")
    demo.add_argument("--epochs", type=_positive_int, default=2)
    demo.add_argument("--limit", type=_positive_int, default=20000, help="training images used")
    demo.add_argument("--eval-samples", type=_positive_int, default=5000)
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except KeyboardInterrupt:
        print("keras-fgan: interrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError, OSError, ImportError, KeyError) as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"keras-fgan: error: {message}", file=sys.stderr)
        if os.environ.get("KERAS_FGAN_DEBUG"):
            raise
        return EXIT_FAILURE
    return 0


if __name__ == "__main__":
    sys.exit(main())
