"""Casting: who each character is (species, sex, age, role) and the voice that fits."""

from __future__ import annotations

from aifilm.cast.identity import AGES, Age, Identity, Sex, infer_cast, infer_identity

__all__ = ["AGES", "Age", "Identity", "Sex", "infer_cast", "infer_identity"]
