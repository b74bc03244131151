let p = __curPos; in { inherit (p) line column; }
