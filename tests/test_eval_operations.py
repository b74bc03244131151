"""The shared value semantics other modules call (translator.nix.operations, printer), checked on
values built by evaluating Nix text: wording of errors, coercions, equality, ordering, printing of
unevaluated parts, JSON without copying paths."""

from __future__ import annotations

import pytest

from translator.nix import operations as ops
from translator.nix.evaluator import Evaluator, run_deep
from translator.nix.printer import print_value, to_json
from translator.nix.values import EvalError, NixList, NixPath, NixString


def ev(text: str):
    e = Evaluator([], nix_path_env=False)
    return run_deep(lambda: e.eval_string(text, "«string»", "/tmp"))


@pytest.mark.parametrize("fn,text,message", [
    (ops.force_int, '"s"', "value is a string while an integer was expected"),
    (ops.force_bool, "1", "value is an integer while a Boolean was expected"),
    (ops.force_attrs, "[ ]", "value is a list while a set was expected"),
    (ops.force_list, "{ }", "value is a set while a list was expected"),
    (ops.force_string, "./x", "value is a path while a string was expected"),
    (ops.force_function, "null", "value is null while a function was expected"),
    (ops.force_attrs, "builtins.map", "value is the built-in function 'map' while a set was expected"),
    (ops.force_attrs, "builtins.map (x: x)", "value is the partially applied built-in function 'map' while a set was expected"),
])
def test_force_errors_use_nix_wording(fn, text, message):
    with pytest.raises(EvalError) as info:
        fn(ev(text))
    assert info.value.message == message


@pytest.mark.parametrize("text,more,expected", [
    ('"abc"', False, "abc"),
    ("{ outPath = \"/op\"; }", False, "/op"),
    ('{ __toString = self: "ts-" + self.n; n = "x"; }', False, "ts-x"),
    ("42", True, "42"),
    ("1.5", True, "1.500000"),
    ("true", True, "1"),
    ("false", True, ""),
    ("null", True, ""),
    ('[ 1 [ ] "a" [ [ ] ] null ]', True, "1 a  "),  # as nix-instantiate prints it
])
def test_coerce_to_string(text, more, expected):
    assert ops.coerce_to_string(ev(text), None, coerce_more=more).s == expected


def test_coerce_without_more_rejects_numbers():
    with pytest.raises(EvalError, match="cannot coerce an integer to a string"):
        ops.coerce_to_string(ev("1"), None)


def test_coerce_path_without_copy_keeps_the_path():
    s = ops.coerce_to_string(NixPath("/tmp/x"), None, copy_to_store=False)
    assert (s.s, s.ctx) == ("/tmp/x", frozenset())


def test_values_equal_semantics():
    assert ops.values_equal(ev("1"), ev("1.0"))
    assert ops.values_equal(NixString("a", frozenset({"/nix/store/x"})), NixString("a"))
    assert not ops.values_equal(ev("x: x"), ev("x: x"))
    drv_a = ev('{ type = "derivation"; outPath = "/o"; x = 1; }')
    drv_b = ev('{ type = "derivation"; outPath = "/o"; x = 2; }')
    assert ops.values_equal(drv_a, drv_b)
    assert not ops.values_equal(ev("{ a = 1; }"), ev("{ a = 1; b = 2; }"))


def test_compare_values_orders_like_nix():
    assert ops.compare_values(ev("[ 1 2 ]"), ev("[ 1 3 ]")) < 0
    assert ops.compare_values(ev('"b"'), ev('"a"')) > 0
    assert ops.compare_values(ev("1"), ev("1.0")) == 0
    with pytest.raises(EvalError, match="cannot compare a set with a set"):
        ops.compare_values(ev("{ }"), ev("{ }"))


def test_force_deep_adds_attribute_trace():
    with pytest.raises(EvalError) as info:
        ops.force_deep(ev('{ a = { b = throw "deep"; }; }'))
    assert [t for t, _ in info.value.trace] == ["while evaluating the attribute 'b'", "while evaluating the attribute 'a'"]


def test_print_value_lazy_shows_code_until_forced():
    v = ev("{ a = 1; b = 1 + 1; c = [ (2 + 2) ]; }")
    assert print_value(v, False) == "{ a = 1; b = <CODE>; c = <CODE>; }"
    assert print_value(v, True) == "{ a = 1; b = 2; c = [ 4 ]; }"
    assert print_value(v, False) == "{ a = 1; b = 2; c = [ 4 ]; }"


def test_print_value_escapes_and_floats():
    assert print_value(ev('[ "a\\"b" "$x" "\\${y}" 0.1 1.0e21 ]'), True) == '[ "a\\"b" "$x" "\\${y}" 0.1 1e+21 ]'


def test_to_json_without_copy_and_with_context():
    text, ctx = to_json(ev('{ p = /tmp/some/path; s = "x"; }'), None, copy_to_store=False)
    assert (text, ctx) == ('{"p":"/tmp/some/path","s":"x"}', frozenset())
    text, ctx = to_json(NixList([NixString("a", frozenset({"/nix/store/abc-x"}))]))
    assert (text, ctx) == ('["a"]', frozenset({"/nix/store/abc-x"}))


def test_to_json_escapes_control_characters():
    assert to_json(NixString("\x01\n\t\"\\é"))[0] == '"\\u0001\\n\\t\\"\\\\é"'


def test_hooks_call_applies_functions_and_functors():
    from translator.nix.values import hooks

    assert hooks.call(ev("x: x * 2"), 21, None) == 42
    assert hooks.call(ev("{ __functor = self: x: x + self.n; n = 1; }"), 1, None) == 2
    add1 = hooks.call(ev("builtins.add"), 1, None)
    assert hooks.call(add1, 2, None) == 3


def test_undefined_variable_is_reported_before_evaluation():
    with pytest.raises(EvalError, match="undefined variable 'nope'"):
        ev("if true then 1 else nope")
