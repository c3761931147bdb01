"""Export generators and encoders to ONNX and TensorFlow SavedModel.

`export_onnx` and `export_saved_model` take either an adversarial model (any
object with a Keras `generator` attribute, e.g. `GAN`, `FGAN`, `WGAN`; a
model that also has an `encoder`, e.g. `BiGAN`, exports both networks) or a
plain Keras network, and write artefacts with a dynamic batch dimension.
`export_path` loads a `.keras` file or a zoo preset (`load_source`) and
exports it into a folder: the `keras-fgan export` command.

Paths: when one network is exported, `path` is the artefact itself (an
`.onnx` file, or a SavedModel directory). When several are (a BiGAN with
`role=None`), `path` is a directory that receives one artefact per role:
`generator.onnx` and `encoder.onnx`, or the SavedModel directories
`generator/` and `encoder/`. Both functions return `{role: written_path}`.

Every ONNX file carries its description in `metadata_props` (string values;
structured ones are JSON):

| key | value |
| --- | --- |
| `role` | `generator` or `encoder` |
| `latent_dim` | latent size, e.g. `64` |
| `latent_prior` | `normal` (standard normal) or `uniform` (on [-1, 1]) |
| `input_shape`, `output_shape` | JSON, batch as `null`: `[null, 28, 28, 1]` |
| `output_range` | JSON `[low, high]` (e.g. `[-1.0, 1.0]` after `tanh`) or `unbounded` |
| `objective` | class name of the adversarial model (`FGAN`), or `none` |
| `objective_config` | JSON: the model's config without its networks (`{}` if none) |
| `divergence` | JSON `{"name": ..., **params}` for an f-GAN, else `none` |
| `preset` | the `preset` argument, or `none` |
| `network` | the Keras network's name |
| `keras_backend` | the backend that exported it |
| `keras_fgan_version` | `keras_fgan.__version__` |

The graph's input is renamed `z` (generator) or `x` (encoder) and its output
`x` (generator) or `z` (encoder), so consumers see the same names whichever
backend exported it. A SavedModel directory gets the same description in
`keras_fgan_metadata.json` next to `saved_model.pb`, and its endpoint is
`serve` (`tf.saved_model.load(path).serve(z)`).

The package's parts: `common` (what is exported and its metadata, shared
by both formats), `onnx`, `saved_model`, `loading` (a model from a file or
preset, shared with the command line) and `path` (`export_path`). They import
`onnx` and `tensorflow` only inside the functions that need them.
"""

from keras_fgan.export.loading import load_source
from keras_fgan.export.common import FORMATS
from keras_fgan.export.common import ROLES
from keras_fgan.export.common import exported_networks
from keras_fgan.export.common import infer_value_range
from keras_fgan.export.onnx import export_onnx
from keras_fgan.export.path import export_path
from keras_fgan.export.saved_model import SAVED_MODEL_METADATA
from keras_fgan.export.saved_model import export_saved_model

__all__ = [
    "FORMATS",
    "ROLES",
    "SAVED_MODEL_METADATA",
    "export_onnx",
    "export_path",
    "export_saved_model",
    "exported_networks",
    "infer_value_range",
    "load_source",
]
