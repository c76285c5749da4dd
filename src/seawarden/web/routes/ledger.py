"""The tamper-evident ledger: API routes."""

from __future__ import annotations

from fastapi import APIRouter

from seawarden.web.deps import ERRORS

router = APIRouter(prefix="/api", tags=["ledger"], responses=ERRORS)
