# lib.sourceTypes: meta.sourceProvenance values.
{ lib }:
let
  mk = shortName: isSource: { inherit shortName isSource; };
in
{
  fromSource = mk "fromSource" true;
  binaryNativeCode = mk "binaryNativeCode" false;
  binaryFirmware = mk "binaryFirmware" false;
  binaryBytecode = mk "binaryBytecode" false;
}
