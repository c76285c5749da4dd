"""Dangerous goods: API routes."""

from __future__ import annotations

from fastapi import APIRouter

from seawarden.web.deps import ERRORS

router = APIRouter(prefix="/api", tags=["dangerous-goods"], responses=ERRORS)
