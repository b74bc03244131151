"""Compile the evaluator's hot modules with Cython when this machine can; pure Python otherwise.

Everything else about the package is declared in ``pyproject.toml``. The modules below are
ordinary Python, and stay the source: a non-editable install (``pip install .``) translates them
to C with Cython and compiles them, which runs a real nixpkgs evaluation in 61% of the
instructions (61-69% of the CPU time: ``docs/compiled.md``, ``docs/benchmarks.md``); ``values.pxd``
and ``evaluator.pxd`` make the value classes C types. The same modules run as Python
when the build cannot compile - no C compiler, no ``Python.h``, Cython not installable - and
always in an editable install (``pip install -e``), so an edited file is the code that runs.
``NIX2IMAGE_PURE_PYTHON=1`` asks for the pure-Python install.

The compiled set is all or nothing: the compiled evaluator relies on ``stack_guard`` for what
CPython's frames give the pure one (Nix's ``stack overflow`` error, the time and memory limits),
so a build where any module fails to compile installs none of them.
"""

from __future__ import annotations

import os
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

#: Modules compiled, as source files. They are chosen for where a real nixpkgs evaluation
#: spends its time - each compiled module's code and constants stay resident: compiling every
#: module a real nixpkgs touches (23) saved 1.5% more instructions for 1.6 MB more peak memory
#: (docs/benchmarks.md) - and for recursing only through Nix function calls and thunks (which
#: ``stack_guard`` bounds) or with a ``stack_guard.enter()`` on the way down (``operations``'
#: deep equality, ``deepSeq``, string coercion). The printer and the builtins that recurse over
#: data (JSON, XML, TOML, the regex engine) stay Python, whose recursion limit guards them.
COMPILED = [
    "translator/nix/stack_guard.pyx",
    "translator/nix/evaluator.py",
    "translator/nix/operations.py",
    "translator/nix/values.py",
    "translator/nix/ast_codec.py",
    "translator/nix/builtins/attrsets.py",
    "translator/nix/builtins/files.py",
    "translator/nix/builtins/lists.py",
    "translator/nix/builtins/store_builtins.py",
    "translator/nix/builtins/strings.py",
    "translator/nix/builtins/types.py",
    "translator/store/base32.py",
    "translator/store/derivation.py",
    "translator/store/hashing.py",
    "translator/store/storepath.py",
]

DIRECTIVES = {
    "language_level": 3,
    # The modules are Python: their annotations are documentation, not C types (a LazySortedDict
    # is a dict, for instance, which a typed argument would refuse; an ``int`` argument would
    # become a C long, silently truncating a float). C types come only from the ``.pxd`` files.
    "annotation_typing": False,
    # The value classes that a .pxd makes C types are never pickled: no pickling code for them.
    "auto_pickle": False,
}


def _extension(source: str) -> Extension:
    stem = os.path.splitext(source)[0]
    # a module's .pxd (its classes as C types) is part of what it is built from, and of the sdist
    depends = [stem + ".pxd"] if os.path.exists(stem + ".pxd") else []
    # no debug info (half the build time); -O2: smaller code than Python's -O3, as fast here
    return Extension(stem.replace("/", "."), [source], depends=depends, extra_compile_args=["-g0", "-O2"])


class OptionalBuildExt(build_ext):
    """build_ext that translates the modules with Cython and gives up (pure Python) as a whole."""

    def run(self) -> None:
        reason = self._reason_not_to_compile()
        if reason is None:
            try:
                from Cython.Build import cythonize

                # force: pip builds in the source tree, where an earlier build's C files and
                # modules may look newer than the sources they were made from
                translated = cythonize(self.extensions, build_dir=self.build_temp, quiet=True, force=True,
                                       nthreads=os.cpu_count() or 1, compiler_directives=DIRECTIVES)
                c_sources = {ext.name: ext.sources for ext in translated}
                for ext in self.extensions:  # (setuptools' own Extension objects, given C sources)
                    ext.sources = c_sources[ext.name]
            except Exception as err:  # noqa: BLE001 - any failure means: install the Python modules
                reason = f"Cython failed ({err})"
        if reason is not None:
            self._give_up(reason)
            return
        if not self.parallel:
            self.parallel = os.cpu_count() or 1
        self.force = True  # (the same: compile every module again)
        super().run()

    def build_extensions(self) -> None:
        try:
            super().build_extensions()
        except Exception as err:  # noqa: BLE001 - a compiler error: install the Python modules
            self._give_up(f"compiling failed ({err})")

    def _reason_not_to_compile(self) -> str | None:
        if os.environ.get("NIX2IMAGE_PURE_PYTHON"):
            return "NIX2IMAGE_PURE_PYTHON is set"
        if getattr(self, "editable_mode", False) or self.inplace:
            return "an editable install runs the modules as they are edited"
        if not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")):
            return "this Python has no headers (Python.h)"
        return None

    def _give_up(self, reason: str) -> None:
        # Whatever an earlier build left in the build directory would be installed with the
        # Python modules (and shadow them): remove it.
        for ext in self.extensions:
            built = self.get_ext_fullpath(ext.name)
            if os.path.exists(built):
                os.remove(built)
        self.extensions = []
        print(f"nix2image: the evaluator stays pure Python: {reason}")


setup(ext_modules=[_extension(s) for s in COMPILED], cmdclass={"build_ext": OptionalBuildExt})
