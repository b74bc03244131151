"""``nix2image eval``: evaluate a Nix file or expression like ``nix-instantiate --eval``.

Importable without click: the command's options are data (:mod:`.eval_options`), its work is
:func:`eval_main`, and the click command is made only by :func:`register`."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any

from ..errors import UsageError
from ..nix.attrpath import split_attr_path
from ..nix.values import EvalError, Lambda, NixAttrs, NixList, NixString, Thunk, show_type


def evaluate_for_cli(*, file: str | None, expr: str | None, attr_paths: tuple[str, ...],
                     args: tuple[tuple[str, str], ...], argstrs: tuple[tuple[str, str], ...],
                     include: tuple[str, ...], strict: bool, as_json: bool,
                     system: str | None) -> str:
    """What ``nix2image eval`` prints (the value text, one per attribute path)."""
    from ..nix.evaluator import Evaluator
    from ..nix.printer import print_value, to_json

    if system is not None:
        from ..nix.builtins.constants import SETTINGS

        SETTINGS.system = system  # read by builtins that default to the current system
    ev = Evaluator(list(include), system=system)
    auto_args: dict[str, Any] = {}
    for name, text in args:
        auto_args[name] = _lazy_arg(ev, text)
    for name, value in argstrs:
        auto_args[name] = NixString(value)
    if expr is not None:
        root = ev.eval_string(expr, "«string»", os.getcwd())
    elif file == "-":  # as nix-instantiate: the expression on standard input, paths from here
        text = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
        root = ev.eval_string(text, "«stdin»", os.getcwd())
    else:
        path = file or "default.nix"
        if not os.path.exists(path):
            raise UsageError(f"getting status of '{os.path.abspath(path)}': No such file or directory")
        root = ev.eval_file(path)
    outputs = []
    for ap in (attr_paths or ("",)):
        v = _find_along_attr_path(ev, root, ap, auto_args)
        v = v.force() if isinstance(v, Thunk) else v
        if auto_args:
            v = ev.auto_call(v, auto_args)
        if as_json:
            text, _ctx = to_json(v, None)
            outputs.append(text)
        else:
            outputs.append(print_value(v, strict) + "\n")
    return "".join(outputs)


def _lazy_arg(ev: Any, text: str) -> Any:
    """``--arg`` text, parsed now (before the main expression, so that error excerpts of the
    main ``-E`` text, also named «string» as in Nix, show the right source) and evaluated lazily."""
    from ..nix.source_files import parse_text
    from ..nix.values import Lazy

    node = parse_text(text, "«string»", os.getcwd())
    code = ev.compile_ast(node)  # binds variables now, as Nix's parser does: undefined ones fail here
    return Lazy(lambda: code(ev.base_env))


def _find_along_attr_path(ev: Any, v: Any, attr_path: str, auto_args: dict) -> Any:
    """nix-instantiate's ``-A``: dots separate names, numbers index lists, functions are
    auto-called on the way."""
    if attr_path == "":
        return v
    for tok in split_attr_path(attr_path):
        v = ev.auto_call(v, auto_args)
        v = v.force() if isinstance(v, Thunk) else v
        if tok.isdigit():
            if type(v) is not NixList:
                raise EvalError(f"the expression selected by the selection path '{attr_path}' should be a list but is {show_type(v)}")
            idx = int(tok)
            if idx >= len(v.items):
                raise EvalError(f"list index {idx} in selection path '{attr_path}' is out of range")
            v = v.items[idx]
        else:
            if type(v) is not NixAttrs:
                raise EvalError(f"the expression selected by the selection path '{attr_path}' should be a set but is {show_type(v)}")
            if tok == "":
                raise EvalError(f"empty attribute name in selection path '{attr_path}'")
            if tok not in v.d:
                raise EvalError(f"attribute '{tok}' in selection path '{attr_path}' not found")
            v = v.d[tok]
    return v


def eval_main(**params: Any) -> None:
    """Evaluate FILE (- for standard input) or -E EXPR and print the value like
    nix-instantiate --eval.

    ``params`` are the command's parameters (:mod:`.eval_options`) but the limit options,
    already in force (:func:`.limit_options.apply_limits`)."""
    from ..nix.evaluator import run_deep, to_user_error

    file, expr, show_trace = params.pop("file"), params.pop("expr"), params.pop("show_trace")
    if file is not None and expr is not None:
        raise UsageError("give either FILE or -E EXPR, not both")

    def work() -> str:
        return evaluate_for_cli(file=file, expr=expr, **params)

    try:
        text = run_deep(work)
    except EvalError as err:
        raise to_user_error(err, show_trace) from None
    out = sys.stdout.buffer
    out.write(text.encode("utf-8", "surrogateescape"))
    out.flush()


def register(group: Any) -> None:
    """Add the click command ``eval`` to ``group``, its options made from :mod:`.eval_options`."""
    from . import eval_options, plain_options
    from .limit_options import limit_options

    group.add_command(plain_options.click_command("eval", eval_main, eval_options.OPTIONS, eval_options.ARGUMENT,
                                                  limit_options))
