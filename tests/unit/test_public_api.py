"""The stated public API: ``carpe.__all__`` is sorted and complete."""

import carpe


def test_public_api_is_sorted_and_importable() -> None:
    assert carpe.__all__ == sorted(carpe.__all__)
    for name in carpe.__all__:
        assert hasattr(carpe, name), name


def test_public_api_lists_every_public_name() -> None:
    public = {
        n
        for n in vars(carpe)
        if not n.startswith("_") and not isinstance(getattr(carpe, n), type(carpe))
    }
    assert public <= set(carpe.__all__)
