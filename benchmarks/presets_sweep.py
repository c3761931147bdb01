"""The sweeps of preset recipes: a record of trials and its tables.

Each trial is one `scripts/train_zoo.py --preset NAME [--set KEY=JSON ...]
--out DIR` run. `--add TAG=DIR` records the trials under DIR (their
`*/preset.json`: the full recipe, the metrics, the wall time) as trial TAG,
replacing an earlier record of the same preset and tag: the 2-D presets in
`benchmarks/results/plane_presets_sweep.json` (mode coverage per evaluation
seed), the Fashion-MNIST ones in `fashion_mnist_presets_sweep.json`
(Frechet distance, precision, recall, density and coverage in the shipped
classifier's features). Then, and on every call, the table of each sweep's
Markdown (`*_presets_sweep.md`, the Markdown after its prose) is rewritten
from its record. Each row's command is relative to the current recipes of
`scripts/train_zoo.py` (`--set` for every setting that differs), so it
reproduces the trial after the zoo's recipes change; model cards show
their preset's rows ("Recipes tried").

    python benchmarks/presets_sweep.py --add ema=/tmp/sweep/ema
    python benchmarks/presets_sweep.py            # the tables only
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import train_zoo  # noqa: E402

from keras_fgan.zoo import targets  # noqa: E402

IMAGE_METRICS = ("frechet_distance", "precision", "recall", "density", "coverage")
# Recorded when the trial's evaluation measured them (class balance since
# 2026-12; the encoder's linear probe for BiGANs).
IMAGE_EXTRAS = ("class_kl", "linear_probe_accuracy", "random_encoder_linear_probe_accuracy")


def _plane_metrics(metrics):
    return {"per_seed": [{"modes": s["modes"], "high_quality": s["high_quality"]} for s in metrics["per_seed"]],
            "num_modes": metrics["num_modes"]}


def _plane_cells(entry):
    seeds = entry["per_seed"]
    meets = targets.meets_mixture_target(seeds, entry["num_modes"])
    hq = ", ".join(f"{100 * s['high_quality']:.1f}%" for s in seeds)
    return [", ".join(str(s["modes"]) for s in seeds), hq, "yes" if meets else "no"]


def _image_metrics(metrics):
    return {key: metrics[key] for key in IMAGE_METRICS + IMAGE_EXTRAS if key in metrics}


def _image_cells(entry):
    kl = f"{entry['class_kl']:.4f}" if "class_kl" in entry else "-"
    probe = (f"{entry['linear_probe_accuracy']:.1%} ({entry['random_encoder_linear_probe_accuracy']:.1%})"
             if "linear_probe_accuracy" in entry else "-")
    return [f"{entry[key]:.3f}" for key in IMAGE_METRICS] + [kl, probe]


class Sweep:
    """One sweep: its record, its Markdown, its table's metric columns."""

    def __init__(self, kind, columns, metrics, cells):
        self.markdown = train_zoo.SWEEP_TABLES[kind]
        self.record_path = self.markdown.with_suffix(".json")
        self.header = (f"| preset | trial | {' | '.join(columns)} | wall s | command |\n"
                       f"|{'---|' * (len(columns) + 4)}")
        self._metrics, self._cells = metrics, cells

    def trial(self, preset, tag):
        """A record entry from a trained preset's `preset.json` dict."""
        return {"preset": preset["name"], "trial": tag, "recipe": preset["recipe"],
                **self._metrics(preset["metrics"]), "wall_time_s": preset["training"]["wall_time_s"],
                "backend": preset["training"]["backend"]}

    def row(self, entry):
        command = train_zoo.reproduce_command(entry["preset"], entry["recipe"], entry["backend"])
        return "| " + " | ".join([entry["preset"], entry["trial"], *self._cells(entry),
                                   f"{entry['wall_time_s']:.0f}", f"`{command}`"]) + " |"

    def table(self, record):
        return self.header + "\n" + "\n".join(
            self.row(e) for e in sorted(record, key=lambda e: (e["preset"], e["trial"])))

    def read(self):
        return json.loads(self.record_path.read_text()) if self.record_path.is_file() else []

    def write(self, record):
        """Writes the record and the table that ends the Markdown (its prose kept)."""
        self.record_path.write_text(json.dumps(sorted(record, key=lambda e: (e["preset"], e["trial"])), indent=1) + "\n")
        text = self.markdown.read_text()
        prose = text[:text.index("| preset | trial |")] if "| preset | trial |" in text else text + "\n"
        self.markdown.write_text(prose + self.table(record) + "\n")


SWEEPS = {
    "plane": Sweep("plane",
                   ["modes (seeds 0-4)", "high quality (seeds 0-4)", f">= {targets.MIXTURE_HIGH_QUALITY:.0%} on all seeds"],
                   _plane_metrics, _plane_cells),
    "image": Sweep("image",
                   ["Frechet distance", "precision", "recall", "density", "coverage", "class KL",
                    "encoder probe (random encoders)"],
                   _image_metrics, _image_cells),
}


def add(records, tag, directory):
    """Adds (or replaces) the trials under `directory` as `tag` in
    `records` (sweep kind -> record); returns their names."""
    paths = sorted(Path(directory).glob("*/preset.json"))
    if not paths:
        raise SystemExit(f"no */preset.json under {directory}")
    names = []
    for path in paths:
        preset = json.loads(path.read_text())
        kind = train_zoo.sweep_kind(preset["recipe"]["data"])
        entry = SWEEPS[kind].trial(preset, tag)
        record = records[kind]
        record[:] = [e for e in record if (e["preset"], e["trial"]) != (entry["preset"], tag)]
        record.append(entry)
        names.append(entry["preset"])
    return names


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--add", action="append", default=[], metavar="TAG=DIR",
                        help="record the trials trained under DIR as trial TAG")
    args = parser.parse_args(argv)
    records = {kind: sweep.read() for kind, sweep in SWEEPS.items()}
    for item in args.add:
        tag, _, directory = item.partition("=")
        if not tag or not directory:
            parser.error(f"--add takes TAG=DIR, not {item!r}")
        print(tag, ":", ", ".join(add(records, tag, directory)))
    for kind, sweep in SWEEPS.items():
        sweep.write(records[kind])
    return 0


if __name__ == "__main__":
    sys.exit(main())
