"""Every backend declares the licence of its code and of its weights, and `aifilm doctor`
shows both (the render report's are checked in test_render_e2e)."""

from __future__ import annotations

from aifilm.doctor import check_backends
from aifilm.pipeline.registry import registry


def test_every_backend_declares_code_and_weights_licences() -> None:
    backends = [b for stage in registry.stages() for b in registry.backends(stage).values()]
    assert len(backends) >= 15
    for backend in backends:
        assert isinstance(backend.license, str) and backend.license.strip(), backend.name
        assert isinstance(backend.weights_license, str), f"{backend.name}: no weights_license"
        assert backend.weights_license.strip(), backend.name
        assert isinstance(backend.commercial_use, bool), backend.name


def test_doctor_shows_each_backends_licences() -> None:
    rows = {check.name.removesuffix(" (default)"): check for check in check_backends()}
    for stage in registry.stages():
        for name, backend in registry.backends(stage).items():
            detail = rows[f"{stage} backend '{name}'"].detail
            assert f"code: {backend.license}" in detail
            assert f"weights: {backend.weights_license}" in detail
            assert ("NON-COMMERCIAL" in detail) is (not backend.commercial_use)
    assert "CC-BY-NC" in rows["music backend 'musicgen'"].detail
