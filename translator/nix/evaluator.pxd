# Cython declarations for evaluator.py, read only when setup.py compiles it: the evaluator's
# thunk is a C type like the values it extends (values.pxd says why).

from translator.nix.values cimport Lambda, NixAttrs, NixList, Thunk

cdef class CThunk(Thunk):
    pass
