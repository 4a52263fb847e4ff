from __future__ import annotations

import sys
import textwrap

import pytest

from clscore.plugins import signature_of
from clscore.plugins._annotations import check_value


@pytest.fixture
def source_package(tmp_path, monkeypatch):
    pkg = tmp_path / "sigpkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from .sub.mod import Child as Exported\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "base.py").write_text(
        textwrap.dedent(
            """
            class Base:
                def __init__(self, depth: int, style: str = "pytorch", *, frozen: bool = False):
                    pass
            """
        )
    )
    (pkg / "sub" / "mod.py").write_text(
        textwrap.dedent(
            """
            import torch_that_does_not_exist  # never executed: read from source
            from .base import Base

            class Child(Base):
                def __init__(self, width: float = 1.0, **kwargs):
                    super().__init__(**kwargs)

            class Open(nn.Module):
                def __init__(self, model_name: str, **model_kwargs):
                    super().__init__()

            def make(size: int | list[int], *, name: str = "x"):
                pass

            Alias = Child
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "sigpkg"
    for name in [m for m in sys.modules if m.startswith("sigpkg")]:
        del sys.modules[name]


def test_reads_class_signature_through_reexport_and_base_kwargs(source_package):
    sig = signature_of("sigpkg:Exported")
    assert sig is not None
    assert sig.names == ["width", "depth", "style", "frozen"]
    assert sig.get("depth").required and not sig.get("style").required
    assert sig.get("style").default == "'pytorch'"
    assert not sig.open_kwargs
    assert "sigpkg.sub.mod" not in sys.modules


def test_kwargs_of_a_class_on_a_root_base_stay_open(source_package):
    sig = signature_of("sigpkg.sub.mod:Open")
    assert sig.names == ["model_name"] and sig.open_kwargs


def test_reads_function_and_alias(source_package):
    assert signature_of("sigpkg.sub.mod:make").names == ["size", "name"]
    assert signature_of("sigpkg.sub.mod:Alias").names[0] == "width"


def test_unknown_target_gives_none():
    assert signature_of("no_such_pkg_abc.mod:Thing") is None


def test_imported_objects_use_inspect():
    class Base:
        def __init__(self, a: int, b: str = "x"):
            pass

    class Child(Base):
        def __init__(self, c: float = 1.0, **kwargs):
            super().__init__(**kwargs)

    assert signature_of(Child).names == ["c", "a", "b"]


def test_torch_optimizer_signature():  # read from source without torch: tests/test_light_paths.py
    assert signature_of("torch.optim:SGD").names[:3] == ["params", "lr", "momentum"]


@pytest.mark.parametrize(
    ("value", "annotation", "ok"),
    [
        (1, "int", True),
        (1.5, "int", False),
        (True, "int", False),
        (1, "float", True),
        ("1e-4", "float", False),
        (None, "int | None", True),
        (None, "Optional[int]", True),
        ([1, 2], "Sequence[int]", True),
        ([1, "a"], "list[int]", False),
        ((0.08, 1.0), "tuple[float, float]", True),
        ([1.0], "tuple[float, float]", False),
        ("caffe", "Literal['pytorch', 'caffe']", True),
        ("tensorflow", "Literal['pytorch', 'caffe']", False),
        (object(), "SomeClass", True),
        ("x", "nn.Module", False),
        ("x", "float | Tensor", False),
        (3, "Union[int, Sequence[int]]", True),
        ("x", "Union[int, Sequence[int]]", False),
        (3, None, True),
    ],
)
def test_check_value(value, annotation, ok):
    assert check_value(value, annotation) is ok
