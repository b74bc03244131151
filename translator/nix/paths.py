"""Nix path arithmetic shared by the parser, the evaluator and the builtins."""

from __future__ import annotations


def canon_path(path: str) -> str:
    """Nix's ``canonPath``: absolute, no ``.``/``..``/empty components, no trailing slash."""
    if path[:1] == "/" and path[-1:] != "/" and "//" not in path and "/." not in path:
        return path  # already so (the common case: ``dir + "/name"``, 8,000 times a package)
    return canon_walk(path)


def canon_walk(path: str) -> str:
    """:func:`canon_path` component by component (what its quick test must agree with)."""
    out: list[str] = []
    for part in path.split("/"):
        if part == "" or part == ".":
            continue
        if part == "..":
            if out:
                out.pop()
            continue
        out.append(part)
    return "/" + "/".join(out)


def resolve_expr_path(path: str) -> str:
    """Nix's ``resolveExprPath`` for ``import``: while ``path`` itself is a symbolic link, follow
    it (relative targets against its directory), so that relative paths inside the file resolve
    where the file really is; then a directory means its ``default.nix`` (not followed further).
    A path that cannot be examined is returned as it is (the caller reports it)."""
    import os
    import stat

    for _ in range(1024):
        try:
            st = os.lstat(path)
        except OSError:
            return path
        if not stat.S_ISLNK(st.st_mode):
            break
        target = os.readlink(path)
        path = canon_path(target if target.startswith("/") else path.rsplit("/", 1)[0] + "/" + target)
    else:
        raise OSError(f"too many symbolic links encountered while traversing the path '{path}'")
    if stat.S_ISDIR(st.st_mode):
        path = canon_path(path + "/default.nix")
    return path
