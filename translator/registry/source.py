"""What ``nix2image push`` can push: a docker-archive (either form), an OCI layout (dir or tar),
or an OCI layout in a tar. Each becomes a :class:`~.push.PushImage` whose layers are read in
place (by offset inside the archive), never extracted by name.
"""

from __future__ import annotations

import contextlib
import os
from typing import Iterator

from ..errors import UserError
from ..scratch import Scratch
from .push import PushImage, PushLayer


def _from_image_data(image) -> PushImage:
    layers = [PushLayer("sha256:" + layer.blob.digest, layer.blob.window,
                        annotation=(layer.comment or "")[:60]) for layer in image.layers]
    return PushImage(image.config_bytes, layers)


@contextlib.contextmanager
def open_push_source(source: str) -> Iterator[PushImage]:
    """Open SOURCE for pushing; temporary files live until the context ends."""
    if not os.path.exists(source):
        raise UserError(f"SOURCE '{source}' does not exist")
    with Scratch(kind="push") as work:
        from ..image.docker_archive import read_docker_archive
        from ..image.oci_layout import read_oci_dir

        # Layers are checked against their diff_ids while they are compressed for upload; layers
        # the registry already has are not read at all.
        image = read_oci_dir(source, work) if os.path.isdir(source) else read_docker_archive(source, work, verify=False)
        yield _from_image_data(image)
