"""The zoo's two errors: a file no source could provide, and one that cannot be trusted."""


class ZooDownloadError(OSError):
    """No source could provide a preset file (none reachable, or none holds it).

    The message names the preset and the file, every source tried with its
    reason, and how to get the files (`KERAS_FGAN_ZOO_URL`, or installing the
    local copy).
    """


class ZooIntegrityError(ValueError):
    """A file, cache entry or index that does not match the packaged registry.

    Raised for a file whose size or sha256 differs from the registry's
    (corrupt, truncated or tampered with), a source's `index.json` that names
    an invalid preset or another hash, and a cache entry that is a symbolic
    link or of the wrong kind. The message names the preset and the file;
    nothing that failed a check is left in the cache.
    """
