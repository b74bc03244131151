"""Evaluated ``dockerTools.*`` values -> :class:`~translator.spec.ImageSpec`.

The modelled dockerTools (``nixpkgs/pkgs/docker-tools.nix``) returns derivation-like values that
carry ``__nix2image = { kind = "image"; builder; args; }`` with nixpkgs' defaults already applied
and checked. Here they become plain data: store paths are collected from string contexts
(``contents``, ``copyToRoot``, ``config``), ``fromImage`` becomes a :class:`BaseImageRef`, the
config is passed through as written (odd keys kept with a warning) and the closure is computed
through the :class:`~.resolve.Universe`.
"""

from __future__ import annotations

from typing import Any

from ..builders import LAYERED
from ..errors import UserError
from ..nix.operations import coerce_to_string
from ..nix.values import Lambda, NixAttrs, NixList, NixPath, NixString, PrimOp, force
from ..nix.values import EvalError, Thunk
from ..spec import BaseImageRef, CallArg, ImageSpec
from ..store.storepath import is_in_store, to_store_path
from .primops import context_paths

#: Keys of the OCI / Docker image config that nixpkgs passes through.
CONFIG_KEYS = {
    "User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir", "Labels", "StopSignal",
    "ArgsEscaped", "Memory", "MemorySwap", "CpuShares", "Healthcheck", "OnBuild", "Shell", "Domainname",
    "Hostname", "AttachStdin", "AttachStdout", "AttachStderr", "Tty", "OpenStdin", "StdinOnce", "Image",
    "NetworkDisabled", "MacAddress", "StopTimeout",
}
LIST_KEYS = {"Env", "Entrypoint", "Cmd", "Shell", "OnBuild"}


def is_image(v: Any) -> bool:
    v = force(v)
    if type(v) is not NixAttrs or "__nix2image" not in v.d:
        return False
    meta = force(v.d["__nix2image"])
    return type(meta) is NixAttrs and _str(meta.d.get("kind")) == "image"


def _str(v: Any) -> str | None:
    v = force(v)
    return v.s if type(v) is NixString else None


class Extractor:
    """Turns image values into specs; ``universe`` supplies closures (None: no closure)."""

    def __init__(self, universe=None, origin: str | None = None) -> None:
        self.universe = universe
        self.origin = origin

    def _origin(self, attr: str | None) -> str | None:
        if attr and self.origin:
            return f"{self.origin}#{attr}"
        return attr or self.origin

    # -- conversions -------------------------------------------------------------------------

    def data(self, v: Any, refs: set[str], where: str) -> Any:
        """Config-like data: strings (context collected), numbers, lists, sets; derivations and
        paths become their store path strings (paths are copied to the store, as Nix does)."""
        v = force(v)
        t = type(v)
        if t is NixString:
            refs.update(context_paths(v))
            return v.s
        if t is NixPath:
            s = coerce_to_string(v, None, copy_to_store=True)
            refs.update(context_paths(s))
            return s.s
        if t is NixAttrs:
            if "outPath" in v.d or "__toString" in v.d:
                s = coerce_to_string(v, None, copy_to_store=True)
                refs.update(context_paths(s))
                return s.s
            return {k: self.data(v.d[k], refs, f"{where}.{k}") for k in v.d}
        if t is NixList:
            return [self.data(x, refs, f"{where}[{i}]") for i, x in enumerate(v.items)]
        if t is Lambda or t is PrimOp:
            raise UserError(f"{where} is a function; image arguments must be data")
        return v

    def store_items(self, v: Any, where: str) -> list[str]:
        """``contents``/``copyToRoot``: a derivation, a path or a list of them -> store paths."""
        v = force(v)
        if v is None:
            return []
        items = v.items if type(v) is NixList else [v]
        out: list[str] = []
        for i, item in enumerate(items):
            item = force(item)
            if type(item) is NixList:
                out.extend(self.store_items(item, f"{where}[{i}]"))
                continue
            if type(item) not in (NixAttrs, NixPath, NixString):
                raise UserError(f"{where}[{i}] is not a package or path")
            s = coerce_to_string(item, None, copy_to_store=True)
            paths = sorted(context_paths(s))
            if is_in_store(s.s):
                sp, _ = to_store_path(s.s)
                if sp not in out:
                    out.append(sp)
            for p in paths:
                if p not in out and not p.endswith(".drv"):
                    out.append(p)
        return out

    # -- images ------------------------------------------------------------------------------

    def spec(self, value: Any, attr: str | None = None, with_closure: bool = True) -> ImageSpec:
        value = force(value)
        meta = force(value.d["__nix2image"])
        builder = _str(meta.d["builder"]) or "buildImage"
        args = force(meta.d["args"])
        a = args.d
        warnings: list[str] = []
        refs: set[str] = set()

        def get(key: str, default: Any = None) -> Any:
            return force(a[key]) if key in a else default

        def s(key: str, default: str | None = None) -> str | None:
            v = get(key)
            return v.s if type(v) is NixString else default

        if builder == "pullImage":
            pull = self.data(args, set(), "pullImage")
            return ImageSpec(builder="pullImage", name=pull.get("finalImageName") or pull["imageName"],
                             tag=pull.get("finalImageTag"), architecture=pull.get("arch", "amd64"),
                             os=pull.get("os", "linux"), origin=self._origin(attr), extra={"pull": pull})

        name = s("name", "image") or "image"
        tag_v = force(value.d.get("imageTag")) if "imageTag" in value.d else None
        tag = s("tag") if get("tag") is not None else (tag_v.s if type(tag_v) is NixString else None)
        spec = ImageSpec(builder=builder, name=name, tag=tag, origin=self._origin(attr))
        spec.call = self.call_args(meta)

        if builder == "mergeImages":
            spec.images = [self.spec(force(x), None, with_closure) for x in force(a["images"]).items]
            spec.tag = None
            return spec

        # fromImage
        fi = get("fromImage")
        if fi is not None:
            spec.from_image = self.base_ref(fi, "fromImage")
        spec.from_image_name = s("fromImageName")
        spec.from_image_tag = s("fromImageTag")
        if builder == "exportImage":
            spec.disk_size = get("diskSize")
            return self._finish(spec, [], warnings, with_closure)

        # contents
        layered = builder in LAYERED
        spec.contents = self.store_items(get("contents"), "contents")
        if not layered:
            spec.copy_to_root = self.store_items(get("copyToRoot"), "copyToRoot")
            spec.keep_contents_dirlinks = bool(get("keepContentsDirlinks", False))
            rar = get("runAsRoot")
            spec.run_as_root = rar.s if type(rar) is NixString else None
            spec.disk_size = get("diskSize")
            spec.build_vm_memory_size = get("buildVMMemorySize")
        else:
            spec.mtime = s("mtime", spec.mtime) or spec.mtime
            spec.uname = s("uname", "root") or "root"
            spec.gname = s("gname", "root") or "root"
            spec.max_layers = int(get("maxLayers", 100))
            spec.fake_root_commands = s("fakeRootCommands", "") or ""
            spec.enable_fakechroot = bool(get("enableFakechroot", False))
            lp = get("layeringPipeline")
            spec.layering_pipeline = self.data(lp, set(), "layeringPipeline") if lp is not None else None
        spec.extra_commands = s("extraCommands", "") or ""
        spec.include_store_paths = bool(get("includeStorePaths", True))
        spec.architecture = s("architecture", "amd64") or "amd64"
        spec.created = s("created", spec.created) or spec.created
        spec.uid = int(get("uid", 0))
        spec.gid = int(get("gid", 0))
        if bool(get("includeNixDB", False)):
            spec.extra["includeNixDB"] = True
        comp = get("compressor")
        if type(comp) is NixString:
            spec.extra["compressor"] = comp.s

        # config, passed through as written
        cfg = get("config")
        if cfg is not None:
            config = self.data(cfg, refs, "config")
            if not isinstance(config, dict):
                raise UserError(f"image '{name}': config must be an attribute set, not {type(config).__name__}")
            spec.config = config
            for key, val in config.items():
                if key not in CONFIG_KEYS:
                    near = next((k for k in CONFIG_KEYS if k.lower() == key.lower()), None)
                    warnings.append(f"warning: image '{name}': config key '{key}' is not an image config key"
                                    + (f" (did you mean '{near}'?)" if near else "") + "; kept as written")
                elif key in LIST_KEYS and isinstance(val, str):
                    warnings.append(f"warning: image '{name}': config.{key} is a string; Docker expects a list "
                                    f"(e.g. [ \"{val.split()[0] if val.split() else val}\" ]); kept as written")
        config_refs = sorted(p for p in refs if not p.endswith(".drv"))
        spec.extra["config_references"] = config_refs
        roots = list(spec.contents) + list(spec.copy_to_root)
        # nixpkgs: a layered image's closure roots are the contents and the config file (so every
        # store path the config mentions); buildImage copies the closure of its layer, to which
        # the contents, the config and the runAsRoot script contribute.
        extra_roots = list(config_refs)
        if not layered and spec.run_as_root:
            rar_refs: set[str] = set()
            self.data(a["runAsRoot"], rar_refs, "runAsRoot")
            for key in ("runAsRootShell", "runAsRootPath"):  # the script's wrapper (modelled dockerTools)
                if key in a:
                    spec.extra[key] = self.data(a[key], rar_refs, key)
            extra_roots += sorted(p for p in rar_refs if not p.endswith(".drv"))
        roots += [p for p in extra_roots if p not in roots]
        if not spec.include_store_paths:
            roots = []
        return self._finish(spec, roots, warnings, with_closure)

    def call_args(self, meta: NixAttrs) -> list[CallArg]:
        """Every argument of the call (defaults applied), the caller's first in source order, then
        nixpkgs' defaults by name. Internal arguments of the model (``contentsGiven``) are left out."""
        args = force(meta.d["args"])
        call = force(meta.d["call"]) if "call" in meta.d else NixAttrs()
        given, defaults = [], []
        for name in args.d:
            if name == "contentsGiven":
                continue
            lazy_inside = name in ("passthru", "meta")
            value = self.shown(args.d[name], 0, force_nested=not lazy_inside)
            p = call.pos.get(name) if call.pos else None
            if name in call.d:
                given.append(CallArg(name, value, True, *((p.file, p.line, p.col) if p is not None else ())))
            else:
                defaults.append(CallArg(name, value, False))
        given.sort(key=lambda c: (c.file is None, c.file or "", c.line or 0, c.column or 0, c.name))
        defaults.sort(key=lambda c: c.name)
        return given + defaults

    def shown(self, v: Any, depth: int, force_nested: bool = True) -> Any:
        """A value as plain data for people to read (never raises): derivations and paths as their
        store paths, functions as ``«function»``; with ``force_nested`` false, values below the top
        that Nix has not evaluated stay ``«not evaluated»`` (forcing them could throw or trace)."""
        if depth > 0 and not force_nested and isinstance(v, Thunk) and type(v.value) is object:
            return "«not evaluated»"  # the unset / in-progress markers are bare object()s
        if depth > 8:
            return "…"
        try:
            v = force(v)
            t = type(v)
            if t is NixString:
                return v.s
            if t is NixPath:
                return v.path
            if t is NixAttrs:
                if "outPath" in v.d or "__toString" in v.d:
                    return coerce_to_string(v, None, copy_to_store=True).s
                return {k: self.shown(v.d[k], depth + 1, force_nested) for k in sorted(v.d)}
            if t is NixList:
                return [self.shown(x, depth + 1, force_nested) for x in v.items]
            if t is Lambda or t is PrimOp:
                return "«function»"
            return v
        except (EvalError, UserError) as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            return f"«error: {first.removeprefix('error: ')}»"

    def _finish(self, spec: ImageSpec, roots: list[str], warnings: list[str], with_closure: bool) -> ImageSpec:
        spec.roots = roots
        spec.warnings = warnings
        if with_closure and self.universe is not None:
            spec.closure = self.universe.closure(roots)
        return spec

    def base_ref(self, v: Any, where: str) -> BaseImageRef:
        v = force(v)
        if is_image(v):
            meta = force(v.d["__nix2image"])
            if _str(meta.d["builder"]) == "pullImage":
                pull = self.data(force(meta.d["args"]), set(), "pullImage")
                return BaseImageRef(kind="pull", image_name=pull.get("finalImageName") or pull.get("imageName"),
                                    image_tag=pull.get("finalImageTag"), pull=pull)
            sub = self.spec(v)
            return BaseImageRef(kind="spec", spec=sub, image_name=sub.name, image_tag=sub.tag)
        if type(v) is NixPath:
            return BaseImageRef(kind="archive", path=v.path)
        if type(v) in (NixString, NixAttrs):
            s = coerce_to_string(v, None, copy_to_store=False)
            return BaseImageRef(kind="archive", path=s.s)
        raise UserError(f"{where}: expected an image, a path to an image archive or null")
