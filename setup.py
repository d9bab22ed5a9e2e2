"""Packaging that pyproject.toml cannot say: the trained generators in ``checkpoints/`` are installed as
package data, ``ganlab/checkpoints/`` in site-packages, where ``ganlab.core.checkpoints_dir()`` finds them
after a plain (non-editable) ``pip install .``; a checkout keeps using ``checkpoints/`` itself."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["ganlab", "ganlab.*"]) + ["ganlab.checkpoints"],
    package_dir={"ganlab.checkpoints": "checkpoints"},
    package_data={"ganlab.checkpoints": ["*.pt", "*.json", "*.png", "*.md"]},
)
