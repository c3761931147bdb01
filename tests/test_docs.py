"""The documentation site: `mkdocs build --strict`, formulas in a real browser,
API coverage, build hooks.

Building the site and opening it in a browser do not depend on the backend
and take a while, so they run only under the TensorFlow backend (the suite
runs once per backend). The other checks are cheap and run everywhere.
"""

import html
import json
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import keras
import pytest

from repo_files import load_module

ROOT = Path(__file__).resolve().parents[1]
MKDOCS = Path(sys.executable).parent / "mkdocs"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

once = pytest.mark.skipif(
    keras.backend.backend() != "torch",
    reason="the docs build does not depend on the backend; it runs once, under torch "
    "(the shortest of the three CI runs)",
)
needs_mkdocs = pytest.mark.skipif(not MKDOCS.exists(), reason="mkdocs is not installed (extra 'docs')")


def _load_hooks():
    pytest.importorskip("mkdocs")
    return load_module("docs/hooks.py", "docs_hooks")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built once by `mkdocs build --strict` into a temporary folder."""
    site = tmp_path_factory.mktemp("docs") / "site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(
        [str(MKDOCS), "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-6000:]
    return site


@once
@needs_mkdocs
def test_mkdocs_build_strict(site):
    for page in ("index.html", "concepts/index.html", "guides/fgan/index.html",
                 "api/divergences/index.html", "zoo/index.html", "cli/index.html"):
        assert (site / page).is_file(), page
    # mkdocstrings rendered the divergences, and the formulas became MathML.
    assert "keras_fgan.divergences.FDivergence" in (site / "api/divergences/index.html").read_text()
    concepts = (site / "concepts/index.html").read_text()
    assert 'class="arithmatex"><math alttext=' in concepts
    assert "\\(" not in concepts and "\\[" not in concepts
    # One zoo table row per model card, and the cards' images are in the site.
    zoo_page = (site / "zoo/index.html").read_text()
    for card in sorted(ROOT.glob("zoo/*/README.md")):
        assert f'href="#zoo-{card.parent.name}"' in zoo_page, card
    for image in re.findall(r'<img[^>]+src="([^"]+)"', zoo_page):
        if not image.startswith(("http:", "https:", "data:")):
            assert (site / "zoo" / image).resolve().is_file(), image
    # The hook file and its bytecode are not published.
    assert not (site / "hooks.py").exists() and not (site / "__pycache__").exists()
    # Every script and stylesheet ships with the site: nothing from a CDN.
    for page in site.rglob("*.html"):
        text = page.read_text()
        remote = re.findall(r'<script[^>]+src="(https?:[^"]+)"', text)
        remote += re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="(https?:[^"]+)"', text)
        assert not remote, (page, remote)


# Appended to a copy of a built page: what Chromium shows once the page's
# scripts ran, as JSON in a <pre>. `text` is the rendered text (innerText);
# a fraction is "stacked" when MathML layout put its numerator above its
# denominator (no MathML support would leave them side by side).
PROBE = """<script>(() => {
  const shown = (e) => e.checkVisibility();
  const maths = [...document.querySelectorAll("math")];
  const visible = maths.filter(shown);
  const fracs = [...document.querySelectorAll("mfrac")].filter(shown);
  const probe = document.createElement("pre");
  probe.id = "kf-probe";
  probe.textContent = JSON.stringify({
    text: document.body.innerText,
    math: maths.length,
    mathml: maths.filter((m) => m instanceof MathMLElement).length,
    visible: visible.length,
    laid_out: visible.filter((m) => {
      const box = m.getBoundingClientRect();
      return box.width > 0 && box.height > 0;
    }).length,
    fracs: fracs.length,
    stacked: fracs.filter((f) =>
      f.children[0].getBoundingClientRect().bottom <= f.children[1].getBoundingClientRect().top + 1
    ).length,
  });
  document.body.appendChild(probe);
})();</script>"""


def _render(page, profile):
    """Opens `page` (a built HTML file) in headless Chromium with no network
    and returns the probe's findings."""
    probe_page = page.with_name(page.stem + ".kf-probe.html")
    probe_page.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    proc = subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
            # No network: every host resolves to nothing, and any proxy use fails.
            "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
            "--virtual-time-budget=5000", "--dump-dom", probe_page.as_uri(),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = re.search(r'<pre id="kf-probe">(.*?)</pre>', proc.stdout, re.DOTALL)
    assert found, f"the probe did not run in {page}: {proc.stdout[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


@once
@needs_mkdocs
@pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (`make test` installs Debian's chromium)",
)
def test_formulas_render_in_headless_chromium(site, tmp_path):
    pages = sorted(p for p in site.rglob("index.html") if 'class="arithmatex"' in p.read_text())
    relative = {p.relative_to(site).as_posix() for p in pages}
    assert {"concepts/index.html", "guides/fgan/index.html"} <= relative, relative
    for page in pages:
        where = page.relative_to(site).as_posix()
        seen = _render(page, tmp_path / "profile")
        for raw in ("\\(", "\\)", "\\[", "\\]", "$$"):
            assert raw not in seen["text"], (where, raw)
        assert seen["math"] == page.read_text().count('class="arithmatex"'), where
        assert seen["mathml"] == seen["math"], where
        assert seen["visible"] > 0 and seen["laid_out"] == seen["visible"], (where, seen)
        assert seen["stacked"] == seen["fracs"], (where, seen)
        if where == "concepts/index.html":
            assert seen["fracs"] > 0 and "\u2016" in seen["text"]  # \| as a double bar


def _public_modules():
    """keras_fgan's public modules: keras_fgan.X for X.py or X/ without '_'."""
    package = ROOT / "keras_fgan"
    names = [p.stem for p in package.glob("*.py") if not p.name.startswith("_")]
    names += [p.name for p in package.iterdir() if (p / "__init__.py").is_file() and not p.name.startswith("_")]
    return sorted(f"keras_fgan.{name}" for name in names)


def test_every_public_module_has_an_api_page():
    documented = set()
    for page in (ROOT / "docs" / "api").glob("*.md"):
        documented.update(re.findall(r"^:::\s+(keras_fgan\.\w+)", page.read_text(), re.MULTILINE))
    missing = [m for m in _public_modules() if m not in documented]
    assert not missing, f"add an API page (docs/api/*.md with '::: MODULE') for {missing}"


def test_every_api_page_is_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text()
    for page in sorted((ROOT / "docs" / "api").glob("*.md")):
        assert f"api/{page.name}" in nav, page


def _config(root):
    return type("Config", (), {"config_file_path": str(root / "mkdocs.yml")})()


def test_zoo_hook_without_cards(tmp_path):
    hooks = _load_hooks()
    hooks.on_config(_config(tmp_path))
    assert "No presets yet" in hooks.zoo_table()
    assert hooks.zoo_cards("") == ""
    (tmp_path / "zoo").mkdir()
    hooks.on_config(_config(tmp_path))
    assert "No presets yet" in hooks.zoo_table()


def test_zoo_hook_with_cards(tmp_path):
    hooks = _load_hooks()
    card_dir = tmp_path / "zoo" / "wgan_ring"
    card_dir.mkdir(parents=True)
    (card_dir / "samples.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (card_dir / "README.md").write_text(
        "# wgan_ring: WGAN-GP on the ring\n\n"
        "A test card.\n\n![samples](samples.png)\n\n"
        "## Load\n\n```sh\n# a shell comment, not a heading\nkeras-fgan zoo show wgan_ring\n```\n\n"
        "See [the config](config.json), [a section](#load) and [Keras](https://keras.io).\n"
    )
    (card_dir / "preset.json").write_text(
        '{"class": "WGAN", "description": "WGAN-GP on the ring",'
        ' "recipe": {"data": "ring", "lipschitz": "gradient_penalty", "epochs": 3},'
        ' "metrics": {"modes": 8, "high_quality": 0.91, "protocol": "2,500 samples"},'
        ' "training": {"wall_time_s": 12.3, "backend": "jax"}}'
    )
    bare = tmp_path / "zoo" / "bare"  # a card without preset.json
    bare.mkdir()
    (bare / "README.md").write_text("Just | a paragraph.\n")
    hooks.on_config(_config(tmp_path))

    ring = tmp_path / "zoo" / "gan_ring"  # the 2-D summary over evaluation seeds
    ring.mkdir()
    (ring / "README.md").write_text("# gan_ring: GAN on ring\n")
    (ring / "preset.json").write_text(
        '{"class": "GAN", "recipe": {"data": "ring", "loss": "non_saturating"}, "metrics": {'
        '"modes_mean": 8.0, "modes_min": 8, "num_modes": 8, "high_quality_mean": 0.95,'
        ' "high_quality_min": 0.93, "meets_target": true}}'
    )
    images = tmp_path / "zoo" / "gan_images"
    images.mkdir()
    (images / "README.md").write_text("# gan_images: GAN on images\n")
    (images / "preset.json").write_text(
        '{"class": "GAN", "recipe": {"data": "fashion_mnist"}, "metrics": {'
        '"frechet_distance": 5.79, "precision": 0.77, "recall": 0.47}}'
    )
    hooks.on_config(_config(tmp_path))

    gallery = hooks.zoo_table("zoo/")
    tiles = re.findall(r'<figure class="zoo-tile">(.*?)</figure>', gallery)
    assert len(tiles) == 4 and gallery.startswith('<div class="zoo-gallery">')
    bare, images_tile, ring_tile, wgan = tiles
    assert 'href="#zoo-bare"' in bare and "<img" not in bare and "see the card" in bare
    assert "FD 5.79, precision 0.77, recall 0.47" in images_tile and "misses the target" in images_tile
    assert "modes 8/8 (min 8), high quality 95.0% (min 93.0%)" in ring_tile
    assert "meets the target" in ring_tile and "GAN (loss=non_saturating) on ring" in ring_tile
    assert '<a href="#zoo-wgan_ring"><img src="wgan_ring/samples.png"' in wgan
    assert "WGAN (lipschitz=gradient_penalty) on ring" in wgan and "modes 8, high quality 0.91" in wgan
    assert 'src="../zoo/wgan_ring/samples.png"' in hooks.zoo_table("sub/")

    cards = hooks.zoo_cards("")
    assert "### `wgan_ring`: WGAN-GP on the ring {#zoo-wgan_ring}" in cards
    assert "![samples](zoo/wgan_ring/samples.png)" in cards
    assert "#### Load" in cards and "# a shell comment, not a heading" in cards
    assert "the config (`zoo/wgan_ring/config.json`)" in cards
    assert "a section" in cards and "(#load)" not in cards
    assert "[Keras](https://keras.io)" in cards
    assert "../zoo/wgan_ring/samples.png" in hooks.zoo_cards("sub")

    class Files(list):
        def get_file_from_path(self, path):
            return None

    config = types.SimpleNamespace(docs_dir=str(tmp_path / "docs"), site_dir=str(tmp_path / "site"),
                                   use_directory_urls=True,
                                   plugins=types.SimpleNamespace(_current_plugin=None))
    files = hooks.on_files(Files(), config)
    assert [f.src_uri for f in files] == ["zoo/wgan_ring/samples.png"]


def test_missing_module_becomes_a_note(tmp_path):
    hooks = _load_hooks()
    hooks.on_config(_config(ROOT))
    markdown = "::: keras_fgan.not_written_yet\n    options:\n      members: false\n\n::: keras_fgan.divergences\n"
    page = type("Page", (), {"file": type("File", (), {"src_uri": "api/x.md"})()})()
    out = hooks.on_page_markdown(markdown, page, None, None)
    assert "::: keras_fgan.not_written_yet" not in out and "is not in this build" in out
    assert "members: false" not in out
    assert "::: keras_fgan.divergences" in out


def test_examples_table(tmp_path):
    hooks = _load_hooks()
    hooks.on_config(_config(tmp_path))
    assert "No examples" in hooks.examples_table()
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "demo.py").write_text('"""Shows a | b.\n\nMore text.\n"""\n')
    (tmp_path / "examples" / "broken.py").write_text("def (\n")
    table = hooks.examples_table()
    assert "| `examples/demo.py` | Shows a \\| b. |" in table
    assert "| `examples/broken.py` | - |" in table
