# lib.asserts: assertions with readable messages.
{ lib }:
let
  b = builtins;
in
{
  assertMsg = pred: msg: pred || throw msg;
  assertOneOf = name: val: xs: b.elem val xs || throw "${name} must be one of ${b.toJSON xs}, but is: ${b.toJSON val}";

  assertEachOneOf = name: vals: xs:
    b.all (v: b.elem v xs) vals
    || throw "each element in ${name} must be one of ${b.toJSON xs}, but is: ${b.toJSON vals}";
}
