"""MkDocs hooks: pages generated from the repository at build time.

Markers (HTML comments, so a page still reads well unprocessed):

- `<!-- zoo-table -->`: a gallery of the presets in `zoo/*/README.md` (each
  card's picture, and from `preset.json` beside it the model, headline
  figures and the target met or missed), and `<!-- zoo-cards -->`: every
  model card, its headings shifted under the page's own, its images copied
  into the site. Zero cards give a short note instead of an empty gallery.
- `<!-- examples-table -->`: one row per `examples/*.py`, described by the
  first line of its docstring.
- `<!-- cli-help -->`: the `--help` text of `keras-fgan` and of every
  sub-command, from `keras_fgan/cli.py`'s `build_parser()` (the file is
  loaded on its own, so the build imports no deep-learning framework).
- A `::: keras_fgan.<module>` line whose module is not in the checkout (a
  module still being written) becomes a note instead of a build error.

Formulas: `pymdownx.arithmatex` (generic mode) wraps each `$...$` / `$$...$$`
formula in `<span class="arithmatex">\\(...\\)</span>` /
`<div class="arithmatex">\\[...\\]</div>`; `on_page_content` converts the
TeX to MathML with `latex2mathml`, so browsers lay the formulas out natively,
with no script and no network. A formula it cannot convert fails a strict
build, naming the page.

Nothing here touches the network.
"""

import argparse
import contextlib
import html
import importlib.util
import json
import logging
import os
import posixpath
import re
import sys
from pathlib import Path

from mkdocs.structure.files import File

log = logging.getLogger("mkdocs.hooks.keras_fgan")

ZOO_TABLE = "<!-- zoo-table -->"
ZOO_CARDS = "<!-- zoo-cards -->"
CLI_HELP = "<!-- cli-help -->"
EXAMPLES_TABLE = "<!-- examples-table -->"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
# Metrics shown in the zoo gallery, in this order, with their labels.
TABLE_METRICS = {
    "frechet_distance": "FD",
    "precision": "precision",
    "recall": "recall",
    "density": "density",
    "coverage": "coverage",
    "modes": "modes",
    "high_quality": "high quality",
    "kl": "KL",
    "test_accuracy": "test accuracy",
}
LINK = re.compile(r"(!?)\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})(\s+.*)$")
# A `::: identifier` line and its indented options block.
# An arithmatex formula: inline in a span, display in a div.
FORMULA = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.DOTALL)
DELIMITERS = {"span": ("\\(", "\\)"), "div": ("\\[", "\\]")}
AUTODOC = re.compile(r"^:::[ \t]+(keras_fgan(?:\.[A-Za-z_]\w*)*)[ \t]*(?:\n(?:[ \t]+\S.*(?:\n|$))*)?", re.MULTILINE)

_state = {"root": Path.cwd(), "cards": None, "targets": None}


def on_config(config):
    _state["root"] = Path(config.config_file_path).resolve().parent
    _state["cards"] = None
    return config


# ------------------------------------------------------------------ zoo --


def _read_json(path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _cards():
    """[(name, folder, card text, preset dict or None)], sorted by name."""
    if _state["cards"] is None:
        cards = []
        zoo = _state["root"] / "zoo"
        for readme in sorted(zoo.glob("*/README.md")) if zoo.is_dir() else ():
            try:
                text = readme.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                log.info("zoo: skipping unreadable %s (%s)", readme, error)
                continue
            folder = readme.parent
            preset = _read_json(folder / "preset.json")
            cards.append((folder.name, folder, text, preset if isinstance(preset, dict) else None))
        _state["cards"] = cards
    return _state["cards"]


def _card_images(folder, text):
    """Relative image files of a card that exist in its folder."""
    images = []
    for match in LINK.finditer(text):
        target = match.group(3)
        if _is_relative(target):
            path = (folder / target.split("#")[0]).resolve()
            if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file() and folder.resolve() in path.parents:
                images.append(path)
    return images


def _is_relative(target):
    return not (re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target) or target.startswith(("#", "/")))


def on_files(files, config):
    for name, folder, text, _ in _cards():
        for path in _card_images(folder, text):
            src_uri = f"zoo/{name}/{path.relative_to(folder.resolve()).as_posix()}"
            if files.get_file_from_path(src_uri) is None:
                files.append(File.generated(config, src_uri, abs_src_path=str(path)))
    return files


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ").strip() or "-"


def _title(name, text):
    for line in text.splitlines():
        match = re.match(r"^#\s+(.*\S)", line)
        if match:
            title = match.group(1)
            prefix = f"{name}:"
            return title[len(prefix):].strip() if title.startswith(prefix) else title
    return ""


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return f"{value:d}" if isinstance(value, int) else f"{value:.4g}"


def _model_cell(preset):
    if not preset:
        return "-"
    model = str(preset.get("class", "-"))
    recipe = preset.get("recipe") if isinstance(preset.get("recipe"), dict) else {}
    details = [
        f"{key}={recipe[key]}"
        for key in ("divergence", "lipschitz", "loss", "generator_loss")
        if recipe.get(key) is not None
        and (model == "FGAN" or key not in ("divergence", "generator_loss"))
        and (model == "WGAN" or key != "lipschitz")
        and (model in ("GAN", "BiGAN", "AdversarialModel") or key != "loss")
    ]
    return model + (f" ({', '.join(details)})" if details else "")


def _headline(preset):
    """(headline figures, target text, met) of a preset's metrics: mode
    coverage over evaluation seeds for the 2-D mixtures, FD / precision /
    recall for images (the zoo's targets, zoo/README.md)."""
    metrics = (preset or {}).get("metrics")
    if not isinstance(metrics, dict):
        return "see the card", "", None
    if "modes_mean" in metrics:
        figures = (f"modes {_number(metrics['modes_mean'])}/{metrics.get('num_modes', '?')} "
                   f"(min {_number(metrics.get('modes_min'))}), high quality "
                   f"{100 * metrics.get('high_quality_mean', 0):.1f}% (min "
                   f"{100 * metrics.get('high_quality_min', 0):.1f}%) over 5 seeds")
        met = bool(metrics.get("meets_target"))
        return figures, _targets().MIXTURE_TARGET, met
    if "frechet_distance" in metrics:
        figures = ", ".join(
            f"{label} {_number(metrics[key])}" for key, label in TABLE_METRICS.items()
            if key in ("frechet_distance", "precision", "recall") and _number(metrics.get(key)) is not None
        )
        return figures, _targets().IMAGE_TARGET, _targets().meets_image_target(metrics)
    shown = [f"{label} {_number(metrics[key])}" for key, label in TABLE_METRICS.items()
             if _number(metrics.get(key)) is not None]
    return ", ".join(shown) or "see the card", "", None


def _picture(name, folder, text):
    """The URL path (from the site root) of a card's first picture, or None."""
    images = _card_images(folder, text)
    if not images:
        return None
    return f"zoo/{name}/{images[0].relative_to(folder.resolve()).as_posix()}"


def zoo_table(page_url="zoo/"):
    """The zoo gallery: one tile per preset with its sample picture, model,
    headline figures and the target it meets or misses. Raw HTML in a
    wrapping grid, so it never runs off the page."""
    cards = _cards()
    if not cards:
        return (
            '!!! note "No presets yet"\n'
            "    No model card (`zoo/*/README.md`) was found when this site was built."
        )
    tiles = []
    for name, folder, text, preset in cards:
        recipe = (preset or {}).get("recipe")
        data = recipe.get("data") if isinstance(recipe, dict) else None
        figures, target, met = _headline(preset)
        picture = _picture(name, folder, text)
        image = (
            f'<a href="#zoo-{name}"><img src="{html.escape(posixpath.relpath(picture, page_url or "."))}" '
            f'alt="samples of {name}" loading="lazy"></a>' if picture else ""
        )
        verdict = ""
        if met is not None:
            verdict = (f'<span class="zoo-target zoo-{"met" if met else "missed"}">'
                       f'{"meets" if met else "misses"} the target ({html.escape(target)})</span>')
        tiles.append(
            f'<figure class="zoo-tile">{image}<figcaption>'
            f'<a href="#zoo-{name}"><code>{html.escape(name)}</code></a><br>'
            f'{html.escape(_model_cell(preset))} on {html.escape(str(data or "-"))}<br>'
            f'{html.escape(figures)}<br>{verdict}</figcaption></figure>'
        )
    return '<div class="zoo-gallery">\n' + "\n".join(tiles) + "\n</div>"


def _rewrite_links(text, name, folder, page_dir):
    """Card links, made valid on the docs page: images copied into the site
    are re-pointed, other relative links become plain text."""
    image_paths = set(_card_images(folder, text))

    def replace(match):
        bang, label, target = match.group(1), match.group(2), match.group(3)
        if not _is_relative(target):
            return match.group(0) if not target.startswith("#") else label
        path = (folder / target.split("#")[0]).resolve()
        if bang and path in image_paths:
            src = f"zoo/{name}/{path.relative_to(folder.resolve()).as_posix()}"
            return f"![{label}]({posixpath.relpath(src, page_dir or '.')})"
        return f"{label} (`zoo/{name}/{target}`)" if label else f"`zoo/{name}/{target}`"

    return LINK.sub(replace, text)


def _shift_headings(text, name):
    """Drops the card's H1 (the section heading replaces it) and moves the
    other headings two levels down, leaving code blocks alone."""
    out, fenced, dropped_title = [], False, False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        match = None if fenced else HEADING.match(line)
        if match:
            level = len(match.group(1))
            if level == 1 and not dropped_title:
                dropped_title = True
                continue
            line = "#" * min(level + 2, 6) + match.group(2)
        out.append(line)
    return "\n".join(out)


def zoo_cards(page_dir):
    parts = []
    for name, folder, text, preset in _cards():
        title = _title(name, text)
        heading = f"### `{name}`" + (f": {title}" if title else "")
        body = _shift_headings(_rewrite_links(text, name, folder, page_dir), name)
        parts.append(f"{heading} {{#zoo-{name}}}\n\n{body.strip()}\n")
    return "\n".join(parts) if parts else ""


# ------------------------------------------------------------------ cli --


def _load_module(checkout, relative, name):
    """`keras_fgan/<relative>` of the checkout at `checkout`, loaded on its
    own (as `name`), so the build imports no deep-learning framework; None
    when absent."""
    path = checkout / "keras_fgan" / relative
    if not path.is_file():
        return None
    root = str(checkout)
    added = root not in sys.path
    if added:
        sys.path.insert(0, root)
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        if added:
            sys.path.remove(root)


def _load_cli():
    return _load_module(_state["root"], "cli.py", "_keras_fgan_cli_for_docs")


def _targets():
    """The zoo's quality targets: `keras_fgan/zoo/targets.py` of the checkout
    that holds this file (the gallery states the library's targets whatever
    folder the site is built from)."""
    if _state["targets"] is None:
        _state["targets"] = _load_module(Path(__file__).resolve().parents[1], "zoo/targets.py",
                                         "_keras_fgan_zoo_targets_for_docs")
    return _state["targets"]


def _subcommands(parser, prefix):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix} {name}", sub
                yield from _subcommands(sub, f"{prefix} {name}")


def cli_help():
    try:
        cli = _load_cli()
        if cli is None:
            return (
                '!!! note "Not in this build"\n'
                "    `keras_fgan/cli.py` was not found when this site was built; the "
                "`--help` text is generated from it."
            )
        columns = os.environ.get("COLUMNS")
        os.environ["COLUMNS"] = "92"
        try:
            parser = cli.build_parser()
            sections = [("keras-fgan", parser), *_subcommands(parser, "keras-fgan")]
            blocks = []
            for command, sub in sections:
                level = "###" if command.count(" ") <= 1 else "####"
                with contextlib.redirect_stdout(sys.stderr):
                    text = sub.format_help().rstrip()
                blocks.append(f"{level} `{command}`\n\n```text\n{text}\n```\n")
        finally:
            if columns is None:
                os.environ.pop("COLUMNS", None)
            else:
                os.environ["COLUMNS"] = columns
        return "\n".join(blocks)
    except Exception as error:  # the page must build while cli.py is being written
        log.info("cli help not generated: %s: %s", type(error).__name__, error)
        return (
            '!!! warning "Help text unavailable"\n'
            f"    Generating the `--help` text from `keras_fgan/cli.py` failed at build "
            f"time ({type(error).__name__})."
        )


# ------------------------------------------------------------- examples --


def _docstring_summary(path):
    """The first line of a script's module docstring ('' if none)."""
    import ast

    try:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return ""
    return doc.strip().splitlines()[0].strip() if doc and doc.strip() else ""


def examples_table():
    scripts = sorted((_state["root"] / "examples").glob("*.py"))
    if not scripts:
        return '!!! note "No examples"\n    `examples/` held no script when this site was built.'
    rows = ["| script | what it shows |", "|---|---|"]
    for script in scripts:
        rows.append(f"| `examples/{script.name}` | {_cell(_docstring_summary(script) or '-')} |")
    return "\n".join(rows)


# -------------------------------------------------------------- autodoc --


def _module_exists(dotted):
    """Whether `keras_fgan.<name>` (the first two parts) is in the checkout."""
    parts = dotted.split(".")
    base = _state["root"].joinpath(*parts[:2])
    return len(parts) < 2 or base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _missing_module_note(match):
    dotted = match.group(1)
    if _module_exists(dotted):
        return match.group(0)
    log.info("autodoc: %s is not in this checkout; writing a note instead", dotted)
    return (
        f'!!! note "`{dotted}` is not in this build"\n'
        f"    This reference is generated from the source of `{dotted}`, which was "
        "not found when this site was built.\n"
    )


def on_page_markdown(markdown, page, config, files):
    if ZOO_TABLE in markdown:
        markdown = markdown.replace(ZOO_TABLE, zoo_table(page.url))
    if ZOO_CARDS in markdown:
        page_dir = posixpath.dirname(page.file.src_uri)
        markdown = markdown.replace(ZOO_CARDS, zoo_cards(page_dir))
    if EXAMPLES_TABLE in markdown:
        markdown = markdown.replace(EXAMPLES_TABLE, examples_table())
    if CLI_HELP in markdown:
        markdown = markdown.replace(CLI_HELP, cli_help())
    return AUTODOC.sub(_missing_module_note, markdown)


# ----------------------------------------------------------------- math --


def tex_to_mathml(tex, display=False):
    """MathML for a TeX formula (without delimiters), its source as `alttext`.

    Raises:
        Exception: what `latex2mathml` raises for TeX it cannot convert.
    """
    from latex2mathml.converter import convert

    mathml = convert(tex, display="block" if display else "inline")
    return mathml.replace("<math ", f'<math alttext="{html.escape(tex, quote=True)}" ', 1)


def render_math(page_html, where):
    """Replaces every arithmatex formula in `page_html` by MathML; logs a
    warning (an error under `--strict`) naming `where` for one it cannot."""

    def replace(match):
        tag, body = match.group(1), html.unescape(match.group(2)).strip()
        opening, closing = DELIMITERS[tag]
        if not (body.startswith(opening) and body.endswith(closing)):
            log.warning("%s: unexpected formula markup %r", where, body[:80])
            return match.group(0)
        tex = body[len(opening):-len(closing)].strip()
        try:
            mathml = tex_to_mathml(tex, display=tag == "div")
        except Exception as error:  # latex2mathml raises several types
            log.warning("%s: cannot render the formula %r (%s: %s)", where, tex, type(error).__name__, error)
            return match.group(0)
        return f'<{tag} class="arithmatex">{mathml}</{tag}>'

    return FORMULA.sub(replace, page_html)


def on_page_content(page_html, page, config, files):
    return render_math(page_html, page.file.src_uri)
