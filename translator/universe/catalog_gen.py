"""Deterministic generator of the embedded default catalog (``translator/data/catalog.json``).

The table below describes a nixos-24.05-like package set: versions, nixpkgs' output splits,
realistic NAR sizes and runtime references (who links against what). Store paths are derived
from the attribute, name and output with SHA-256 folded to 160 bits as Nix folds its hashes, so
they are valid store paths, stable across runs, and never collide with real ones by accident.

Regenerate with ``python -m translator.universe.catalog_gen`` (writes the data file) or
``python -m translator.universe.catalog_gen --check`` (fails when the file is stale).

Table syntax of one package, ``P(attr, version, outputs, ...)``::

    "bin 260k .out zlib glibc | out 850k openssl:out glibc | dev 600k .out"

Outputs are separated by ``|`` in nixpkgs' order (the first is the default output). Each output
is ``NAME SIZE REF...``; sizes take ``k``/``M`` suffixes (powers of 1000). A reference ``.o``
is this package's output ``o``; ``attr:o`` is output ``o`` of another package; a bare ``attr``
is that package's ``out`` output (its first output when it has no ``out``).
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..store import base32
from ..storeinfo import PathInfo
from .catalog import FORMAT, Catalog, Output, Package, dump_catalog, parse_catalog

NIXPKGS = "24.05"
SYSTEM = "x86_64-linux"
DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "catalog.json"


@dataclass
class _Spec:
    attr: str
    version: str
    outputs: str
    pname: str | None = None
    name: str | None = None
    main: str | None = None
    desc: str = ""
    lic: str | None = None
    home: str | None = None
    system: str = SYSTEM
    extra: dict = field(default_factory=dict)


TABLE: list[_Spec] = []
ALIASES: dict[str, str] = {}


def P(attr: str, version: str, outputs: str, **kw) -> None:  # noqa: N802 - table syntax
    TABLE.append(_Spec(attr, version, outputs, **kw))


def A(alias: str, target: str) -> None:  # noqa: N802
    ALIASES[alias] = target


# --- the C runtime and the basic libraries ---------------------------------------------------
P("glibc", "2.39-52", "out 29.6M libidn2 xgcc-libgcc | bin 2.6M .out libidn2 | dev 2.4M .out .bin | getent 70k .out",
  desc="The GNU C Library", lic="LGPL-2.1-or-later", home="https://www.gnu.org/software/libc/")
P("xgcc-libgcc", "13.2.0", "out 140k", pname="xgcc", name="xgcc-13.2.0-libgcc", desc="libgcc_s for the bootstrap glibc", lic="GPL-3.0-or-later")
P("glibcLocales", "2.39-52", "out 221M", pname="glibc-locales", desc="Locale information for the GNU C Library", lic="LGPL-2.1-or-later")
# glibcLocales built for the UTF-8 locales only (C.UTF-8), nixpkgs' small default for images
P("glibcLocalesUtf8", "2.39-52", "out 3.1M", pname="glibc-locales", desc="Locale information for the GNU C Library (UTF-8 locales only)", lic="LGPL-2.1-or-later")
P("libunistring", "1.1", "out 1.9M | dev 400k .out", desc="Unicode string library", lic="LGPL-3.0-or-later")
P("libidn2", "2.3.7", "bin 120k .out glibc | dev 90k .out | out 480k libunistring", main="idn2", desc="Free software implementation of IDNA2008 and TR46", lic="LGPL-3.0-or-later")
P("gcc-unwrapped", "13.2.0", "out 184M glibc .lib .libgcc gmp mpfr libmpc isl zlib | lib 8.6M glibc .libgcc | libgcc 150k glibc",
  pname="gcc", desc="GNU Compiler Collection, version 13 (unwrapped)", lic="GPL-3.0-or-later")
P("gmp", "6.3.0", "out 1.0M glibc gcc-unwrapped:lib | dev 250k .out", pname="gmp-with-cxx", desc="GNU multiple precision arithmetic library", lic="LGPL-3.0-or-later")
P("mpfr", "4.2.1", "out 800k gmp glibc | dev 120k .out", desc="Library for multiple-precision floating-point arithmetic", lic="LGPL-3.0-or-later")
P("libmpc", "1.3.1", "out 230k mpfr gmp glibc", desc="Library for multiprecision complex arithmetic", lic="LGPL-3.0-or-later")
P("isl", "0.20", "out 4.3M gmp glibc", desc="Library for manipulating sets and relations of integer points", lic="LGPL-2.1-or-later")
P("zlib", "1.3.1", "out 130k glibc | dev 110k .out | static 160k", desc="Lossless data-compression library", lic="Zlib", home="https://zlib.net")
P("acl", "2.3.2", "bin 120k .out attr glibc | dev 60k .out | out 90k attr glibc | man 140k", main="getfacl", desc="Library and tools for manipulating access control lists", lic="GPL-2.0-or-later")
P("attr", "2.5.2", "bin 90k .out glibc | dev 40k .out | out 70k glibc | man 60k", main="getfattr", desc="Library and tools for manipulating extended attributes", lic="GPL-2.0-or-later")
P("libcap", "2.69", "out 170k .lib glibc | dev 60k .lib | lib 110k glibc | man 190k", main="capsh", desc="Library for working with POSIX capabilities", lic="BSD-3-Clause")
P("libcap_ng", "0.8.4", "out 120k glibc | dev 40k .out", pname="libcap-ng", desc="Library for working with POSIX capabilities", lic="LGPL-2.1-or-later")
P("libxcrypt", "4.4.36", "out 300k glibc | man 90k", desc="Extended crypt library for descrypt, md5crypt, bcrypt, and others", lic="LGPL-2.1-or-later")
P("ncurses", "6.4", "out 3.5M glibc | dev 1.2M .out | man 1.6M", desc="Free software emulation of curses in SVR4 and more", lic="MIT", home="https://www.gnu.org/software/ncurses/")
P("readline", "8.2p10", "out 900k ncurses glibc | dev 200k .out ncurses:dev | man 80k", desc="Library for interactive line editing", lic="GPL-3.0-or-later")
P("libffi", "3.4.6", "out 70k glibc | dev 80k .out | man 30k", desc="Foreign function call interface library", lic="MIT")
P("expat", "2.6.2", "out 380k glibc | dev 120k .out", main="xmlwf", desc="Stream-oriented C library for parsing XML", lic="MIT")
P("pcre2", "10.43", "bin 300k .out glibc | dev 500k .out | out 1.8M glibc | doc 1.5M | man 400k", desc="Perl Compatible Regular Expressions", lic="BSD-3-Clause")
P("gdbm", "1.23", "out 480k .lib readline ncurses glibc | lib 200k glibc | dev 40k .lib", desc="GNU dbm key/value database library", lic="GPL-3.0-or-later")
P("xz", "5.4.6", "bin 390k .out bash glibc | dev 200k .out | out 600k glibc | man 110k | doc 200k", main="xz", desc="General-purpose data compression software, successor of LZMA", lic="GPL-2.0-or-later")
P("bzip2", "1.0.8", "bin 140k .out bash glibc | dev 30k .out | out 90k glibc | man 20k", main="bzip2", desc="High-quality data compression program", lic="bzip2-1.0.6")
P("zstd", "1.5.6", "bin 1.6M .out zlib xz:out lz4:lib bash glibc | dev 200k .out | man 30k | out 1.3M glibc", main="zstd", desc="Zstandard real-time compression algorithm", lic="BSD-3-Clause")
P("lz4", "1.9.4", "bin 250k .lib glibc | dev 80k .lib | lib 180k glibc | man 20k | out 10k", main="lz4", desc="Extremely fast compression algorithm", lic="BSD-2-Clause")
P("brotli", "1.1.0", "out 60k .lib glibc | dev 40k .lib | lib 800k glibc", main="brotli", desc="Generic-purpose lossless compression algorithm", lic="MIT")
P("libdeflate", "1.20", "out 170k glibc", desc="Fast DEFLATE/zlib/gzip compressor and decompressor", lic="MIT")
P("lerc", "4.0.0", "out 900k gcc-unwrapped:lib glibc", desc="Limited Error Raster Compression", lic="Apache-2.0")
P("mailcap", "2.1.53", "out 150k", desc="Helper application and MIME type associations for file types", lic="Public-Domain")
P("tzdata", "2024a", "out 1.9M | bin 60k glibc | man 40k | dev 10k", desc="Database of current and historical time zones", lic="Public-Domain", home="https://www.iana.org/time-zones")
P("iana-etc", "20240318", "out 560k", desc="IANA protocol and port number assignments (/etc/protocols and /etc/services)", lic="MIT")
P("cacert", "3.98", "out 530k", pname="nss-cacert", desc="A bundle of X.509 certificates of public Certificate Authorities (CA)", lic="MPL-2.0",
  home="https://curl.haxx.se/docs/caextract.html")
P("openssl", "3.0.13", "bin 1.1M .out glibc | dev 3.4M .out | out 6.4M glibc | man 5.0M | doc 8.0M", main="openssl",
  desc="Cryptographic library that implements the SSL and TLS protocols", lic="Apache-2.0", home="https://www.openssl.org/")
P("libssh2", "1.11.0", "out 400k openssl zlib glibc | dev 120k .out", desc="Client-side C library implementing the SSH2 protocol", lic="BSD-3-Clause")
P("nghttp2", "1.61.0", "out 40k .lib glibc | dev 90k .lib | lib 200k glibc", desc="HTTP/2 C library", lic="MIT")
P("libpsl", "0.21.5", "out 280k libidn2 libunistring glibc | dev 40k .out", desc="C library for the Public Suffix List", lic="MIT")
P("keyutils", "1.6.3", "out 120k .lib glibc | lib 40k glibc | dev 30k .lib | man 100k", desc="Tools used to control the Linux kernel key management system", lic="GPL-2.0-or-later")
P("libkrb5", "1.21.2", "out 2.3M keyutils:lib openssl libverto glibc | dev 600k .out", desc="MIT Kerberos 5 libraries", lic="MIT")
P("libverto", "0.3.2", "out 80k libev glibc", desc="Asynchronous event loop abstraction library", lic="MIT")
P("libev", "4.33", "out 120k glibc", desc="High-performance event loop/event model", lic="BSD-2-Clause")
P("libevent", "2.1.12", "out 1.2M openssl glibc | dev 500k .out", desc="Event notification library", lic="BSD-3-Clause")
P("libedit", "20230828-3.1", "out 300k ncurses glibc | dev 60k .out", desc="Port of the NetBSD Editline library (libedit)", lic="BSD-3-Clause")
P("editline", "1.17.1", "out 90k ncurses glibc | dev 20k .out | man 10k", desc="Readline() replacement for UNIX without termcap (ncurses)", lic="HPND")
P("ldns", "1.8.3", "out 1.1M openssl glibc | dev 300k .out | examples 400k .out openssl glibc", desc="Library with the aim of simplifying DNS programming in C", lic="BSD-3-Clause")
P("libcbor", "0.11.0", "out 90k glibc", desc="CBOR protocol implementation for C and others", lic="MIT")
P("libfido2", "1.14.0", "out 600k libcbor openssl zlib systemdLibs glibc | dev 90k .out", desc="Library for generating and verifying FIDO 2.0 objects", lic="BSD-2-Clause")
P("linux-pam", "1.6.1", "out 2.9M libxcrypt glibc | doc 800k | man 300k", desc="Pluggable Authentication Modules", lic="BSD-3-Clause")
P("systemdLibs", "255.6", "out 3.7M libcap:lib xz:out lz4:lib zstd:out libgcrypt glibc gcc-unwrapped:libgcc | dev 900k .out", pname="systemd-minimal-libs",
  desc="A system and service manager for Linux (libraries only)", lic="LGPL-2.1-or-later")
P("libgpg-error", "1.48", "out 1.0M glibc | dev 200k .out", main="gpg-error", desc="Small library that defines common error values for GnuPG components", lic="LGPL-2.0-or-later")
P("libgcrypt", "1.10.3", "out 1.5M libgpg-error glibc | dev 150k .out", desc="General-purpose cryptographic library", lic="LGPL-2.0-or-later")
P("libassuan", "2.5.7", "out 200k libgpg-error glibc | dev 80k .out", desc="IPC library used by GnuPG", lic="LGPL-2.0-or-later")
P("libksba", "1.6.6", "out 400k libgpg-error glibc | dev 70k .out", desc="CMS and X.509 access library", lic="LGPL-3.0-or-later")
P("npth", "1.7", "out 60k glibc", desc="The New GNU Portable Threads Library", lic="LGPL-2.0-or-later")
P("nettle", "3.9.1", "out 900k gmp glibc | dev 300k .out", desc="Cryptographic library", lic="LGPL-3.0-or-later")
P("libtasn1", "4.19.0", "out 300k glibc | dev 60k .out", desc="ASN.1 library", lic="LGPL-2.1-or-later")
P("p11-kit", "0.25.3", "out 2.2M libffi libtasn1 glibc | dev 100k .out", desc="Library for loading and sharing PKCS#11 modules", lic="BSD-3-Clause")
P("gnutls", "3.8.5", "bin 1.2M .out glibc | dev 800k .out | out 3.4M nettle gmp libtasn1 p11-kit libidn2 libunistring zlib zstd:out brotli:lib glibc | man 1.6M",
  main="gnutls-cli", desc="The GNU Transport Layer Security Library", lic="LGPL-2.1-or-later")
P("libyaml", "0.2.5", "out 150k glibc | dev 30k .out", desc="YAML 1.1 parser and emitter written in C", lic="MIT")
P("libuv", "1.48.0", "out 350k glibc | dev 120k .out", desc="Multi-platform support library with a focus on asynchronous I/O", lic="MIT")
P("c-ares", "1.27.0", "out 300k glibc | dev 80k .out | man 300k", desc="C library for asynchronous DNS requests", lic="MIT")
P("icu4c", "74.2", "out 35M gcc-unwrapped:lib glibc | dev 3M .out", desc="Unicode and globalization support library", lic="ICU")
P("jansson", "2.14", "out 90k glibc | dev 30k .out", desc="C library for encoding, decoding and manipulating JSON data", lic="MIT")
P("oniguruma", "6.9.9", "dev 80k .lib | lib 650k glibc | out 10k", desc="Regular expressions library", lic="BSD-2-Clause")
P("libseccomp", "2.5.5", "out 120k .lib glibc | lib 180k glibc | dev 50k .lib | man 90k", desc="High level library for the Linux kernel seccomp filter", lic="LGPL-2.1-only")
P("libsodium", "1.0.19", "out 450k glibc | dev 140k .out", desc="Modern and easy-to-use crypto library", lic="ISC")
P("libarchive", "3.7.4", "out 500k .lib glibc | lib 1.1M acl attr bzip2:out libxml2:out lz4:lib openssl xz:out zlib zstd:out glibc | dev 200k .lib",
  main="bsdtar", desc="Multi-format archive and compression library", lic="BSD-3-Clause")
P("lowdown", "1.1.0", "out 200k .lib glibc | lib 300k glibc | dev 40k .lib", desc="Simple markdown translator", lic="ISC")
P("libcpuid", "0.6.5", "out 200k gcc-unwrapped:lib glibc", desc="A small C library for x86 CPU detection and feature extraction", lic="BSD-2-Clause")
P("boehmgc", "8.2.6", "out 450k gcc-unwrapped:lib glibc | dev 200k .out | doc 200k", pname="boehm-gc", desc="The Boehm-Demers-Weiser conservative garbage collector", lic="MIT")
P("boost", "1.81.0", "out 9.0M zlib bzip2:out xz:out zstd:out icu4c gcc-unwrapped:lib glibc | dev 160M .out", desc="Collection of C++ libraries", lic="BSL-1.0")
P("aws-crt-cpp", "0.26.8", "out 6.0M openssl gcc-unwrapped:lib glibc", desc="C++ wrapper around the aws-c-* libraries", lic="Apache-2.0")
P("aws-sdk-cpp", "1.11.336", "out 12M aws-crt-cpp curl:out openssl zlib gcc-unwrapped:lib glibc | dev 40M .out", desc="C++ interface for Amazon Web Services", lic="Apache-2.0")
P("libxml2", "2.12.7", "bin 200k .out glibc | dev 500k .out | out 2.0M zlib xz:out glibc | doc 3M", main="xmllint", desc="XML parsing library for C", lic="MIT")
P("libxslt", "1.1.39", "bin 60k .out glibc | dev 200k .out | out 600k libxml2:out libgcrypt glibc | man 30k | doc 300k", main="xsltproc", desc="C library and tools to do XSL transformations", lic="X11")
P("libpng", "1.6.43", "out 300k zlib glibc | dev 200k .out", pname="libpng-apng", desc="Official reference implementation for the PNG file format with animation patch", lic="Libpng")
P("libjpeg", "3.0.2", "bin 400k .out glibc | dev 200k .out | out 700k glibc | man 30k | doc 100k", pname="libjpeg-turbo", desc="Faster (using SIMD) libjpeg implementation", lic="IJG")
P("libtiff", "4.6.0", "bin 200k .out glibc | dev 300k .out | out 700k libjpeg:out zlib xz:out zstd:out libdeflate lerc glibc", desc="Library and utilities for working with the TIFF image file format", lic="libtiff")
P("libwebp", "1.3.2", "out 1.0M glibc", desc="Tools and library for the WebP image format", lic="BSD-3-Clause")
P("giflib", "5.2.2", "out 200k glibc", desc="Library for reading and writing gif images", lic="MIT")
P("lcms2", "2.16", "bin 120k .out glibc | dev 80k .out | out 500k libjpeg:out libtiff:out zlib glibc", desc="Color management engine", lic="MIT")
P("freetype", "2.13.2", "out 1.1M bzip2:out libpng zlib brotli:lib glibc | dev 900k .out", desc="Font rendering engine", lic="FTL")
P("dejavu_fonts", "2.37", "out 1.6M", pname="dejavu-fonts-minimal", desc="A typeface family based on the Bitstream Vera fonts (minimal)", lic="Bitstream-Vera")
P("fontconfig", "2.15.0", "bin 300k .lib glibc | dev 200k .lib | lib 600k expat freetype glibc | out 500k .lib dejavu_fonts", desc="Library for font customization and configuration", lic="MIT")
P("pixman", "0.43.4", "out 700k glibc", desc="Low-level library for pixel manipulation", lic="MIT")
P("fribidi", "1.0.13", "out 250k glibc | dev 60k .out", desc="GNU implementation of the Unicode Bidirectional Algorithm (bidi)", lic="LGPL-2.1-or-later")
P("graphite2", "1.3.14", "out 400k gcc-unwrapped:lib glibc", desc="Advanced font engine", lic="LGPL-2.1-or-later")
P("glib", "2.80.0", "bin 900k .out python3 bash glibc | dev 4.5M .out .bin | out 6.2M libffi pcre2:out zlib util-linux:lib glibc", main="gio",
  desc="C library of programming buildings blocks", lic="LGPL-2.1-or-later")
P("harfbuzz", "8.4.0", "out 3.2M freetype glib:out graphite2 gcc-unwrapped:lib glibc | dev 900k .out", desc="OpenType text shaping engine", lic="MIT")
P("xorg.libXau", "1.0.11", "out 40k glibc | dev 20k .out", pname="libXau", desc="X authorization file management library", lic="MIT")
P("xorg.libXdmcp", "1.1.5", "out 70k glibc | dev 30k .out", pname="libXdmcp", desc="X Display Manager Control Protocol library", lic="MIT")
P("xorg.libxcb", "1.16.1", "out 2.0M xorg.libXau xorg.libXdmcp glibc | dev 2.5M .out", pname="libxcb", desc="X protocol C-language Binding", lic="MIT")
P("xorg.libX11", "1.8.9", "out 4.0M xorg.libxcb glibc | dev 1.3M .out | man 1.6M", pname="libX11", desc="Core X11 protocol client library", lic="MIT")
P("xorg.libXext", "1.3.6", "out 150k xorg.libX11 glibc | dev 200k .out", pname="libXext", desc="Common X Extensions library", lic="MIT")
P("xorg.libXrender", "0.9.11", "out 80k xorg.libX11 glibc | dev 50k .out", pname="libXrender", desc="X Rendering Extension client library", lic="MIT")
P("xorg.libXfixes", "6.0.1", "out 60k xorg.libX11 glibc", pname="libXfixes", desc="X Fixes extension library", lic="MIT")
P("xorg.libXi", "1.8.1", "out 150k xorg.libX11 xorg.libXext xorg.libXfixes glibc | dev 100k .out", pname="libXi", desc="X Input extension library", lic="MIT")
P("xorg.libXtst", "1.2.4", "out 60k xorg.libX11 xorg.libXext xorg.libXi glibc", pname="libXtst", desc="X Test extension client library", lic="MIT")
P("xorg.libXft", "2.3.8", "out 150k xorg.libX11 xorg.libXrender fontconfig:lib freetype glibc", pname="libXft", desc="X FreeType interface library", lic="MIT")
P("cairo", "1.18.0", "out 2.0M fontconfig:lib freetype glib:out libpng xorg.libX11 xorg.libXext xorg.libXrender xorg.libxcb pixman zlib glibc | dev 400k .out",
  desc="2D graphics library with support for multiple output devices", lic="LGPL-2.1-only")
P("pango", "1.52.2", "bin 50k .out glibc | dev 500k .out | out 1.3M cairo fontconfig:lib freetype fribidi glib:out harfbuzz xorg.libXft glibc", desc="Library for laying out and rendering of text", lic="LGPL-2.0-or-later")
P("gdk-pixbuf", "2.42.11", "out 1.5M glib:out libjpeg:out libpng libtiff:out glibc | dev 200k .out", desc="Library for image loading and manipulation", lic="LGPL-2.1-or-later")
P("librsvg", "2.58.0", "out 9M cairo pango:out glib:out gdk-pixbuf libxml2:out harfbuzz freetype gcc-unwrapped:lib glibc | dev 300k .out", main="rsvg-convert", desc="Small library to render SVG images to Cairo surfaces", lic="LGPL-2.0-or-later")
P("dbus", "1.14.10", "out 1.6M .lib expat systemdLibs glibc | lib 400k systemdLibs glibc | dev 100k .lib", main="dbus-daemon", desc="Simple interprocess messaging system", lic="GPL-2.0-or-later")
P("at-spi2-core", "2.52.0", "out 2.5M dbus:lib glib:out xorg.libX11 xorg.libXi xorg.libXtst systemdLibs glibc | dev 600k .out", desc="Assistive Technology Service Provider Interface protocol definitions and daemon", lic="LGPL-2.1-or-later")
P("libepoxy", "1.5.10", "out 1.5M glibc | dev 400k .out", desc="A library for handling OpenGL function pointer management", lic="MIT")
P("wayland", "1.22.0", "bin 80k .out expat libxml2:out glibc | dev 200k .out | out 300k libffi glibc", desc="Core Wayland window system code and protocol", lic="MIT")
P("libxkbcommon", "1.7.0", "out 800k libxml2:out glibc | dev 100k .out", desc="Library to handle keyboard descriptions", lic="MIT")
P("gtk3", "3.24.41", "out 40M at-spi2-core cairo pango:out glib:out gdk-pixbuf harfbuzz fontconfig:lib freetype libepoxy wayland:out libxkbcommon xorg.libX11 xorg.libXext xorg.libXi xorg.libXrender dbus:lib glibc | dev 8M .out",
  pname="gtk+3", desc="A multi-platform toolkit for creating graphical user interfaces", lic="LGPL-2.0-or-later")
P("alsa-lib", "1.2.11", "out 2.4M glibc | dev 400k .out", desc="ALSA, the Advanced Linux Sound Architecture libraries", lic="LGPL-2.1-or-later")
P("cups", "2.4.7", "out 9M .lib gnutls:out zlib libkrb5 systemdLibs glibc | lib 1.0M gnutls:out zlib libkrb5 glibc | dev 500k .lib | man 400k", main="lp", desc="Standards-based printing system for UNIX", lic="Apache-2.0")
P("libgccjit", "13.2.0", "out 90M zlib gmp mpfr libmpc isl glibc", desc="GCC's JIT compiler library", lic="GPL-3.0-or-later")
P("tree-sitter", "0.22.5", "out 11M gcc-unwrapped:lib glibc", desc="Parser generator tool and incremental parsing library", lic="MIT")
P("libunwind", "1.8.1", "out 400k xz:out gcc-unwrapped:lib glibc | dev 100k .out", desc="Portable and efficient API to determine the call-chain of a program", lic="MIT")
P("popt", "1.19", "out 150k glibc", desc="Command line option parsing library", lic="MIT")
P("xxhash", "0.8.2", "out 250k glibc", main="xxhsum", desc="Extremely fast hash algorithm", lic="BSD-2-Clause")
P("lm_sensors", "3.6.0", "out 500k bash perl glibc", pname="lm-sensors", main="sensors", desc="Tools for reading hardware sensors", lic="LGPL-2.1-or-later")
P("libmnl", "1.0.5", "out 60k glibc", desc="Minimalistic user-space library oriented to Netlink developers", lic="LGPL-2.1-or-later")
P("libpcap", "1.10.4", "out 800k libnl glibc", desc="Packet Capture Library", lic="BSD-3-Clause")
P("libnl", "3.8.0", "bin 500k .out glibc | dev 300k .out | out 1.2M glibc", desc="Linux Netlink interface library suite", lic="LGPL-2.1-only")
P("db", "5.3.28", "bin 300k .out glibc | dev 200k .out | out 2.5M glibc", desc="Berkeley DB", lic="Sleepycat")
P("openblas", "0.3.27", "out 35M gcc-unwrapped:lib glibc | dev 300k .out", desc="Basic Linear Algebra Subprograms", lic="BSD-3-Clause")
P("utempter", "1.2.1", "out 40k glibc", pname="libutempter", desc="Interface for terminal emulators to record user sessions to utmp and wtmp", lic="LGPL-2.1-only")

# --- shells and the core userland ---------------------------------------------------------
P("bash", "5.2p26", "out 1.6M glibc | man 200k | dev 1.0M .out | doc 100k | info 300k", main="bash",
  desc="GNU Bourne-Again Shell, the de facto standard shell on Linux", lic="GPL-3.0-or-later", home="https://www.gnu.org/software/bash/")
P("bashInteractive", "5.2p26", "out 1.7M ncurses readline glibc | man 200k | dev 1.0M .out | doc 100k | info 300k", pname="bash-interactive", main="bash",
  desc="GNU Bourne-Again Shell, the de facto standard shell on Linux (for interactive use)", lic="GPL-3.0-or-later", home="https://www.gnu.org/software/bash/")
P("coreutils", "9.5", "out 1.8M acl attr gmp openssl glibc | info 350k", main="coreutils",
  desc="The GNU Core Utilities", lic="GPL-3.0-or-later", home="https://www.gnu.org/software/coreutils/")
P("busybox", "1.36.1", "out 1.1M glibc", main="busybox", desc="Tiny versions of common UNIX utilities in a single small executable", lic="GPL-2.0-only", home="https://busybox.net")
P("pkgsStatic.busybox", "1.36.1", "out 1.2M", pname="busybox-static-x86_64-unknown-linux-musl", main="busybox",
  desc="Tiny versions of common UNIX utilities in a single small executable", lic="GPL-2.0-only", home="https://busybox.net")
P("pkgsStatic.bash", "5.2p26", "out 1.9M", pname="bash-static-x86_64-unknown-linux-musl", main="bash", desc="GNU Bourne-Again Shell (statically linked)", lic="GPL-3.0-or-later")
P("dash", "0.5.12", "out 170k glibc | man 60k", main="dash", desc="POSIX-compliant implementation of /bin/sh that aims to be as small as possible", lic="BSD-3-Clause")
P("zsh", "5.9", "out 6.5M ncurses pcre2:out gdbm:lib glibc | man 600k | doc 1.5M | info 700k", main="zsh", desc="The Z shell", lic="MIT-Modern-Variant")
P("fish", "3.7.1", "out 14M ncurses pcre2:out gcc-unwrapped:lib coreutils gnused gnugrep:out glibc | doc 6M", main="fish", desc="Smart and user-friendly command line shell", lic="GPL-2.0-only")
P("gnused", "4.9", "out 800k glibc | info 300k", main="sed", desc="GNU sed, a batch stream editor", lic="GPL-3.0-or-later")
P("gnugrep", "3.11", "out 900k pcre2:out bash glibc | info 200k", main="grep", desc="GNU implementation of the Unix grep command", lic="GPL-3.0-or-later")
P("gawk", "5.2.2", "out 2.9M bash glibc | info 700k", main="gawk", desc="GNU implementation of the Awk programming language", lic="GPL-3.0-or-later")
P("findutils", "4.9.0", "out 1.3M coreutils bash glibc | info 200k | locate 300k .out bash glibc", main="find", desc="GNU Find Utilities, the basic directory searching utilities of the GNU operating system", lic="GPL-3.0-or-later")
P("diffutils", "3.10", "out 1.4M coreutils glibc | info 200k", main="diff", desc="Commands for showing the differences between files (diff, cmp, etc.)", lic="GPL-3.0-or-later")
P("gnutar", "1.35", "out 3.1M acl glibc | info 800k", main="tar", desc="GNU implementation of the `tar' archiver", lic="GPL-3.0-or-later")
P("gzip", "1.13", "out 400k bash glibc | man 30k | info 60k", main="gzip", desc="GNU zip compression program", lic="GPL-3.0-or-later")
P("unzip", "6.0", "out 500k bzip2:out glibc", main="unzip", desc="An extraction utility for archives compressed in .zip format", lic="Info-ZIP")
P("zip", "3.0", "out 800k glibc", main="zip", desc="Compressor/archiver for creating and modifying zipfiles", lic="Info-ZIP")
P("less", "643", "out 400k ncurses pcre2:out glibc", main="less", desc="More advanced file pager than 'more'", lic="GPL-3.0-or-later")
P("which", "2.21", "out 70k glibc", main="which", desc="Shows the full path of (shell) commands", lic="GPL-3.0-or-later")
P("file", "5.45", "out 9.0M zlib glibc | dev 40k .out | man 90k", main="file", desc="Program that shows the type of files", lic="BSD-2-Clause")
P("procps", "4.0.4", "out 1.6M ncurses systemdLibs glibc | man 500k | doc 30k", main="ps", desc="Utilities that give information about processes using the /proc filesystem", lic="GPL-2.0-or-later")
P("util-linux", "2.39.4", "bin 6.5M .lib ncurses zlib systemdLibs libcap_ng libxcrypt linux-pam glibc | dev 1.3M .lib | out 200k .lib glibc | lib 2.1M glibc | man 2.8M | login 300k .lib linux-pam libxcrypt glibc",
  desc="Set of system utilities for Linux", lic="GPL-2.0-only")
P("shadow", "4.14.6", "out 4.6M libxcrypt linux-pam bash glibc | su 120k .out libxcrypt linux-pam glibc | dev 200k .out | man 1.7M", main="passwd",
  desc="Suite containing authentication-related tools such as passwd and su", lic="BSD-3-Clause")
P("su-exec", "0.2", "out 30k glibc", main="su-exec", desc="Switch user and group id and exec", lic="MIT")
P("gosu", "1.17", "out 2.3M", main="gosu", desc="Tool that avoids TTY and signal-forwarding behavior of sudo and su", lic="Apache-2.0")
P("tini", "0.19.0", "out 850k", main="tini", desc="A tiny but valid init for containers", lic="MIT")
P("dumb-init", "1.2.5", "out 800k", main="dumb-init", desc="A minimal init system for Linux containers", lic="MIT")
P("sudo", "1.9.15p5", "out 6M linux-pam libxcrypt openssl zlib glibc", main="sudo", desc="A command to run commands as root", lic="ISC")
P("gnumake", "4.4.1", "out 1.5M glibc | man 60k | info 500k", main="make", desc="A tool to control the generation of non-source files from sources", lic="GPL-3.0-or-later")
P("gnupatch", "2.7.6", "out 250k glibc", main="patch", desc="GNU Patch, a program to apply differences to files", lic="GPL-3.0-or-later")
P("patchelf", "0.15.0", "out 500k gcc-unwrapped:lib glibc", main="patchelf", desc="A small utility to modify the dynamic linker and RPATH of ELF executables", lic="GPL-3.0-or-later")
P("tree", "2.1.1", "out 120k glibc", main="tree", desc="Command to produce a depth indented directory listing", lic="GPL-2.0-or-later")
P("tmux", "3.4", "out 1.1M libevent ncurses systemdLibs utempter glibc | man 100k", main="tmux", desc="Terminal multiplexer", lic="BSD-3-Clause")
P("screen", "4.9.1", "out 1.1M ncurses libxcrypt linux-pam glibc", main="screen", desc="A window manager that multiplexes a physical terminal", lic="GPL-3.0-or-later")
P("htop", "3.3.0", "out 500k ncurses lm_sensors systemdLibs glibc", main="htop", desc="An interactive process viewer", lic="GPL-2.0-only")
P("strace", "6.8", "out 3.0M libunwind glibc", main="strace", desc="A system call tracer for Linux", lic="LGPL-2.1-or-later")
P("iproute2", "6.8.0", "out 3.5M libmnl libcap:lib db:out glibc | dev 100k .out", main="ip", desc="A collection of utilities for controlling TCP/IP networking and traffic control in Linux", lic="GPL-2.0-only")
P("iputils", "20240117", "out 300k libcap:lib libidn2 glibc", main="ping", desc="A set of small useful utilities for Linux networking", lic="GPL-2.0-or-later")
P("netcat-gnu", "0.7.1", "out 150k glibc", main="netcat", desc="Utility which reads and writes data across network connections", lic="GPL-2.0-or-later")
P("socat", "1.8.0.0", "out 1.0M openssl readline glibc", main="socat", desc="Utility for bidirectional data transfer between two independent data channels", lic="GPL-2.0-only")
P("tcpdump", "4.99.4", "out 1.7M libpcap openssl glibc", main="tcpdump", desc="Network sniffer", lic="BSD-3-Clause")
P("dnsutils", "9.18.27", "out 1.1M libuv openssl libxml2:out libidn2 zlib libcap:lib jemalloc glibc", pname="bind", name="bind-9.18.27-dnsutils", main="dig",
  desc="Domain name server (client tools)", lic="MPL-2.0")
P("jemalloc", "5.3.0", "out 1.3M gcc-unwrapped:lib glibc", desc="General purpose malloc(3) implementation", lic="BSD-2-Clause")
P("ncdu", "2.4", "out 600k ncurses glibc", main="ncdu", desc="Disk usage analyzer with an ncurses interface", lic="MIT")

# --- network clients, VCS, editors ----------------------------------------------------------
P("curl", "8.7.1", "bin 260k .out zlib openssl glibc | dev 600k .out | out 850k brotli:lib libkrb5 nghttp2:lib libidn2 openssl libpsl libssh2 zlib zstd:out glibc | man 190k | devdoc 1.5M",
  main="curl", desc="A command line tool for transferring files with URL syntax", lic="curl", home="https://curl.se/")
P("wget", "1.21.4", "out 4.2M libidn2 libpsl openssl pcre2:out zlib util-linux:lib glibc", main="wget", desc="Tool for retrieving files using HTTP, HTTPS, and FTP", lic="GPL-3.0-or-later")
P("openssh", "9.7p1", "out 7.0M openssl zlib libedit ldns:out libkrb5 linux-pam libfido2 libxcrypt glibc", main="ssh",
  desc="An implementation of the SSH protocol", lic="BSD-2-Clause", home="https://www.openssh.com/")
P("rsync", "3.3.0", "out 900k acl attr lz4:lib openssl popt xxhash zstd:out glibc", main="rsync", desc="Fast incremental file transfer utility", lic="GPL-3.0-or-later")
P("git", "2.44.1", "out 56M bash coreutils gnugrep:out gnused perl python3 curl:out expat openssl pcre2:out zlib openssh glibc | doc 7M",
  main="git", desc="Distributed version control system", lic="GPL-2.0-only", home="https://git-scm.com/")
P("gnupg", "2.4.5", "out 9.6M libgcrypt libgpg-error libassuan libksba npth gnutls:out sqlite:out readline zlib bzip2:out glibc | info 500k", main="gpg",
  desc="Modern release of the GNU Privacy Guard, a GPL OpenPGP implementation", lic="GPL-3.0-or-later")
P("jq", "1.7.1", "bin 40k .lib oniguruma:lib glibc | doc 30k | man 90k | dev 30k .lib | lib 600k oniguruma:lib glibc | out 10k", main="jq",
  desc="A lightweight and flexible command-line JSON processor", lic="MIT", home="https://jqlang.github.io/jq/")
P("yq-go", "4.43.1", "out 11M", main="yq", desc="Portable command-line YAML processor", lic="MIT")
P("ripgrep", "14.1.0", "out 5.5M pcre2:out gcc-unwrapped:libgcc glibc", main="rg", desc="Utility that combines the usability of The Silver Searcher with the raw speed of grep", lic="MIT")
P("fd", "9.0.0", "out 3.9M gcc-unwrapped:libgcc glibc", main="fd", desc="Simple, fast and user-friendly alternative to find", lic="Apache-2.0")
P("fzf", "0.52.1", "out 5.2M bash", main="fzf", desc="Command-line fuzzy finder written in Go", lic="MIT")
P("emacs", "29.3", "out 172M gtk3 glib:out cairo pango:out harfbuzz fontconfig:lib freetype xorg.libX11 xorg.libXext xorg.libXft gdk-pixbuf librsvg libjpeg:out libpng libtiff:out giflib libwebp dbus:lib alsa-lib acl gnutls:out gmp libxml2:out sqlite:out tree-sitter jansson libgccjit lcms2:out ncurses systemdLibs zlib gcc-unwrapped:lib glibc",
  main="emacs", desc="The extensible, customizable GNU text editor", lic="GPL-3.0-or-later", home="https://www.gnu.org/software/emacs/")
P("emacs-nox", "29.3", "out 120M gnutls:out gmp libxml2:out sqlite:out tree-sitter jansson libgccjit ncurses systemdLibs zlib gcc-unwrapped:lib glibc", main="emacs",
  desc="The extensible, customizable GNU text editor (without X)", lic="GPL-3.0-or-later")
P("vim", "9.1.0377", "out 38M ncurses acl glibc | xxd 60k glibc", main="vim", desc="The most popular clone of the VI editor", lic="Vim", home="http://www.vim.org")
P("neovim-unwrapped", "0.9.5", "out 29M libuv luajit libvterm-neovim tree-sitter unibilium msgpack-c gcc-unwrapped:libgcc glibc", main="nvim", desc="Vim text editor fork focused on extensibility and agility", lic="Apache-2.0")
P("luajit", "2.1.1713484068", "out 1.4M glibc", main="lua", desc="High-performance JIT compiler for Lua 5.1", lic="MIT")
P("libvterm-neovim", "0.3.3", "out 200k glibc", desc="VT220/xterm/ECMA-48 terminal emulator library", lic="MIT")
P("unibilium", "2.1.1", "out 300k glibc", desc="A very basic terminfo library", lic="LGPL-3.0-or-later")
P("msgpack-c", "6.0.0", "out 100k glibc", desc="MessagePack implementation for C", lic="BSL-1.0")
P("nano", "7.2", "out 3.0M ncurses file glibc | info 200k", main="nano", desc="A small, user-friendly console text editor", lic="GPL-3.0-or-later", home="https://www.nano-editor.org/")
P("cowsay", "3.7.0", "out 200k perl | man 10k", main="cowsay", desc="A program which generates ASCII pictures of a cow with a message", lic="GPL-3.0-only")
P("figlet", "2.2.5", "out 900k glibc", main="figlet", desc="Program for making large letters out of ordinary text", lic="BSD-3-Clause")
P("hello", "2.12.1", "out 270k glibc", main="hello", desc="A program that produces a familiar, friendly greeting", lic="GPL-3.0-or-later",
  home="https://www.gnu.org/software/hello/manual/")
P("pkgsCross.aarch64-multiplatform.glibc", "2.39-52", "out 27M", pname="glibc-aarch64-unknown-linux-gnu", system="aarch64-linux",
  desc="The GNU C Library (aarch64 cross build)", lic="LGPL-2.1-or-later")
P("pkgsCross.aarch64-multiplatform.hello", "2.12.1", "out 290k pkgsCross.aarch64-multiplatform.glibc", pname="hello-aarch64-unknown-linux-gnu", main="hello",
  system="aarch64-linux", desc="A program that produces a familiar, friendly greeting", lic="GPL-3.0-or-later")
P("pkgsCross.aarch64-multiplatform.busybox", "1.36.1", "out 1.1M pkgsCross.aarch64-multiplatform.glibc", pname="busybox-aarch64-unknown-linux-gnu", main="busybox",
  system="aarch64-linux", desc="Tiny versions of common UNIX utilities in a single small executable", lic="GPL-2.0-only")

# --- Nix itself -------------------------------------------------------------------------------
P("nix", "2.18.2", "out 19M boehmgc boost brotli:lib bzip2:out curl:out editline libarchive:lib libcpuid libseccomp:lib libsodium lowdown:lib openssl sqlite:out xz:out aws-sdk-cpp bash coreutils gcc-unwrapped:lib glibc | man 2M | dev 3M .out | doc 3M",
  main="nix", desc="Powerful package manager that makes package management reliable and reproducible", lic="LGPL-2.1-or-later", home="https://nixos.org/")

# --- languages --------------------------------------------------------------------------------
P("perl", "5.38.2", "out 56M libxcrypt glibc | man 10M | devdoc 30M", main="perl", desc="The standard implementation of the Perl 5 programming language", lic="Artistic-1.0-Perl")
P("python3", "3.11.9", "out 104M bzip2:out expat libffi gdbm:lib xz:out mailcap ncurses openssl readline sqlite:out zlib tzdata libxcrypt bash glibc",
  main="python3", desc="A high-level dynamically-typed programming language", lic="Python-2.0", home="https://www.python.org")
P("sqlite", "3.45.3", "bin 2.1M .out readline ncurses zlib glibc | dev 900k .out | out 1.8M zlib glibc", main="sqlite3",
  desc="A self-contained, serverless, zero-configuration, transactional SQL database engine", lic="blessing", home="https://www.sqlite.org/")
P("nodejs", "20.12.2", "out 66M icu4c libuv openssl zlib brotli:lib c-ares nghttp2:lib python3 bash gcc-unwrapped:lib glibc | libv8 35M",
  main="node", desc="Event-driven I/O framework for the V8 JavaScript engine", lic="MIT", home="https://nodejs.org")
P("yarn", "1.22.22", "out 5.5M nodejs", main="yarn", desc="Fast, reliable, and secure dependency management for javascript", lic="BSD-2-Clause")
P("ruby", "3.1.5", "out 36M openssl zlib libyaml libffi gdbm:lib ncurses readline gmp jemalloc libxcrypt bash glibc | devdoc 20M", main="ruby",
  desc="An object-oriented language for quick and easy programming", lic="Ruby")
P("lua", "5.2.4", "out 500k readline glibc", main="lua", desc="Powerful, fast, lightweight, embeddable scripting language", lic="MIT")
P("go", "1.22.3", "out 230M iana-etc mailcap tzdata", main="go", desc="The Go Programming language", lic="BSD-3-Clause", home="https://go.dev/")
P("rustc", "1.77.2", "out 240M zlib gcc-unwrapped:lib bash glibc | man 200k | doc 900M", main="rustc", desc="A safe, concurrent, practical language", lic="Apache-2.0", home="https://www.rust-lang.org/")
P("cargo", "1.77.2", "out 34M curl:out openssl zlib libssh2 gcc-unwrapped:libgcc glibc", main="cargo", desc="Downloads your Rust project's dependencies and builds your project", lic="Apache-2.0")
P("openjdk", "21.0.3+9", "out 330M alsa-lib cups:lib fontconfig:lib freetype xorg.libX11 xorg.libXext xorg.libXi xorg.libXrender xorg.libXtst libjpeg:out libpng giflib lcms2:out zlib bash gcc-unwrapped:lib glibc | debug 200M",
  main="java", desc="The open-source Java Development Kit", lic="GPL-2.0-only", home="https://openjdk.java.net/")
P("openjdk_headless", "21.0.3+9", "out 300M zlib bash gcc-unwrapped:lib glibc", pname="openjdk-headless", main="java",
  desc="The open-source Java Development Kit (headless)", lic="GPL-2.0-only", home="https://openjdk.java.net/")
P("php", "8.2.18", "out 30M libxml2:out openssl pcre2:out zlib sqlite:out curl:out oniguruma:lib libsodium readline ncurses systemdLibs libxcrypt gcc-unwrapped:lib glibc | dev 6M .out",
  pname="php-with-extensions", main="php", desc="An HTML-embedded scripting language", lic="PHP-3.01")
P("erlang", "26.2.5", "out 95M ncurses openssl zlib systemdLibs gcc-unwrapped:lib bash glibc", main="erl", desc="Programming language used for massively scalable soft real-time systems", lic="Apache-2.0")

P("nodejs_18", "18.20.2", "out 60M icu4c libuv openssl zlib brotli:lib c-ares nghttp2:lib python3 bash gcc-unwrapped:lib glibc | libv8 30M",
  pname="nodejs", main="node", desc="Event-driven I/O framework for the V8 JavaScript engine", lic="MIT", home="https://nodejs.org")
P("nodejs_22", "22.2.0", "out 72M icu4c libuv openssl zlib brotli:lib c-ares nghttp2:lib python3 bash gcc-unwrapped:lib glibc | libv8 38M",
  pname="nodejs", main="node", desc="Event-driven I/O framework for the V8 JavaScript engine", lic="MIT", home="https://nodejs.org")
P("python312", "3.12.3", "out 108M bzip2:out expat libffi gdbm:lib xz:out mailcap ncurses openssl readline sqlite:out zlib tzdata libxcrypt bash glibc",
  pname="python3", main="python3", desc="A high-level dynamically-typed programming language", lic="Python-2.0", home="https://www.python.org")
P("python310", "3.10.14", "out 98M bzip2:out expat libffi gdbm:lib xz:out mailcap ncurses openssl readline sqlite:out zlib tzdata libxcrypt bash glibc",
  pname="python3", main="python3", desc="A high-level dynamically-typed programming language", lic="Python-2.0", home="https://www.python.org")
P("openjdk17", "17.0.11+9", "out 310M alsa-lib cups:lib fontconfig:lib freetype xorg.libX11 xorg.libXext xorg.libXi xorg.libXrender xorg.libXtst libjpeg:out libpng giflib lcms2:out zlib bash gcc-unwrapped:lib glibc | debug 180M",
  pname="openjdk", main="java", desc="The open-source Java Development Kit", lic="GPL-2.0-only", home="https://openjdk.java.net/")
P("coreutils-full", "9.5", "out 1.9M acl attr gmp openssl libcap:lib glibc | info 350k", pname="coreutils-full", main="coreutils",
  desc="The GNU Core Utilities (with all optional features)", lic="GPL-3.0-or-later")
P("curlMinimal", "8.7.1", "bin 250k .out zlib openssl glibc | dev 600k .out | out 700k openssl zlib zstd:out nghttp2:lib libidn2 libpsl glibc | man 190k",
  pname="curl", main="curl", desc="A command line tool for transferring files with URL syntax (minimal)", lic="curl", home="https://curl.se/")
P("busybox-sandbox-shell", "1.36.1", "out 900k", pname="busybox", name="busybox-static-x86_64-unknown-linux-musl-1.36.1-sandbox-shell", main="busybox",
  desc="A static busybox with only the ash shell (Nix's sandbox shell)", lic="GPL-2.0-only")
P("deno", "1.43.5", "out 120M gcc-unwrapped:libgcc glibc", main="deno", desc="A secure runtime for JavaScript and TypeScript", lic="MIT")
P("bun", "1.1.8", "out 90M glibc", main="bun", desc="Incredibly fast JavaScript runtime, bundler, transpiler and package manager", lic="MIT")
P("uv", "0.1.45", "out 30M gcc-unwrapped:libgcc glibc", main="uv", desc="Extremely fast Python package installer and resolver", lic="Apache-2.0")
P("imagemagick", "7.1.1-32", "out 12M .dev bzip2:out fontconfig:lib freetype libjpeg:out libpng libtiff:out libwebp libxml2:out lcms2:out xz:out zlib zstd:out gcc-unwrapped:lib glibc | dev 3M",
  main="magick", desc="A software suite to create, edit, compose, or convert bitmap images", lic="ImageMagick")
P("ffmpeg", "6.1.1", "bin 1.0M .lib glibc | lib 25M libvpx x264 x265 lame libopus dav1d zlib bzip2:out xz:out gnutls:out libdrm alsa-lib glibc | dev 2M .lib | man 1M | data 100k",
  main="ffmpeg", desc="A complete, cross-platform solution to record, convert and stream audio and video", lic="LGPL-2.1-or-later")
P("libvpx", "1.14.0", "out 3M glibc", desc="WebM VP8/VP9 codec SDK", lic="BSD-3-Clause")
P("x264", "0-unstable-2023-10-01", "out 3M glibc", desc="Library for encoding H264/AVC video streams", lic="GPL-2.0-or-later")
P("x265", "3.5", "out 7M gcc-unwrapped:lib glibc", desc="Library for encoding H.265/HEVC video streams", lic="GPL-2.0-or-later")
P("lame", "3.100", "out 1M ncurses glibc", main="lame", desc="A high quality MPEG Audio Layer III (MP3) encoder", lic="LGPL-2.0-or-later")
P("libopus", "1.4", "out 500k glibc", desc="Open, royalty-free, highly versatile audio codec", lic="BSD-3-Clause")
P("dav1d", "1.4.1", "out 1.5M glibc", desc="A cross-platform AV1 decoder focused on speed and correctness", lic="BSD-2-Clause")
P("libdrm", "2.4.120", "out 1M glibc", desc="Direct Rendering Manager library and headers", lic="MIT")
P("skopeo", "1.15.0", "out 30M gpgme lvm2 btrfs-progs glibc", main="skopeo", desc="A command line utility for various operations on container images and image repositories", lic="Apache-2.0")
P("gpgme", "1.23.2", "out 1.5M libgpg-error libassuan gnupg glibc | dev 500k .out", desc="Library for making GnuPG easier to use", lic="LGPL-2.1-or-later")
P("lvm2", "2.03.23", "out 3M .lib systemdLibs glibc | lib 600k glibc | dev 100k .lib", desc="Tools to support Logical Volume Management (LVM) on Linux", lic="GPL-2.0-only")
P("btrfs-progs", "6.8.1", "out 3M util-linux:lib zlib zstd:out lzo e2fsprogs:out glibc", main="btrfs", desc="Utilities for the btrfs filesystem", lic="GPL-2.0-only")
P("lzo", "2.10", "out 300k glibc", desc="Real-time data (de)compression library", lic="GPL-2.0-or-later")
P("e2fsprogs", "1.47.0", "bin 2M .out util-linux:lib glibc | dev 300k .out | out 1.5M util-linux:lib glibc | man 400k", desc="Tools for creating and checking ext2/ext3/ext4 filesystems", lic="GPL-2.0-or-later")

# --- services ---------------------------------------------------------------------------------
P("redis", "7.2.4", "out 8.4M openssl systemdLibs glibc", main="redis-cli", desc="An open source, advanced key-value store", lic="BSD-3-Clause", home="https://redis.io")
P("nginx", "1.26.0", "out 3.2M openssl pcre2:out zlib libxml2:out libxslt:out gd geoip mailcap glibc", main="nginx",
  desc="A reverse proxy and lightweight webserver", lic="BSD-2-Clause", home="https://nginx.org")
P("gd", "2.3.3", "bin 300k .out glibc | dev 200k .out | out 700k fontconfig:lib freetype libjpeg:out libpng libtiff:out libwebp zlib glibc",
  desc="Dynamic image creation library", lic="GD")
P("geoip", "1.6.12", "out 500k glibc", main="geoiplookup", desc="API for GeoIP/Geolocation databases", lic="LGPL-2.1-or-later")
P("postgresql", "15.7", "out 45M .lib openssl zlib libxml2:out icu4c readline lz4:lib zstd:out systemdLibs libkrb5 linux-pam tzdata bash glibc | lib 2.4M openssl libkrb5 glibc | man 1.5M | doc 8M",
  main="psql", desc="A powerful, open source object-relational database system", lic="PostgreSQL", home="https://www.postgresql.org")
P("postgresql_16", "16.3", "out 47M .lib openssl zlib libxml2:out icu4c readline lz4:lib zstd:out systemdLibs libkrb5 linux-pam tzdata bash glibc | lib 2.5M openssl libkrb5 glibc | man 1.5M | doc 8M",
  pname="postgresql", main="psql", desc="A powerful, open source object-relational database system", lic="PostgreSQL")
P("mariadb", "10.11.7", "out 250M openssl zlib pcre2:out ncurses libxml2:out systemdLibs bzip2:out lz4:lib xz:out zstd:out boost linux-pam libxcrypt bash perl gcc-unwrapped:lib glibc | man 1M",
  pname="mariadb-server", main="mariadb", desc="An enhanced, drop-in replacement for MySQL", lic="GPL-2.0-only")
P("memcached", "1.6.27", "out 500k libevent cyrus_sasl glibc", main="memcached", desc="A distributed memory object caching system", lic="BSD-3-Clause")
P("cyrus_sasl", "2.1.28", "bin 200k .out glibc | dev 100k .out | out 900k openssl libkrb5 libxcrypt db:out glibc | man 50k", pname="cyrus-sasl",
  desc="Library for adding authentication support to connection-based protocols", lic="BSD-4-Clause-UC")
P("haproxy", "2.9.7", "out 8M openssl pcre2:out zlib lua5_4 systemdLibs libxcrypt glibc", main="haproxy", desc="Reliable, high performance TCP/HTTP load balancer", lic="GPL-2.0-or-later")
P("lua5_4", "5.4.6", "out 600k readline glibc", pname="lua", main="lua", desc="Powerful, fast, lightweight, embeddable scripting language", lic="MIT")
P("caddy", "2.7.6", "out 43M", main="caddy", desc="Fast and extensible multi-platform HTTP/1-2-3 web server with automatic HTTPS", lic="Apache-2.0")
P("traefik", "2.11.2", "out 160M", main="traefik", desc="A modern reverse proxy", lic="MIT")
P("etcd", "3.5.13", "out 70M", main="etcd", desc="Distributed reliable key-value store for the most critical data of a distributed system", lic="Apache-2.0")
P("prometheus", "2.52.0", "out 190M", main="prometheus", desc="Service monitoring system and time series database", lic="Apache-2.0")
P("minio", "2024-05-01T01-11-10Z", "out 110M", main="minio", desc="An S3-compatible object storage server", lic="AGPL-3.0-or-later")
P("kubectl", "1.30.1", "out 60M", main="kubectl", desc="Kubernetes CLI", lic="Apache-2.0")
P("kubernetes-helm", "3.14.4", "out 55M", main="helm", desc="A package manager for kubernetes", lic="Apache-2.0")
P("mosquitto", "2.0.18", "out 1.5M openssl libwebsockets cjson systemdLibs glibc", main="mosquitto", desc="An open source MQTT v3.1/3.1.1/5.0 broker", lic="EPL-1.0")
P("libwebsockets", "4.3.3", "out 1.5M openssl zlib libuv glibc", desc="Light, portable C library for websockets", lic="MIT")
P("cjson", "1.7.17", "out 90k glibc", desc="Ultralightweight JSON parser in ANSI C", lic="MIT")

# --- Python packages (python3Packages = python311Packages) ---------------------------------------
_PY = "python3.11-"


def PY(attr: str, version: str, size: str, deps: str = "", main: str | None = None, desc: str = "", lic: str = "MIT", extra_refs: str = "") -> None:  # noqa: N802
    refs = " ".join(["python3"] + [f"python3Packages.{d}" for d in deps.split()] + extra_refs.split())
    pname = attr.lower().replace("_", "-")
    P(f"python3Packages.{attr}", version, f"out {size} {refs} | dist {size} ", pname=pname, name=f"{_PY}{pname}-{version}", main=main, desc=desc, lic=lic)


PY("setuptools", "69.5.1", "3.2M", desc="Utilities to facilitate the installation of Python packages")
PY("pip", "24.0", "11M", "setuptools", main="pip", desc="The PyPA recommended tool for installing Python packages")
PY("wheel", "0.43.0", "200k", desc="A built-package format for Python")
PY("packaging", "24.0", "400k", desc="Core utilities for Python packages", lic="Apache-2.0")
PY("six", "1.16.0", "80k", desc="Python 2 and 3 compatibility library")
PY("markupsafe", "2.1.5", "100k", desc="Implements a XML/HTML/XHTML Markup safe string", lic="BSD-3-Clause")
PY("jinja2", "3.1.4", "1.1M", "markupsafe", desc="Very fast and expressive template engine", lic="BSD-3-Clause")
PY("itsdangerous", "2.2.0", "100k", desc="Safely pass data to untrusted environments and back", lic="BSD-3-Clause")
PY("click", "8.1.7", "600k", desc="Create beautiful command line interfaces in Python", lic="BSD-3-Clause")
PY("blinker", "1.7.0", "70k", desc="Fast Python in-process signal/event dispatching system")
PY("werkzeug", "3.0.3", "1.5M", "markupsafe", desc="The comprehensive WSGI web application library", lic="BSD-3-Clause")
PY("flask", "3.0.3", "600k", "werkzeug jinja2 itsdangerous click blinker", main="flask", desc="The Python micro framework for building web applications", lic="BSD-3-Clause")
PY("idna", "3.7", "400k", desc="Internationalized Domain Names in Applications (IDNA)", lic="BSD-3-Clause")
PY("certifi", "2024.02.02", "50k", extra_refs="cacert", desc="Python package for providing Mozilla's CA Bundle", lic="ISC")
PY("charset-normalizer", "3.3.2", "600k", main="normalizer", desc="Python module for encoding and language detection")
PY("urllib3", "2.2.1", "700k", desc="Powerful, user-friendly HTTP client for Python")
PY("requests", "2.31.0", "500k", "urllib3 idna certifi charset-normalizer", desc="HTTP library for Python", lic="Apache-2.0")
PY("pyyaml", "6.0.1", "800k", extra_refs="libyaml", desc="The next generation YAML parser and emitter for Python")
PY("numpy", "1.26.4", "38M", extra_refs="openblas gcc-unwrapped:lib glibc", main="f2py", desc="Scientific tools for Python", lic="BSD-3-Clause")
PY("gunicorn", "22.0.0", "700k", "packaging", main="gunicorn", desc="WSGI HTTP Server for UNIX, fast clients and sleepy applications")
PY("h11", "0.14.0", "200k", desc="Pure-Python, bring-your-own-I/O implementation of HTTP/1.1")
PY("sniffio", "1.3.1", "40k", desc="Sniff out which async library your code is running under", lic="Apache-2.0")
PY("anyio", "4.3.0", "900k", "idna sniffio", desc="High level compatibility layer for multiple asynchronous event loop implementations")
PY("uvicorn", "0.29.0", "500k", "click h11", main="uvicorn", desc="The lightning-fast ASGI server", lic="BSD-3-Clause")
PY("typing-extensions", "4.11.0", "200k", desc="Backported and Experimental Type Hints for Python", lic="Python-2.0")
PY("annotated-types", "0.6.0", "70k", "typing-extensions", desc="Reusable constraint types to use with typing.Annotated")
PY("pydantic-core", "2.18.2", "5.5M", "typing-extensions", desc="Core validation logic for pydantic written in rust", extra_refs="gcc-unwrapped:libgcc glibc")
PY("pydantic", "2.7.1", "2.5M", "annotated-types pydantic-core typing-extensions", desc="Data validation and settings management using Python type hinting")
PY("starlette", "0.37.2", "700k", "anyio typing-extensions", desc="The little ASGI framework that shines", lic="BSD-3-Clause")
PY("fastapi", "0.110.2", "1.2M", "starlette pydantic typing-extensions", main="fastapi", desc="Web framework for building APIs")
PY("asgiref", "3.8.1", "200k", "typing-extensions", desc="Reference ASGI adapters and channel layers", lic="BSD-3-Clause")
PY("sqlparse", "0.5.0", "400k", main="sqlformat", desc="Non-validating SQL parser for Python", lic="BSD-3-Clause")
PY("django", "4.2.13", "40M", "asgiref sqlparse", main="django-admin", desc="A high-level Python Web framework", lic="BSD-3-Clause")
PY("psycopg2", "2.9.9", "600k", extra_refs="postgresql:lib openssl glibc", desc="PostgreSQL database adapter for the Python programming language", lic="LGPL-3.0-or-later")
PY("redis", "5.0.4", "1.2M", desc="Python client for Redis key-value store")

A("python311", "python3")
A("nodejs_20", "nodejs")
A("postgresql_15", "postgresql")
A("jdk", "openjdk")
A("jdk21", "openjdk")
A("jre", "openjdk")
A("jre_headless", "openjdk_headless")
A("jdk_headless", "openjdk_headless")
A("gcc-lib", "gcc-unwrapped")
A("gtk3-x11", "gtk3")
A("gnumake42", "gnumake")
A("bind.dnsutils", "dnsutils")
A("ps", "procps")
A("curlFull", "curl")
A("openssl_3", "openssl")
A("zstd_1", "zstd")
A("boehm-gc", "boehmgc")
A("libjpeg_turbo", "libjpeg")


# ---------------------------------------------------------------------------------------------
# building


def _size(text: str) -> int:
    mult = {"k": 1000, "M": 1000_000, "G": 1000_000_000}.get(text[-1])
    return int(float(text[:-1]) * mult) if mult else int(text)


def _hash_part(*parts: str) -> str:
    """32 Nix-base32 characters from SHA-256 folded to 20 bytes (as Nix's compressHash)."""
    digest = hashlib.sha256("\0".join(("nix2image-catalog", *parts)).encode()).digest()
    folded = bytearray(20)
    for i, b in enumerate(digest):
        folded[i % 20] ^= b
    return base32.encode(bytes(folded))


def _nar_hash(path: str) -> str:
    return "sha256:" + base32.encode(hashlib.sha256(("nar:" + path).encode()).digest())


def _parse_outputs(spec: _Spec) -> list[tuple[str, int, list[str]]]:
    outs = []
    for chunk in spec.outputs.split("|"):
        words = chunk.split()
        if len(words) < 2:
            raise ValueError(f"{spec.attr}: bad output spec {chunk!r}")
        outs.append((words[0], _size(words[1]), words[2:]))
    return outs


def build() -> Catalog:
    """The default catalog from :data:`TABLE`: every reference resolved, closure checked."""
    by_attr = {s.attr: s for s in TABLE}
    if len(by_attr) != len(TABLE):
        raise ValueError("duplicate attribute in TABLE")
    parsed = {s.attr: _parse_outputs(s) for s in TABLE}
    store_path: dict[tuple[str, str], str] = {}
    for s in TABLE:
        pname = s.pname or s.attr.rsplit(".", 1)[-1]
        name = s.name or f"{pname}-{s.version}"
        for oname, _, _ in parsed[s.attr]:
            pname_out = name if oname == "out" else f"{name}-{oname}"
            store_path[(s.attr, oname)] = f"/nix/store/{_hash_part(s.system, s.attr, name, oname)}-{pname_out}"

    def resolve(owner: str, ref: str) -> str:
        if ref.startswith("."):
            key = (owner, ref[1:])
        elif ":" in ref:
            a, o = ref.split(":", 1)
            key = (a, o)
        else:
            if ref not in parsed:
                raise ValueError(f"{owner}: unknown reference {ref!r}")
            names = [o for o, _, _ in parsed[ref]]
            key = (ref, "out" if "out" in names else names[0])
        if key not in store_path:
            raise ValueError(f"{owner}: unknown reference {ref!r}")
        return store_path[key]

    paths: dict[str, PathInfo] = {}
    packages: dict[str, Package] = {}
    for s in TABLE:
        outputs: dict[str, Output] = {}
        for oname, size, refs in parsed[s.attr]:
            path = store_path[(s.attr, oname)]
            resolved = tuple(sorted({resolve(s.attr, r) for r in refs}))
            info = PathInfo(path=path, nar_size=size, references=resolved, nar_hash=_nar_hash(path))
            paths[path] = info
            outputs[oname] = Output(oname, path, size, resolved, info.nar_hash)
        pname = s.pname or s.attr.rsplit(".", 1)[-1]
        meta = {"description": s.desc} if s.desc else {}
        if s.lic:
            meta["license"] = s.lic
        if s.home:
            meta["homepage"] = s.home
        packages[s.attr] = Package(attr=s.attr, pname=pname, version=s.version, name=s.name or f"{pname}-{s.version}",
                                   outputs=outputs, main_program=s.main, meta=meta, system=s.system)
    for alias, target in ALIASES.items():
        if target not in packages:
            raise ValueError(f"alias {alias} -> unknown {target}")
    # python311Packages.* mirrors python3Packages.*
    aliases = dict(ALIASES)
    for attr in packages:
        if attr.startswith("python3Packages."):
            aliases["python311Packages." + attr.split(".", 1)[1]] = attr
    cat = Catalog(packages=packages, paths=paths, aliases=aliases,
                  info={"nixpkgs": NIXPKGS, "system": SYSTEM,
                        "description": "nix2image default catalog: a nixos-24.05-like package set (synthetic store paths)"})
    missing = cat.missing_references()
    if missing:
        raise ValueError(f"catalog not closed: {missing[:3]}")
    return cat


def render() -> str:
    """The catalog file text (deterministic)."""
    text = dump_catalog(build())
    parse_catalog(text, name=str(DATA_FILE))  # round-trip check
    return text


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in argv:
        current = DATA_FILE.read_text(encoding="utf-8") if DATA_FILE.exists() else ""
        if current != text:
            print(f"{DATA_FILE} is stale: run python -m translator.universe.catalog_gen", file=sys.stderr)
            return 1
        return 0
    DATA_FILE.parent.mkdir(parents=True, exist_ok=True)
    tmp = DATA_FILE.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(DATA_FILE)
    print(f"wrote {DATA_FILE}: {len(json.loads(text)['packages'])} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
