"""The preset files of the keras-fgan model zoo, as an installable data package.

`pip install ./zoo` (from a keras-fgan checkout) installs every preset folder
of `zoo/` as the package `keras_fgan_zoo`. `keras_fgan.zoo` finds it with
`importlib` (without importing it) and uses it as a local copy of the zoo;
each file is still checked against the registry packaged inside keras_fgan.
"""
