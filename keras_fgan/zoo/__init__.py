"""Pretrained presets: a packaged registry, verified files from a few sources, a cache.

A preset is a folder `zoo/<name>/` of the repository: `model.keras` (the
networks and weights; the classifier preset has `classifier.weights.h5` and
`config.json` instead), `README.md` (the model card), `samples.png`,
`reference.npz` (fixed latents and the outputs every backend must reproduce)
and `preset.json` (the full training record).

- **Registry** (`registry`): the names, classes, recipes, headline metrics and
  each file's size and sha256 ship inside this package (`registry.json`), so
  `list_presets`, `preset_info` and `preset_config` need neither network nor
  files, and the registry is the trust root: every file is checked against
  it, whatever its source.
- **Sources** (`sources`), tried in order for each file: `$KERAS_FGAN_ZOO_URL`
  (an `https://`, `http://` or `file://` URL, or a folder); a local copy (the
  repository's `zoo/` in a checkout, or the `keras_fgan_zoo` data package
  installed with `pip install ./zoo`); `RELEASE_URL`. A source's `index.json`
  can only narrow what it is asked for.
- **Cache** (`store`): `$KERAS_HOME/keras_fgan/zoo/<name>/`, written only
  through verified temporary files, checked on every use, never followed
  through symbolic links; names are `[a-z0-9_]+`.

Example:

```python
import keras_fgan as kf

kf.zoo.list_presets()
model = kf.zoo.load("wgan_gp_fashion_mnist")       # the adversarial model
generator = kf.zoo.load_generator("gan_ring")
model = kf.WGAN.from_preset("wgan_gp_ring")        # checks the class
print(kf.zoo.model_card("gan_ring"))
picture = kf.zoo.preset_file("gan_ring", "samples.png")
```
"""

from keras_fgan.zoo.errors import ZooDownloadError
from keras_fgan.zoo.errors import ZooIntegrityError
from keras_fgan.zoo.loading import load
from keras_fgan.zoo.loading import load_encoder
from keras_fgan.zoo.loading import load_generator
from keras_fgan.zoo.loading import model_card
from keras_fgan.zoo.registry import REGISTRY_PATH
from keras_fgan.zoo.registry import list_presets
from keras_fgan.zoo.registry import preset_config
from keras_fgan.zoo.registry import preset_info
from keras_fgan.zoo.registry import write_index
from keras_fgan.zoo.sources import DATA_PACKAGE
from keras_fgan.zoo.sources import RELEASE_URL
from keras_fgan.zoo.sources import ZOO_URL_ENV
from keras_fgan.zoo.store import cache_root
from keras_fgan.zoo.store import download
from keras_fgan.zoo.store import preset_file

__all__ = [
    "DATA_PACKAGE",
    "REGISTRY_PATH",
    "RELEASE_URL",
    "ZOO_URL_ENV",
    "ZooDownloadError",
    "ZooIntegrityError",
    "cache_root",
    "download",
    "list_presets",
    "load",
    "load_encoder",
    "load_generator",
    "model_card",
    "preset_config",
    "preset_file",
    "preset_info",
    "write_index",
]
