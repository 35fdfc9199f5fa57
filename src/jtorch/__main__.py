"""``python -m jtorch script.py [args...]``: run a PyTorch script unchanged on jtorch.

Also ``python -m jtorch -c "code"`` and ``python -m jtorch -m module [args...]``, like Python's
own flags.  ``import torch`` and every ``torch.*`` submodule resolve to jtorch.
"""
from __future__ import annotations

import runpy
import sys

USAGE = "usage: python -m jtorch [-c cmd | -m mod | file] [arg] ..."


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from jtorch._import_hook import install_as_torch
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        print(__doc__)
        return 0 if argv else 2
    install_as_torch()
    first = argv[0]
    if first == "-c":
        if len(argv) < 2:
            print("Argument expected for the -c option", file=sys.stderr)
            return 2
        sys.argv = ["-c"] + argv[2:]
        _set_path0("")  # as Python's -c: imports from the current directory
        code = compile(argv[1], "<string>", "exec")
        main_globals = {"__name__": "__main__", "__builtins__": __builtins__}
        exec(code, main_globals)
        return 0
    if first == "-m":
        if len(argv) < 2:
            print("Argument expected for the -m option", file=sys.stderr)
            return 2
        sys.argv = [argv[1]] + argv[2:]
        import importlib.util
        try:
            found = importlib.util.find_spec(argv[1]) is not None
        except ImportError:
            found = False
        if not found:
            print(f"{sys.executable}: No module named {argv[1]}", file=sys.stderr)
            return 1
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    import os
    path = os.path.abspath(first)
    if not os.path.exists(path):
        print(f"{sys.executable}: can't open file {path!r}: [Errno 2] No such file or directory",
              file=sys.stderr)
        return 2
    sys.argv = argv
    # as ``python script.py``: the script's folder (not the current one) is sys.path[0]
    _set_path0(os.path.dirname(path))
    runpy.run_path(first, run_name="__main__")
    return 0


def _set_path0(entry):
    """``python -m jtorch`` put the current directory first on sys.path; put what Python itself
    would put there for the script or ``-c`` instead."""
    import os
    if sys.path and sys.path[0] in ("", os.getcwd()):
        sys.path[0] = entry
    else:
        sys.path.insert(0, entry)


def _run_and_report():
    """Run main(); an exception from the user's code is reported like Python reports it (the
    traceback starts at the user's code, not inside this runner) with exit status 1."""
    try:
        return main()
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001  (reported, then exit 1 as Python does)
        import traceback
        tb = e.__traceback__
        here = __file__
        # skip the runner's own frames (this module and runpy)
        while tb is not None and (tb.tb_frame.f_code.co_filename == here or
                                  "runpy" in tb.tb_frame.f_code.co_filename):
            tb = tb.tb_next
        traceback.print_exception(type(e), e, tb)
        return 1


if __name__ == "__main__":
    sys.exit(_run_and_report())
