"""``<hash>.narinfo`` files: parsing, and the fingerprint that signatures cover.

A narinfo is ``Key: value`` lines. The fingerprint Nix signs is
``1;<store path>;<NarHash as sha256:base32>;<NarSize>;<reference paths, comma-separated>``
(references as full store paths, sorted). A missing ``Compression`` means bzip2, as in Nix.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UserError
from ..store.hashing import BadHash, parse_hash

STORE_DIR = "/nix/store"


class NarInfoError(UserError):
    """A narinfo that cannot be used (the message names the store path and the cache)."""


@dataclass(frozen=True, slots=True)
class NarInfo:
    store_path: str
    url: str
    compression: str
    file_hash: str | None  # "sha256:<base32>" or None when the cache did not say
    file_size: int | None
    nar_hash: str  # "sha256:<base32>"
    nar_size: int
    references: tuple[str, ...]  # full store paths, sorted
    deriver: str | None
    sigs: tuple[str, ...]
    ca: str | None = None

    def fingerprint(self) -> str:
        """What the ``Sig`` lines sign."""
        return f"1;{self.store_path};{self.nar_hash};{self.nar_size};{','.join(self.references)}"

    def to_text(self) -> str:
        """The narinfo written back (for the local copy kept for ``--offline``)."""
        lines = [f"StorePath: {self.store_path}", f"URL: {self.url}", f"Compression: {self.compression}"]
        if self.file_hash:
            lines.append(f"FileHash: {self.file_hash}")
        if self.file_size is not None:
            lines.append(f"FileSize: {self.file_size}")
        lines += [f"NarHash: {self.nar_hash}", f"NarSize: {self.nar_size}",
                  "References: " + " ".join(r.rsplit("/", 1)[1] for r in self.references)]
        if self.deriver:
            lines.append(f"Deriver: {self.deriver.rsplit('/', 1)[1]}")
        lines += [f"Sig: {s}" for s in self.sigs]
        if self.ca:
            lines.append(f"CA: {self.ca}")
        return "\n".join(lines) + "\n"


def _hash(value: str, field: str, where: str) -> str:
    try:
        h = parse_hash(value)
    except BadHash as err:
        raise NarInfoError(f"{where}: bad {field} '{value}': {err}") from None
    return str(h)


def _int(value: str, field: str, where: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise NarInfoError(f"{where}: bad {field} '{value}'")
    return int(value)


def _store_path(name: str, where: str, store_dir: str) -> str:
    if not name or "/" in name or len(name) < 34 or name[32] != "-":
        raise NarInfoError(f"{where}: '{name}' is not a store path name")
    return f"{store_dir}/{name}"


def parse_narinfo(text: str, expected_path: str, cache: str, store_dir: str = STORE_DIR) -> NarInfo:
    """Parse ``text``; the narinfo must describe ``expected_path``. ``cache`` names the cache in errors."""
    where = f"{expected_path}: narinfo from {cache}"
    fields: dict[str, str] = {}
    sigs: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise NarInfoError(f"{where}: malformed line '{line[:80]}'")
        key, value = key.strip(), value.strip()
        if key == "Sig":
            sigs.append(value)
        else:
            fields[key] = value
    for need in ("StorePath", "URL", "NarHash", "NarSize"):
        if need not in fields:
            raise NarInfoError(f"{where}: no {need} field")
    if fields["StorePath"] != expected_path:
        raise NarInfoError(f"{where}: it describes {fields['StorePath']} instead")
    refs = sorted({_store_path(r, where, store_dir) for r in fields.get("References", "").split()})
    deriver = fields.get("Deriver")
    nar_hash = _hash(fields["NarHash"], "NarHash", where)
    if not nar_hash.startswith("sha256:"):
        raise NarInfoError(f"{where}: NarHash must be sha256, not {nar_hash.split(':')[0]}")
    url = fields["URL"]
    if url.startswith("/") or ".." in url.split("/"):
        raise NarInfoError(f"{where}: URL '{url}' leaves the cache")
    return NarInfo(
        store_path=expected_path,
        url=url,
        compression=fields.get("Compression") or "bzip2",
        file_hash=_hash(fields["FileHash"], "FileHash", where) if fields.get("FileHash") else None,
        file_size=_int(fields["FileSize"], "FileSize", where) if fields.get("FileSize") else None,
        nar_hash=nar_hash,
        nar_size=_int(fields["NarSize"], "NarSize", where),
        references=tuple(refs),
        deriver=_store_path(deriver, where, store_dir) if deriver and deriver != "unknown-deriver" else None,
        sigs=tuple(sigs),
        ca=fields.get("CA") or None,
    )
