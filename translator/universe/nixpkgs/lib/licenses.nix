# lib.licenses: the licenses packages name in meta.license, with their SPDX identifiers.
{ lib }:
let
  b = builtins;
  # name = [ spdxId fullName free ]
  table = {
    afl20 = [ "AFL-2.0" "Academic Free License v2.0" true ];
    agpl3Only = [ "AGPL-3.0-only" "GNU Affero General Public License v3.0 only" true ];
    agpl3Plus = [ "AGPL-3.0-or-later" "GNU Affero General Public License v3.0 or later" true ];
    apsl20 = [ "APSL-2.0" "Apple Public Source License 2.0" true ];
    artistic2 = [ "Artistic-2.0" "Artistic License 2.0" true ];
    asl11 = [ "Apache-1.1" "Apache License 1.1" true ];
    asl20 = [ "Apache-2.0" "Apache License 2.0" true ];
    beerware = [ "Beerware" "Beerware License" true ];
    boost = [ "BSL-1.0" "Boost Software License 1.0" true ];
    bsd0 = [ "0BSD" "BSD Zero Clause License" true ];
    bsd1 = [ "BSD-1-Clause" "BSD 1-Clause License" true ];
    bsd2 = [ "BSD-2-Clause" "BSD 2-clause \"Simplified\" License" true ];
    bsd3 = [ "BSD-3-Clause" "BSD 3-clause \"New\" or \"Revised\" License" true ];
    bsdOriginal = [ "BSD-4-Clause" "BSD 4-clause \"Original\" or \"Old\" License" true ];
    bsl11 = [ "BUSL-1.1" "Business Source License 1.1" false ];
    cc-by-30 = [ "CC-BY-3.0" "Creative Commons Attribution 3.0" true ];
    cc-by-40 = [ "CC-BY-4.0" "Creative Commons Attribution 4.0" true ];
    cc-by-nc-40 = [ "CC-BY-NC-4.0" "Creative Commons Attribution Non Commercial 4.0 International" false ];
    cc-by-nc-sa-40 = [ "CC-BY-NC-SA-4.0" "Creative Commons Attribution Non Commercial Share Alike 4.0" false ];
    cc-by-sa-30 = [ "CC-BY-SA-3.0" "Creative Commons Attribution Share Alike 3.0" true ];
    cc-by-sa-40 = [ "CC-BY-SA-4.0" "Creative Commons Attribution Share Alike 4.0" true ];
    cc0 = [ "CC0-1.0" "Creative Commons Zero v1.0 Universal" true ];
    cddl = [ "CDDL-1.0" "Common Development and Distribution License 1.0" true ];
    elastic20 = [ "Elastic-2.0" "Elastic License 2.0" false ];
    epl10 = [ "EPL-1.0" "Eclipse Public License 1.0" true ];
    epl20 = [ "EPL-2.0" "Eclipse Public License 2.0" true ];
    eupl11 = [ "EUPL-1.1" "European Union Public License 1.1" true ];
    eupl12 = [ "EUPL-1.2" "European Union Public License 1.2" true ];
    fdl12Plus = [ "GFDL-1.2-or-later" "GNU Free Documentation License v1.2 or later" true ];
    fdl13Only = [ "GFDL-1.3-only" "GNU Free Documentation License v1.3 only" true ];
    fdl13Plus = [ "GFDL-1.3-or-later" "GNU Free Documentation License v1.3 or later" true ];
    gpl1Plus = [ "GPL-1.0-or-later" "GNU General Public License v1.0 or later" true ];
    gpl2Only = [ "GPL-2.0-only" "GNU General Public License v2.0 only" true ];
    gpl2Plus = [ "GPL-2.0-or-later" "GNU General Public License v2.0 or later" true ];
    gpl3Only = [ "GPL-3.0-only" "GNU General Public License v3.0 only" true ];
    gpl3Plus = [ "GPL-3.0-or-later" "GNU General Public License v3.0 or later" true ];
    hpnd = [ "HPND" "Historic Permission Notice and Disclaimer" true ];
    isc = [ "ISC" "ISC License" true ];
    lgpl21Only = [ "LGPL-2.1-only" "GNU Lesser General Public License v2.1 only" true ];
    lgpl21Plus = [ "LGPL-2.1-or-later" "GNU Lesser General Public License v2.1 or later" true ];
    lgpl2Only = [ "LGPL-2.0-only" "GNU Library General Public License v2 only" true ];
    lgpl2Plus = [ "LGPL-2.0-or-later" "GNU Library General Public License v2 or later" true ];
    lgpl3 = [ "LGPL-3.0" "GNU Lesser General Public License v3.0" true ];
    lgpl3Only = [ "LGPL-3.0-only" "GNU Lesser General Public License v3.0 only" true ];
    lgpl3Plus = [ "LGPL-3.0-or-later" "GNU Lesser General Public License v3.0 or later" true ];
    mit = [ "MIT" "MIT License" true ];
    mit0 = [ "MIT-0" "MIT No Attribution" true ];
    mpl10 = [ "MPL-1.0" "Mozilla Public License 1.0" true ];
    mpl11 = [ "MPL-1.1" "Mozilla Public License 1.1" true ];
    mpl20 = [ "MPL-2.0" "Mozilla Public License 2.0" true ];
    ncsa = [ "NCSA" "University of Illinois/NCSA Open Source License" true ];
    ofl = [ "OFL-1.1" "SIL Open Font License 1.1" true ];
    openssl = [ "OpenSSL" "OpenSSL License" true ];
    php301 = [ "PHP-3.01" "PHP License v3.01" true ];
    postgresql = [ "PostgreSQL" "PostgreSQL License" true ];
    psfl = [ "Python-2.0" "Python Software Foundation License version 2" true ];
    sspl = [ "SSPL-1.0" "Server Side Public License" false ];
    unicode-dfs-2016 = [ "Unicode-DFS-2016" "Unicode License Agreement - Data Files and Software (2016)" true ];
    unlicense = [ "Unlicense" "The Unlicense" true ];
    upl = [ "UPL-1.0" "Universal Permissive License" true ];
    vim = [ "Vim" "Vim License" true ];
    w3c = [ "W3C" "W3C Software Notice and License" true ];
    wtfpl = [ "WTFPL" "Do What The F*ck You Want To Public License" true ];
    x11 = [ "X11" "X11 License" true ];
    zlib = [ "Zlib" "zlib License" true ];
    zpl20 = [ "ZPL-2.0" "Zope Public License 2.0" true ];
    zpl21 = [ "ZPL-2.1" "Zope Public License 2.1" true ];
  };
  fromTable = name: row: {
    shortName = name;
    spdxId = b.elemAt row 0;
    fullName = b.elemAt row 1;
    url = "https://spdx.org/licenses/${b.elemAt row 0}.html";
    free = b.elemAt row 2;
    redistributable = b.elemAt row 2;
    deprecated = false;
  };
  plain = shortName: fullName: free: { inherit shortName fullName free; redistributable = free; deprecated = false; };
in
b.mapAttrs fromTable table // {
  free = plain "free" "Unspecified free software license" true;
  publicDomain = plain "publicDomain" "Public Domain" true;
  unfree = plain "unfree" "Unfree" false;
  unfreeRedistributable = plain "unfreeRedistributable" "Unfree redistributable" false // { redistributable = true; };
  unfreeRedistributableFirmware = plain "unfreeRedistributableFirmware" "Unfree redistributable firmware" false // { redistributable = true; };
  unknown = plain "unknown" "Unknown" false;
  # older names
  gpl2 = b.removeAttrs (fromTable "gpl2" table.gpl2Only) [ "spdxId" ];
  gpl3 = b.removeAttrs (fromTable "gpl3" table.gpl3Only) [ "spdxId" ];
  lgpl21 = b.removeAttrs (fromTable "lgpl21" table.lgpl21Only) [ "spdxId" ];
  agpl3 = b.removeAttrs (fromTable "agpl3" table.agpl3Only) [ "spdxId" ];
}
