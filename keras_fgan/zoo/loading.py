"""Presets as Keras models: the adversarial model, its networks, its card."""

from keras_fgan.zoo import registry
from keras_fgan.zoo import store


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
        ValueError: unknown name or wrong class; `ZooIntegrityError` (a
            `ValueError`) for a file that fails its registry check.
        ZooDownloadError: an `OSError`, when no source has a file.
    """
    import keras

    preset = registry.entry(name)
    actual = preset["class"]
    if expected_class is not None:
        known = _model_classes()
        if not (actual in known and issubclass(known[actual], expected_class)):
            how = f"kf.{actual}.from_preset({name!r}) or " if actual in known else ""
            raise ValueError(
                f"Preset {name!r} is a {actual} ({preset['description']}), not a "
                f"{expected_class.__name__}. Load it with {how}kf.zoo.load({name!r})."
            )
    directory = store.download(name)
    if actual == registry.CLASSIFIER_CLASS:
        from keras_fgan.evaluation import classifier

        return classifier.load_classifier(directory)
    _model_classes()  # importing keras_fgan registers the serialisable classes
    model = keras.saving.load_model(directory / "model.keras", safe_mode=True)
    if type(model).__name__ != actual:
        raise ValueError(f"Preset {name!r} should hold a {actual} but model.keras holds a {type(model).__name__}.")
    return model


def load_generator(name):
    """The generator network of a preset (a `keras.Model`): the
    weight-averaged generator when the preset was trained with `ema`."""
    if registry.entry(name)["class"] == registry.CLASSIFIER_CLASS:
        raise ValueError(f"Preset {name!r} is a classifier; it has no generator.")
    return load(name).sampling_generator


def load_encoder(name):
    """The encoder network of a BiGAN preset (a `keras.Model`)."""
    preset = registry.entry(name)
    if preset["class"] != "BiGAN":
        with_encoder = [n for n in registry.list_presets() if registry.entry(n)["class"] == "BiGAN"]
        raise ValueError(
            f"Preset {name!r} is a {preset['class']} and has no encoder; only BiGAN presets do: "
            f"{', '.join(with_encoder)}."
        )
    return load(name).encoder


def model_card(name):
    """The preset's model card: the Markdown text of its `README.md`
    (fetched like any preset file, so offline once cached or with a local
    copy)."""
    return store.preset_file(name, "README.md").read_text(encoding="utf-8")
