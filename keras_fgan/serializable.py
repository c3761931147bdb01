"""The small base every configurable objective part shares: losses,
regularizers and Lipschitz constraints are plain objects with a config, equal
when their configs are, and found by name in a registry."""

import difflib

import keras


class Serializable:
    """A plain object defined by `get_config()` (Keras-serialisable once its
    class is registered with `keras.saving.register_keras_serializable`)."""

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __eq__(self, other):
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self):
        return hash((type(self).__name__, repr(sorted(self.get_config().items()))))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def get_registered(identifier, factories, base, kind):
    """An instance of `base` from an instance, a registered name or a config.

    Args:
        identifier: an instance of `base` (returned as is); a key of
            `factories`; a dict `{"name": ..., **params}`; or a Keras config
            (`keras.saving.serialize_keras_object`).
        factories: name -> callable taking the parameters.
        base: the class every result is an instance of.
        kind: what is looked up, for messages ("regularizer").

    Raises:
        ValueError: an unknown name (with close matches), invalid parameters,
            a config of another kind, or another type.
    """
    if isinstance(identifier, base):
        return identifier
    if isinstance(identifier, dict) and "class_name" in identifier:
        result = keras.saving.deserialize_keras_object(identifier)
        if not isinstance(result, base):
            raise ValueError(f"Not a {kind} config. Received: {identifier!r}")
        return result
    params = {}
    if isinstance(identifier, dict):
        params = {k: v for k, v in identifier.items() if k != "name"}
        identifier = identifier.get("name")
    names = ", ".join(factories)
    if isinstance(identifier, str):
        if identifier not in factories:
            close = difflib.get_close_matches(identifier, list(factories), n=3, cutoff=0.5)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise ValueError(f"Unknown {kind} {identifier!r}.{hint} valid: {names}.")
        try:
            return factories[identifier](**params)
        except TypeError as error:
            raise ValueError(f"Invalid parameters for {kind} {identifier!r}: {error}") from None
    raise ValueError(
        f"Expected a {base.__name__}, one of {names}, or a config dict. Received: {identifier!r}"
    )
