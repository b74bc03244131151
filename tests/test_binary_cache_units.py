"""The pieces of the binary-cache reader and the HTTP layer, each on its own: narinfo parsing and
fingerprints, ed25519 checks, Nix configuration files, NO_PROXY matching, certs.d lookup, the
streaming NAR reader (against NARs that Nix's format allows and ones it forbids), decompressors,
and the content store's atomic commits."""

from __future__ import annotations

import base64
import bz2
import gzip
import lzma
import os
import struct
from pathlib import Path

import pytest

from translator.binary_cache import compression, nix_conf, settings
from translator.binary_cache.cache_store import ContentStore
from translator.binary_cache.nar_unpack import NarFormatError, unpack
from translator.binary_cache.narinfo import NarInfoError, parse_narinfo
from translator.binary_cache.signatures import parse_public_keys, sign, verify
from translator.errors import UsageError, UserError
from translator.http.proxy import bypassed, proxy_for
from translator.http.tls import TlsSettings, host_cert_dir
from translator.store.nar import nar_bytes

P = "/nix/store/715nxnj6g8xdask2qcds70bzv72n3vlh-oracle-app"
DATA = "/nix/store/4jxxch9xczl42bngbi4my8mfmpplghid-oracle-data"
NARINFO = f"""StorePath: {P}
URL: nar/0bnvmljfh7zb8a4bwsbw07d6079mb4dxa152s83irzzay5mj2bbp.nar.xz
Compression: xz
FileHash: sha256:0bnvmljfh7zb8a4bwsbw07d6079mb4dxa152s83irzzay5mj2bbp
FileSize: 444
NarHash: sha256:15nsgcsyr238lgrrizjyplhkjdws846vdmlm56v3vzm50p34gm92
NarSize: 1320
References: 4jxxch9xczl42bngbi4my8mfmpplghid-oracle-data 715nxnj6g8xdask2qcds70bzv72n3vlh-oracle-app
Deriver: bi3zf5wlhxyxwn4xv4z5h4ng8hlxvy8s-oracle-app.drv
"""


def keypair(name: str) -> tuple[str, str]:
    """A Nix-format secret key (seed + public key) and its public key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    k = Ed25519PrivateKey.generate()
    seed = k.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    pub = k.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return f"{name}:{base64.b64encode(seed + pub).decode()}", f"{name}:{base64.b64encode(pub).decode()}"


def test_narinfo_fields_and_fingerprint():
    info = parse_narinfo(NARINFO, P, "file:///c")
    assert info.references == (DATA, P) and info.nar_size == 1320 and info.file_size == 444
    assert info.fingerprint() == (f"1;{P};sha256:15nsgcsyr238lgrrizjyplhkjdws846vdmlm56v3vzm50p34gm92;1320;{DATA},{P}")
    # base16 or SRI NarHash is normalised to the base32 form the fingerprint uses
    sri = NARINFO.replace("sha256:15nsgcsyr238lgrrizjyplhkjdws846vdmlm56v3vzm50p34gm92",
                          "sha256-ItVHxgWl/j22KZXWtg1Bmjc5Ib1e/pjzo2iI7DV72pY=")
    assert parse_narinfo(sri, P, "c").fingerprint() == info.fingerprint()
    assert parse_narinfo(NARINFO.replace("Compression: xz\n", ""), P, "c").compression == "bzip2"
    assert parse_narinfo(info.to_text(), P, "c") == info


@pytest.mark.parametrize("change, words", [
    (lambda t: t.replace(P, DATA, 1), "describes"),
    (lambda t: t.replace("NarSize: 1320", "NarSize: lots"), "bad NarSize"),
    (lambda t: t.replace("URL: nar/", "URL: ../../etc/"), "leaves the cache"),
    (lambda t: t.replace("NarHash: sha256:", "NarHash: sha256:zz"), "bad NarHash"),
    (lambda t: "\n".join(l for l in t.splitlines() if not l.startswith("NarHash")), "no NarHash"),
])
def test_bad_narinfos_name_the_path_and_cache(change, words):
    with pytest.raises(NarInfoError) as e:
        parse_narinfo(change(NARINFO), P, "https://cache.example")
    assert words in str(e.value) and P in str(e.value) and "https://cache.example" in str(e.value)


def test_signatures():
    sk, pk = keypair("k-1")
    sk2, pk2 = keypair("k-2")
    info = parse_narinfo(NARINFO, P, "c")
    sig = sign(info.fingerprint(), sk)
    keys = parse_public_keys([pk])
    assert verify(info.fingerprint(), [sig], keys) == "k-1"
    assert verify(info.fingerprint().replace("1320", "1321"), [sig], keys) is None
    assert verify(info.fingerprint(), [sign(info.fingerprint(), sk2)], keys) is None
    # same name, other key: not trusted either
    forged = "k-1:" + sign(info.fingerprint(), sk2).split(":", 1)[1]
    assert verify(info.fingerprint(), [forged, "garbage", "k-1:!!"], keys) is None
    assert verify(info.fingerprint(), [forged, sig], parse_public_keys([pk2, pk])) == "k-1"
    with pytest.raises(UsageError):
        parse_public_keys(["no-colon"])
    with pytest.raises(UsageError):
        parse_public_keys(["k:" + base64.b64encode(b"short").decode()])


def test_nix_conf_files_include_extra_and_nix_config(tmp_path):
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "nix.conf").write_text("substituters = https://a\ntrusted-public-keys = a:1\n!include missing.conf\n"
                                  "include more.conf\n")
    (etc / "more.conf").write_text("extra-substituters = https://b  # a comment\n")
    user = tmp_path / "home" / "nix"
    user.mkdir(parents=True)
    (user / "nix.conf").write_text("extra-trusted-public-keys = u:2\nextra-substituters = https://u\n")
    env = {"NIX_CONF_DIR": str(etc), "XDG_CONFIG_HOME": str(tmp_path / "home"), "XDG_CONFIG_DIRS": str(tmp_path / "none"),
           "NIX_CONFIG": "extra-substituters = file:///c\ndownload-attempts = 3"}
    conf = nix_conf.read_settings(env)
    assert conf["substituters"].split() == ["https://a", "https://b", "https://u", "file:///c"]
    assert conf["trusted-public-keys"].split() == ["a:1", "u:2"]
    # within one source, plain settings apply before extra- ones; a later plain setting resets
    env["NIX_CONFIG"] = "extra-substituters = file:///x\nsubstituters = file:///y"
    assert nix_conf.read_settings(env)["substituters"].split() == ["file:///y", "file:///x"]
    s = settings.resolve(None, None, env=dict(env, NIX_CONFIG="download-attempts = 3\nrequire-sigs = false"))
    assert s.substituters == ("https://a", "https://b", "https://u") and s.attempts == 3 and not s.require_sigs
    # options replace the configured values
    s = settings.resolve(["file:///o file:///p"], ["o:1"], env=env)
    assert s.substituters == ("file:///o", "file:///p") and s.trusted_public_keys == ("o:1",)
    with pytest.raises(UsageError):
        settings.resolve(["s3://bucket"], None, env=env)
    (etc / "nix.conf").write_text("include nowhere.conf\n")
    with pytest.raises(UserError):
        nix_conf.read_settings(env)


def test_no_proxy_rules():
    env = {"https_proxy": "proxy:3128", "HTTP_PROXY": "http://p2:8080", "no_proxy": "example.org,.internal,10.0.0.0/8,h:8443"}
    assert proxy_for("https://cache.nixos.org/x", env) == "http://proxy:3128"
    assert proxy_for("http://cache.nixos.org/x", env) == "http://p2:8080"
    assert proxy_for("https://a.example.org/", env) is None and proxy_for("https://example.org/", env) is None
    assert proxy_for("https://notexample.org/", env) == "http://proxy:3128"
    assert proxy_for("https://x.internal/", env) is None and proxy_for("https://10.1.2.3/", env) is None
    assert proxy_for("https://h:8443/", env) is None and proxy_for("https://h/", env) == "http://proxy:3128"
    assert proxy_for("file:///x", env) is None
    assert bypassed("anything", 443, "*") and not bypassed("a", 443, "")


def test_certs_d_lookup(tmp_path):
    base = tmp_path / "certs.d"
    (base / "reg:5000").mkdir(parents=True)
    (base / "reg").mkdir()
    s = TlsSettings(certs_d=(str(base),))
    assert host_cert_dir("reg", 5000, s) == base / "reg:5000"
    assert host_cert_dir("reg", None, s) == base / "reg" and host_cert_dir("reg", 443, s) == base / "reg"
    assert host_cert_dir("other", None, s) is None
    assert host_cert_dir("reg", 5000, TlsSettings(cert_dir=str(tmp_path), certs_d=(str(base),))) == tmp_path
    with pytest.raises(UserError):
        host_cert_dir("reg", 1, TlsSettings(cert_dir=str(tmp_path / "missing")))


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "run").write_bytes(b"#!/bin/sh\necho hi\n")
    (root / "bin" / "run").chmod(0o755)
    (root / "empty").mkdir()
    (root / "big").write_bytes(os.urandom(3 << 20))
    (root / "café").write_text("x")
    os.symlink("../bin/run", root / "link")
    return root


def test_nar_round_trip_with_store_modes(tmp_path):
    root = _tree(tmp_path)
    nar = nar_bytes(str(root))
    out = tmp_path / "out"
    unpack(iter([nar[i:i + 1000] for i in range(0, len(nar), 1000)]), str(out))
    assert nar_bytes(str(out)) == nar
    assert (out / "bin" / "run").stat().st_mode & 0o777 == 0o555
    assert (out / "big").stat().st_mode & 0o777 == 0o444 and out.stat().st_mode & 0o777 == 0o555
    assert os.readlink(out / "link") == "../bin/run"
    # a NAR whose root is a file, or a symlink
    (tmp_path / "f").write_bytes(b"just a file")
    unpack(iter([nar_bytes(str(tmp_path / "f"))]), str(tmp_path / "f-out"))
    assert (tmp_path / "f-out").read_bytes() == b"just a file"


def _s(b: bytes) -> bytes:
    return struct.pack("<Q", len(b)) + b + b"\0" * ((8 - len(b) % 8) % 8)


def _dir(*entries: tuple[bytes, bytes]) -> bytes:
    body = b"".join(_s(b"entry") + _s(b"(") + _s(b"name") + _s(n) + _s(b"node") + node + _s(b")") for n, node in entries)
    return _s(b"(") + _s(b"type") + _s(b"directory") + body + _s(b")")


FILE = _s(b"(") + _s(b"type") + _s(b"regular") + _s(b"contents") + _s(b"x") + _s(b")")


@pytest.mark.parametrize("nar, words", [
    (_s(b"nix-archive-2") + FILE, "expected 'nix-archive-1'"),
    (_s(b"nix-archive-1") + _dir((b"b", FILE), (b"a", FILE)), "not sorted"),
    (_s(b"nix-archive-1") + _dir((b"a", FILE), (b"a", FILE)), "not sorted"),
    (_s(b"nix-archive-1") + _dir((b"..", FILE)), "invalid file name"),
    (_s(b"nix-archive-1") + _dir((b"a/b", FILE)), "invalid file name"),
    (_s(b"nix-archive-1") + FILE[:-8], "ends early"),
    (_s(b"nix-archive-1") + FILE + b"extra!!!", "trailing data"),
    (_s(b"nix-archive-1") + _s(b"(") + _s(b"type") + _s(b"fifo") + _s(b")"), "unknown node type"),
])
def test_malformed_nars_are_refused(tmp_path, nar, words):
    with pytest.raises(NarFormatError) as e:
        unpack(iter([nar]), str(tmp_path / "out"))
    assert words in str(e.value)


@pytest.mark.parametrize("method, pack", [
    ("none", lambda b: b), ("xz", lzma.compress), ("bzip2", bz2.compress), ("gzip", gzip.compress),
    ("zstd", lambda b: __import__("zstandard").ZstdCompressor().compress(b)),
    ("br", lambda b: __import__("brotli").compress(b)),
])
def test_decompressors(method, pack):
    data = os.urandom(200_000) + b"\0" * 300_000
    packed = pack(data)
    chunks = [packed[i:i + 7000] for i in range(0, len(packed), 7000)]
    assert b"".join(compression.decompress(iter(chunks), method)) == data
    if method != "none":
        bad = bytearray(packed)
        bad[len(bad) // 3] ^= 0xFF
        bad[len(bad) // 3 + 1] ^= 0xFF
        try:
            out = b"".join(compression.decompress(iter([bytes(bad)]), method))
        except compression.DecompressionError:
            return
        assert out != data  # some formats carry no checksum: the NarHash check catches those


def test_unknown_compression():
    with pytest.raises(compression.DecompressionError):
        compression.check_method("lz5")


def test_content_store_commit_and_lost_race(tmp_path):
    store = ContentStore(str(tmp_path))
    h = "sha256:0qnqyny4lg72z0pfygbqgqxma299i3jhcr2rc64862f0sq7a75fm"
    with store.staging(h) as a:
        os.mkdir(a)
        Path(a, "x").write_text("1")
        os.chmod(a, 0o555)
        with store.staging(h) as b:
            os.mkdir(b)
            Path(b, "x").write_text("1")
            os.chmod(b, 0o555)
            assert store.commit(b, h) == store.path_for(h)
        assert store.commit(a, h) == store.path_for(h)  # lost the race: the winner's copy stays
    assert sorted(os.listdir(store.nar_dir)) == [h.split(":")[1]]
    with pytest.raises(RuntimeError):
        with store.staging("sha256:1" + h[8:]) as c:
            os.mkdir(c)
            raise RuntimeError("checks failed")
    assert sorted(os.listdir(store.nar_dir)) == [h.split(":")[1]]


# -- caches made here (no Nix needed): priority, StoreDir, 404s, require-sigs ------------------

def make_cache(root: Path, store_path: str, content: bytes, secret: str | None, *, info: str = "",
               compression_name: str = "xz") -> Path:
    """A one-path binary cache written by hand (what `nix copy` writes, for a single file)."""
    import hashlib

    from translator.store import base32

    root.mkdir(parents=True, exist_ok=True)
    src = root.parent / f"{root.name}-src"
    src.write_bytes(content)
    nar = nar_bytes(str(src))
    packed = lzma.compress(nar) if compression_name == "xz" else nar
    digest = "sha256:" + base32.encode(hashlib.sha256(packed).digest())
    (root / "nar").mkdir(exist_ok=True)
    url = f"nar/{digest[7:]}.nar" + (".xz" if compression_name == "xz" else "")
    (root / url).write_bytes(packed)
    nar_hash = "sha256:" + base32.encode(hashlib.sha256(nar).digest())
    text = (f"StorePath: {store_path}\nURL: {url}\nCompression: {compression_name}\nFileHash: {digest}\n"
            f"FileSize: {len(packed)}\nNarHash: {nar_hash}\nNarSize: {len(nar)}\nReferences: \n")
    if secret:
        text += "Sig: " + sign(f"1;{store_path};{nar_hash};{len(nar)};", secret) + "\n"
    (root / f"{store_path[11:43]}.narinfo").write_text(text)
    (root / "nix-cache-info").write_text(info or "StoreDir: /nix/store\n")
    return root


def source_for(tmp_path: Path, urls: list[str], keys: list[str], **kw):
    from translator.binary_cache.settings import CacheSettings
    from translator.binary_cache.source import BinaryCacheSource

    s = CacheSettings(substituters=tuple(urls), trusted_public_keys=tuple(keys), cache_dir=str(tmp_path / "cc"),
                      progress=False, attempts=2, **kw)
    return BinaryCacheSource(s, log=lambda m: None)


Q = "/nix/store/" + "a" * 32 + "-thing"


def test_priority_order_and_url_override(tmp_path):
    sk, pk = keypair("k")
    slow = make_cache(tmp_path / "slow", Q, b"from slow\n", sk, info="StoreDir: /nix/store\nPriority: 40\n")
    fast = make_cache(tmp_path / "fast", Q, b"from fast\n", sk, info="StoreDir: /nix/store\nPriority: 10\n")
    src = source_for(tmp_path, [f"file://{slow}", f"file://{fast}"], [pk])
    assert Path(src.location(Q)).read_bytes() == b"from fast\n"
    assert [str(c) for c in src.ordered()] == [f"file://{fast}", f"file://{slow}"]
    src = source_for(tmp_path / "2", [f"file://{slow}?priority=5", f"file://{fast}"], [pk])
    assert Path(src.location(Q)).read_bytes() == b"from slow\n"


def test_store_dir_must_match_and_a_broken_cache_is_skipped(tmp_path):
    from translator.binary_cache.source import SubstituteError

    sk, pk = keypair("k")
    gnu = make_cache(tmp_path / "gnu", Q, b"x", sk, info="StoreDir: /gnu/store\n")
    with pytest.raises(SubstituteError, match="was not used: .*prefix '/gnu/store', not '/nix/store'"):
        source_for(tmp_path, [f"file://{gnu}"], [pk]).path_info(Q)
    # an unreachable cache is left out (with a warning); the next one serves the path
    good = make_cache(tmp_path / "good", Q, b"good\n", sk)
    notes: list[str] = []
    src = source_for(tmp_path / "2", ["http://127.0.0.1:9/", f"file://{gnu}", f"file://{good}"], [pk])
    src.log = notes.append
    assert Path(src.location(Q)).read_bytes() == b"good\n"
    assert sorted(src.disabled) == ["file://" + str(gnu), "http://127.0.0.1:9"]
    assert len(notes) >= 2 and all(n.startswith("warning: ") for n in notes)


def test_unsigned_narinfo_only_without_require_sigs(tmp_path):
    from translator.binary_cache.source import SubstituteError

    _, pk = keypair("k")
    c = make_cache(tmp_path / "c", Q, b"unsigned\n", None, compression_name="none")
    with pytest.raises(SubstituteError, match=r"not signed by a trusted key \(signed by: none; trusted: k\)"):
        source_for(tmp_path, [f"file://{c}"], [pk]).path_info(Q)
    src = source_for(tmp_path / "2", [f"file://{c}"], [], require_sigs=False)
    assert src.path_info(Q).references == () and Path(src.location(Q)).read_bytes() == b"unsigned\n"


def test_404_is_not_retried_but_500_is(tmp_path):
    from cache_support import CacheServer
    from translator.binary_cache.source import SubstituteError

    sk, pk = keypair("k")
    c = make_cache(tmp_path / "c", Q, b"x", sk)
    srv = CacheServer(c)
    try:
        src = source_for(tmp_path, [srv.url], [pk])
        missing = "/nix/store/" + "b" * 32 + "-gone"
        with pytest.raises(SubstituteError, match="in no binary cache"):
            src.path_info(missing)
        assert srv.requests(f"{'b' * 32}.narinfo") == [404]
        srv.fail[f"{'a' * 32}.narinfo"] = 5
        src = source_for(tmp_path / "2", [srv.url], [pk])
        with pytest.raises(UserError, match="giving up after 2 attempts"):
            src.path_info(Q)
        assert srv.requests(f"{'a' * 32}.narinfo") == [500, 500]
    finally:
        srv.close()


def test_stale_staging_entries_are_swept(tmp_path):
    store = ContentStore(str(tmp_path))
    os.makedirs(store.nar_dir)
    old, fresh = Path(store.nar_dir, ".tmp-old"), Path(store.nar_dir, ".tmp-fresh")
    for p in (old, fresh):
        p.mkdir()
        (p / "f").write_text("x")
        p.chmod(0o555)
    os.utime(old, (1, 1))
    with store.staging("sha256:" + "1" * 52):
        pass
    assert sorted(os.listdir(store.nar_dir)) == [".tmp-fresh"]


def test_removing_a_staged_tree_never_touches_link_targets(tmp_path):
    """An unpacked NAR may link into /nix/store: cleaning it up must not chmod the targets."""
    outside = tmp_path / "store-dir"
    outside.mkdir()
    outside.chmod(0o555)
    store = ContentStore(str(tmp_path / "cache"))
    with pytest.raises(RuntimeError):
        with store.staging("sha256:" + "2" * 52) as staged:
            os.mkdir(staged)
            os.symlink(str(outside), os.path.join(staged, "link-to-dir"))
            os.chmod(staged, 0o555)
            raise RuntimeError("refused")
    assert outside.stat().st_mode & 0o777 == 0o555
    assert os.listdir(store.nar_dir) == []


def test_http_client_through_a_plain_http_proxy_and_with_a_client_certificate(tmp_path):
    """http:// through HTTP_PROXY (absolute-URI requests); https:// to a server that demands a
    client certificate, found as NAME.cert + NAME.key in the host's certificate directory."""
    import ssl

    from cache_support import CacheServer
    from tls_support import ForwardProxy, make_ca_and_server_cert
    from translator.http.client import HttpClient, HttpSettings, TlsError

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "hello").write_text("hi\n")
    plain = CacheServer(tmp_path / "site")
    proxy = ForwardProxy()
    try:
        c = HttpClient(HttpSettings(env={"HTTP_PROXY": proxy.url}))
        assert c.request("GET", f"{plain.url}/hello").body == b"hi\n"
        assert proxy.log == [f"GET {plain.url}/hello HTTP/1.1"]
    finally:
        proxy.close()
        plain.close()

    server_pki = make_ca_and_server_cert(tmp_path / "server")
    client_pki = make_ca_and_server_cert(tmp_path / "client", name="client")  # its "server" cert serves as client cert
    srv = CacheServer(tmp_path / "site", tls=(server_pki["cert"], server_pki["key"]))
    ctx = srv.server.socket.context
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(cafile=str(client_pki["ca"]))
    try:
        certs = tmp_path / "certs.d" / f"127.0.0.1:{srv.port}"
        certs.mkdir(parents=True)
        (certs / "ca.crt").write_bytes(server_pki["ca"].read_bytes())
        without = HttpClient(HttpSettings(tls=TlsSettings(certs_d=(str(tmp_path / "certs.d"),)), env={}))
        with pytest.raises(Exception) as e:  # the server drops a client without a certificate
            without.request("GET", f"{srv.url}/hello")
        assert not isinstance(e.value, TlsError)
        (certs / "me.cert").write_bytes(client_pki["cert"].read_bytes())
        (certs / "me.key").write_bytes(client_pki["key"].read_bytes())
        with_cert = HttpClient(HttpSettings(tls=TlsSettings(certs_d=(str(tmp_path / "certs.d"),)), env={}))
        assert with_cert.request("GET", f"{srv.url}/hello").body == b"hi\n"
    finally:
        srv.close()
