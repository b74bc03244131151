"""Image references: ``docker://HOST[:PORT]/NAME[:TAG|@DIGEST]`` and the plain ``NAME[:TAG]`` form."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import UsageError

DOCKER_HUB = "registry-1.docker.io"
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_REPO = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")


@dataclass(frozen=True, slots=True)
class Reference:
    """A registry (``host[:port]``), a repository (``library/alpine``) and a tag or a digest."""

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None
    #: False when the reference named no tag and ``latest`` was assumed
    explicit_tag: bool = True

    @property
    def ref(self) -> str:
        """What goes after ``/manifests/``: the digest when there is one, else the tag."""
        return self.digest or self.tag or "latest"

    def __str__(self) -> str:
        s = f"{self.registry}/{self.repository}"
        if self.tag:
            s += f":{self.tag}"
        if self.digest:
            s += f"@{self.digest}"
        return s


def _looks_like_host(part: str) -> bool:
    return "." in part or ":" in part or part == "localhost"


def parse_reference(text: str, *, what: str = "image reference") -> Reference:
    """Parse ``docker://host:5000/team/app:1.0``, ``host/app@sha256:…`` or ``alpine:3`` (Docker Hub)."""
    raw = text
    if text.startswith("docker://"):
        text = text[len("docker://"):]
    elif "://" in text:
        raise UsageError(f"{what} '{raw}': only the docker:// transport is supported")
    digest = None
    if "@" in text:
        text, digest = text.split("@", 1)
        if not _DIGEST.match(digest):
            raise UsageError(f"{what} '{raw}': digest '{digest}' is not of the form sha256:<64 hex digits>")
    first, _, rest = text.partition("/")
    if rest and _looks_like_host(first):
        registry, path = first, rest
    else:
        registry, path = DOCKER_HUB, text
        if "/" not in path.split(":")[0]:
            path = "library/" + path
    tag = None
    name, colon, maybe_tag = path.rpartition(":")
    if colon and "/" not in maybe_tag:
        path, tag = name, maybe_tag
        if not _TAG.match(tag):
            raise UsageError(f"{what} '{raw}': '{tag}' is not a valid tag")
    if not path or not _REPO.match(path):
        raise UsageError(f"{what} '{raw}': '{path}' is not a valid repository name (lowercase letters, digits, separators)")
    if tag is None and digest is None:
        return Reference(registry, path, "latest", None, explicit_tag=False)
    return Reference(registry, path, tag, digest)
