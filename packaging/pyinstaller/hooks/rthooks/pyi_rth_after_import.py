"""Run PyInstaller's stock run-time hooks for inspect, pkgutil and multiprocessing
only when their module is first imported, not at every start of the bundle.

Each stock hook imports its module at start-up to adjust it for a frozen app
(inspect: where frozen code's source lives; pkgutil: listing modules inside the
bundle's archive; multiprocessing: starting child processes from the bundle).
Together with what they pull in (zipfile, dis, tokenize, the multiprocessing
package) that is about half of what ``scrutiny-desktop --version`` took from the
bundle (issue 17).  The adjustment only matters once the module is in use, so
this hook watches for the first import of each and runs PyInstaller's own hook
file (collected by build.spec into ``pyi_rthooks_later/``) straight after it.

A process started by multiprocessing from the bundle gets the stock hook at once,
as before: its command line is multiprocessing's, and the hook must see it first.
"""


def _pyi_rthook() -> None:
    import os
    import sys

    if any(getattr(finder, "pyi_after_import", False) for finder in sys.meta_path):
        return  # (listed for three modules, so it may be run more than once)
    folder = os.path.join(sys._MEIPASS, "pyi_rthooks_later")  # type: ignore[attr-defined]
    later = {"inspect": "pyi_rth_inspect.py", "pkgutil": "pyi_rth_pkgutil.py",
             "multiprocessing": "pyi_rth_multiprocessing.py"}
    later = {name: os.path.join(folder, file) for name, file in later.items()
             if os.path.isfile(os.path.join(folder, file))}

    def run(script: str) -> None:
        with open(script, encoding="utf-8") as source:
            code = compile(source.read(), script, "exec")
        exec(code, {"__name__": "__pyi_rthook__", "__file__": script})

    multiprocessing_child = any(arg.startswith("--multiprocessing") for arg in sys.argv[1:]) \
        or (len(sys.argv) > 2 and sys.argv[-2] == "-c" and "multiprocessing" in sys.argv[-1])
    if multiprocessing_child and "multiprocessing" in later:
        run(later.pop("multiprocessing"))

    class _Loader:
        """The module's own loader, then the stock hook once the module exists."""

        def __init__(self, loader, script: str):
            self._loader = loader
            self._script = script

        def create_module(self, spec):
            return self._loader.create_module(spec)

        def exec_module(self, module) -> None:
            self._loader.exec_module(module)
            run(self._script)

        def __getattr__(self, name: str):  # get_source, is_package... as the real loader
            return getattr(self._loader, name)

    class _AfterImport:
        """A meta-path finder that only wraps the loader of the watched modules."""

        pyi_after_import = True

        def find_spec(self, name: str, path=None, target=None):
            script = later.pop(name, None)
            if script is None:
                return None
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None and spec.loader is not None:
                    spec.loader = _Loader(spec.loader, script)
                    return spec
            return None

    sys.meta_path.insert(0, _AfterImport())


_pyi_rthook()
del _pyi_rthook
