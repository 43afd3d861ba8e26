"""The two things pyproject.toml cannot say (see its header):

- the library is installed as ``tenios/libtenios.so``, the name the binding looks for, not
  with the CPython extension suffix (``libtenios.cpython-311-x86_64-linux-gnu.so``): it is not
  an extension module, and one wheel serves every Python version;
- the wheel is tagged ``py3-none-<platform>``: it contains native code (so it is
  platform-specific), but no CPython extension (so neither a Python version nor an ABI);
  for PyPI, mk/python-dist.sh has auditwheel replace ``linux_x86_64`` with the manylinux
  policy the files meet.
"""

import os
import sys

from setuptools import setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_ext import build_ext

LIBRARY_MODULE = "tenios.libtenios"
if sys.platform == "darwin":
    LIBRARY_SUFFIX = ".dylib"
elif sys.platform == "win32":
    LIBRARY_SUFFIX = ".dll"
else:
    LIBRARY_SUFFIX = ".so"


class BuildExt(build_ext):
    def get_ext_filename(self, fullname: str) -> str:
        if fullname in (LIBRARY_MODULE, LIBRARY_MODULE.rsplit(".", 1)[1]):
            return os.path.join(*fullname.split(".")) + LIBRARY_SUFFIX
        return super().get_ext_filename(fullname)


class BdistWheel(bdist_wheel):
    def get_tag(self) -> "tuple[str, str, str]":
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(cmdclass={"build_ext": BuildExt, "bdist_wheel": BdistWheel})
