"""Trains the Fashion-MNIST classifier behind `kf.evaluation.frechet_distance`.

Writes `zoo/fashion_mnist_classifier/`: the weights, their sha256, `config.json`
(architecture, feature layer, input range, measured metrics, reference features
for the cross-backend check) and the model card `README.md`.

The script is backend-agnostic Keras; TensorFlow is the fastest backend on a CPU:

    KERAS_BACKEND=tensorflow python scripts/train_classifier.py

Reference (recorded in the model card): the Frechet distance and the k-NN
metrics between 10,000 real training and the 10,000 real test images in this
feature space, the floor a perfect generator would reach with 10k samples.
"""

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_fgan import datasets  # noqa: E402
from keras_fgan.evaluation import classifier as clf  # noqa: E402
from keras_fgan.evaluation.frechet import frechet_distance_from_features  # noqa: E402
from keras_fgan.evaluation.knn_metrics import manifold_metrics  # noqa: E402

ARCHITECTURE = {"filters": [32, 64, 128], "feature_dim": 128, "dropout": 0.3, "num_classes": 10}
REFERENCE_INPUT_SEED = 1234
REFERENCE_INPUT_SHAPE = (4, 28, 28, 1)
SUBSET_SIZE = 1000


def reference_input():
    """The fixed, data-free input whose features are recorded in config.json."""
    rng = np.random.default_rng(REFERENCE_INPUT_SEED)
    return rng.uniform(-1.0, 1.0, REFERENCE_INPUT_SHAPE).astype(np.float32)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--translate", type=float, default=0.0, help="random translation (fraction); 0 = flips only"
    )
    parser.add_argument("--output-dir", default=str(REPO / "zoo" / clf.CLASSIFIER_DIR_NAME))
    parser.add_argument("--train-samples", type=int, default=None, help="debug: use fewer")
    parser.add_argument("--reference-samples", type=int, default=10_000)
    parser.add_argument("--note", action="append", default=[], help="a note for the model card")
    parser.add_argument(
        "--card-only", action="store_true", help="only re-render README.md from config.json"
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    command = "KERAS_BACKEND=%s python scripts/train_classifier.py %s" % (
        keras.backend.backend(),
        " ".join(sys.argv[1:] if argv is None else argv),
    )
    out = Path(args.output_dir)
    if args.card_only:
        (out / "README.md").write_text(model_card(clf.read_config(out), out))
        return
    out.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(args.seed)

    x_train, y_train = datasets.load("fashion_mnist", "train", with_labels=True, n=args.train_samples)
    x_test, y_test = datasets.load("fashion_mnist", "test", with_labels=True)

    model = clf.build_classifier(**ARCHITECTURE)
    augment_layers = [keras.layers.RandomFlip("horizontal", seed=args.seed)]
    augmentation = "random horizontal flips"
    if args.translate > 0:
        augment_layers.append(
            keras.layers.RandomTranslation(
                args.translate, args.translate, fill_mode="constant", fill_value=-1.0, seed=args.seed + 1
            )
        )
        augmentation += f", random translations up to {args.translate:.0%} (fill -1)"
    augment = keras.Sequential(augment_layers, name="augment")
    inputs = keras.Input(clf.INPUT_SHAPE)
    trainer = keras.Model(inputs, model(augment(inputs)), name="trainer")
    steps = args.epochs * int(np.ceil(len(x_train) / args.batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, steps - steps // 20, warmup_target=args.learning_rate, warmup_steps=steps // 20
    )
    trainer.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    start = time.time()
    trainer.fit(
        x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, shuffle=True, verbose=2
    )
    train_seconds = time.time() - start
    load_average = os.getloadavg()[2] if hasattr(os, "getloadavg") else None

    logits = model.predict(x_test, batch_size=500, verbose=0)
    test_accuracy = float(np.mean(np.argmax(logits, -1) == y_test))
    subset_accuracy = float(np.mean(np.argmax(logits[:SUBSET_SIZE], -1) == y_test[:SUBSET_SIZE]))
    print(f"test accuracy {test_accuracy:.4f} (first {SUBSET_SIZE}: {subset_accuracy:.4f})")

    weights_path = out / clf.WEIGHTS_FILE
    model.save_weights(weights_path)
    digest = clf.sha256_of(weights_path)
    (out / clf.SHA256_FILE).write_text(f"{digest}  {clf.WEIGHTS_FILE}\n")

    # Reload into a fresh model, as load_classifier does, and check it agrees.
    reloaded = clf.build_classifier(**ARCHITECTURE)
    reloaded.load_weights(weights_path)
    features = clf.feature_model(reloaded)
    ref_features = np.asarray(features.predict_on_batch(reference_input()), np.float64)
    reloaded_logits = reloaded.predict(x_test[:SUBSET_SIZE], batch_size=500, verbose=0)
    np.testing.assert_allclose(reloaded_logits, logits[:SUBSET_SIZE], rtol=1e-4, atol=1e-4)

    n_ref = args.reference_samples
    f_train = clf.extract_features(x_train[:n_ref], model=features)
    f_train2 = clf.extract_features(x_train[n_ref : 2 * n_ref], model=features)
    f_test = clf.extract_features(x_test[:n_ref], model=features)
    reference = {
        "train_vs_test": {
            "frechet_distance": frechet_distance_from_features(f_train, f_test),
            **manifold_metrics(f_train, f_test, 3, metrics=("precision", "recall")),
            **manifold_metrics(f_train, f_test, 5, metrics=("density", "coverage")),
        },
        "train_vs_train": {
            "frechet_distance": frechet_distance_from_features(f_train, f_train2),
            **manifold_metrics(f_train, f_train2, 3, metrics=("precision", "recall")),
            **manifold_metrics(f_train, f_train2, 5, metrics=("density", "coverage")),
        },
    }
    total_seconds = time.time() - start
    print(json.dumps(reference, indent=2))

    machine = f"{platform.machine()} CPU, {os.cpu_count()} cores, {platform.system()}"
    config = {
        "name": clf.CLASSIFIER_DIR_NAME,
        "architecture": ARCHITECTURE,
        "input_shape": list(clf.INPUT_SHAPE),
        "input_range": [-1.0, 1.0],
        "feature_layer": clf.FEATURE_LAYER,
        "feature_dim": ARCHITECTURE["feature_dim"],
        "class_names": list(datasets.FASHION_MNIST_CLASSES),
        "weights_file": clf.WEIGHTS_FILE,
        "weights_sha256": digest,
        "training": {
            "command": command,
            "backend": keras.backend.backend(),
            "keras_version": keras.__version__,
            "seed": args.seed,
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "learning_rate": args.learning_rate,
            "train_samples": len(x_train),
            "augmentation": augmentation,
            "train_seconds": round(train_seconds, 1),
            "total_seconds": round(total_seconds, 1),
            "machine": machine,
            "load_average_15min_after_training": load_average,
            "date": datetime.date.today().isoformat(),
        },
        "metrics": {
            "test_accuracy": test_accuracy,
            "test_samples": len(x_test),
            "subset_accuracy": subset_accuracy,
            "subset": f"first {SUBSET_SIZE} images of the test split",
        },
        "reference_features": {
            "input": (
                f"numpy.random.default_rng({REFERENCE_INPUT_SEED})"
                f".uniform(-1, 1, {REFERENCE_INPUT_SHAPE}).astype('float32')"
            ),
            "features": np.round(ref_features, 6).tolist(),
        },
        "notes": args.note,
        "reference_metrics": {"samples": n_ref, "k_precision_recall": 3, "k_density_coverage": 5, **reference},
    }
    with open(out / clf.CONFIG_FILE, "w") as f:
        json.dump(config, f, indent=1)
        f.write("\n")
    (out / "README.md").write_text(model_card(config, out))
    print(f"wrote {out} in {total_seconds:.0f} s")


def model_card(c, out):
    t, m, r = c["training"], c["metrics"], c["reference_metrics"]
    a = c["architecture"]
    size = f"{(out / c['weights_file']).stat().st_size / 1024:.0f} KiB"
    load = t.get("load_average_15min_after_training")
    load = "n/a" if load is None else f"{load:.1f}"
    notes = "\n".join(f"- {note}" for note in c.get("notes", [])) or "- none"

    def row(name, v):
        return (
            f"| {name} | {v['frechet_distance']:.4f} | {v['precision']:.4f} | {v['recall']:.4f} "
            f"| {v['density']:.4f} | {v['coverage']:.4f} |"
        )

    return f"""# Fashion-MNIST classifier (feature extractor for the Frechet distance)

Used by `keras_fgan.evaluation.frechet_distance`, `precision_recall` and
`density_coverage` when they are given images. Loaded with
`keras_fgan.evaluation.load_classifier()`, which checks the weights' sha256
(`{c["weights_file"]}.sha256`) first.

## Architecture

`keras_fgan.evaluation.classifier.build_classifier(filters={a["filters"]}, feature_dim={a["feature_dim"]}, dropout={a["dropout"]})`:
Conv3x3({a["filters"][0]}) at 28x28, max-pool, 2x Conv3x3({a["filters"][1]}) at 14x14, max-pool,
Conv3x3({a["filters"][2]}) and Conv1x1({a["feature_dim"]}) at 7x7 (every convolution followed by
BatchNorm and ReLU), global average pooling = **the feature layer `{c["feature_layer"]}`
({c["feature_dim"]}-d, non-negative)**, dropout, Dense(10) logits.
Input: (28, 28, 1) images in [-1, 1] (Fashion-MNIST pixels / 127.5 - 1). Weights: {size}.

## Data

Fashion-MNIST (Xiao et al., 2017): the 60,000 training images (all used for training;
no validation split) and the 10,000 test images (used for the metrics below). Read from the original IDX files by
`keras_fgan.datasets.load("fashion_mnist")`. Augmentation: {t["augmentation"]}.

## Training

| | |
|---|---|
| command | `{t["command"]}` |
| backend | {t["backend"]} (Keras {t["keras_version"]}) |
| seed | {t["seed"]} |
| epochs | {t["epochs"]}, batch size {t["batch_size"]} |
| optimiser | Adam, linear warm-up (5% of steps) to {t["learning_rate"]}, then cosine decay to 0 |
| wall time | {t["train_seconds"]:.0f} s training, {t["total_seconds"]:.0f} s with the evaluation below |
| machine | {t["machine"]} (no GPU); 15-minute load average after training: {load} (other jobs shared the cores when above the core count) |
| date | {t["date"]} |

## Results

- **Test accuracy: {m["test_accuracy"]:.4f}** on the {m["test_samples"]:,} test images
  ({m["subset_accuracy"]:.4f} on the {m["subset"]}, checked by the tests on every backend).

Reference floor in this feature space, {r["samples"]:,} vs {r["samples"]:,} real images
(precision/recall with k={r["k_precision_recall"]}, density/coverage with k={r["k_density_coverage"]}).
A generator cannot be expected to do better than real data against real data:

| real vs real | Frechet distance | precision | recall | density | coverage |
|---|---|---|---|---|---|
{row("train[:10k] vs test (10k)", r["train_vs_test"])}
{row("train[:10k] vs train[10k:20k]", r["train_vs_train"])}

Frechet distances in this feature space are not comparable with Inception FIDs, nor
across sample sizes (the estimate is biased upwards for small samples).

## Cross-backend check

`config.json` records the features of a fixed data-free input
(`{c["reference_features"]["input"]}`); `tests/test_evaluation.py` checks that the
weights give these features (to 1e-4) on TensorFlow, JAX and PyTorch.

## Files

- `{c["weights_file"]}`: Keras weights (`model.save_weights`).
- `{c["weights_file"]}.sha256`: its sha256 (`sha256sum -c` format); `{c["weights_sha256"]}`.
- `config.json`: architecture arguments, feature layer and dimension, input range,
  training settings and the numbers above.

## Notes

{notes}

## References

- Xiao, Rasul and Vollgraf, 2017. Fashion-MNIST. https://arxiv.org/abs/1708.07747
- Heusel et al., 2017. Frechet Inception Distance. https://arxiv.org/abs/1706.08500
- Kynkaanniemi et al., 2019. Improved precision and recall. https://arxiv.org/abs/1904.06991
- Naeem et al., 2020. Density and coverage. https://arxiv.org/abs/2002.09797
"""


if __name__ == "__main__":
    main()
