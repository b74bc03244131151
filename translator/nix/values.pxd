# Cython declarations for values.py, read only when setup.py compiles it (docs/compiled.md).
#
# In a compiled build the value classes are C types (Cython extension types) with the same
# fields their ``__slots__`` name: code that knows an object's type - a method's ``self``, an
# object just made with ``Cls.__new__(Cls)`` - reads and writes a field as a C struct member,
# where a slot costs a lookup through the type and a descriptor call in compiled code (the
# interpreter's specialised slot access has no compiled equivalent). Thunks, sets, lists and
# functions are made and forced millions of times per real nixpkgs package: 14% of its
# instructions (docs/benchmarks.md). The pure-Python build never reads this file.

cdef class Thunk:
    cdef public object expr, env, value

cdef class Apply(Thunk):
    pass

cdef class Lazy(Thunk):
    pass

cdef class NixString:
    cdef public object s, ctx

cdef class NixPath:
    cdef public object path

cdef class NixAttrs:
    cdef public object d, pos

cdef class NixList:
    cdef public object items

cdef class Lambda:
    cdef public object node, env

cdef class PrimOp:
    cdef public object name, arity, fn, args
