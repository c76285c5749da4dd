"""The register of ships, crews and companies; risk profiles; credit; public service: API routes."""

from __future__ import annotations

from fastapi import APIRouter

from seawarden.web.deps import ERRORS

router = APIRouter(prefix="/api", tags=["registry"], responses=ERRORS)
