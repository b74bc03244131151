{ lib = "mylib"; }
