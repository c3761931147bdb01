"""Pretrained presets: registry, verified download and cache, loading.

A preset is plain data in a folder `zoo/<name>/`:

- `preset.json`: the recipe it was trained with (the flat dict of
  `keras_fgan.builders`), the model class, its files with their sha256 and
  sizes, measured metrics and training details;
- `model.keras` (networks and weights; the classifier preset has
  `classifier.weights.h5` and `config.json` instead);
- `README.md`: the model card; `samples.png`: a sample grid or scatter plot;
- `reference.npz`: a fixed latent batch and the generator's outputs, to check
  that every backend reproduces them.

The registry is discovered from `zoo/*/preset.json` (no hand-kept list):
from the repository's `zoo/` when the package runs from a checkout, else from
the base location (`index.json` there, which `scripts/train_zoo.py` writes).

Files are fetched from a base location set by the environment variable
`KERAS_FGAN_ZOO_URL` (an `https://`, `http://` or `file://` URL, or a plain
directory), by default the repository's own `zoo/`. Each file goes to a
temporary name, is checked against the sha256 recorded in `preset.json`, and
only then renamed into the cache `$KERAS_HOME/keras_fgan/zoo/<name>/`
(`KERAS_HOME` defaults to `~/.keras`). A cached file whose hash matches is
used without touching the network, so presets work offline once downloaded;
a cached file whose hash does not match is removed and fetched again. A
download whose hash does not match is refused with an error naming the file,
the expected and the actual hash, and nothing is left in the cache.

Example:

```python
import keras_fgan as kf

kf.zoo.list_presets()
model = kf.zoo.load("wgan_gp_fashion_mnist")       # the adversarial model
generator = kf.zoo.load_generator("gan_ring")
model = kf.WGAN.from_preset("wgan_gp_ring")        # checks the class
print(kf.zoo.model_card("gan_ring"))
```
"""

import difflib
import hashlib
import json
import os
import shutil
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

ZOO_URL_ENV = "KERAS_FGAN_ZOO_URL"
PRESET_FILE = "preset.json"
INDEX_FILE = "index.json"
CLASSIFIER_CLASS = "Classifier"


class ZooDownloadError(OSError):
    """A preset file could not be fetched (unreachable server, missing file)."""


class ZooIntegrityError(ValueError):
    """A preset file's sha256 does not match the registry (corrupt, truncated
    or tampered with)."""


# ------------------------------------------------------------ locations --

def repository_zoo_dir():
    """The `zoo/` folder of the repository checkout the package runs from
    (it may not exist for an installed package)."""
    return Path(__file__).resolve().parents[1] / "zoo"


def base_location():
    """The base URL or directory preset files are fetched from:
    `$KERAS_FGAN_ZOO_URL`, else the repository's `zoo/`."""
    value = os.environ.get(ZOO_URL_ENV, "").strip()
    if value:
        return value.rstrip("/")
    return str(repository_zoo_dir())


def cache_root():
    """`$KERAS_HOME/keras_fgan/zoo` (`KERAS_HOME` defaults to `~/.keras`)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "keras_fgan" / "zoo"


def _local_path(location):
    """The local path of a plain directory or a `file://` URL, else None."""
    parsed = urllib.parse.urlparse(location)
    if parsed.scheme == "file":
        return Path(urllib.request.url2pathname(parsed.path))
    if parsed.scheme in ("http", "https"):
        return None
    if parsed.scheme and len(parsed.scheme) > 1:
        raise ValueError(
            f"{ZOO_URL_ENV}={location!r}: unsupported scheme {parsed.scheme!r}; "
            "use an https://, http:// or file:// URL or a directory."
        )
    return Path(location)


def _origin(base, *parts):
    if _local_path(base) is not None and not base.startswith("file:"):
        return str(Path(base).joinpath(*parts))
    return base + "/" + "/".join(urllib.parse.quote(p) for p in parts)


# ------------------------------------------------------------- registry --

def sha256_of(path):
    """Hex sha256 digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _scan(directory):
    presets = {}
    for path in sorted(Path(directory).glob(f"*/{PRESET_FILE}")):
        with open(path) as f:
            preset = json.load(f)
        presets[preset.get("name", path.parent.name)] = preset
    return presets


def _registry():
    """name -> preset dict. From the checkout's zoo/ when present, else from
    the base location (a directory scan, or its index.json)."""
    local = repository_zoo_dir()
    if local.is_dir():
        presets = _scan(local)
        if presets:
            return presets
    base = base_location()
    path = _local_path(base)
    if path is not None:
        return _scan(path)
    index = cache_root() / INDEX_FILE
    try:
        _download_to(_origin(base, INDEX_FILE), index, expected=None, label=INDEX_FILE)
    except ZooDownloadError:
        if not index.is_file():
            raise
    with open(index) as f:
        return json.load(f)["presets"]


def list_presets():
    """Sorted names of the available presets."""
    return sorted(_registry())


def _preset(name):
    registry = _registry()
    if name not in registry:
        names = sorted(registry)
        close = difflib.get_close_matches(str(name), names, n=5, cutoff=0.5)
        hint = f"Did you mean {', '.join(close)}? " if close else ""
        raise ValueError(
            f"Unknown preset {name!r}. {hint}Available presets: {', '.join(names)}."
        )
    return registry[name]


def preset_config(name):
    """The training recipe of a preset (a dict; `data`, `objective`, ...)."""
    return dict(_preset(name)["recipe"])


def preset_info(name):
    """The whole `preset.json` of a preset (recipe, class, files, metrics)."""
    return json.loads(json.dumps(_preset(name)))


# ------------------------------------------------------------- download --

def _download_to(origin, target, *, expected, label):
    """Fetches `origin` to `target` through a temporary file; checks the
    sha256 when `expected` is given; renames only a verified file."""
    import keras

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        tmp = tmpdir / target.name
        local = _local_path(origin) if not origin.startswith("file:") else None
        try:
            if local is not None:
                if not local.is_file():
                    raise FileNotFoundError(f"no such file: {local}")
                shutil.copyfile(local, tmp)
            else:
                keras.utils.get_file(
                    target.name, origin, file_hash=expected, hash_algorithm="sha256",
                    cache_dir=str(tmpdir), cache_subdir=".",
                )
        except ValueError:
            pass  # keras' own hash check failed: reported below with the details
        except Exception as error:  # noqa: BLE001 (urllib and get_file raise plain Exception)
            raise ZooDownloadError(
                f"Could not fetch {label} from {origin}: {error}. Set {ZOO_URL_ENV} "
                "to a reachable URL or directory, or use a cached preset."
            ) from error
        if not tmp.is_file():
            raise ZooDownloadError(f"Could not fetch {label} from {origin}: nothing was downloaded.")
        if expected is not None:
            actual = sha256_of(tmp)
            if actual != expected:
                raise ZooIntegrityError(
                    f"{label} downloaded from {origin} has sha256 {actual}, but the registry "
                    f"expects {expected} (size {tmp.stat().st_size} bytes). The file is corrupt, "
                    "truncated or was tampered with; it was discarded and nothing was cached."
                )
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return target


def _fetch(name, fname, preset=None):
    """The cached, verified local path of one file of a preset."""
    preset = preset or _preset(name)
    if fname not in preset["files"]:
        raise ValueError(f"Preset {name!r} has no file {fname!r}; it has {', '.join(sorted(preset['files']))}.")
    expected = preset["files"][fname]["sha256"]
    target = cache_root() / name / fname
    if target.is_file():
        if sha256_of(target) == expected:
            return target
        target.unlink()  # stale or corrupt: never trusted, fetched again
    return _download_to(
        _origin(base_location(), name, fname), target, expected=expected, label=f"{name}/{fname}"
    )


def download(name):
    """Fetches every file of a preset into the cache (verified by sha256) and
    returns the local folder; cached files with the right hash are reused
    without touching the network."""
    preset = _preset(name)
    for fname in sorted(preset["files"]):
        _fetch(name, fname, preset)
    directory = cache_root() / name
    meta = directory / PRESET_FILE
    text = json.dumps(preset, indent=2, sort_keys=True) + "\n"
    if not meta.is_file() or meta.read_text() != text:
        tmp = directory / f".{PRESET_FILE}.tmp-{os.getpid()}"
        tmp.write_text(text)
        os.replace(tmp, meta)
    return directory


def model_card(name):
    """The preset's model card (Markdown text of its README.md)."""
    return _fetch(name, "README.md").read_text(encoding="utf-8")


# -------------------------------------------------------------- loading --

def _model_classes():
    import keras_fgan

    return {
        "GAN": keras_fgan.GAN,
        "FGAN": keras_fgan.FGAN,
        "WGAN": keras_fgan.WGAN,
        "BiGAN": keras_fgan.BiGAN,
        "AdversarialModel": keras_fgan.AdversarialModel,
    }


def load(name, *, expected_class=None):
    """Loads a preset: the adversarial model with its networks (for the
    classifier preset, the Fashion-MNIST classifier).

    Args:
        name: a name from `list_presets()`.
        expected_class: optional model class; a preset of another class raises
            (used by `AdversarialModel.from_preset`).

    Returns:
        A `keras.Model` (`GAN`, `FGAN`, `WGAN`, `BiGAN`, or the classifier).

    Raises:
        ValueError: unknown name, wrong class, or a file failing its sha256.
        OSError: a file could not be fetched.
    """
    import keras

    preset = _preset(name)
    actual = preset["class"]
    if expected_class is not None:
        wanted = expected_class.__name__
        known = _model_classes()
        ok = actual in known and issubclass(known[actual], expected_class)
        if not ok:
            raise ValueError(
                f"Preset {name!r} is a {actual} ({preset.get('description', '')}), not a {wanted}. "
                + (f"Load it with kf.{actual}.from_preset({name!r}) or " if actual in known else "Load it with ")
                + f"kf.zoo.load({name!r})."
            )
    directory = download(name)
    if actual == CLASSIFIER_CLASS:
        from keras_fgan.evaluation import classifier

        return classifier.load_classifier(directory)
    _model_classes()  # importing keras_fgan registers the serialisable classes
    model = keras.saving.load_model(directory / "model.keras", safe_mode=True)
    if type(model).__name__ != actual:
        raise ValueError(f"Preset {name!r} should hold a {actual} but model.keras holds a {type(model).__name__}.")
    return model


def load_generator(name):
    """The generator network of a preset (a `keras.Model`)."""
    if _preset(name)["class"] == CLASSIFIER_CLASS:
        raise ValueError(f"Preset {name!r} is a classifier; it has no generator.")
    return load(name).generator


def load_encoder(name):
    """The encoder network of a BiGAN preset (a `keras.Model`)."""
    preset = _preset(name)
    if preset["class"] != "BiGAN":
        with_encoder = [n for n, p in sorted(_registry().items()) if p["class"] == "BiGAN"]
        raise ValueError(
            f"Preset {name!r} is a {preset['class']} and has no encoder; only BiGAN presets do: "
            f"{', '.join(with_encoder)}."
        )
    return load(name).encoder


def write_index(directory=None):
    """Writes `index.json` (all presets' metadata) into a zoo folder, for
    serving the zoo from a URL to installs without a checkout."""
    directory = Path(directory) if directory is not None else repository_zoo_dir()
    index = {"presets": _scan(directory)}
    path = directory / INDEX_FILE
    path.write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")
    return path
