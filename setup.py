"""Copies the top-level templates/, static/ and migrations/ into the wheel as marketplace/_resources,
so a non-editable install finds them (marketplace/resources.py looks in both places)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RESOURCE_DIRS = ("templates", "static", "migrations")


class BuildWithResources(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        root = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "marketplace" / "_resources"
        for name in RESOURCE_DIRS:
            dest = target / name
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(root / name, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithResources})
