# lib.asserts: assertions with readable messages.
{ lib }:
let
  b = builtins;
in
{
  assertMsg = pred: msg: pred || throw msg;
  assertOneOf = name: val: xs: b.elem val xs || throw "${name} must be one of ${b.toJSON xs}, but is: ${b.toJSON val}";
}
