"""Nix base32 and hash parsing/printing, against known values and the installed Nix."""

from __future__ import annotations

import hashlib
import os
import subprocess

import pytest

from translator.store import base32
from translator.store.hashing import BadHash, Hash, compress_hash, hash_string, parse_hash, parse_hash_allow_empty

# Known values: `nix-hash --type sha256 --to-base32 <hex>` etc.
KNOWN_BASE32 = [
    (hashlib.sha256(b"").digest(), "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73"),
    (hashlib.sha1(b"abc").digest(), "kpcd173cq987hw957sx6m0868wv3x6d9"),
    (hashlib.sha256(b"hello").digest(), "094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic"),
    (b"", ""),
    (b"\x00", "00"),
    (b"\xff", "7z"),
]


@pytest.mark.parametrize("data,text", KNOWN_BASE32)
def test_base32_known(data, text):
    assert base32.encode(data) == text
    assert base32.decode(text) == data


@pytest.mark.parametrize("n", [1, 2, 5, 16, 20, 32, 33, 64])
def test_base32_roundtrip_and_length(n):
    for _ in range(20):
        data = os.urandom(n)
        s = base32.encode(data)
        assert len(s) == base32.encoded_length(n)
        assert set(s) <= set(base32.ALPHABET)
        assert base32.decode(s) == data


def test_base32_alphabet_omits_eotu():
    assert len(base32.ALPHABET) == 32
    assert not set("eotu") & set(base32.ALPHABET)


def test_base32_rejects_bad_text():
    with pytest.raises(ValueError):
        base32.decode("e" * 52)
    with pytest.raises(ValueError):  # excess bits in the top group of a 1-byte value
        base32.decode("z0")


def test_compress_hash_xor_fold():
    assert compress_hash(bytes(range(32)), 20) == bytes(
        (i ^ (i + 20)) if i < 12 else i for i in range(20))


SHA256_HELLO = hashlib.sha256(b"hello").digest()


@pytest.mark.parametrize("text,algo", [
    ("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", "sha256"),
    ("2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824", "sha256"),
    ("094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic", "sha256"),
    ("LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", "sha256"),
    ("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", None),
    ("sha256:094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic", None),
    ("sha256:LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", None),
    ("sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", None),
    ("sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", "sha256"),
])
def test_parse_every_form(text, algo):
    assert parse_hash(text, algo) == Hash("sha256", SHA256_HELLO)


@pytest.mark.parametrize("algo", ["md5", "sha1", "sha256", "sha512"])
def test_print_and_parse_all_algos(algo):
    h = hash_string(algo, "nix2image")
    assert h.digest == hashlib.new(algo, b"nix2image").digest()
    for enc in ("base16", "base32", "base64"):
        assert parse_hash(h.to_string(enc, True)) == h
        assert parse_hash(h.to_string(enc, False), algo) == h
    assert parse_hash(h.sri()) == h
    assert h.sri().startswith(algo + "-")


@pytest.mark.parametrize("text,algo,message", [
    ("abc", "sha256", "hash 'abc' has wrong length for hash type 'sha256'"),
    ("abc", None, "hash 'abc' does not include a type, nor is the type otherwise known from context"),
    ("foo:abc", None, "unknown hash algorithm 'foo'"),
    ("sha1:" + "0" * 40, "sha256", "hash 'sha1:" + "0" * 40 + "' should have type 'sha256'"),
    ("g" * 64, "sha256", "invalid base-16 hash '" + "g" * 64 + "'"),
    ("e" * 52, "sha256", "invalid base-32 hash '" + "e" * 52 + "'"),
    ("sha256-AAAA", None, "invalid SRI hash 'AAAA'"),
])
def test_parse_errors_read_like_nix(text, algo, message):
    with pytest.raises(BadHash) as e:
        parse_hash(text, algo)
    assert str(e.value) == message


def test_empty_hash():
    assert parse_hash_allow_empty("", "sha256") == Hash("sha256", bytes(32))
    with pytest.raises(BadHash, match="empty hash requires explicit hash type"):
        parse_hash_allow_empty("", None)


def test_conversions_agree_with_nix(nix):
    h = hash_string("sha512", "agree")
    for sub, expected in (("to-base32", h.base32()), ("to-base16", h.base16()),
                          ("to-base64", h.base64()), ("to-sri", h.sri())):
        out = subprocess.run(["nix", "hash", sub, "--type", "sha512", h.base16()], env=nix,
                             capture_output=True, text=True, check=True).stdout.strip()
        assert out == expected, sub
