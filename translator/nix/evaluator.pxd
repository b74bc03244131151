# Cython declarations for evaluator.py, read only when setup.py compiles it: the evaluator's
# thunk is a C type like the values it extends, and the value classes it makes are known here as
# C types, so that an object it makes has its fields set as struct members (values.pxd says why).

from translator.nix.values cimport Lambda, NixAttrs, NixList, Thunk

cdef class CThunk(Thunk):
    pass
