# lib.lists: list functions (folds, slicing, searching, set-like operations).
{ lib }:
let
  b = builtins;
  inherit (lib.trivial) min;
in
rec {
  inherit (lib.trivial) min max;
  foldr = op: nul: list:
    let len = b.length list;
        fold' = n: if n == len then nul else op (b.elemAt list n) (fold' (n + 1));
    in fold' 0;
  foldl = op: nul: list:
    let foldl' = n: if n == -1 then nul else op (foldl' (n - 1)) (b.elemAt list n);
    in foldl' (b.length list - 1);
  foldl' = b.foldl';
  fold = foldr;
  optional = cond: elem: if cond then [ elem ] else [ ];
  optionals = cond: elems: if cond then elems else [ ];
  toList = x: if b.isList x then x else [ x ];
  singleton = x: [ x ];
  forEach = xs: f: map f xs;
  imap0 = f: list: b.genList (n: f n (b.elemAt list n)) (b.length list);
  imap1 = f: list: b.genList (n: f (n + 1) (b.elemAt list n)) (b.length list);
  concatMap = f: list: b.concatLists (map f list);
  flatten = x: if b.isList x then concatMap flatten x else [ x ];
  remove = e: b.filter (x: x != e);
  findSingle = pred: default: multiple: list:
    let found = b.filter pred list; len = b.length found;
    in if len == 0 then default else if len != 1 then multiple else b.head found;
  # The index of the first element satisfying pred, or default. Stops at the first match (later
  # elements stay unevaluated) and runs in constant stack: the fold's accumulator is an integer,
  # -(n + 1) while n elements have been looked at, the index once found.
  findFirstIndex = pred: default: list:
    let r = b.foldl' (acc: x: if acc >= 0 then acc else if pred x then -acc - 1 else acc - 1) (-1) list;
    in if r >= 0 then r else default;
  findFirst = pred: default: list:
    let i = findFirstIndex pred null list; in if i == null then default else b.elemAt list i;
  any = b.any;
  all = b.all;
  count = pred: b.foldl' (c: x: if pred x then c + 1 else c) 0;
  range = first: last: if first > last then [ ] else b.genList (n: first + n) (last - first + 1);
  replicate = n: elem: b.genList (_: elem) n;
  partition = b.partition;
  groupBy' = op: nul: pred: lst: b.mapAttrs (name: foldl op nul) (b.groupBy pred lst);
  groupBy = b.groupBy;
  zipListsWith = f: fst: snd: b.genList (n: f (b.elemAt fst n) (b.elemAt snd n)) (min (b.length fst) (b.length snd));
  zipLists = zipListsWith (fst: snd: { inherit fst snd; });
  reverseList = xs: let l = b.length xs; in b.genList (n: b.elemAt xs (l - n - 1)) l;
  sort = b.sort;
  sortOn = f: list: map (x: x.snd) (b.sort (a: c: a.fst < c.fst) (map (x: { fst = f x; snd = x; }) list));
  take = count: sublist 0 count;
  drop = count: list: sublist count (b.length list) list;
  takeEnd = n: xs: drop (lib.trivial.max 0 (b.length xs - n)) xs;
  dropEnd = n: xs: take (lib.trivial.max 0 (b.length xs - n)) xs;
  sublist = start: count: list:
    let len = b.length list; in
    b.genList (n: b.elemAt list (n + start))
      (if start >= len then 0 else if start + count > len then len - start else count);
  last = list: assert list != [ ]; b.elemAt list (b.length list - 1);
  init = list: assert list != [ ]; take (b.length list - 1) list;
  unique = foldl (acc: e: if b.elem e acc then acc else acc ++ [ e ]) [ ];
  uniqueStrings = list: b.attrNames (b.groupBy (x: x) list);
  intersectLists = e: b.filter (x: b.elem x e);
  subtractLists = e: b.filter (x: !(b.elem x e));
  mutuallyExclusive = a: c: a == [ ] || !(any (x: b.elem x a) c);
  head = b.head;
  tail = b.tail;
  elem = b.elem;
  elemAt = b.elemAt;
  length = b.length;
  filter = b.filter;
  genList = b.genList;
  concatLists = b.concatLists;
  crossLists = f: foldl (fs: args: concatMap (f: map f args) fs) [ f ];
  ifilter0 = ipred: input: map (idx: b.elemAt input idx) (b.filter (idx: ipred idx (b.elemAt input idx)) (range 0 (b.length input - 1)));
  # How many leading elements two lists share (elements past the first difference stay unevaluated).
  commonPrefixLength = a: c:
    let m = min (b.length a) (b.length c);
    in findFirstIndex (i: b.elemAt a i != b.elemAt c i) m (b.genList (i: i) m);
  commonPrefix = a: c: take (commonPrefixLength a c) a;
  hasPrefix = list1: list2: take (b.length list1) list2 == list1;
  removePrefix = list1: list2: if hasPrefix list1 list2 then drop (b.length list1) list2 else throw "lib.lists.removePrefix: First argument is not a list prefix of the second argument";
  allUnique = list: b.length (unique list) == b.length list;

  map = b.map;
  imap = imap1;
  # Lexicographic comparison of two lists with a comparison function giving -1, 0 or 1.
  compareLists = cmp: a: c:
    let
      la = b.length a; lc = b.length c; m = min la lc;
      firstDiff = findFirstIndex (i: cmp (b.elemAt a i) (b.elemAt c i) != 0) null (b.genList (i: i) m);
    in
    if firstDiff != null then cmp (b.elemAt a firstDiff) (b.elemAt c firstDiff)
    else if la == lc then 0 else if la < lc then -1 else 1;
  # Sort strings so that runs of digits compare as numbers ("a2" before "a10").
  naturalSort = list:
    let
      chunks = s: map (x: if b.isList x then (let d = b.head x; in if b.match "[0-9]+" d != null then b.fromJSON (b.head (b.match "0*([0-9]+)" d)) else d) else x)
        (b.filter (x: x != "") (b.split "([0-9]+)" s));
      cmpChunk = x: y:
        if b.isInt x && b.isInt y then (if x < y then -1 else if x > y then 1 else 0)
        else if b.isInt x then -1
        else if b.isInt y then 1
        else (if x < y then -1 else if x > y then 1 else 0);
      keyed = map (s: { k = chunks s; v = s; }) list;
    in map (e: e.v) (b.sort (x: y: compareLists cmpChunk x.k y.k < 0) keyed);

  # Sort by a partial order (`before a c`: a must come before c). Repeatedly: start at the
  # first remaining element, step to the first remaining element that must precede it until
  # none does, and emit that one. Gives { result = [ ... ]; }, or { cycle = [ ... ]; loops = [ ... ]; }
  # when the steps come back to an element already on the path.
  toposort = before: list:
    let
      others = x: b.filter (y: y != x);
      minimal = path: cur: rest:
        let preds = b.filter (y: before y cur) (others cur rest); in
        if preds == [ ] then { found = cur; }
        else
          let next = b.head preds; in
          if b.elem next path then { cycle = path ++ [ cur ]; loops = [ next ]; }
          else minimal (path ++ [ cur ]) next rest;
      go = acc: rest:
        if rest == [ ] then { result = acc; }
        else
          let m = minimal [ ] (b.head rest) rest; in
          if m ? cycle then m
          else
            let i = findFirstIndex (y: y == m.found) 0 rest;
            in go (acc ++ [ m.found ]) (take i rest ++ drop (i + 1) rest);
    in go [ ] list;
}
