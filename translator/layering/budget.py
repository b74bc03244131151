"""The layer budget, counted as nixpkgs counts it.

``streamLayeredImage`` / ``buildLayeredImage`` keep one layer for the customisation layer
(``extraCommands``, ``fakeRootCommands``, config files) and, with ``fromImage``, every layer of the
base image: the store paths get ``maxLayers - 1 - baseLayers``. Below 1 is an error (nixpkgs:
"At least 1 layer is required to store contents"). ``layeringPipeline`` ignores ``maxLayers``
(nixpkgs passes it nowhere); we only warn when an image would exceed what Docker can mount.
"""

from __future__ import annotations

from ..errors import UserError

#: Docker's overlay2 driver refuses to mount more layers than this.
DOCKER_MAX_LAYERS = 125


def store_layer_budget(max_layers: int, base_layers: int = 0, customisation_layers: int = 1) -> int:
    """Layers left for store paths; a UserError naming the numbers when none is left."""
    if max_layers < 1:
        raise UserError(f"maxLayers must be at least 1, got {max_layers}")
    used = customisation_layers + base_layers
    available = max_layers - used
    if available < 1:
        detail = f"1 customisation layer + {base_layers} base image layer(s)" if base_layers else "1 customisation layer"
        raise UserError(
            f"maxLayers = {max_layers} leaves no layer for the store paths: {detail} = {used} already used; "
            "at least 1 layer is required to store contents",
            hint=f"raise maxLayers to at least {used + 1}")
    return available


def mount_limit_note(store_layers: int, base_layers: int = 0, customisation_layers: int = 1) -> str | None:
    """A warning when the image would have more layers than Docker can mount, else None."""
    total = store_layers + base_layers + customisation_layers
    if total > DOCKER_MAX_LAYERS:
        return (f"the image has {total} layers ({store_layers} store + {base_layers} base + "
                f"{customisation_layers} customisation); Docker cannot mount more than {DOCKER_MAX_LAYERS} "
                "(layeringPipeline ignores maxLayers, as in nixpkgs)")
    return None
