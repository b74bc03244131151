# lib.debug: tracing helpers and the runTests harness nixpkgs' lib tests are written for.
{ lib }:
let
  b = builtins;
in
rec {
  traceIf = pred: msg: x: if pred then b.trace msg x else x;
  traceValFn = f: x: b.trace (f x) x;
  traceVal = traceValFn (x: x);
  traceSeq = x: y: b.trace (b.deepSeq x x) y;
  traceValSeqFn = f: v: traceValFn f (b.deepSeq v v);
  traceValSeq = traceValSeqFn (x: x);
  traceSeqN = depth: x: y:
    let
      cut = d: v:
        if d <= 0 then (if b.isAttrs v then "{…}" else if b.isList v then "[…]" else v)
        else if b.isAttrs v then b.mapAttrs (_: cut (d - 1)) v
        else if b.isList v then map (cut (d - 1)) v
        else v;
    in b.trace (b.deepSeq (cut depth x) (cut depth x)) y;
  traceValSeqNFn = f: depth: v: traceSeqN depth (f v) v;
  traceValSeqN = traceValSeqNFn (x: x);
  traceFnSeqN = depth: name: f: v:
    let res = f v; in
    traceSeqN (depth + 1) { fn = name; from = v; to = res; } res;

  # A list of { name; expected; result; } for every test whose expr differs from expected.
  # Tests are the attributes whose name starts with "test", or those listed in `tests`.
  runTests = tests:
    let
      only = tests.tests or [ ];
      selected = name:
        if only == [ ] then b.substring 0 4 name == "test" else b.elem name only;
      check = name:
        let t = tests.${name}; in
        if selected name && t.expr != t.expected
        then [ { inherit name; expected = t.expected; result = t.expr; } ]
        else [ ];
    in b.concatLists (map check (b.attrNames tests));

  testAllTrue = expr: { inherit expr; expected = map (_: true) expr; };
}
