"""The sweep of 2-D preset recipes: a record of trials and its table.

Each trial is one `scripts/train_zoo.py --preset NAME [--set KEY=JSON ...]
--out DIR` run. `--add TAG=DIR` records the trials under DIR (its
`*/preset.json`: the full recipe, per-seed mode coverage, wall time) in
`benchmarks/results/plane_presets_sweep.json` as trial TAG, replacing an
earlier record of the same preset and tag; then, and on every call, the
table of `plane_presets_sweep.md` (the Markdown after its prose) is
rewritten from the record. Each row's command is relative to the current
recipes of `scripts/train_zoo.py` (`--set` for every setting that differs),
so it reproduces the trial after the zoo's recipes change; model cards show
their preset's rows ("Recipes tried").

    python benchmarks/plane_presets_sweep.py --add ema=/tmp/sweep/ema
    python benchmarks/plane_presets_sweep.py            # the table only
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import train_zoo  # noqa: E402

RECORD = ROOT / "benchmarks" / "results" / "plane_presets_sweep.json"
HEADER = ("| preset | trial | modes (seeds 0-4) | high quality (seeds 0-4) | >= 90% on all seeds | wall s | command |\n"
          "|---|---|---|---|---|---|---|")


def trial(preset, tag):
    """A record entry from a trained preset's `preset.json` dict."""
    m = preset["metrics"]
    return {
        "preset": preset["name"], "trial": tag, "recipe": preset["recipe"],
        "per_seed": [{"modes": s["modes"], "high_quality": s["high_quality"]} for s in m["per_seed"]],
        "num_modes": m["num_modes"], "wall_time_s": preset["training"]["wall_time_s"],
        "backend": preset["training"]["backend"],
    }


def add(record, tag, directory):
    """Adds (or replaces) the trials under `directory` as `tag`; returns their names."""
    paths = sorted(Path(directory).glob("*/preset.json"))
    if not paths:
        raise SystemExit(f"no */preset.json under {directory}")
    names = []
    for path in paths:
        entry = trial(json.loads(path.read_text()), tag)
        record[:] = [e for e in record if (e["preset"], e["trial"]) != (entry["preset"], tag)]
        record.append(entry)
        names.append(entry["preset"])
    return names


def row(entry):
    seeds = entry["per_seed"]
    meets = all(s["modes"] == entry["num_modes"] and s["high_quality"] >= train_zoo.TARGET_HQ for s in seeds)
    command = train_zoo.reproduce_command(entry["preset"], entry["recipe"], entry["backend"])
    hq = ", ".join(f"{100 * s['high_quality']:.1f}%" for s in seeds)
    return (f"| {entry['preset']} | {entry['trial']} | {', '.join(str(s['modes']) for s in seeds)} | "
            f"{hq} | {'yes' if meets else 'no'} | "
            f"{entry['wall_time_s']:.0f} | `{command}` |")


def table(record):
    return HEADER + "\n" + "\n".join(row(e) for e in sorted(record, key=lambda e: (e["preset"], e["trial"])))


def write(record, markdown=train_zoo.PLANE_SWEEP):
    """Writes the record and the table that ends `markdown` (its prose kept)."""
    RECORD.write_text(json.dumps(sorted(record, key=lambda e: (e["preset"], e["trial"])), indent=1) + "\n")
    text = markdown.read_text()
    prose = text[:text.index("| preset | trial |")] if "| preset | trial |" in text else text + "\n"
    markdown.write_text(prose + table(record) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--add", action="append", default=[], metavar="TAG=DIR",
                        help="record the trials trained under DIR as trial TAG")
    args = parser.parse_args(argv)
    record = json.loads(RECORD.read_text()) if RECORD.is_file() else []
    for item in args.add:
        tag, _, directory = item.partition("=")
        if not tag or not directory:
            parser.error(f"--add takes TAG=DIR, not {item!r}")
        print(tag, ":", ", ".join(add(record, tag, directory)))
    write(record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
