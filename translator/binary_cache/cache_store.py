"""nix2image's own store of unpacked NARs, content-addressed by NarHash.

``<dir>/nar/<NarHash base32>`` is the unpacked content of every store path with that NarHash
(a directory, file or symlink, with store modes). An entry is unpacked under a unique
``.nix2image-<pid>-<start>-*`` name (see :mod:`translator.scratch`) beside its final place and
renamed into place only once every check passed, so a reader sees a whole entry or none; when two
runs race, the first rename wins and the other run's copy is removed. Staging entries of a run
that was killed (its owner process is gone) are swept by the next run that stages one; older
``.tmp-*`` entries after a day. Nothing here ever writes ``/nix/store``.
"""

from __future__ import annotations

import os
import secrets
import time
from contextlib import contextmanager
from typing import Iterator

from .. import scratch
from ..universe.contents import remove_tree


#: Staging entries older than this (seconds) belong to a run that died: they are removed.
STALE = 24 * 3600


class ContentStore:
    def __init__(self, root: str) -> None:
        self.root = root
        self.nar_dir = os.path.join(root, "nar")
        self._swept = False

    def sweep(self) -> None:
        """Remove staging entries of runs that died (never those of a live run)."""
        self._swept = True
        scratch.sweep(self.nar_dir)
        try:
            names = [n for n in os.listdir(self.nar_dir) if n.startswith(".tmp-")]
        except OSError:
            return
        now = time.time()
        for n in names:
            p = os.path.join(self.nar_dir, n)
            try:
                if now - os.lstat(p).st_mtime > STALE:
                    _remove(p)
            except OSError:
                pass

    def path_for(self, nar_hash: str) -> str:
        """Where the content with ``nar_hash`` (``sha256:<base32>``) lives."""
        algo, _, digest = nar_hash.partition(":")
        if algo != "sha256" or not digest.isalnum():
            raise ValueError(f"unexpected NarHash {nar_hash}")
        return os.path.join(self.nar_dir, digest)

    def has(self, nar_hash: str) -> bool:
        return os.path.lexists(self.path_for(nar_hash))

    @contextmanager
    def staging(self, nar_hash: str) -> Iterator[str]:
        """A fresh path (not yet existing) to unpack into; removed unless :meth:`commit` took it."""
        os.makedirs(self.nar_dir, exist_ok=True)
        if not self._swept:
            self.sweep()
        final = self.path_for(nar_hash)
        tmp = os.path.join(self.nar_dir, f"{scratch.PREFIX}{scratch.owner_tag()}-{secrets.token_hex(8)}-"
                                         f"{os.path.basename(final)}")
        try:
            yield tmp
        finally:
            if os.path.lexists(tmp):
                _remove(tmp)

    def commit(self, staged: str, nar_hash: str) -> str:
        """Rename a checked entry into place (a lost race keeps the winner's identical copy)."""
        final = self.path_for(nar_hash)
        try:
            os.rename(staged, final)
        except OSError:
            if not os.path.lexists(final):
                raise
        return final


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        remove_tree(path)
    else:
        os.unlink(path)
