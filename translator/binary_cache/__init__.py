"""Binary caches (Nix substituters) as a source of store path metadata and contents.

A cache holds, per store path, a ``<hash>.narinfo`` (where the NAR is, its hashes and sizes,
its references, its signatures) and the NAR itself, maybe compressed. nix2image reads them
over ``http(s)://`` or ``file://`` without Nix, checks every signature and hash, and unpacks the
NARs into its own content cache (never ``/nix/store``).

* :mod:`.nix_conf`: ``substituters`` / ``trusted-public-keys`` ... from nix.conf and NIX_CONFIG.
* :mod:`.settings`: what one command run uses (options over configuration).
* :mod:`.narinfo`: parsing a narinfo and Nix's signature fingerprint.
* :mod:`.signatures`: ed25519 keys and signature checks.
* :mod:`.compression`: streaming decompressors for the NAR compressions.
* :mod:`.nar_unpack`: a streaming NAR reader that writes the tree to disk.
* :mod:`.substituter`: one cache (``nix-cache-info``, narinfos, NAR downloads).
* :mod:`.cache_store`: the local content cache, content-addressed by NarHash.
* :mod:`.nar_fetch`: download, verify and unpack one NAR.
* :mod:`.source`: closures from narinfos and contents from NARs, for many paths in parallel.
* :mod:`.hook`: how a :class:`~translator.universe.resolve.Universe` gets these sources.
"""
