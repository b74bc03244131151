"""Pinned source trees fetched on request (``--allow-fetch``) into nix2image's own cache.

A ``flake.lock`` node (``tarball`` URL, ``github``/``gitlab`` revision) names a tree by its
``narHash``. Nix unpacks the tarball (a single top-level directory is the tree itself), hashes the
NAR serialisation and refuses a tree whose hash differs; so does this module. A verified tree is
kept under ``$XDG_CACHE_HOME/nix2image/sources/<hash>-source`` (the store path's base name), so
the next evaluation finds it offline. The cache entry is written to a temporary directory and
renamed into place: an interrupted fetch leaves nothing half-written behind.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from typing import Any

from ..errors import UserError
from ..store.hashing import parse_hash
from ..store.nar import nar_hash
from ..cachedir import cache_home


class FetchError(UserError):
    """A pinned source could not be fetched or is not the tree its lock names."""


def cache_root() -> str:
    return cache_home("sources")


def cached_location(store_path: str) -> str | None:
    """The cached tree for ``store_path`` (a ``/nix/store/<hash>-source`` path), or None."""
    loc = os.path.join(cache_root(), os.path.basename(store_path))
    return loc if os.path.isdir(loc) else None


def lock_url(locked: dict[str, Any]) -> str | None:
    """The tarball URL a ``flake.lock`` ``locked`` entry can be downloaded from, or None."""
    kind = locked.get("type")
    if kind == "tarball" and isinstance(locked.get("url"), str):
        return locked["url"]
    owner, repo, rev = locked.get("owner"), locked.get("repo"), locked.get("rev")
    if not (owner and repo and rev):
        return None
    if kind == "github":
        host = locked.get("host") or "github.com"
        return f"https://{'api.github.com' if host == 'github.com' else host}/repos/{owner}/{repo}/tarball/{rev}"
    if kind == "gitlab":
        host = locked.get("host") or "gitlab.com"
        return f"https://{host}/api/v4/projects/{owner}%2F{repo}/repository/archive.tar.gz?sha={rev}"
    return None


def _tar_filtered(tf: tarfile.TarFile, into: str):
    """The members of ``tf`` as Python's ``tar`` extraction filter (PEP 706) passes them, for the
    Pythons without it (before 3.11.4: Debian 12 has 3.11.2): leading slashes stripped, nothing
    placed outside ``into`` (symlinks extracted so far followed, as the filter does: the members
    are checked one at a time as ``extractall`` takes them), modes limited to 0o755."""
    dest = os.path.realpath(into)
    for member in tf:
        name = member.name.lstrip("/" + os.sep)
        if os.path.isabs(name):
            raise tarfile.TarError(f"member {member.name!r} has an absolute path")
        target = os.path.realpath(os.path.join(dest, name))
        if os.path.commonpath([target, dest]) != dest:
            raise tarfile.TarError(f"{member.name!r} would be extracted to {target!r}, which is outside the destination")
        member.name = name
        if member.mode is not None:
            member.mode &= 0o755
        yield member


def _extract_all(tf: tarfile.TarFile, into: str) -> None:
    """``tf.extractall(into, filter="tar")``, on every Python 3.11."""
    if hasattr(tarfile, "tar_filter"):
        tf.extractall(into, filter="tar")
    else:
        tf.extractall(into, members=_tar_filtered(tf, into))


def _unpack(archive: str, into: str) -> str:
    """Unpack ``archive`` into ``into``; the tree is its only top-level directory, as Nix takes it."""
    try:
        with tarfile.open(archive) as tf:
            _extract_all(tf, into)
    except (tarfile.TarError, OSError, ValueError) as err:
        raise FetchError(f"unpacking the downloaded source: {err}") from None
    entries = os.listdir(into)
    if len(entries) == 1 and os.path.isdir(os.path.join(into, entries[0])) \
            and not os.path.islink(os.path.join(into, entries[0])):
        return os.path.join(into, entries[0])
    return into


def fetch_pinned(url: str, nar_hash_text: str, store_path: str, *, what: str) -> str:
    """Download ``url``, check the tree's NAR hash against ``nar_hash_text`` and cache it under
    ``store_path``'s name; the cached tree's location. ``what`` names the input in messages."""
    from ..http.client import HttpClient

    expected = parse_hash(nar_hash_text, "sha256")
    root = cache_root()
    os.makedirs(root, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".fetch-", dir=root)
    try:
        archive = os.path.join(work, "download")
        client = HttpClient()
        try:
            with open(archive, "wb") as fh:
                resp = client.request("GET", url, sink=fh, follow=True)
        except UserError as err:
            raise FetchError(f"unable to download '{url}' for {what}: {err.message}") from None
        except Exception as err:  # noqa: BLE001 - transport failures, named for the user
            raise FetchError(f"unable to download '{url}' for {what}: {err}") from None
        finally:
            client.close()
        if resp.status != 200:
            raise FetchError(f"unable to download '{url}' for {what}: HTTP error {resp.status}")
        tree = _unpack(archive, os.path.join(work, "unpacked"))
        got, _size = nar_hash(tree)
        if got != expected:
            raise FetchError(f"NAR hash mismatch in input '{url}' ({store_path}), expected "
                             f"'{expected.sri()}', got '{got.sri()}'",
                             hint=f"the tree served at {url} is not the one {what} pins; nothing was cached")
        dest = os.path.join(root, os.path.basename(store_path))
        try:
            os.rename(tree, dest)
        except OSError:
            if not os.path.isdir(dest):  # another process may have cached it meanwhile
                raise
        return dest
    finally:
        shutil.rmtree(work, ignore_errors=True)
