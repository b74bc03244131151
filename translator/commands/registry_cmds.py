"""``nix2image push`` and ``nix2image pull``: images to and from an OCI distribution registry."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import UsageError
from .spec_options import spec_options, tls_options

# The registry modules are imported inside the commands: ``nix2image --help`` and the other
# commands stay fast to start.


def _client(ref, insecure: bool, username: str | None, password: str | None, password_stdin: bool,
            retries: int, quiet: bool, tls_verify: bool | None = True, cert_dir: str | None = None):
    from ..http.tls import TlsSettings
    from ..registry.auth import credentials_for
    from ..registry.client import RegistryClient, RetryPolicy

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    creds = credentials_for(ref.registry, username, password)
    log = (lambda msg: None) if quiet else (lambda msg: click.echo(msg, err=True))
    tls = TlsSettings(verify=tls_verify is not False, cert_dir=cert_dir)
    return RegistryClient(ref.registry, insecure=insecure, credentials=creds, retry=RetryPolicy(attempts=retries), log=log,
                          tls=tls)


def _auth_options(fn):
    fn = click.option("--insecure", is_flag=True, help="Plain HTTP (for a registry on localhost).")(fn)
    fn = click.option("--username", help="Registry user (else credentials from auth files).")(fn)
    fn = click.option("--password", help="Registry password (prefer --password-stdin).")(fn)
    fn = click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")(fn)
    fn = click.option("--retries", type=click.IntRange(1, 20), default=5, show_default=True,
                      help="Attempts per request on connection errors and 5xx answers.")(fn)
    fn = click.option("-q", "--quiet", is_flag=True, help="No progress or retry messages.")(fn)
    return fn


@click.command()
@click.argument("source")
@click.argument("destination")
@_auth_options
@click.option("--compress", "compression", type=click.Choice(["none", "gzip", "zstd"]), default="gzip", show_default=True)
@click.option("--manifest-format", type=click.Choice(["docker", "oci"]), default="docker", show_default=True)
@click.option("--chunk-size", type=click.IntRange(1024), default=None, help="Upload in PATCH chunks of this many bytes.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None, help="Where the blob map lives.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--strategy", default=None, help="Layering strategy, when SOURCE is a Nix file.")
@click.option("--layers", "layers_file", type=click.Path(dir_okay=False), default=None,
              help="Bring-your-own layer grouping (JSON), when SOURCE is a Nix file.")
@spec_options
def push(source: str, destination: str, insecure: bool, username, password, password_stdin, retries, quiet,
         compression: str, manifest_format: str, chunk_size, cache_dir, as_json: bool, strategy, layers_file,
         **spec_kw) -> None:
    """Push SOURCE to DESTINATION (docker://HOST[:PORT]/NAME[:TAG]).

    SOURCE is a docker-archive, an OCI layout (directory or tar), or a Nix file (FILE[#ATTR]):
    a Nix file is built straight into the registry, layer by layer, without writing an archive;
    layers the registry already has are neither rebuilt nor uploaded. Without a TAG, a Nix
    file's image tag is used.
    """
    from ..registry.cache import BlobMap
    from ..registry.reference import parse_reference

    if not destination.startswith("docker://"):
        raise UsageError(f"DESTINATION '{destination}': expected docker://HOST[:PORT]/NAME[:TAG]")
    ref = parse_reference(destination, what="DESTINATION")
    client = _client(ref, insecure, username, password, password_stdin, retries, quiet,
                     spec_kw.get("tls_verify"), spec_kw.get("cert_dir"))
    blobmap = BlobMap(Path(cache_dir) / "blobmap.json" if cache_dir else None)
    from ..progress import Progress

    progress = Progress(None, sys.stderr.isatty() and not quiet, label="uploaded ")
    if _is_nix_source(source):
        from ..registry.build_push import push_spec
        from .image_main import _plan
        from .spec_options import OPTION_NAMES, load_spec

        spec, content = load_spec(source, **{k: spec_kw.get(k) for k in OPTION_NAMES})
        report, warnings = push_spec(spec, _plan(spec, strategy, layers_file), content, ref, client,
                                     compression=compression, manifest_format=manifest_format, blobmap=blobmap,
                                     strategy=strategy, chunk_size=chunk_size, progress=progress)
        for w in warnings:
            click.echo(f"warning: {w}", err=True)
    else:
        from ..registry.push import push_image
        from ..registry.source import open_push_source

        with open_push_source(source) as image:
            report = push_image(image, ref, client, compression=compression, manifest_format=manifest_format,
                                blobmap=blobmap, chunk_size=chunk_size, progress=progress)
    progress.finish()
    if as_json:
        import json

        click.echo(json.dumps({"reference": report.reference, "digest": report.manifest_digest,
                               "bytes_sent": report.bytes_sent, "layers_built": report.built,
                               "blobs": [{"digest": b.digest, "size": b.size, "action": b.action, "sent": b.sent}
                                         for b in report.blobs]}, indent=2))
    else:
        click.echo(report.table())


@click.command()
@click.argument("source")
@_auth_options
@click.option("-o", "--output", type=click.Path(dir_okay=True), help="Where to write the image.")
@click.option("--format", "fmt", type=click.Choice(["docker-archive", "oci"]), default="docker-archive", show_default=True)
@click.option("--platform", default="linux/amd64", show_default=True, help="OS/ARCH[/VARIANT] to pick from an index.")
@click.option("--to-cache", type=click.Path(file_okay=False), default=None,
              help="Store the image in this pull cache (used by pullImage via --pull-cache).")
@tls_options
def pull(source: str, insecure: bool, username, password, password_stdin, retries, quiet, output, fmt, platform, to_cache,
         tls_verify: bool, cert_dir: str | None) -> None:
    """Pull SOURCE (docker://HOST/NAME[:TAG|@DIGEST]), verifying every digest."""
    from ..registry.cache import PullCache
    from ..scratch import Scratch
    from ..registry.pull import fetch, store_in_cache, write_docker_archive, write_oci_layout
    from ..registry.reference import parse_reference

    if not output and not to_cache:
        raise UsageError("pull: give -o OUTPUT, --to-cache DIR, or both")
    ref = parse_reference(source, what="SOURCE")
    client = _client(ref, insecure, username, password, password_stdin, retries, quiet, tls_verify, cert_dir)
    repo_tag = f"{ref.repository.split('/')[-1] if ref.registry == 'registry-1.docker.io' else ref.registry + '/' + ref.repository}:{ref.tag}" if ref.tag else None
    with Scratch(kind="pull") as work:
        image = fetch(ref, client, Path(work), platform)
        if to_cache:
            path = store_in_cache(image, PullCache(to_cache), repo_tag)
            click.echo(f"cached {ref} as {image.requested_digest} ({path})", err=quiet is False)
        if output:
            out = Path(output)
            out.parent.mkdir(parents=True, exist_ok=True)
            if fmt == "oci":
                write_oci_layout(image, out, ref.tag)
            else:
                write_docker_archive(image, out, repo_tag)
    click.echo(image.requested_digest)


def _is_nix_source(source: str) -> bool:
    """A Nix file (``x.nix``, ``x.nix#attr``) or a flake (a directory with flake.nix, ``dir#attr``)."""
    path = source.split("#", 1)[0] or "."
    return path.endswith(".nix") or os.path.isfile(os.path.join(path, "flake.nix"))


def register(group: click.Group) -> None:
    group.add_command(push)
    group.add_command(pull)
